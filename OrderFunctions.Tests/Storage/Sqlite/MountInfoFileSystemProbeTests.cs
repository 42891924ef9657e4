using OrderFunctions.Storage.Sqlite;

namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>
/// How the SQLite engine learns the filesystem a file lies on: the /proc/self/mountinfo line whose mount point holds the
/// file's folder, the longest such, the later of two on one point (the mount on top).
/// </summary>
public sealed class MountInfoFileSystemProbeTests
{
    // id parent major:minor root mount-point options [optional fields] - type source super-options
    private static readonly string[] MountInfo =
    [
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
        "30 22 0:40 / /data rw,relatime shared:2 - nfs4 server:/export rw,vers=4.2",
        "31 30 8:17 / /data/local rw,relatime - xfs /dev/sdb1 rw",
        "32 22 0:41 / /mnt/with\\040space rw,relatime - cifs //host/share rw",
        "33 22 8:33 / /database rw,relatime - btrfs /dev/sdc1 rw",
        "34 22 0:42 / /stack rw - tmpfs tmpfs rw",
        "35 34 0:43 / /stack rw - overlay overlay rw",
    ];

    [Theory]
    [InlineData("/orders.db", "ext4")]                      // the root mount, for a file in /
    [InlineData("/", "ext4")]                               // a path with no parent folder: the root
    [InlineData("/var/lib/orders.db", "ext4")]              // no other mount holds /var
    [InlineData("/data/orders.db", "nfs4")]                 // the folder is the mount point itself
    [InlineData("/data/sub/orders.db", "nfs4")]
    [InlineData("/data/local/orders.db", "xfs")]            // the longest mount point that holds it
    [InlineData("/database/orders.db", "btrfs")]            // /data is a prefix of the name, not a parent folder
    [InlineData("/datab/orders.db", "ext4")]                // the same, with no mount of its own to outmatch /data
    [InlineData("/mnt/with space/orders.db", "cifs")]       // mountinfo writes a space as \040
    [InlineData("/stack/orders.db", "overlay")]             // two mounts on one point: the later lies on top
    public void FileSystemType_names_the_type_of_the_mount_that_holds_the_file(string path, string expected)
    {
        Assert.Equal(expected, MountInfoFileSystemProbe.FileSystemType(MountInfo, path));
    }

    [Theory]
    [InlineData("30 22 0:40 / /data rw,relatime shared:2 nfs4 server:/export rw")] // no separator
    [InlineData("30 22 0:40 / /data rw,relatime shared:2 -")]                      // nothing after it
    [InlineData("30 22 - x")]                                                       // too few fields for a mount point
    [InlineData("")]
    public void FileSystemType_skips_a_line_it_cannot_read(string line)
    {
        Assert.Equal("ext4", MountInfoFileSystemProbe.FileSystemType([MountInfo[0], line], "/data/orders.db"));
    }

    [Theory]
    [InlineData("1 - zfs x /data")]   // five fields, the fewest that hold a mount point
    [InlineData("- zfs 1 x /data")]   // the separator first
    public void FileSystemType_reads_any_line_with_a_mount_point_and_a_type_after_the_separator(string line)
    {
        Assert.Equal("zfs", MountInfoFileSystemProbe.FileSystemType([MountInfo[0], line], "/data/orders.db"));
    }

    [Fact]
    public void FileSystemType_is_null_when_no_mount_holds_the_file()
    {
        Assert.Null(MountInfoFileSystemProbe.FileSystemType(MountInfo[1..], "/var/orders.db"));
    }
}
