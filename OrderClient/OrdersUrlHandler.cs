namespace OrderClient;

/// <summary>
/// Keeps the command line's contract, "--url is the orders URL and every other URL lies below it", over the library,
/// whose routes lie below a base address: each request the library makes for <c>{base}/API/orders{rest}</c> goes to
/// <c>{--url}{rest}</c>, exactly the URL the user gave. So a --url that is not the orders API (the host's root, an
/// order's URL) is answered as such (404, another shape) and named in the hint, instead of being quietly corrected.
/// </summary>
internal sealed class OrdersUrlHandler(ApiEndpoint endpoint) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = endpoint.Map(request.RequestUri!);
        return base.SendAsync(request, cancellationToken);
    }
}
