using System.Text.Json;

namespace OrderFunctions.Tests.Sender;

/// <summary>
/// Holds the first request until <see cref="Release"/> (so that a sender falls behind), then passes every request on,
/// recording the most orders one JSON array body carried.
/// </summary>
internal sealed class GatedBatchHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _most;

    public int MostOrders => Volatile.Read(ref _most);

    public void Release() => _released.TrySetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _requests) == 1) await _released.Task.WaitAsync(cancellationToken);
        if (request.Content is { } content)
        {
            using var body = JsonDocument.Parse(await content.ReadAsByteArrayAsync(cancellationToken));
            var orders = body.RootElement.GetArrayLength();
            for (var most = Volatile.Read(ref _most); orders > most; most = Volatile.Read(ref _most))
            {
                if (Interlocked.CompareExchange(ref _most, orders, most) == most) break;
            }
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
