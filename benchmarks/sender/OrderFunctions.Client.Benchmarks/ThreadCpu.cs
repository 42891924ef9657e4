using System.Globalization;

namespace OrderFunctions.Client.Benchmarks;

/// <summary>The CPU time (user and system) of this process's threads so far, by thread name, from /proc (Linux).</summary>
internal static class ThreadCpu
{
    /// <summary>
    /// Milliseconds by name (threads of one name summed; /proc keeps 15 characters of a name, "OrderSender spo" for the
    /// spool's thread), or null where there is no /proc.
    /// </summary>
    public static SortedDictionary<string, long>? MillisecondsByName()
    {
        if (!Directory.Exists("/proc/self/task")) return null;
        var byName = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // After the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                byName[name] = byName.GetValueOrDefault(name) + ticks * 10; // USER_HZ is 100 on Linux
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }
        return byName;
    }
}
