using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using OrderFunctions.Client;

namespace OrderFunctions.Tests.Sender;

/// <summary>Orders, endpoints and row checks shared by the sender's tests.</summary>
internal static class SenderTestData
{
    private static readonly DateTime Start = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);

    public static OutgoingOrder Order(int i, string username = "trader", string? clientOrderId = null) =>
        new(Start.AddMilliseconds(i), username, "BTC-USD", i % 2 == 0 ? "buy" : "sell", 1 + i % 5, 100.5m + i % 11, clientOrderId);

    /// <summary>
    /// A block pace every block meets (<see cref="OrderSenderOptions.BlockQuickFill"/>): a thread's blocks are 1, 2, 4...
    /// positions whatever the machine's pace, for the tests that count positions.
    /// </summary>
    public static readonly TimeSpan AnyPace = TimeSpan.FromHours(1);

    /// <summary>Fast retries, a short linger: tests wait on outcomes, not on the defaults' patience.</summary>
    public static OrderSenderOptions Options(Uri endpoint, string? spool = null, string? key = null) => new()
    {
        Endpoint = endpoint,
        Key = key,
        SpoolDirectory = spool,
        Linger = TimeSpan.FromMilliseconds(2),
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(500),
        RequestTimeout = TimeSpan.FromSeconds(10),
        DrainTimeout = TimeSpan.FromSeconds(30),
        MaxBufferedOrders = 100_000,
        SpoolSegmentBytes = 1024L * OrderFunctions.Client.Spool.SpoolRecord.SlotBytes,
        MaxSpoolBytes = 64L * 1024 * OrderFunctions.Client.Spool.SpoolRecord.SlotBytes,
    };

    /// <summary>A loopback address where nothing listens: every request fails to connect.</summary>
    public static Uri Nowhere()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>Runs <paramref name="action"/> on a thread of its own (never inlined on this one, as a task may be) and waits.</summary>
    public static void OnOtherThread(Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { action(); } catch (Exception ex) { failure = ex; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("the other thread failed", failure);
    }

    public static string NewSpoolDirectory() => Path.Combine(Path.GetTempPath(), $"order-spool-{Guid.NewGuid():N}");

    public static void DeleteDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    /// <summary>How many rows each clientOrderId has, read through a connection of the test's own.</summary>
    public static Dictionary<string, long> RowsByClientOrderId(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT client_order_id, COUNT(*) FROM Orders GROUP BY client_order_id, username";
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<string, long>();
        while (reader.Read()) rows[reader.IsDBNull(0) ? "" : reader.GetString(0)] = reader.GetInt64(1)
            + rows.GetValueOrDefault(reader.IsDBNull(0) ? "" : reader.GetString(0));
        return rows;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Never happened: {what}");
            await Task.Delay(20);
        }
    }
}
