using System.Text;
using BenchmarkDotNet.Attributes;
using OrderFunctions.Orders;

namespace OrderFunctions.Benchmarks;

/// <summary>
/// What CreateOrder does to a body before the store sees it: <see cref="OrderJsonReader.ReadJson"/> then
/// <see cref="OrderValidator.Validate"/> per order, for one order and for a 1,000-order array (time and allocations).
/// </summary>
[MemoryDiagnoser]
public class OrderParsingBenchmarks
{
    private const int BatchSize = 1_000;

    private byte[] _single = [];
    private byte[] _batch = [];

    [GlobalSetup]
    public void Setup()
    {
        _single = Encoding.UTF8.GetBytes(OrderJson(0));
        var batch = new StringBuilder("[");
        for (var i = 0; i < BatchSize; i++)
        {
            if (i > 0) batch.Append(',');
            batch.Append(OrderJson(i));
        }
        _batch = Encoding.UTF8.GetBytes(batch.Append(']').ToString());
        if (ParseAndValidate(_single) != 1 || ParseAndValidate(_batch) != BatchSize)
        {
            throw new InvalidOperationException("The benchmark bodies do not validate.");
        }
    }

    [Benchmark(Baseline = true, Description = "one order (object)")]
    public int SingleOrder() => ParseAndValidate(_single);

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "per order of a 1,000-order array")]
    public int BatchPerOrder() => ParseAndValidate(_batch);

    // The same steps as CreateOrder.Run between reading the body and calling the repository.
    private static int ParseAndValidate(ReadOnlySpan<byte> body)
    {
        var errors = new ValidationErrors();
        var requests = OrderJsonReader.ReadJson(body, errors, out var isArray);
        if (requests is null) return -1;
        var valid = new List<Order>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is { } posted && OrderValidator.Validate(posted, errors, isArray ? i : -1) is { } order)
            {
                valid.Add(order);
            }
        }
        return errors.IsEmpty ? valid.Count : -1;
    }

    private static string OrderJson(int i) =>
        $$"""{"timestamp":"2026-11-27T10:15:{{i % 60:D2}}.123456Z","username":"trader{{i % 16}}","market":"BTC-USD","side":"{{(i % 2 == 0 ? "buy" : "sell")}}","size":0.{{i % 9 + 1}},"price":43000.{{i % 100_000_000:D8}}}""";
}
