using System.Diagnostics;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// Makes a directory read-only the way an operator's read-only mount does, then writable again, for the storage fault
/// tests. The suite runs as root (CI too), for whom file modes stop nothing (chmod 0444 is no fault), so it takes one
/// of two kernel-enforced ways: a bind mount of the directory onto itself, remounted read-only (writes fail with EROFS,
/// as on a read-only volume), or the immutable attribute (chattr +i) on the directory and each file in it (writes fail
/// with EPERM). Either needs root; a test that cannot have it fails, saying why, rather than passing untested.
/// </summary>
public sealed class ReadOnlyDirectory : IDisposable
{
    public enum How { BindMount, Immutable }

    private readonly string _directory;
    private readonly How _how;
    private bool _readOnly;
    private bool _mounted;

    private ReadOnlyDirectory(string directory, How how) => (_directory, _how) = (directory, how);

    public static ReadOnlyDirectory Make(string directory, How how)
    {
        var made = new ReadOnlyDirectory(directory, how);
        try
        {
            if (how == How.BindMount)
            {
                Run("mount", "--bind", directory, directory);
                made._mounted = true;
                Run("mount", "-o", "remount,ro,bind", directory, directory);
            }
            else
            {
                Run(["chattr", "+i", .. Directory.GetFiles(directory), directory]);
            }
            made._readOnly = true;
            return made;
        }
        catch
        {
            made.Dispose();
            throw;
        }
    }

    /// <summary>The fault clears: the same files, writable again.</summary>
    public void MakeWritable()
    {
        if (!_readOnly) return;
        if (_how == How.BindMount) Run("mount", "-o", "remount,rw,bind", _directory, _directory);
        else Run(["chattr", "-i", _directory, .. Directory.GetFiles(_directory)]);
        _readOnly = false;
    }

    public void Dispose()
    {
        MakeWritable();
        if (_mounted) Run("umount", "--lazy", _directory); // detached even while a file on it is still open
        _mounted = false;
    }

    private static void Run(params string[] command)
    {
        using var process = Process.Start(new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{string.Join(' ', command)}' failed ({process.ExitCode}): {error.Trim()}. The read-only fault tests need root " +
                "(CAP_SYS_ADMIN for a bind mount, CAP_LINUX_IMMUTABLE and a filesystem with chattr for the immutable attribute).");
        }
    }
}
