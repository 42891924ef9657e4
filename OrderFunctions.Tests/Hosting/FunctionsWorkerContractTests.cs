using Xunit.Abstractions;

namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// The contract suite against the real worker (<c>dotnet OrderFunctions.dll</c>: Program.cs, ConfigureFunctionsWebApplication,
/// the worker's DI and middleware) under the Functions-host fixture. Run only these:
/// <c>dotnet test OrderFunctions.sln --filter Host=FunctionsWorker</c>.
/// </summary>
[Trait("Host", "FunctionsWorker")]
public sealed class FunctionsWorkerContractTests : OrderApiContract, IClassFixture<FunctionsWorkerContractHost>, IDisposable
{
    private readonly FunctionsWorkerContractHost _host;

    public FunctionsWorkerContractTests(FunctionsWorkerContractHost host, ITestOutputHelper output) : base(host)
    {
        _host = host;
        host.Host.Attach(output); // the worker's RpcLog lines go to this test's output
    }

    public void Dispose() => _host.Host.Detach();
}
