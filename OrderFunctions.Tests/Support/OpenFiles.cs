namespace OrderFunctions.Tests.Support;

/// <summary>The files this process holds open, from Linux's /proc/self/fd.</summary>
public static class OpenFiles
{
    /// <summary>How many of this process's file descriptors name <paramref name="path"/>.</summary>
    public static int Count(string path)
    {
        var full = Path.GetFullPath(path);
        return new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Count(fd =>
            {
                try
                {
                    return fd.LinkTarget == full;
                }
                catch (IOException)
                {
                    return false; // closed while listed
                }
            });
    }
}
