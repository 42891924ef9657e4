namespace OrderFunctions.Client;

/// <summary>
/// The outcome of one call, never an exception for an HTTP or network failure: the value on 2xx, the server's problem
/// on 4xx/5xx, or why the server could not be reached (<see cref="TransportError"/>, <see cref="Status"/> 0).
/// </summary>
public sealed record OrderResponse<T>(int Status, T? Value, bool Replayed, OrderProblem? Problem, string? TransportError, TimeSpan? RetryAfter)
{
    /// <summary>
    /// The body exactly as the server sent it (empty for a transport error, and for <c>ExportAsync</c>, which streams):
    /// for callers that print or forward the server's own JSON, every digit as written.
    /// </summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary><c>ExportAsync</c> only: the id of the newest order in the export's snapshot (its <c>Export-Snapshot-Max-Id</c> header).</summary>
    public long? SnapshotMaxId { get; init; }

    /// <summary>2xx with the expected body.</summary>
    public bool IsSuccess => Status is >= 200 and < 300 && Value is not null;

    /// <summary>Worth retrying later: no answer, 408, 429 or 5xx.</summary>
    public bool IsTransient => Status is 0 or 408 or 429 or >= 500;

    /// <summary>The value, or an <see cref="InvalidOperationException"/> describing the failure (for callers who prefer throwing).</summary>
    public T GetValueOrThrow() => IsSuccess
        ? Value!
        : throw new InvalidOperationException(TransportError ?? Problem?.ToString() ?? $"HTTP {Status}");
}
