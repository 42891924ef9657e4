using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OrderFunctions.Tests.Hosting.FunctionsHost.Rpc;

namespace OrderFunctions.Tests.Hosting.FunctionsHost;

/// <summary>
/// The conversation with one worker over its event stream, in the host's order: the worker's StartStream, then
/// WorkerInitRequest (its answer names the worker's HTTP listener, capability <c>HttpUri</c>), FunctionsMetadataRequest
/// (the worker indexes itself from functions.metadata), one FunctionLoadRequest per function; then an InvocationRequest
/// per forwarded HTTP request, and WorkerTerminate at the end. RpcLog messages go to <see cref="Log"/>.
/// </summary>
internal sealed class WorkerChannel(string appDirectory, Action<string> log)
{
    public const string HostVersion = "4.1040.0";

    private readonly Channel<StreamingMessage> _outgoing = Channel.CreateUnbounded<StreamingMessage>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<IReadOnlyList<LoadedFunction>> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The loaded HTTP functions, once the worker has indexed and loaded them; faults if it could not.</summary>
    public Task<IReadOnlyList<LoadedFunction>> Ready => _ready.Task;

    /// <summary>The worker's own HTTP listener (capability HttpUri), to which HTTP requests are forwarded.</summary>
    public Uri? HttpUri { get; private set; }

    public Action<string> Log { get; } = log;

    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> incoming, IServerStreamWriter<StreamingMessage> outgoing,
        CancellationToken cancellationToken)
    {
        var writer = Task.Run(async () =>
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken)) await outgoing.WriteAsync(message, cancellationToken);
        }, cancellationToken);

        try
        {
            while (await incoming.MoveNext(cancellationToken))
            {
                Receive(incoming.Current);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or Grpc.Core.RpcException)
        {
            // The worker went away or the fixture is stopping.
        }
        finally
        {
            _ready.TrySetException(new InvalidOperationException("The worker closed its event stream before its functions were loaded."));
            foreach (var pending in _pending.Values) pending.TrySetCanceled(CancellationToken.None);
        }
        _outgoing.Writer.TryComplete();
        await writer.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void Receive(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _ = InitializeAsync();
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                var entry = message.RpcLog;
                Log($"[worker {entry.Level}] {entry.Category}: {entry.Message}{(entry.Exception is { } ex ? $" ({ex.Type}: {ex.Message})" : "")}");
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Complete(message.InvocationResponse.InvocationId, message);
                break;
            default:
                Complete(message.RequestId, message);
                break;
        }
    }

    private void Complete(string key, StreamingMessage message)
    {
        if (_pending.TryRemove(key, out var pending)) pending.TrySetResult(message);
    }

    private async Task InitializeAsync()
    {
        try
        {
            var init = new WorkerInitRequest { HostVersion = HostVersion, FunctionAppDirectory = appDirectory, WorkerDirectory = appDirectory };
            var initResponse = (await RequestAsync(new StreamingMessage { WorkerInitRequest = init })).WorkerInitResponse;
            EnsureSuccess(initResponse.Result, "WorkerInitRequest");
            HttpUri = initResponse.Capabilities.TryGetValue("HttpUri", out var uri)
                ? new Uri(uri)
                : throw new InvalidOperationException("The worker did not report capability HttpUri: is ConfigureFunctionsWebApplication missing?");

            var metadata = (await RequestAsync(new StreamingMessage
            {
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
            })).FunctionMetadataResponse;
            EnsureSuccess(metadata.Result, "FunctionsMetadataRequest");

            var functions = new List<LoadedFunction>();
            foreach (var function in metadata.FunctionMetadataResults)
            {
                if (function.FunctionId.Length == 0) function.FunctionId = Guid.NewGuid().ToString();
                function.Directory = appDirectory;
                var load = (await RequestAsync(new StreamingMessage
                {
                    FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
                })).FunctionLoadResponse;
                EnsureSuccess(load.Result, $"FunctionLoadRequest {function.Name}");
                if (LoadedFunction.FromMetadata(function) is { } http) functions.Add(http);
            }
            _ready.TrySetResult(functions);
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
        }
    }

    /// <summary>Sends the invocation and returns the worker's InvocationResponse when it comes.</summary>
    public Task<InvocationResponse> InvokeAsync(InvocationRequest invocation)
    {
        var pending = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[invocation.InvocationId] = pending;
        _outgoing.Writer.TryWrite(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = invocation });
        return pending.Task.ContinueWith(t => t.Result.InvocationResponse, TaskScheduler.Default);
    }

    /// <summary>Asks the worker to stop (it stops its host; the process then exits).</summary>
    public void Terminate(TimeSpan gracePeriod) =>
        _outgoing.Writer.TryWrite(
            new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) } });

    private async Task<StreamingMessage> RequestAsync(StreamingMessage message)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var pending = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[message.RequestId] = pending;
        await _outgoing.Writer.WriteAsync(message);
        return await pending.Task;
    }

    private static void EnsureSuccess(StatusResult result, string step)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{step} failed in the worker: {result.Exception?.Message} {result.Result}");
        }
    }
}
