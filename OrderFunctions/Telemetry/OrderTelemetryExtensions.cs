using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OrderFunctions.Telemetry;

/// <summary>OpenTelemetry set-up shared by both hosts, and the function app's export to Application Insights.</summary>
public static class OrderTelemetryExtensions
{
    /// <summary>The setting Azure gives a function app linked to Application Insights.</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Sampled traces per second sent to Application Insights (env <c>OrderTelemetry__TracesPerSecond</c>).</summary>
    public const string TracesPerSecondKey = "OrderTelemetry:TracesPerSecond";

    /// <summary>The app's meter and activity source (commit spans) on whatever exporters the host adds.</summary>
    public static IOpenTelemetryBuilder WithOrderTelemetry(this IOpenTelemetryBuilder builder) => builder
        .WithTracing(tracing => tracing.AddSource(OrderTelemetry.Name))
        .WithMetrics(metrics => metrics.AddMeter(OrderTelemetry.Name));

    /// <summary>
    /// The function app: logs, traces and the app's metrics to Application Insights over OpenTelemetry when
    /// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (nothing is exported otherwise). Traces are rate-limited
    /// (5 per second unless configured) and logs follow their trace's sampling; metrics are aggregated in the process
    /// and sent once a minute, so their counts stay exact at any request rate.
    /// </summary>
    public static IServiceCollection AddFunctionAppTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // The worker's ASP.NET Core pipeline logs each request's full URL, ?code=<function key> included, at Information.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        if (string.IsNullOrEmpty(configuration[ApplicationInsightsConnectionString])) return services;

        var tracesPerSecond = configuration.GetValue(TracesPerSecondKey, 5.0);
        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults() // Functions resource attributes; tells the host not to resend the worker's logs
            .WithOrderTelemetry()
            .UseAzureMonitorExporter(options =>
            {
                options.TracesPerSecond = tracesPerSecond;
                options.EnableTraceBasedLogsSampler = true;
            });
        return services;
    }
}
