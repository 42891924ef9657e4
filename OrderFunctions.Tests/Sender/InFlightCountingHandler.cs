namespace OrderFunctions.Tests.Sender;

/// <summary>Passes requests on and records the most that were in flight at once, and how many named a preceding order.</summary>
internal sealed class InFlightCountingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private int _inFlight;
    private int _most;
    private int _preceded;

    public int MostInFlight => Volatile.Read(ref _most);

    public int Preceded => Volatile.Read(ref _preceded);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Contains(OrderFunctions.Http.OrderHeaders.IfOrderStored)) Interlocked.Increment(ref _preceded);
        var now = Interlocked.Increment(ref _inFlight);
        for (var most = Volatile.Read(ref _most); now > most; most = Volatile.Read(ref _most))
        {
            if (Interlocked.CompareExchange(ref _most, now, most) == most) break;
        }
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
