using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>Discovers <see cref="StoreFactAttribute"/> tests: as facts, or skipped where the class's engine is missing.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _inner = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo factAttribute) =>
        StoreSkip.Reason(testMethod) is { } reason
            ? [StoreSkip.TestCase(diagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : _inner.Discover(discoveryOptions, testMethod, factAttribute);
}
