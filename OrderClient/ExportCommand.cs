using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using OrderFunctions.Orders;

namespace OrderClient;

/// <summary>
/// <c>export --format csv|ndjson --out FILE</c>: downloads <c>GET /API/orders/export</c> straight to a file (written
/// to <c>FILE.partial</c> and renamed when complete, so a broken transfer never leaves a file that looks whole),
/// printing progress on stderr about once a second and a summary at the end. No retries: a download is not resumed,
/// and a retried export would be a new snapshot. Exit codes as the other commands: 0 done, 1 refused (400, 401), 2 unreachable or broken.
/// </summary>
public sealed class ExportCommand(HttpMessageHandler handler, ApiEndpoint endpoint, TextWriter output, TextWriter error, TimeProvider clock)
{
    public static Command CommandLine(ClientEnvironment environment)
    {
        var url = new Option<Uri>("--url")
        {
            Description = $"The orders URL; default: ${ApiEndpoint.UrlVariable}, else {ApiEndpoint.DefaultOrdersUrl}",
            DefaultValueFactory = _ => new Uri(environment.GetVariable(ApiEndpoint.UrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : ApiEndpoint.DefaultOrdersUrl),
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)) return uri;
                result.AddError($"--url must be an absolute http(s) URL such as {ApiEndpoint.DefaultOrdersUrl}, not '{text}'.");
                return null;
            },
        };
        var key = new Option<string?>("--key") { Description = $"Function key, sent as {ApiEndpoint.KeyHeader}; default: ${ApiEndpoint.KeyVariable}" };
        var format = new Option<string>("--format") { Description = "csv (RFC 4180, with a header) or ndjson", DefaultValueFactory = _ => ExportFormat.Csv };
        format.AcceptOnlyFromAmong([.. ExportFormat.Names]);
        var file = new Option<string>("--out", "-o") { Description = "The file to write (replaced when the export completes)", Required = true };
        var username = new Option<string?>("--username") { Description = "Only this user's orders" };
        var market = new Option<string?>("--market") { Description = "Only this market" };
        var side = new Option<string?>("--side") { Description = "Only buy or sell" };
        var from = new Option<string?>("--from") { Description = "From this time (ISO 8601, inclusive)" };
        var to = new Option<string?>("--to") { Description = "Up to this time (ISO 8601, exclusive)" };
        var command = new Command("export", "Download every matching order as one CSV or NDJSON file (one snapshot), with progress on stderr.")
        {
            url, key, format, file, username, market, side, from, to,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var endpoint = new ApiEndpoint(parseResult.GetValue(url)!, parseResult.GetValue(key) ?? environment.GetVariable(ApiEndpoint.KeyVariable));
            var filter = new OrderFilter(parseResult.GetValue(username), parseResult.GetValue(market), parseResult.GetValue(side), parseResult.GetValue(from), parseResult.GetValue(to));
            using var handler = environment.PrimaryHandler?.Invoke() ?? new SocketsHttpHandler();
            return await new ExportCommand(handler, endpoint, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, environment.Clock)
                .RunAsync(parseResult.GetValue(format)!, filter, parseResult.GetValue(file)!, ct);
        });
        return command;
    }

    public async Task<int> RunAsync(string format, OrderFilter filter, string path, CancellationToken cancellationToken)
    {
        var uri = ExportUrl(endpoint, [new("format", format), .. filter.ToQuery()]);
        using var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (!string.IsNullOrEmpty(endpoint.Key)) request.Headers.Add(ApiEndpoint.KeyHeader, endpoint.Key);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync(OrdersApiClient.Describe(ex, uri));
            return ExitCodes.Unavailable;
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode) return await RefusedAsync(response);

            var partial = path + ".partial";
            var started = clock.GetTimestamp();
            var lastReport = started;
            long bytes = 0, lines = 0;
            try
            {
                await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
                await using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    var buffer = new byte[1 << 16];
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        bytes += read;
                        lines += buffer.AsSpan(0, read).Count((byte)'\n');
                        if (clock.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(1))
                        {
                            lastReport = clock.GetTimestamp();
                            await error.WriteLineAsync(Progress(format, lines, bytes, clock.GetElapsedTime(started)));
                        }
                    }
                }
                File.Move(partial, path, overwrite: true);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                TryDelete(partial);
                await error.WriteLineAsync($"The export broke off after {bytes:N0} bytes: {ex.Message}. Nothing was written to {path}; run it again.");
                return ExitCodes.Unavailable;
            }
            catch (OperationCanceledException)
            {
                TryDelete(partial);
                throw;
            }

            var rows = Rows(format, lines);
            await error.WriteLineAsync(Progress(format, lines, bytes, clock.GetElapsedTime(started)) + " done.");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Exported {rows:N0} orders ({bytes:N0} bytes) to {path}; snapshot up to id {Header(response, ExportFormat.SnapshotHeader) ?? "?"}."));
            return ExitCodes.Success;
        }
    }

    /// <summary><c>/API/orders/export</c> below the orders URL, with the given parameters (empty ones left out).</summary>
    public static Uri ExportUrl(ApiEndpoint endpoint, IEnumerable<KeyValuePair<string, string?>> query)
    {
        var url = new System.Text.StringBuilder(endpoint.OrdersUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')).Append("/export");
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (string.IsNullOrEmpty(value)) continue;
            url.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        return new Uri(url.ToString());
    }

    private static long Rows(string format, long lines) => format == ExportFormat.Csv ? Math.Max(0, lines - 1) : lines;

    private static string Progress(string format, long lines, long bytes, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"export: {Rows(format, lines):N0} orders, {bytes / 1048576.0:N1} MiB, {elapsed.TotalSeconds:N1} s");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private async Task<int> RefusedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType == "application/problem+json")
        {
            var problem = ProblemReader.Read(body, status, response.ReasonPhrase);
            await error.WriteLineAsync($"{status} {problem.Title}: {problem.Detail}");
            foreach (var (field, messages) in problem.Errors) await error.WriteLineAsync($"  {field}: {string.Join("; ", messages)}");
        }
        else
        {
            await error.WriteLineAsync($"{status} {response.ReasonPhrase}: {OrdersApiClient.Excerpt(body, mediaType)}");
        }
        return response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.NotFound or >= HttpStatusCode.InternalServerError
            ? ExitCodes.Unavailable
            : ExitCodes.Rejected;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
