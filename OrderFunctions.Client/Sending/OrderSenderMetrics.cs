using System.Diagnostics.Metrics;

namespace OrderFunctions.Client;

/// <summary>
/// The sender's <see cref="System.Diagnostics.Metrics"/> instruments, meter <c>OrderFunctions.Client</c>. Counts are
/// observed from the sender's own counters, so enqueueing costs no instrument call.
/// </summary>
internal sealed class OrderSenderMetrics : IDisposable
{
    public const string MeterName = "OrderFunctions.Client";

    private readonly Meter _meter;
    private readonly Histogram<double> _sendDuration;

    public OrderSenderMetrics(OrderSender sender, IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("orders.sender.enqueued", () => sender.EnqueuedCount, "{order}", "Orders accepted by TryEnqueue");
        _meter.CreateObservableCounter("orders.sender.sent", () => sender.SentCount, "{order}", "Orders in requests the server answered 2xx");
        _meter.CreateObservableCounter("orders.sender.stored", () => sender.StoredCount, "{order}", "Orders the server stored (201)");
        _meter.CreateObservableCounter("orders.sender.replayed", () => sender.ReplayedCount, "{order}",
            "Orders the server had already (200 Idempotent-Replayed)");
        _meter.CreateObservableCounter("orders.sender.rejected", () => sender.RejectedCount, "{order}",
            "Orders refused: invalid at enqueue, or refused by the server for good");
        _meter.CreateObservableGauge("orders.sender.buffered", () => sender.BufferedOrders, "{order}", "Orders accepted and not yet acknowledged");
        _meter.CreateObservableGauge("orders.sender.spooled_bytes", () => sender.SpooledBytes, "By",
            "Spool bytes held by orders not yet acknowledged");
        _sendDuration = _meter.CreateHistogram<double>("orders.sender.send.duration", "s", "Duration of one batch request");
    }

    public void SendDuration(TimeSpan elapsed, int status) =>
        _sendDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("http.response.status_code", status));

    public void Dispose() => _meter.Dispose();
}
