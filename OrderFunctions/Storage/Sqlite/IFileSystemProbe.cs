namespace OrderFunctions.Storage.Sqlite;

/// <summary>Which filesystem holds a path (injectable, so tests need no network share).</summary>
public interface IFileSystemProbe
{
    /// <summary>The filesystem type of the mount holding <paramref name="path"/> (as in /proc/self/mountinfo), or null if unknown.</summary>
    string? FileSystemType(string path);
}
