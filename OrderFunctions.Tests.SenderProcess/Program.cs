using System.Globalization;
using OrderFunctions.Client;

// send  ENDPOINT SPOOL USERNAME COUNT : enqueues orders with clientOrderIds USERNAME-0..COUNT-1 (waiting for room),
//       printing "accepted N" after every 500th (every order up to N was accepted), then flushes and prints "flushed".
// drain ENDPOINT SPOOL                : opens the spool, sends what it holds, prints "left N".
var mode = args[0];
var options = new OrderSenderOptions
{
    Endpoint = new Uri(args[1]),
    SpoolDirectory = args[2],
    RetryDelay = TimeSpan.FromMilliseconds(50),
    MaxRetryDelay = TimeSpan.FromSeconds(1),
    SpoolFlush = SpoolFlushMode.Never,
};
await using var sender = new OrderSender(options);
sender.OrderRejected += (_, e) => Console.WriteLine($"rejected {e.Order.ClientOrderId} {e.Problem}");
if (mode == "send")
{
    var username = args[3];
    var count = int.Parse(args[4], CultureInfo.InvariantCulture);
    var start = DateTime.UtcNow;
    for (var i = 0; i < count; i++)
    {
        var order = new OutgoingOrder(start.AddTicks(i), username, "BTC-USD", i % 2 == 0 ? "buy" : "sell", 1 + i % 7, 100 + i % 13,
            $"{username}-{i}");
        var status = await sender.EnqueueAsync(order);
        if (status != EnqueueStatus.Accepted)
        {
            Console.WriteLine($"refused {i} {status}");
            return 1;
        }
        if (i % 500 == 499) Console.WriteLine($"accepted {i}");
    }
    await sender.FlushAsync();
    Console.WriteLine("flushed");
}
else
{
    await sender.FlushAsync();
    var result = await sender.StopAsync(TimeSpan.FromSeconds(30));
    Console.WriteLine($"left {result.OrdersLeft}");
}
return 0;
