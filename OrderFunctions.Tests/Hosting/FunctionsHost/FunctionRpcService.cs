using Grpc.Core;
using OrderFunctions.Tests.Hosting.FunctionsHost.Rpc;

namespace OrderFunctions.Tests.Hosting.FunctionsHost;

/// <summary>The host's end of <c>FunctionRpc.EventStream</c>: the worker connects here and the channel talks to it.</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream,
        ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
