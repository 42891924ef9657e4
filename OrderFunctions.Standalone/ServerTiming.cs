using System.Diagnostics;
using System.Globalization;

namespace OrderFunctions.Standalone;

/// <summary>
/// Adds <c>Server-Timing: app;dur=&lt;ms&gt;</c> to every response: the time from the request reaching the pipeline to
/// the response starting, so benchmarks can tell time at the server from time on the wire.
/// </summary>
public static class ServerTiming
{
    public const string HeaderName = "Server-Timing";

    public static IApplicationBuilder UseServerTiming(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            context.Response.Headers[HeaderName] = "app;dur=" + elapsed.ToString("0.###", CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        return next(context);
    });
}
