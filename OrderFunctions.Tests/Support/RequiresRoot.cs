using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// Whether tests that need root (a bind mount, the immutable attribute) can run here. As a non-root user they report
/// skipped with this reason; in CI (<c>CI=true</c>) they always run, so a CI without root fails instead of skipping.
/// </summary>
public static class RootAvailability
{
    /// <summary>The trait that marks them, so a run as a non-root user can leave them out: <c>--filter Requires!=root</c>.</summary>
    public const string Trait = "Requires";
    public const string TraitValue = "root";

    public static string? SkipReason => Environment.IsPrivilegedProcess || TestEnvironment.IsCi
        ? null
        : "needs root (mount, chattr +i): run the suite as root, or leave it out with --filter Requires!=root";
}

/// <summary>Whether this is a CI run (<c>CI=true</c>): there nothing that is missing may skip a test.</summary>
public static class TestEnvironment
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A theory that needs root: skipped, with the reason, for a non-root user outside CI (see <see cref="RootAvailability"/>).</summary>
[XunitTestCaseDiscoverer("OrderFunctions.Tests.Support.RootTheoryDiscoverer", "OrderFunctions.Tests")]
[TraitDiscoverer("OrderFunctions.Tests.Support.RequiresRootTraitDiscoverer", "OrderFunctions.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootTheoryAttribute : TheoryAttribute, ITraitAttribute;

/// <summary>A fact that needs root (a tmpfs mount): skipped, with the reason, for a non-root user outside CI.</summary>
[XunitTestCaseDiscoverer("OrderFunctions.Tests.Support.RootFactDiscoverer", "OrderFunctions.Tests")]
[TraitDiscoverer("OrderFunctions.Tests.Support.RequiresRootTraitDiscoverer", "OrderFunctions.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute, ITraitAttribute;

/// <summary>Discovers <see cref="RootFactAttribute"/> tests: as facts, or one skipped test saying why.</summary>
public sealed class RootFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _inner = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo factAttribute) =>
        RootAvailability.SkipReason is { } reason
            ? [new VisiblySkippedTestCase(diagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : _inner.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="RootTheoryAttribute"/> tests: as theories, or one skipped test saying why.</summary>
public sealed class RootTheoryDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly TheoryDiscoverer _inner = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo theoryAttribute) =>
        RootAvailability.SkipReason is { } reason
            ? [new VisiblySkippedTestCase(diagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : _inner.Discover(discoveryOptions, testMethod, theoryAttribute);
}

/// <summary>Gives every <see cref="RootTheoryAttribute"/> and <see cref="RootFactAttribute"/> test the trait <c>Requires=root</c>.</summary>
public sealed class RequiresRootTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) =>
        [new(RootAvailability.Trait, RootAvailability.TraitValue)];
}
