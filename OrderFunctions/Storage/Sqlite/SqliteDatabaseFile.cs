using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// Which file the writer opened, by (device, inode), so that a file removed or replaced while the process runs is
/// noticed: SQLite in WAL mode keeps writing to a deleted file's inode and answers every commit, so without this check
/// orders acknowledged after a delete vanish with the process. Once the path no longer names the file first opened,
/// the store stays refused until a restart (a fresh empty file must not silently take new orders). Shared by the
/// writer (checked after each commit, before it is acknowledged) and the health probe.
/// </summary>
public sealed class SqliteDatabaseFile(IOptions<SqliteOrderStoreOptions> options) : IDisposable
{
    /// <summary>What health and refused requests say once the file is gone.</summary>
    public const string LostReason = "the database file was removed or replaced since the service opened it; restore it and restart the service";

    private readonly SqliteOrderStoreOptions _options = options.Value;
    private readonly object _gate = new();
    private volatile OpenedFile? _opened; // set once, by the first open whose identity can be read
    // Held open for the life of the process so the file's inode cannot be freed and handed to a new file at the same
    // path (ext4 reuses a freed inode number at once), which would pass for the original while the writer's own
    // connection is closed after a fault. Read-only, shared, no SQLite: it takes no lock SQLite would see.
    private SafeFileHandle? _pin;
    private volatile bool _lost;

    /// <summary>True once the path was found naming another file or none; stays true for the life of the process.</summary>
    public bool IsLost => _lost;

    /// <summary>
    /// Called by the writer after each successful open: the first remembers which file the path names; later ones
    /// check that it is still the same file. Does nothing where identities cannot be read (see <see cref="Identify"/>).
    /// </summary>
    public void Opened()
    {
        lock (_gate)
        {
            if (_opened is not null)
            {
                ThrowIfLost();
                return;
            }
            var path = FilePath(_options.ConnectionString);
            if (path is null) return;
            var pin = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (Identify(path) is { } identity && identity != FileIdentity.Missing)
            {
                (_pin, _opened) = (pin, new OpenedFile(path, identity));
            }
            else
            {
                pin.Dispose();
            }
        }
    }

    /// <summary>Null while the path names the file first opened (or nothing was opened yet); else <see cref="LostReason"/>.</summary>
    public string? Check()
    {
        if (_lost) return LostReason;
        if (_opened is not { } opened) return null;
        if (Identify(opened.Path) == opened.Identity) return null;
        _lost = true;
        return LostReason;
    }

    /// <summary>
    /// Closes the pin. Only at the end of the process, after the writer and the reads have closed their connections:
    /// closing any descriptor of a file drops every POSIX lock the process holds on it.
    /// </summary>
    public void Dispose()
    {
        lock (_gate) _pin?.Dispose();
    }

    /// <summary>Throws <see cref="SqliteFileLostException"/> when <see cref="Check"/> finds the file removed or replaced.</summary>
    public void ThrowIfLost()
    {
        if (Check() is { } reason) throw new SqliteFileLostException(reason);
    }

    // The file a connection string names, as an absolute path (SQLite resolves a relative one against the working
    // directory); null for an in-memory database or a URI filename.
    private static string? FilePath(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return null;
        if (builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)) return null;
        return Path.GetFullPath(builder.DataSource);
    }

    /// <summary>
    /// The (device, inode) of <paramref name="path"/> through libc's stat, or a sentinel that matches no file when the
    /// path names nothing; null where not known (not Linux on x64 or Arm64, whose struct stat begins with st_dev and
    /// st_ino as two 64-bit fields, or a libc without a stat symbol): then no check is made.
    /// </summary>
    internal static FileIdentity? Identify(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)) return null;
        Span<byte> buffer = stackalloc byte[256]; // larger than struct stat on both (144 and 128 bytes)
        try
        {
            if (Stat(path, ref MemoryMarshal.GetReference(buffer)) != 0) return FileIdentity.Missing;
        }
        catch (EntryPointNotFoundException)
        {
            return null; // glibc before 2.33 exports only __xstat
        }
        return new FileIdentity(BitConverter.ToUInt64(buffer), BitConverter.ToUInt64(buffer[8..]));
    }

    // DllImport rather than LibraryImport, which would need unsafe code allowed in the whole project.
    [DllImport("libc", EntryPoint = "stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref byte buffer);

    private sealed record OpenedFile(string Path, FileIdentity Identity);

    /// <summary>A file's identity on Linux: the device it lies on and its inode number.</summary>
    internal readonly record struct FileIdentity(ulong Device, ulong Inode)
    {
        public static readonly FileIdentity Missing = new(ulong.MaxValue, ulong.MaxValue);
    }
}
