using System.Reflection;

namespace OrderFunctions.Tests.Support;

public sealed class TestDisposalTests
{
    // xunit 2 disposes a test class, or a class or collection fixture, through IDisposable or IAsyncLifetime only. A
    // class that released its app in IAsyncDisposable.DisposeAsync alone never had it called: CreateOrderTests left one
    // SQLite file in the temporary directory per test (28 a run), and ReadUnavailableTests its hosts in the process.
    [Fact]
    public void No_test_class_or_fixture_is_disposed_through_IAsyncDisposable_alone()
    {
        var types = typeof(TestTimeouts).Assembly.GetTypes();
        var testClasses = types.Where(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Any(method => method.GetCustomAttribute<FactAttribute>() is not null));
        var fixtures = types.SelectMany(type => type.GetInterfaces())
            .Where(contract => contract.IsGenericType && (contract.GetGenericTypeDefinition() == typeof(IClassFixture<>)
                || contract.GetGenericTypeDefinition() == typeof(ICollectionFixture<>)))
            .Select(contract => contract.GetGenericArguments()[0]);
        var ignored = testClasses.Concat(fixtures).Distinct()
            .Where(type => typeof(IAsyncDisposable).IsAssignableFrom(type))
            .Where(type => !typeof(IAsyncLifetime).IsAssignableFrom(type) && !typeof(IDisposable).IsAssignableFrom(type))
            .Select(type => type.FullName)
            .Order()
            .ToList();

        Assert.True(ignored.Count == 0,
            $"{ignored.Count} classes xunit never disposes (use IAsyncLifetime):\n{string.Join("\n", ignored)}");
    }
}
