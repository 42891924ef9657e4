namespace OrderFunctions.Storage;

/// <summary>
/// What an engine's <see cref="IOrderBatchWriter{TPrepared}.Write"/> returns for one request of the batch:
/// <see cref="Single"/> for a single order, else <see cref="Many"/>, one result per order in input order.
/// </summary>
public readonly record struct WriteResult(SaveResult Single, SaveResult[]? Many)
{
    public static WriteResult One(SaveResult result) => new(result, null);

    public static WriteResult All(SaveResult[] results) => new(default, results);
}
