namespace OrderFunctions.Storage;

/// <summary>
/// What an engine's <see cref="IOrderBatchWriter{TPrepared}.Write"/> returns for one request of the batch:
/// <see cref="Single"/> for a single order, else <see cref="Many"/>, one result per order in input order; or, when the
/// engine set this one request aside while the rest of the batch committed, <see cref="Refused"/>: why nothing of it was
/// written (answered 503, retry later).
/// </summary>
public readonly record struct WriteResult(SaveResult Single, SaveResult[]? Many, string? Refused = null)
{
    public static WriteResult One(SaveResult result) => new(result, null);

    public static WriteResult All(SaveResult[] results) => new(default, results);

    public static WriteResult NotWritten(string reason) => new(default, null, reason);
}
