using System.CommandLine;
using System.Globalization;
using OrderFunctions.Client;
using OrderFunctions.Orders;

namespace OrderClient;

/// <summary>
/// <c>export --format csv|ndjson --out FILE</c>: the library's <see cref="OrderFunctionsClient.ExportAsync"/> streams
/// <c>GET /API/orders/export</c> straight to a file (written to <c>FILE.partial</c> and renamed when complete, so a
/// broken transfer never leaves a file that looks whole), printing progress on stderr about once a second and a summary
/// at the end. No retries: a download is not resumed, and a retried export would be a new snapshot. Exit codes as the
/// other commands: 0 done, 1 refused (400, 401), 2 unreachable or broken.
/// </summary>
public sealed class ExportCommand(OrderFunctionsClient api, ApiEndpoint endpoint, TextWriter output, TextWriter error, TimeProvider clock)
{
    public static Command CommandLine(ClientEnvironment environment)
    {
        var (url, key) = OrderClientApp.EndpointOptions(environment);
        var format = new Option<string>("--format")
        {
            Description = "csv (RFC 4180, with a header) or ndjson",
            DefaultValueFactory = _ => ExportFormat.Csv
        };
        format.AcceptOnlyFromAmong([.. ExportFormat.Names]);
        var file = new Option<string>("--out", "-o") { Description = "The file to write (replaced when the export completes)", Required = true };
        var username = new Option<string?>("--username") { Description = "Only this user's orders" };
        var market = new Option<string?>("--market") { Description = "Only this market" };
        var side = new Option<string?>("--side") { Description = "Only buy or sell" };
        var from = new Option<DateTimeOffset?>("--from")
        {
            Description = "From this time (ISO 8601, inclusive)", CustomParser = OrderClientApp.Instant("from"),
        };
        var to = new Option<DateTimeOffset?>("--to")
        {
            Description = "Up to this time (ISO 8601, exclusive)", CustomParser = OrderClientApp.Instant("to"),
        };
        var command = new Command("export", "Download every matching order as one CSV or NDJSON file (one snapshot), with progress on stderr.")
        {
            url, key, format, file, username, market, side, from, to,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var endpoint = OrderClientApp.Endpoint(parseResult, parseResult.GetValue(url)!, parseResult.GetValue(key), environment);
            var filter = new OrderQuery
            {
                Username = parseResult.GetValue(username), Market = parseResult.GetValue(market), Side = parseResult.GetValue(side),
                From = parseResult.GetValue(from), To = parseResult.GetValue(to),
            };
            var primary = environment.PrimaryHandler?.Invoke() ?? new SocketsHttpHandler();
            using var http = new HttpClient(new OrdersUrlHandler(endpoint) { InnerHandler = primary }) { Timeout = Timeout.InfiniteTimeSpan };
            var options = endpoint.ClientOptions();
            options.RequestTimeout = TimeSpan.FromSeconds(100); // the wait for the answer's headers; the download itself is unbounded
            var client = new OrderFunctionsClient(http, options);
            var (output, error) = (parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
            return await new ExportCommand(client, endpoint, output, error, environment.Clock)
                .RunAsync(parseResult.GetValue(format)!, filter, parseResult.GetValue(file)!, ct);
        });
        return command;
    }

    public async Task<int> RunAsync(string format, OrderQuery filter, string path, CancellationToken cancellationToken)
    {
        var partial = path + ".partial";
        var started = clock.GetTimestamp();
        var lastReport = started;
        long bytes = 0, lines = 0;
        OrderResponse<long> result;
        try
        {
            await using var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using var target = new ProgressStream(file, chunk =>
            {
                bytes += chunk.Length;
                lines += chunk.Span.Count((byte)'\n');
                if (clock.GetElapsedTime(lastReport) < TimeSpan.FromSeconds(1)) return;
                lastReport = clock.GetTimestamp();
                error.WriteLine(Progress(format, lines, bytes, clock.GetElapsedTime(started)));
            });
            result = await api.ExportAsync(target, format, filter, cancellationToken);
        }
        catch (IOException ex)
        {
            TryDelete(partial);
            await error.WriteLineAsync($"Writing {partial} failed after {bytes:N0} bytes: {ex.Message}. Nothing was written to {path}.");
            return ExitCodes.Unavailable;
        }
        catch (OperationCanceledException)
        {
            TryDelete(partial);
            throw;
        }

        if (!result.IsSuccess)
        {
            TryDelete(partial);
            if (result.Problem is { } problem)
            {
                await error.WriteLineAsync($"{result.Status.ToString(CultureInfo.InvariantCulture)} {problem.Title}: {problem.Detail}");
                foreach (var (field, messages) in problem.Errors) await error.WriteLineAsync($"  {field}: {string.Join("; ", messages)}");
                if (OutputFormat.IsWrongUrl(result, endpoint)) await error.WriteLineAsync(endpoint.UrlHint());
                return result.Status is 503 or 404 or >= 500 ? ExitCodes.Unavailable : ExitCodes.Rejected;
            }
            await error.WriteLineAsync(bytes == 0
                ? result.TransportError
                : $"The export broke off after {bytes:N0} bytes: {result.TransportError}. Nothing was written to {path}; run it again.");
            return ExitCodes.Unavailable;
        }
        File.Move(partial, path, overwrite: true);

        var rows = Rows(format, lines);
        await error.WriteLineAsync(Progress(format, lines, bytes, clock.GetElapsedTime(started)) + " done.");
        var snapshot = result.SnapshotMaxId?.ToString(CultureInfo.InvariantCulture) ?? "?";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Exported {rows:N0} orders ({bytes:N0} bytes) to {path}; " +
            $"snapshot up to id {snapshot}."));
        return ExitCodes.Success;
    }

    private static long Rows(string format, long lines) => format == ExportFormat.Csv ? Math.Max(0, lines - 1) : lines;

    private static string Progress(string format, long lines, long bytes, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"export: {Rows(format, lines):N0} orders, {bytes / 1048576.0:N1} MiB, " +
            $"{elapsed.TotalSeconds:N1} s");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
