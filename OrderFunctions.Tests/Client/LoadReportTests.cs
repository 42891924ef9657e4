using HdrHistogram;
using OrderClient;

namespace OrderFunctions.Tests.Client;

public sealed class LoadReportTests
{
    [Fact]
    public void Create_reads_percentiles_in_milliseconds_from_histogram_of_microseconds()
    {
        var histogram = new LongHistogram(3_600_000_000, 3);
        for (var ms = 1; ms <= 1000; ms++) histogram.RecordValue(ms * 1000L);

        var report = LoadReport.Create(new LoadSettings(4, TimeSpan.FromSeconds(10), null, 2), TimeSpan.FromSeconds(10),
            1000, 2000, 990, 1980, histogram, new Dictionary<string, long> { ["201"] = 990, ["503"] = 10 }, new Dictionary<string, long>());

        Assert.InRange(report.Latency.P50, 499.5, 500.5);
        Assert.InRange(report.Latency.P90, 899.5, 900.5);
        Assert.InRange(report.Latency.P99, 989.5, 990.5);
        Assert.InRange(report.Latency.P999, 998.5, 999.5);
        Assert.InRange(report.Latency.Max, 999.5, 1000.5);
        Assert.Equal(200, report.OrdersPerSecond);
        Assert.Equal(100, report.RequestsPerSecond);
        Assert.Equal(198, report.AcceptedOrdersPerSecond);
    }
}
