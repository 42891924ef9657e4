using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderFunctions.Tests.Hosting.FunctionsHost.Rpc;
using OrderFunctions.Tests.Support;
using Xunit.Abstractions;

namespace OrderFunctions.Tests.Hosting.FunctionsHost;

/// <summary>
/// Plays the Azure Functions host for the real, built <c>OrderFunctions</c> app: serves the worker's FunctionRpc
/// stream over HTTP/2 cleartext, starts the worker as the host does (<see cref="WorkerProcess"/>), loads its functions,
/// then serves HTTP at <see cref="BaseAddress"/>: each request a function's route matches (host.json routePrefix +
/// the trigger's route, its methods) is forwarded to the worker's HTTP listener with <c>x-ms-invocation-id</c> while
/// the matching InvocationRequest goes over gRPC with the route values in its trigger metadata; any other path is 404.
/// </summary>
public sealed class FunctionsHostFixture : IAsyncDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    private readonly WorkerChannel _channel;
    private readonly WebApplication _rpcServer;
    private WebApplication? _front;
    private WorkerProcess? _worker;
    private HttpClient? _toWorker;
    private ITestOutputHelper? _output;

    private FunctionsHostFixture(string appDirectory)
    {
        AppDirectory = appDirectory;
        _channel = new WorkerChannel(appDirectory, Write);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => { o.MaxReceiveMessageSize = null; o.MaxSendMessageSize = null; });
        builder.Services.AddSingleton(_channel);
        _rpcServer = builder.Build();
        _rpcServer.MapGrpcService<FunctionRpcService>();
    }

    /// <summary>The built function app the worker runs from: OrderFunctions/bin/&lt;Configuration&gt;/net10.0.</summary>
    public string AppDirectory { get; }

    /// <summary>Where callers send HTTP requests, as they would to <c>func start</c> on port 7071.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The worker's RpcLog messages, its console output and the fixture's own notes.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The worker's <c>--functions-worker-id</c>, unique to its command line.</summary>
    public string WorkerId => _worker?.WorkerId ?? "";

    /// <summary>The HTTP functions the worker loaded, with the route the fixture serves them at.</summary>
    internal IReadOnlyList<LoadedFunction> Functions { get; private set; } = [];

    /// <summary>Starts the gRPC server and the worker and waits until every function is loaded.</summary>
    public static async Task<FunctionsHostFixture> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var fixture = new FunctionsHostFixture(FunctionAppDirectory());
        try
        {
            await fixture.StartCoreAsync(settings);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends the worker's logs to this test's output until <see cref="Detach"/>.</summary>
    public void Attach(ITestOutputHelper output) => _output = output;

    public void Detach() => _output = null;

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    private async Task StartCoreAsync(IReadOnlyDictionary<string, string> settings)
    {
        await _rpcServer.StartAsync();
        var rpcUri = new Uri(Address(_rpcServer));
        _worker = WorkerProcess.Start(AppDirectory, rpcUri, settings, Write);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var exited = _worker.WaitForExitAsync(deadline.Token);
        var first = await Task.WhenAny(_channel.Ready, exited);
        if (first != _channel.Ready)
        {
            throw new InvalidOperationException(
                $"The worker exited or did not load its functions in time.{Environment.NewLine}{string.Join(Environment.NewLine, Logs.Entries)}");
        }
        Functions = await _channel.Ready;
        // The worker reports HttpUri before its Kestrel listens (both start as hosted services): wait for the socket.
        await WaitUntilListeningAsync(_channel.HttpUri!, deadline.Token);
        _toWorker = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None
        })
        {
            BaseAddress = _channel.HttpUri,
            Timeout = TimeSpan.FromSeconds(60),
        };

        var front = WebApplication.CreateSlimBuilder();
        front.Logging.ClearProviders();
        front.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _front = front.Build();
        var routePrefix = ReadRoutePrefix(Path.Combine(AppDirectory, "host.json"));
        foreach (var function in Functions)
        {
            _front.MapMethods(function.Pattern(routePrefix), function.Methods, async context =>
            {
                try
                {
                    await ForwardAsync(context, function);
                }
                catch (Exception ex)
                {
                    Write($"[host] forwarding {context.Request.Method} {context.Request.Path} to {function.Name} failed: {ex}");
                    throw;
                }
            });
        }
        await _front.StartAsync();
        BaseAddress = new Uri(Address(_front));
    }

    /// <summary>
    /// What the host does for an HTTP-triggered function with ASP.NET Core integration: the same request to the
    /// worker's listener, tagged with the invocation id, and the InvocationRequest that lets the worker run it.
    /// </summary>
    private async Task ForwardAsync(HttpContext context, LoadedFunction function)
    {
        var invocationId = Guid.NewGuid().ToString();
        var request = context.Request;
        var pathAndQuery = request.Path + request.QueryString;

        var http = new RpcHttp { Method = request.Method, Url = $"{BaseAddress.ToString().TrimEnd('/')}{pathAndQuery}" };
        foreach (var (name, value) in request.Headers) http.Headers[name.ToLowerInvariant()] = value.ToString();
        foreach (var (name, value) in request.Query) http.Query[name] = value.ToString();
        var invocation = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext
            {
                TraceParent = Activity.Current?.Id
                    ?? $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01"
            },
        };
        // Route values go in the trigger metadata: the worker binds parameters such as {id:long} from there.
        foreach (var (name, value) in request.RouteValues)
        {
            if (value is string text)
            {
                http.Params[name] = text;
                invocation.TriggerMetadata[name] = new TypedData { String = text };
            }
        }
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(http.Headers) };
        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(http.Query) };
        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = http } });

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), pathAndQuery);
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length > 0 || request.ContentLength is not null || request.Headers.ContainsKey("Content-Type"))
        {
            forward.Content = new ByteArrayContent(body.ToArray());
        }
        foreach (var (name, value) in request.Headers)
        {
            if (name is "Host" or "Connection" or "Transfer-Encoding" or "Content-Length") continue;
            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
            }
        }
        forward.Headers.Add(InvocationIdHeader, invocationId);

        var invoked = _channel.InvokeAsync(invocation);
        using var response = await _toWorker!.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is "Transfer-Encoding" or "Connection") continue;
            context.Response.Headers[name] = values.ToArray();
        }
        if ((int)response.StatusCode >= 500)
        {
            var text = await response.Content.ReadAsStringAsync(context.RequestAborted);
            Write($"[host] the worker answered {(int)response.StatusCode} to {request.Method} {pathAndQuery} ({invocationId}): {text}");
            await context.Response.WriteAsync(text, context.RequestAborted);
        }
        else
        {
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }

        var result = await invoked.WaitAsync(TimeSpan.FromSeconds(60));
        if (result.Result.Status != StatusResult.Types.Status.Success)
        {
            Write($"[host] invocation {invocationId} of {function.Name} ended {result.Result.Status}: {result.Result.Exception?.Message}");
        }
    }

    private void Write(string line)
    {
        Logs.Add(line);
        try
        {
            _output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test that attached has finished.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is { HasExited: false })
        {
            _channel.Terminate(TimeSpan.FromSeconds(5));
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _worker.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Write("[host] the worker did not stop after WorkerTerminate; killing it");
            }
        }
        _worker?.Dispose();
        _toWorker?.Dispose();
        if (_front is not null) await _front.DisposeAsync();
        await _rpcServer.DisposeAsync();
    }

    private async Task WaitUntilListeningAsync(Uri uri, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_worker!.HasExited) throw new InvalidOperationException(
                $"The worker exited.{Environment.NewLine}{string.Join(Environment.NewLine, Logs.Entries)}");
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(uri.Host, uri.Port, cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";

    private static string ReadRoutePrefix(string hostJsonPath)
    {
        using var host = JsonDocument.Parse(File.ReadAllText(hostJsonPath));
        return host.RootElement.TryGetProperty("extensions", out var e) && e.TryGetProperty("http", out var h)
               && h.TryGetProperty("routePrefix", out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()!
            : "api";
    }

    // The test project references the function app, so its build output sits beside the tests' own tree.
    private static string FunctionAppDirectory()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // bin/<Configuration>/net10.0
        var configuration = testOutput.Parent!.Name;
        var root = testOutput.Parent!.Parent!.Parent!.Parent!.FullName;
        var directory = Path.Combine(root, "OrderFunctions", "bin", configuration, testOutput.Name);
        return File.Exists(Path.Combine(directory, "functions.metadata")) && File.Exists(Path.Combine(directory, "OrderFunctions.dll"))
            ? directory
            : throw new FileNotFoundException("Build the solution first: the function app's output is missing.", directory);
    }
}
