using System.Runtime.InteropServices;

namespace OrderFunctions.Benchmarks;

/// <summary>
/// CPU time, which a busy shared machine inflates far less than wall-clock time: the whole process's (nanoseconds,
/// <c>CLOCK_PROCESS_CPUTIME_ID</c>) and one named thread's (clock ticks from <c>/proc/self/task/*/stat</c>). Linux only.
/// </summary>
internal static class CpuClock
{
    private const int ClockProcessCpuTimeId = 2;
    private static readonly double TicksPerSecond = 100; // USER_HZ, fixed at 100 on Linux for /proc

    /// <summary>CPU time used by every thread of this process so far, in nanoseconds.</summary>
    public static long ProcessNanoseconds()
    {
        if (clock_gettime(ClockProcessCpuTimeId, out var now) != 0) throw new InvalidOperationException("clock_gettime failed");
        return now.Seconds * 1_000_000_000 + now.Nanoseconds;
    }

    /// <summary>CPU time used so far by the threads named <paramref name="name"/>, in nanoseconds (10 ms resolution).</summary>
    public static long ThreadNanoseconds(string name)
    {
        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string stat;
            try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
            catch (IOException) { continue; } // the thread ended
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (stat[(open + 1)..close] != name) continue;
            var fields = stat[(close + 2)..].Split(' ');
            ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
        }
        return (long)(ticks / TicksPerSecond * 1_000_000_000);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc")]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
