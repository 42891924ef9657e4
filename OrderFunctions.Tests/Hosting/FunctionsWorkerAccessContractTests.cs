namespace OrderFunctions.Tests.Hosting;

/// <summary>The access contract against the real worker under the Functions-host fixture.</summary>
[Trait("Host", "FunctionsWorker")]
public sealed class FunctionsWorkerAccessContractTests(FunctionsWorkerAccessContractHost host)
    : OrderAccessContract(host), IClassFixture<FunctionsWorkerAccessContractHost>;
