using System.Diagnostics;
using System.Globalization;
using OrderFunctions.Client;
using OrderFunctions.Tests.Support;
using static OrderFunctions.Tests.Sender.SenderTestData;

namespace OrderFunctions.Tests.Sender;

/// <summary>Real processes: the server killed and restarted under a sender, a sending process killed with its spool.</summary>
public sealed class OrderSenderProcessTests : IDisposable
{
    private readonly string _spool = NewSpoolDirectory();

    public void Dispose() => DeleteDirectory(_spool);

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Sender_stores_every_order_exactly_once_when_the_server_is_killed_and_restarted_mid_stream()
    {
        await using var host = await StandaloneHost.StartAsync();
        await using var sender = new OrderSender(Options(host.BaseAddress, _spool));
        const int Count = 6000;
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(EnqueueStatus.Accepted, await sender.EnqueueAsync(Order(i, "restart", $"restart-{i}")));
            if (i == 2000)
            {
                await WaitUntilAsync(() => sender.SentCount > 0, "the first batches were sent");
                host.Kill(); // SIGKILL: a batch may be stored without its answer reaching the sender
            }
            if (i == 4000) await host.RestartAsync();
        }
        Assert.True(await sender.FlushAsync());

        var rows = RowsByClientOrderId(host.DatabasePath);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"restart-{i}").Order(), rows.Keys.Order());
        Assert.All(rows.Values, count => Assert.Equal(1, count));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Spool_delivers_every_accepted_order_exactly_once_when_the_sending_process_is_killed_and_restarted()
    {
        await using var app = await StandaloneApplication.StartAsync();
        var lines = new List<string>();
        using (var process = StartSender(["send", app.BaseAddress.ToString(), _spool, "killed", "200000"], lines))
        {
            await WaitUntilAsync(() => LastAccepted(lines) >= 20_000, "the sender accepted 20,000 orders", TimeSpan.FromSeconds(90));
            process.Kill(); // SIGKILL mid-stream: orders accepted but not yet sent are only in the spool
            await process.WaitForExitAsync();
        }
        var acceptedBeforeKill = LastAccepted(lines);
        var storedBeforeRestart = app.CountRows();

        var drained = new List<string>();
        using (var process = StartSender(["drain", app.BaseAddress.ToString(), _spool], drained))
        {
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, string.Join(Environment.NewLine, drained));
        }

        Assert.Contains("left 0", drained);
        var rows = RowsByClientOrderId(app.DatabasePath);
        Assert.All(rows.Values, count => Assert.Equal(1, count));
        // What was stored is exactly a prefix killed-0..killed-N of what was enqueued, and covers everything accepted.
        var numbers = rows.Keys.Select(k => int.Parse(k["killed-".Length..], CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers);
        Assert.True(numbers.Count > acceptedBeforeKill, $"{numbers.Count} stored, {acceptedBeforeKill} accepted before the kill");
        Assert.True(numbers.Count > storedBeforeRestart, $"the restarted sender sent nothing ({storedBeforeRestart} stored before it)");
    }

    private static int LastAccepted(List<string> lines)
    {
        lock (lines)
        {
            return lines.Where(l => l.StartsWith("accepted ", StringComparison.Ordinal))
                .Select(l => int.Parse(l["accepted ".Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max();
        }
    }

    private static Process StartSender(string[] arguments, List<string> lines)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OrderFunctions.Tests.SenderProcess.dll"));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
