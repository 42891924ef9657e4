using System.Diagnostics;

namespace OrderFunctions.Standalone;

/// <summary>
/// One log line per request at Information: method, route, status, duration. The route is the endpoint's template
/// (<c>/API/orders/{id:long}</c>), or the path when nothing matched; the query string is never written, so a key sent
/// as <c>?code=</c> stays out of the log.
/// </summary>
public static partial class RequestLog
{
    /// <summary>The log category; appsettings.json keeps it at Information while Microsoft.AspNetCore stays at Warning.</summary>
    public const string Category = "OrderFunctions.Standalone.RequestLog";

    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (context, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                await next(context);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            var failed = false;
            try
            {
                await next(context);
            }
            catch
            {
                failed = true; // Kestrel answers 500 unless the response had started
                throw;
            }
            finally
            {
                var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "/";
                LogRequest(logger, context.Request.Method, route, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Route} {StatusCode} {DurationMs:0.000} ms")]
    private static partial void LogRequest(ILogger logger, string method, string route, int statusCode, double durationMs);
}
