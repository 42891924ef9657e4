namespace OrderFunctions.Storage.Sqlite;

/// <summary>Reads the filesystem type from Linux's /proc/self/mountinfo: the mount with the longest matching mount point.</summary>
public sealed class MountInfoFileSystemProbe : IFileSystemProbe
{
    private const string MountInfo = "/proc/self/mountinfo";

    public string? FileSystemType(string path)
    {
        if (!File.Exists(MountInfo)) return null;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        string? best = null;
        var bestLength = -1;
        foreach (var line in File.ReadLines(MountInfo))
        {
            // id parent major:minor root mount-point options [optional fields] - type source super-options
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length) continue;
            var mountPoint = fields[4].Replace("\\040", " ");
            var matches = directory == mountPoint || directory.StartsWith(mountPoint.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (matches && mountPoint.Length > bestLength)
            {
                (best, bestLength) = (fields[separator + 1], mountPoint.Length);
            }
        }
        return best;
    }
}
