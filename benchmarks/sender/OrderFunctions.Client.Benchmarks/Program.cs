using System.Globalization;
using BenchmarkDotNet.Running;
using OrderFunctions.Client.Benchmarks;

// bdn [BenchmarkDotNet args]               TryEnqueue: memory/spool x 1/2/4 threads, MemoryDiagnoser
// latency [calls]                          TryEnqueue per-call percentiles
// spool-thread [rounds]                    the spool's own thread: CPU per order (Linux)
// sender ENDPOINT COUNT [SPOOL]            end to end through OrderSender
// single ENDPOINT COUNT CONNECTIONS        one order per request (the baseline)
// batches ENDPOINT COUNT CONNECTIONS BATCH the server's batch throughput for orders with clientOrderIds
// outage ENDPOINT COUNT RATE SPOOL         steady rate while the script stops the server
int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
return args.FirstOrDefault() switch
{
    "bdn" => Summary(BenchmarkSwitcher.FromAssembly(typeof(EnqueueBenchmarks).Assembly).Run(args[1..])),
    "spool-thread" => Run(() => SpoolThread.Run(args.Length > 1 ? Int(args[1]) : 40)),
    "latency" => Run(() => Latency.Run(args.Length > 1 ? Int(args[1]) : 1_000_000)),
    "sender" => await EndToEnd.SenderAsync(new Uri(args[1]), Int(args[2]), args.Length > 3 ? args[3] : null, args.Length > 3 ? "spool" : "memory"),
    "batches" => await EndToEnd.ServerBatchesAsync(new Uri(args[1]), Int(args[2]), Int(args[3]), Int(args[4])),
    "single" => await EndToEnd.OnePerRequestAsync(new Uri(args[1]), Int(args[2]), Int(args[3])),
    "outage" => await EndToEnd.OutageAsync(new Uri(args[1]), Int(args[2]), Int(args[3]), args[4]),
    _ => Usage(),
};

static int Summary(IEnumerable<BenchmarkDotNet.Reports.Summary> summaries) => summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
static int Run(Action action) { action(); return 0; }
static int Usage()
{
    Console.Error.WriteLine("usage: bdn | latency [calls] | spool-thread [rounds] | sender URL COUNT [SPOOL] | single URL COUNT CONNECTIONS | batches URL COUNT CONNECTIONS BATCH | outage URL COUNT RATE SPOOL");
    return 2;
}
