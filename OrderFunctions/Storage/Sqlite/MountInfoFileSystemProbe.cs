namespace OrderFunctions.Storage.Sqlite;

/// <summary>Reads the filesystem type from Linux's /proc/self/mountinfo: the mount with the longest matching mount point.</summary>
public sealed class MountInfoFileSystemProbe : IFileSystemProbe
{
    private const string MountInfo = "/proc/self/mountinfo";

    public string? FileSystemType(string path) =>
        File.Exists(MountInfo) ? FileSystemType(File.ReadLines(MountInfo), path) : null;

    /// <summary>The type of the mount, among <paramref name="mountInfo"/>'s lines, that holds <paramref name="path"/>.</summary>
    internal static string? FileSystemType(IEnumerable<string> mountInfo, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        string? best = null;
        var bestLength = -1;
        foreach (var line in mountInfo)
        {
            // id parent major:minor root mount-point options [optional fields] - type source super-options
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length) continue;
            var mountPoint = fields[4].Replace("\\040", " ");
            var matches = directory == mountPoint || directory.StartsWith(mountPoint.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (matches && mountPoint.Length >= bestLength) // of two mounts on one point, the later lies on top
            {
                (best, bestLength) = (fields[separator + 1], mountPoint.Length);
            }
        }
        return best;
    }
}
