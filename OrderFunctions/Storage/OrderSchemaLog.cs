using Microsoft.Extensions.Logging;

namespace OrderFunctions.Storage;

/// <summary>What the engines log when they upgrade a database's schema at start.</summary>
internal static partial class OrderSchemaLog
{
    public static void Upgraded(ILogger? logger, string engine, int from, int to)
    {
        if (logger is not null && from < to) LogUpgraded(logger, engine, from, to);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upgraded the {Engine} order database from schema version {From} to {To}")]
    private static partial void LogUpgraded(ILogger logger, string engine, int from, int to);
}
