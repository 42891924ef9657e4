using System.Diagnostics;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// Programs we did not write that tests use to check our output: python3 (its <c>csv</c> and <c>decimal</c> modules read
/// the export back) and Debian's chromium with chromium-driver (the dashboard). Missing outside CI: the tests that need
/// one report skipped with the install command; in CI (<c>CI=true</c>, where .ci/run installs them) they run and fail.
/// </summary>
public static class ThirdPartyTools
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Python { get; } = Find("python3");

    public static string? Chromium { get; } = Find("chromium");

    public static string? ChromeDriver { get; } = Find("chromedriver");

    public static string? PythonSkipReason =>
        Python is not null || IsCi ? null : "python3 is not installed: sudo apt-get install python3 (.ci/run installs it)";

    public static string? ChromiumSkipReason =>
        (Chromium is not null && ChromeDriver is not null) || IsCi
            ? null
            : "Chromium is not installed: sudo apt-get install chromium chromium-driver (.ci/run installs them)";

    /// <summary>Runs python3 with <paramref name="script"/> on stdin and the arguments; returns its stdout, or fails with its stderr.</summary>
    public static async Task<string> RunPythonAsync(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo(Python ?? "python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-");
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"python3 failed ({process.ExitCode}): {await error}");
        return await output;
    }

    // PATH first, then Debian's own locations (a user's PATH may lack /usr/bin under some runners).
    private static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
