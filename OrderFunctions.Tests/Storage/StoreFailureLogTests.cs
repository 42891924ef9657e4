using Microsoft.Extensions.Logging;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage;

/// <summary>How a store fault is logged: the innermost cause on one line, the stack only at Debug.</summary>
public sealed class StoreFailureLogTests
{
    [Fact]
    public void Cause_names_the_innermost_exception_on_one_line_when_exceptions_are_nested()
    {
        var nested = new InvalidOperationException("outer", new IOException("middle", new TimeoutException("first line\nsecond line")));

        var cause = StoreFailureLog.Cause(nested);

        Assert.Equal("TimeoutException: first line second line", cause);
    }

    [Fact]
    public void Stack_logs_the_exception_at_debug_with_its_cause_when_debug_is_enabled()
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        var failure = new InvalidOperationException("outer", new TimeoutException("the cause"));

        StoreFailureLog.Stack(factory.CreateLogger("test"), failure);

        var logged = Assert.Single(logs.Records);
        Assert.Equal(LogLevel.Debug, logged.Level);
        Assert.Same(failure, logged.Exception);
        Assert.Equal("The failure logged above, with its stack: TimeoutException: the cause", logged.Message);
    }

    [Fact]
    public void Stack_logs_nothing_when_debug_is_off()
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(logs));

        StoreFailureLog.Stack(factory.CreateLogger("test"), new TimeoutException("the cause"));

        Assert.Empty(logs.Records);
    }
}
