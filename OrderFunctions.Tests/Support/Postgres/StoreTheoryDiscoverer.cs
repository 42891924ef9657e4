using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>Discovers <see cref="StoreTheoryAttribute"/> tests: as theories, or skipped where the class's engine is missing.</summary>
public sealed class StoreTheoryDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly TheoryDiscoverer _inner = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo theoryAttribute) =>
        StoreSkip.Reason(testMethod) is { } reason
            ? [StoreSkip.TestCase(diagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : _inner.Discover(discoveryOptions, testMethod, theoryAttribute);
}
