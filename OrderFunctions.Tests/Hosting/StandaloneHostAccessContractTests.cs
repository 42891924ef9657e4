namespace OrderFunctions.Tests.Hosting;

/// <summary>The access contract against the standalone host (in process, over its own Program).</summary>
[Trait("Host", "Standalone")]
public sealed class StandaloneHostAccessContractTests(StandaloneAccessContractHost host)
    : OrderAccessContract(host), IClassFixture<StandaloneAccessContractHost>;
