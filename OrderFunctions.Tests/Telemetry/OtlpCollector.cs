using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrderFunctions.Tests.Telemetry;

/// <summary>
/// A stand-in OpenTelemetry collector: takes OTLP/HTTP (protobuf) posts on a loopback port and keeps each body by
/// signal path (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>). Protobuf writes strings as raw UTF-8, so a
/// span name, an instrument name or a leaked key is found in the bytes as it was sent.
/// </summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    public const string Traces = "/v1/traces";
    public const string Metrics = "/v1/metrics";
    public const string Logs = "/v1/logs";

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Task _loop;

    private OtlpCollector(int port)
    {
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public string Endpoint { get; }

    public static OtlpCollector Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new OtlpCollector(port);
    }

    /// <summary>Whether any body posted to <paramref name="path"/> holds <paramref name="text"/> (UTF-8).</summary>
    public bool Received(string path, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return _received.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(needle) >= 0);
    }

    /// <summary>Whether any body, of any signal, holds <paramref name="text"/>.</summary>
    public bool ReceivedAnywhere(string text) => new[] { Traces, Metrics, Logs }.Any(path => Received(path, text));

    public int Count(string path) => _received.Count(r => r.Path == path);

    public async Task WaitForAsync(Func<OtlpCollector, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!done(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The collector did not receive what the test waited for: {Count(Traces)} trace, " +
                    $"{Count(Metrics)} metric, {Count(Logs)} log posts.");
            }
            await Task.Delay(50);
        }
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close(); // an empty body is an empty Export*ServiceResponse: full success
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
