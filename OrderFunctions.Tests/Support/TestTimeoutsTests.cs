using System.Reflection;

namespace OrderFunctions.Tests.Support;

public sealed class TestTimeoutsTests
{
    // xunit 2 enforces Timeout on async tests only; every async test here waits on something (a host, the store's
    // writer, the client), so each must carry one or a hang would stall CI instead of failing. The client's tests
    // (Client/, ClientEndToEndTests) bound every run of the client with ClientRun.Deadline (a WaitAsync) instead.
    [Fact]
    public void Every_async_test_has_a_timeout()
    {
        var missing = typeof(TestTimeouts).Assembly.GetTypes()
            .Where(type => type.Namespace != "OrderFunctions.Tests.Client" && type.Name != "ClientEndToEndTests")
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(method => method.GetCustomAttribute<FactAttribute>() is { Timeout: <= 0 })
            .Where(method => typeof(Task).IsAssignableFrom(method.ReturnType) || method.ReturnType == typeof(ValueTask))
            .Select(method => $"{method.DeclaringType!.FullName}.{method.Name}")
            .Order()
            .ToList();

        Assert.True(missing.Count == 0, $"{missing.Count} async tests have no Timeout:\n{string.Join("\n", missing)}");
    }
}
