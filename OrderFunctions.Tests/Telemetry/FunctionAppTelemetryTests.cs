using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrderFunctions.Telemetry;

namespace OrderFunctions.Tests.Telemetry;

/// <summary>
/// The function app's telemetry registration (Program.cs). The exporter itself is never built here: it would reach
/// for Azure endpoints; what is checked is what gets registered, and the log filter that keeps keys out.
/// </summary>
public sealed class FunctionAppTelemetryTests
{
    private static IServiceCollection Register(string? connectionString) => new ServiceCollection().AddFunctionAppTelemetry(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [OrderTelemetryExtensions.ApplicationInsightsConnectionString] = connectionString,
        }).Build());

    [Fact]
    public void AddFunctionAppTelemetry_registers_no_exporter_without_a_connection_string()
    {
        var services = Register(null);

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(MeterProvider) || d.ServiceType == typeof(TracerProvider));
    }

    [Fact]
    public void AddFunctionAppTelemetry_registers_metrics_and_tracing_when_a_connection_string_is_set()
    {
        var services = Register("InstrumentationKey=00000000-0000-0000-0000-000000000000");

        Assert.Contains(services, d => d.ServiceType == typeof(MeterProvider));
        Assert.Contains(services, d => d.ServiceType == typeof(TracerProvider));
    }

    [Fact]
    public void AddFunctionAppTelemetry_keeps_hosting_diagnostics_which_log_the_query_string_below_information()
    {
        var services = Register(null).AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new Support.CapturedLogs()));
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<ILoggerFactory>();

        Assert.False(factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger("OrderFunctions.CreateOrder").IsEnabled(LogLevel.Information));
    }
}
