using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrderFunctions.Http;

/// <summary>
/// The answer to a failure no function expected. An exception that escaped a function would reach the caller as the
/// worker's bare 200 with an empty body (the host only learns of it over gRPC), so every function ends here instead:
/// the exception is logged with a trace id, and the caller gets a 500 problem carrying that id and nothing else of it.
/// </summary>
public static partial class UnexpectedFailure
{
    public const string TraceIdExtension = "traceId";

    public static IResult Handle(ILogger logger, HttpRequest request, Exception exception, CancellationToken cancellationToken)
    {
        var traceId = Activity.Current?.Id ?? request.HttpContext.TraceIdentifier;
        if (exception is OperationCanceledException
            && (cancellationToken.IsCancellationRequested || request.HttpContext.RequestAborted.IsCancellationRequested))
        {
            // The caller went away: nobody reads this answer, and it is no fault of the service.
            LogAborted(logger, request.Method, request.Path, traceId);
            return Problems.ClientClosedRequest(traceId);
        }
        if (exception is BadHttpRequestException bad)
        {
            // The server refused the request while the function read it (Kestrel: body too slow 408, too large 413,
            // malformed chunking 400): the caller's fault, answered with the server's own status.
            LogRefused(logger, request.Method, request.Path, bad.StatusCode, bad.Message);
            return Problems.RequestRefused(bad.StatusCode, bad.Message);
        }
        LogFailed(logger, exception, request.Method, request.Path, traceId);
        return Problems.Unexpected(traceId);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed unexpectedly (traceId {TraceId})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string path, string traceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} was refused with {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} was cancelled by the caller (traceId {TraceId})")]
    private static partial void LogAborted(ILogger logger, string method, string path, string traceId);
}
