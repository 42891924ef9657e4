using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// How <c>GET /API/orders/export</c> streams, apart from what it reads (which <see cref="ExportOrdersTests"/> checks on
/// each engine): the bytes it starts with, the caching it forbids, the line it logs, and what happens when the store
/// fails or the client leaves after the first row, when the status can no longer change.
/// </summary>
public sealed class OrderExportResultTests
{
    private const string ExportPath = "/API/orders/export";

    private static readonly StoredOrder First = new(1, new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), "alice", "BTC-USD", "buy", 1m, 2m);

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_starts_with_the_csv_header_and_no_byte_order_mark_and_forbids_caching()
    {
        await using var app = new StandaloneApplication();
        await app.AddAsync(TestOrders.Order(), TestOrders.Order());

        using var response = await app.Client.GetAsync(ExportPath);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("id,"u8.ToArray(), bytes[..3]); // ReadAsStringAsync would hide a BOM
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains(app.Logs.Records, r => r.Level == LogLevel.Information && r.Message == "Exported 2 orders as csv (snapshot up to id 2)");
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_aborts_the_response_and_logs_an_error_when_the_store_fails_after_the_first_row()
    {
        await using var app = new StandaloneApplication(services: s => s.Replace(ServiceDescriptor.Singleton<IOrderExportQueries>(
            new OneRowExport(after: _ => throw new OrderStoreUnavailableException("the order store cannot be read now", TimeSpan.FromSeconds(1))))));

        // The 200 and the row were sent before the failure: a body that ends short of a clean end is the only signal left.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await app.Client.GetAsync(ExportPath, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsByteArrayAsync();
        });

        var logged = await PollAsync(() => app.Logs.Records.FirstOrDefault(r => r.Message.StartsWith("Export failed", StringComparison.Ordinal)));
        Assert.Equal((LogLevel.Error, "Export failed after 1 orders; the response was aborted"), (logged.Level, logged.Message));
        Assert.IsType<OrderStoreUnavailableException>(logged.Exception);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_logs_the_rows_sent_when_the_client_leaves_during_the_export()
    {
        var leaving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = new StandaloneApplication(services: s => s.Replace(ServiceDescriptor.Singleton<IOrderExportQueries>(
            new OneRowExport(after: async cancellationToken =>
            {
                leaving.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }))));
        using var client = new CancellationTokenSource();

        var export = app.Client.GetAsync(ExportPath, client.Token);
        await leaving.Task.WaitAsync(TimeSpan.FromMilliseconds(TestTimeouts.Server));
        await client.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => export);

        var logged = await PollAsync(() => app.Logs.Records.FirstOrDefault(r => r.Message.StartsWith("Export cancelled", StringComparison.Ordinal)));
        Assert.Equal((LogLevel.Information, "Export cancelled by the client after 1 orders"), (logged.Level, logged.Message));
        Assert.DoesNotContain(app.Logs.Records, r => r.Level >= LogLevel.Warning && r.Category.Contains("Export", StringComparison.Ordinal));
    }

    private static async Task<LogRecord> PollAsync(Func<LogRecord?> find)
    {
        using var deadline = new CancellationTokenSource(TestTimeouts.Server);
        while (true)
        {
            if (find() is { } found) return found;
            await Task.Delay(10, deadline.Token);
        }
    }

    // An export of one row, then whatever `after` does (fail, or wait for the client to leave).
    private sealed class OneRowExport(Func<CancellationToken, Task> after) : IOrderExportQueries, IOrderExport
    {
        public long MaxId => First.Id;

        public Task<IOrderExport> OpenExportAsync(OrderFilter filter, CancellationToken cancellationToken = default) =>
            Task.FromResult<IOrderExport>(this);

        public async IAsyncEnumerable<StoredOrder> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return First;
            await after(cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
