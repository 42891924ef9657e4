namespace OrderFunctions.Tests.Support;

/// <summary>The standalone host exited before it listened: its exit code and all it wrote.</summary>
public sealed class StandaloneHostExitedException(int exitCode, string output)
    : InvalidOperationException($"The standalone host exited at start (exit code {exitCode}):{Environment.NewLine}{output}")
{
    public int ExitCode { get; } = exitCode;

    /// <summary>What the process wrote to stdout and stderr, a line at a time.</summary>
    public IReadOnlyList<string> OutputLines { get; } = output.Split(Environment.NewLine);
}
