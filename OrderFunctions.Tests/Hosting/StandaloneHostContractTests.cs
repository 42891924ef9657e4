namespace OrderFunctions.Tests.Hosting;

/// <summary>The contract suite against the standalone host (in process, over its own Program).</summary>
[Trait("Host", "Standalone")]
public sealed class StandaloneHostContractTests(StandaloneContractHost host) : OrderApiContract(host), IClassFixture<StandaloneContractHost>;
