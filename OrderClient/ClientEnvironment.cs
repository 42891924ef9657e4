namespace OrderClient;

/// <summary>
/// What the client takes from its surroundings, as one object so tests can replace it: environment variables, the
/// clock, whether stdout is a terminal, the innermost HTTP handler and the first retry delay.
/// </summary>
public sealed record ClientEnvironment
{
    public static ClientEnvironment Default { get; } = new();

    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Whether a progress bar may be drawn on the output (a terminal, not a file or pipe).</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Replaces the sockets handler (tests pass a fake); the resilience handler stays in front of it.</summary>
    public Func<HttpMessageHandler>? PrimaryHandler { get; init; }

    /// <summary>The first retry delay; the next ones double, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);
}
