using System.Runtime.InteropServices;

namespace OrderFunctions.Client.Spool;

/// <summary>
/// msync(2) over a byte range: .NET's <c>MemoryMappedViewAccessor.Flush</c> writes back the whole view, including the
/// pages prepared ahead of the writers, which the kernel then write-protects (see <c>SpoolOrderLog.FlushToDisk</c>).
/// </summary>
internal static partial class SpoolNative
{
    /// <summary>MS_SYNC on Linux: wait until the range is on disk.</summary>
    public const int MsSync = 4;

#pragma warning disable SA1300, IDE1006 // the C name
    [LibraryImport("libc", SetLastError = true)]
    public static partial int msync(nint address, nuint length, int flags);
#pragma warning restore SA1300, IDE1006
}
