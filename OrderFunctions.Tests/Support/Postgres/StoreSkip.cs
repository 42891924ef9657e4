using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>The skip decision shared by the store discoverers.</summary>
internal static class StoreSkip
{
    public static string? Reason(ITestMethod testMethod) =>
        testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any()
            ? PostgresAvailability.SkipReason
            : null;

    public static IXunitTestCase TestCase(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, string reason) =>
        new VisiblySkippedTestCase(sink, options, testMethod, reason);
}
