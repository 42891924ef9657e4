using Microsoft.Extensions.Logging;

namespace OrderFunctions.Storage;

/// <summary>
/// How a store fault is logged: one line that names the cause (the innermost exception's type and message), and the
/// stack only at Debug. A store that is down answers every request 503; a stack of 4-9 KB per request would bury the
/// request log and tell an operator nothing the cause does not.
/// </summary>
public static partial class StoreFailureLog
{
    /// <summary>The innermost exception, in one line: <c>SqliteException: attempt to write a readonly database</c>.</summary>
    public static string Cause(Exception exception)
    {
        var inner = exception;
        while (inner.InnerException is { } next) inner = next;
        var message = inner.Message.ReplaceLineEndings(" ");
        return $"{inner.GetType().Name}: {message}";
    }

    /// <summary>The stack of a failure already logged in one line, at Debug (enable the category's Debug to see it).</summary>
    public static void Stack(ILogger logger, Exception exception)
    {
        if (logger.IsEnabled(LogLevel.Debug)) LogStack(logger, exception, Cause(exception));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The failure logged above, with its stack: {Cause}")]
    private static partial void LogStack(ILogger logger, Exception exception, string cause);
}
