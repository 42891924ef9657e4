namespace OrderFunctions.Tests.Client;

/// <summary>What a <see cref="ClientRun"/> may change about the client's surroundings.</summary>
public sealed record ClientRunSettings
{
    /// <summary>The fake server; null sends over real sockets (end-to-end tests).</summary>
    public FakeOrdersHandler? Handler { get; init; }

    /// <summary>The environment variables the client sees (and no others).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the client's stdout goes, when the test must watch it while the client runs.</summary>
    public StringWriter? Output { get; init; }

    public TimeProvider? Clock { get; init; }

    /// <summary>Cancelled, it is Ctrl-C.</summary>
    public CancellationToken CancellationToken { get; init; }
}
