using System.Net;
using System.Text;
using OrderFunctions.Standalone;
using OrderFunctions.Telemetry;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;
using TestOrders = OrderFunctions.Tests.Support.TestOrders;

namespace OrderFunctions.Tests.Telemetry;

/// <summary>The standalone host exports OpenTelemetry over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
public sealed class OtlpExportTests
{
    private const string Key = "otlp-key-that-must-never-be-exported-5be1";

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Host_exports_request_and_commit_spans_app_metrics_and_the_request_log_over_otlp_without_the_key()
    {
        // Arrange
        await using var collector = OtlpCollector.Start();
        await using var host = await StandaloneHost.StartAsync(environment: new Dictionary<string, string>
        {
            [StandaloneTelemetry.EndpointKey] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["Logging__LogLevel__Default"] = "Information",
            ["OrderApi__Keys__0"] = Key,
        });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        // Act
        using var response = await http.PostAsync($"/API/orders?code={Key}",
            new StringContent(TestOrders.Json(), Encoding.UTF8, "application/json"));

        // Assert
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await collector.WaitForAsync(c =>
            c.Received(OtlpCollector.Traces, "POST /API/orders") &&
            c.Received(OtlpCollector.Traces, OrderTelemetry.CommitActivityName) &&
            c.Received(OtlpCollector.Metrics, OrderMetrics.Stored) &&
            c.Received(OtlpCollector.Metrics, OrderMetrics.CommitOrders) &&
            c.Received(OtlpCollector.Metrics, OrderMetrics.CommitDuration) &&
            c.Received(OtlpCollector.Metrics, OrderMetrics.WriteQueueDepth) &&
            c.Received(OtlpCollector.Metrics, "http.server.request.duration") &&
            c.Received(OtlpCollector.Logs, RequestLog.Category));
        Assert.False(collector.ReceivedAnywhere(Key));
    }
}
