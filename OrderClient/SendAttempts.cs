using System.Net.Sockets;

namespace OrderClient;

/// <summary>
/// Wraps the innermost HTTP handler of <c>send</c> to learn whether any attempt (the first or a retry) got as far as a
/// connection: only then can an order have reached the server. A refused connection or an unknown host on every
/// attempt means nothing was sent, and the client can say so instead of "may or may not be stored".
/// </summary>
public sealed class SendAttempts
{
    /// <summary>True once an attempt had a connection (it may have been sent, answered or not).</summary>
    public bool AnyReachedServer { get; private set; }

    /// <summary>The innermost handler for <see cref="ClientEnvironment.PrimaryHandler"/>, around the given one (or sockets).</summary>
    public Func<HttpMessageHandler> Wrap(Func<HttpMessageHandler>? inner) =>
        () => new Tracker(this, inner?.Invoke() ?? new SocketsHttpHandler());

    /// <summary>Whether <paramref name="exception"/> was raised before any byte of the request could leave.</summary>
    public static bool NeverSent(Exception exception) => exception is HttpRequestException
    {
        HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
    } or HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound } };

    private sealed class Tracker(SendAttempts attempts, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                attempts.AnyReachedServer = true;
                return response;
            }
            catch (Exception ex) when (!NeverSent(ex))
            {
                attempts.AnyReachedServer = true; // a timeout or a reset after connecting: the order may have arrived
                throw;
            }
        }
    }
}
