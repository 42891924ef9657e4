using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrderFunctions.Telemetry;

namespace OrderFunctions.Standalone;

/// <summary>
/// OpenTelemetry over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: ASP.NET Core request spans and metrics,
/// the app's meter and commit spans, and logs. The exporter reads the standard OTEL_* variables (protocol, headers,
/// intervals, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER); without the endpoint nothing is collected.
/// </summary>
public static class StandaloneTelemetry
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddStandaloneTelemetry(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration[EndpointKey])) return builder;

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(OrderTelemetry.Name))
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation())
            .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation())
            .WithLogging()
            .WithOrderTelemetry()
            .UseOtlpExporter();
        return builder;
    }
}
