using Microsoft.Extensions.Logging;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage;

/// <summary>The line an engine logs when it upgrades a database's schema at start, and only then.</summary>
public sealed class OrderSchemaLogTests
{
    [Fact]
    public void Upgraded_logs_the_engine_and_both_versions_when_the_schema_was_upgraded()
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));

        OrderSchemaLog.Upgraded(factory.CreateLogger("test"), "SQLite", 2, 3);

        var logged = Assert.Single(logs.Records);
        Assert.Equal(LogLevel.Information, logged.Level);
        Assert.Equal("Upgraded the SQLite order database from schema version 2 to 3", logged.Message);
    }

    [Fact]
    public void Upgraded_logs_nothing_when_the_schema_was_already_current()
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));

        OrderSchemaLog.Upgraded(factory.CreateLogger("test"), "SQLite", 3, 3);
        OrderSchemaLog.Upgraded(null, "SQLite", 2, 3); // no logger: nothing to write to, and no exception

        Assert.Empty(logs.Records);
    }
}
