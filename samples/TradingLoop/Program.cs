using OrderFunctions.Client;

// A trading loop: the hot path only calls TryEnqueue (no I/O, no allocation); the sender batches, retries through
// outages and keeps every accepted order in the spool until the server has it.
await using var sender = new OrderSender(new OrderSenderOptions
{
    Endpoint = new Uri(Environment.GetEnvironmentVariable("ORDER_API_ENDPOINT") ?? "http://localhost:7071"),
    Key = Environment.GetEnvironmentVariable("ORDER_API_KEY"),
    SpoolDirectory = Path.Combine(Path.GetTempPath(), "trading-loop-spool"),
});
sender.OrderRejected += (_, e) => Console.Error.WriteLine($"rejected {e.Order.ClientOrderId}: {e.Problem}");
sender.SenderStopped += (_, e) => Console.Error.WriteLine($"sender stopped: {e.Reason}; {e.OrdersLeft} orders kept in {e.SpoolDirectory}");

var price = 43_000m;
for (var i = 0; i < 10_000; i++)
{
    price += Random.Shared.Next(-5, 6) * 0.5m;
    var status = sender.TryEnqueue(new OutgoingOrder(DateTime.UtcNow, "desk-7", "BTC-USD", i % 2 == 0 ? "buy" : "sell", 0.01m, price));
    if (status != EnqueueStatus.Accepted) Console.Error.WriteLine($"order {i} not taken: {status}");
}
await sender.FlushAsync();
Console.WriteLine($"sent {sender.SentCount}, stored {sender.StoredCount}, replayed {sender.ReplayedCount}, rejected {sender.RejectedCount}");
