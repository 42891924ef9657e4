using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Client;
using OrderFunctions.Http;

namespace OrderClient;

/// <summary>
/// The command line: send, load, replay, get, list, stats. Only the commands and their options live here; each
/// action builds the services (<see cref="ClientServices"/>) and hands over to the class that does the work.
/// Output goes through <see cref="InvocationConfiguration.Output"/> and <see cref="InvocationConfiguration.Error"/>,
/// so tests run the whole client in-process and read what it printed.
/// </summary>
public static class OrderClientApp
{
    public static Task<int> Main(string[] args) =>
        RunAsync(args, Console.Out, Console.Error, ClientEnvironment.Default with { OutputIsTerminal = !Console.IsOutputRedirected });

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        RunAsync(args, output, error, ClientEnvironment.Default);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, ClientEnvironment environment,
        CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var parseResult = BuildRootCommand(environment).Parse(args);
        if (args.Length > 0 && parseResult.Action is ParseErrorAction parseError)
        {
            // A wrong option value should say what is wrong, not bury it under the whole help text (scripts read stderr).
            parseError.ShowHelp = false;
            var exit = await parseResult.InvokeAsync(configuration, cancellationToken);
            var command = parseResult.CommandResult.Command is RootCommand ? "" : parseResult.CommandResult.Command.Name + " ";
            error.WriteLine($"See: OrderClient {command}--help");
            return exit;
        }
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }

    public static RootCommand BuildRootCommand(ClientEnvironment environment) =>
        new("Send, load-test, replay and query orders of OrderFunctions (POST/GET /API/orders).")
        {
            SendCommandLine(environment),
            LoadCommandLine(environment),
            ReplayCommandLine(environment),
            GetCommandLine(environment),
            ListCommandLine(environment),
            StatsCommandLine(environment),
            ExportCommand.CommandLine(environment),
            KeygenCommandLine(),
            ApiKey,
        };

    // On every command: the caller's key. No default value (the help would print it); read from the variable instead.
    internal static readonly Option<string?> ApiKey = new(ApiEndpoint.ApiKeyOption)
    {
        Description = $"Caller key (OrderAccess:Callers), sent as {OrderHeaders.ApiKey}; default: ${ApiEndpoint.ApiKeyVariable}",
        Recursive = true,
    };

    /// <summary>The endpoint the options and the environment name: the function key and the caller key.</summary>
    internal static ApiEndpoint Endpoint(ParseResult parseResult, Uri url, string? key, ClientEnvironment environment) =>
        new(url, key ?? environment.GetVariable(ApiEndpoint.KeyVariable))
        {
            ApiKey = parseResult.GetValue(ApiKey) ?? environment.GetVariable(ApiEndpoint.ApiKeyVariable),
        };

    // A caller's key for OrderAccess:Callers: the key goes to the desk (once, now), only its hash into configuration.
    private static Command KeygenCommandLine()
    {
        var command = new Command("keygen", "Make a new caller key and print it with the SHA-256 to configure (OrderAccess:Callers:i:KeyHashes).");
        command.SetAction(parseResult =>
        {
            var key = OrderFunctions.Access.CallerKey.New();
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"key:  {key}");
            output.WriteLine($"hash: {OrderFunctions.Access.CallerKey.Hash(key)}");
            output.WriteLine("Give the key to the caller (it sends it as x-api-key); configure only the hash. The key is not shown again.");
            return 0;
        });
        return command;
    }

    private static Command SendCommandLine(ClientEnvironment environment)
    {
        var (url, key) = EndpointOptions(environment);
        var username = new Option<string>("--username") { Description = "Who places the order (at most 64 characters)", Required = true };
        var market = new Option<string>("--market") { Description = "Market, e.g. BTC-USD", Required = true };
        var side = new Option<string>("--side") { Description = "buy or sell", Required = true };
        side.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && !value.Equals("buy", StringComparison.OrdinalIgnoreCase)
                && !value.Equals("sell", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"--side must be buy or sell, not '{value}'.");
            }
        });
        var size = DecimalOption("--size", "Quantity, a decimal number as the server should store it (e.g. 0.1)");
        var price = DecimalOption("--price", "Price, a decimal number (e.g. 43000.12345678)");
        var timestamp = new Option<string?>("--timestamp")
        {
            Description = "ISO 8601 time of the order; default: now (UTC). " +
                "Sending the same command again (same --client-order-id) is recognised as the order already stored",
        };
        var clientOrderId = new Option<string?>("--client-order-id")
        {
            Description = "Idempotency key; default: a new GUID. Send again with the same id to retry safely",
        };
        var retries = RetriesOption();
        var command = new Command("send", "Post one order and print what the server stored.")
        {
            url, key, username, market, side, size, price, timestamp, clientOrderId, retries,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var order = new OrderDraft(
                parseResult.GetValue(timestamp) ?? OrderDraft.TimestampNow(environment.Clock),
                parseResult.GetValue(username)!,
                parseResult.GetValue(market)!,
                parseResult.GetValue(side)!,
                parseResult.GetValue(size),
                parseResult.GetValue(price),
                parseResult.GetValue(clientOrderId) ?? OrderDraft.NewClientOrderId());
            var attempts = new SendAttempts();
            var tracked = environment with { PrimaryHandler = attempts.Wrap(environment.PrimaryHandler) };
            await using var services = Services(parseResult, url, key, tracked, parseResult.GetValue(retries));
            var (output, error) = Writers(parseResult);
            var send = new SendCommand(services.GetRequiredService<OrderFunctionsClient>(), services.GetRequiredService<ApiEndpoint>(), output,
                error, attempts, timestampDefaulted: parseResult.GetValue(timestamp) is null);
            return await send.RunAsync(order, ct);
        });
        return command;
    }

    private static Command LoadCommandLine(ClientEnvironment environment)
    {
        var (url, key) = EndpointOptions(environment);
        var connections = new Option<int>("--connections", "-c")
        {
            Description = "Concurrent senders, each with one request in flight",
            DefaultValueFactory = _ => 8, CustomParser = WholeNumber("--connections", 1, 10_000, "--connections must be 1 to 10000.")
        };
        var duration = new Option<TimeSpan?>("--duration", "-d")
        {
            // The default is in the description, as typed: the help would print the TimeSpan itself ("00:00:10").
            Description = $"How long to send: 30s, 1m, 1m30s, 500ms, or seconds [default: {DurationParser.Format(LoadSettings.DefaultDuration)}]",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (DurationParser.TryParse(text, out var value)) return value;
                result.AddError($"--duration must be like 30s, 1m or 45 (seconds), not '{text}'.");
                return default;
            },
        };
        var rate = new Option<double?>("--rate", "-r")
        {
            Description = "Target requests per second over all connections (open loop); default: as fast as answered",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
                {
                    if (value > 0) return value;
                    result.AddError("--rate must be positive.");
                    return null;
                }
                result.AddError($"--rate must be a number of requests per second such as 200 or 0.5, not '{text}'.");
                return null;
            },
        };
        var batch = new Option<int?>("--batch", "-b")
        {
            Description = "Orders per request: up to this many per batch through the sender [default: 1000]; with --per-request, "
                + "exactly this many (a JSON array when more than 1) [default: 1]",
            CustomParser = result => WholeNumber("--batch", 1, 10_000, "--batch must be 1 to 10000 (the server's limit per request).")(result),
        };
        var perRequest = new Option<bool>("--per-request")
        {
            Description = "The baseline: C connections each posting its own requests (no sender), with latency percentiles; " +
                "--connections and --rate apply per request",
        };
        var json = JsonOption("Print the summary as JSON");
        var allowRemote = new Option<bool>("--allow-remote")
        {
            Description = "Send to a server that is not on this machine. Load orders are synthetic and marked " +
                $"(username {LoadGenerator.UsernamePrefix}*, markets {LoadGenerator.MarketPrefix}*); see docs/client.md to delete them",
        };
        var command = new Command("load",
            $"Send synthetic orders (users {LoadGenerator.UsernamePrefix}*, markets {LoadGenerator.MarketPrefix}*) for a duration through "
            + "the library's OrderSender (or, with --per-request, from C connections, one request each in flight); report throughput.")
        {
            url, key, connections, duration, rate, batch, perRequest, json, allowRemote,
        };
        command.Validators.Add(result =>
        {
            // A load test writes thousands of orders: against anything but this machine only when asked for by name.
            if (result.GetValue(url) is { } target && !result.GetValue(allowRemote) && !LoadGenerator.IsLoopback(target))
            {
                result.AddError($"load sends thousands of synthetic orders, and {target.GetLeftPart(UriPartial.Authority)} is not this machine. " +
                    $"Add --allow-remote to load it anyway (the orders are marked: username {LoadGenerator.UsernamePrefix}*, " +
                    $"markets {LoadGenerator.MarketPrefix}*; docs/client.md says how to delete them).");
            }
        });
        command.SetAction(async (parseResult, ct) =>
        {
            var perRequestMode = parseResult.GetValue(perRequest);
            var settings = new LoadSettings(
                parseResult.GetValue(connections), parseResult.GetValue(duration) ?? LoadSettings.DefaultDuration, parseResult.GetValue(rate),
                parseResult.GetValue(batch) ?? (perRequestMode ? 1 : 1000));
            await using var services = Services(parseResult, url, key, environment, 0, settings.Connections);
            var (output, error) = Writers(parseResult);
            var endpoint = services.GetRequiredService<ApiEndpoint>();
            if (!perRequestMode)
            {
                var sending = services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientServices.SenderClientName);
                var (result, stopped) = await new SenderLoad(sending, endpoint).RunAsync(settings, environment.Clock, ct);
                if (parseResult.GetValue(json)) output.WriteLine(result.ToJson());
                else result.WriteText(output);
                if (stopped is { Status: 404 or 405 or (>= 200 and < 300) }) error.WriteLine(endpoint.UrlHint());
                return stopped is null ? result.Left == 0 ? ExitCodes.Success : ExitCodes.Unavailable
                    : stopped.Status is >= 200 and < 300 ? ExitCodes.Unavailable : ExitCodes.Rejected;
            }
            var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientServices.LoadClientName);
            var report = await new LoadGenerator(http, endpoint).RunAsync(settings, environment.Clock, ct);
            if (parseResult.GetValue(json)) output.WriteLine(report.ToJson());
            else report.WriteText(output);
            // No orders endpoint answers 404 or 405 to a POST: the URL is wrong.
            if (report.StatusCodes.ContainsKey("404") || report.StatusCodes.ContainsKey("405")) error.WriteLine(endpoint.UrlHint());
            return report.AcceptedRequests > 0 ? ExitCodes.Success
                : report.Requests > 0 && report.TransportErrors.Count == 0 ? ExitCodes.Rejected
                : ExitCodes.Unavailable;
        });
        return command;
    }

    private static Command ReplayCommandLine(ClientEnvironment environment)
    {
        var (url, key) = EndpointOptions(environment);
        var file = new Option<string>("--file", "-f")
        {
            Description = "NDJSON (one order object per line) or CSV (timestamp,username,market,side,size,price[,clientOrderId])",
            Required = true,
        };
        var batch = BatchOption(1000, "Orders per request");
        var rejects = new Option<string?>("--rejects")
        {
            Description = "Where rejected orders go (NDJSON with line and errors); default: FILE.rejected.ndjson",
        };
        var retries = RetriesOption();
        var command = new Command("replay", "Send a file of orders in batches; resumable, rejected orders go to a rejects file.")
        {
            url, key, file, batch, rejects, retries,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var path = parseResult.GetValue(file)!;
            await using var services = Services(parseResult, url, key, environment, parseResult.GetValue(retries));
            var (output, error) = Writers(parseResult);
            var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientServices.SenderClientName);
            var replay = new ReplayCommand(
                services.GetRequiredService<ApiEndpoint>(), http, output, error, environment, parseResult.GetValue(retries));
            return await replay.RunAsync(path, parseResult.GetValue(batch), parseResult.GetValue(rejects) ?? path + ".rejected.ndjson", ct);
        });
        return command;
    }

    private static Command GetCommandLine(ClientEnvironment environment)
    {
        var (url, key) = EndpointOptions(environment);
        var id = new Argument<long>("id")
        {
            Description = "The order's id",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
                result.AddError($"The order id must be a whole number such as 42 (as printed by send or list), not '{text}'.");
                return 0;
            },
        };
        var json = JsonOption("Print the order as the server sent it (JSON)");
        var command = new Command("get", "Show one stored order.") { id, url, key, json };
        command.SetAction(async (parseResult, ct) =>
        {
            await using var services = Services(parseResult, url, key, environment, ClientServices.DefaultRetries);
            var (output, error) = Writers(parseResult);
            return await Queries(services, output, error).GetAsync(parseResult.GetValue(id), parseResult.GetValue(json), ct);
        });
        return command;
    }

    private static Command ListCommandLine(ClientEnvironment environment)
    {
        var (url, key) = EndpointOptions(environment);
        var (username, market, side, from, to) = FilterOptions();
        var limit = new Option<int?>("--limit")
        {
            Description = "Orders per page, 1-1000 (server default 100)", CustomParser = OptionalWholeNumber("--limit"),
        };
        var after = new Option<string?>("--after") { Description = "Start after this cursor (the next page's cursor printed by an earlier list)" };
        var all = new Option<bool>("--all") { Description = "Follow the next cursor to the last page, printing each page as it arrives" };
        var json = JsonOption("Print JSON ({\"items\":[...],\"next\":...}) instead of a table");
        var csv = CsvOption();
        var command = new Command("list", "List stored orders, oldest first, filtered.")
        {
            url, key, username, market, side, from, to, limit, after, all, json, csv,
        };
        command.Validators.Add(result => NotBoth(result, json, csv));
        command.SetAction(async (parseResult, ct) =>
        {
            await using var services = Services(parseResult, url, key, environment, ClientServices.DefaultRetries);
            var (output, error) = Writers(parseResult);
            var filter = new OrderQuery
            {
                Username = parseResult.GetValue(username), Market = parseResult.GetValue(market), Side = parseResult.GetValue(side),
                From = parseResult.GetValue(from), To = parseResult.GetValue(to), Limit = parseResult.GetValue(limit),
            };
            return await Queries(services, output, error)
                .ListAsync(filter, parseResult.GetValue(after), parseResult.GetValue(all), Format(parseResult, json, csv), ct);
        });
        return command;
    }

    private static Command StatsCommandLine(ClientEnvironment environment)
    {
        var (url, key) = EndpointOptions(environment);
        var (username, market, _, from, to) = FilterOptions();
        var limit = new Option<int?>("--limit")
        {
            Description = "Markets per page, 1-1000 (server default 100)",
            CustomParser = OptionalWholeNumber("--limit")
        };
        var after = new Option<string?>("--after") { Description = "Start after this cursor (the next page's cursor printed by an earlier stats)" };
        var all = new Option<bool>("--all") { Description = "Follow the next cursor to the last page of markets, printing each page as it arrives" };
        var json = JsonOption("Print the server's JSON instead of a table ({\"markets\":[...],\"next\":...})");
        var csv = CsvOption();
        var command = new Command("stats", "Per-market count, volumes, notional, VWAP, price range, a page of markets at a time.")
        {
            url, key, market, username, from, to, limit, after, all, json, csv,
        };
        command.Validators.Add(result => NotBoth(result, json, csv));
        command.SetAction(async (parseResult, ct) =>
        {
            await using var services = Services(parseResult, url, key, environment, ClientServices.DefaultRetries);
            var (output, error) = Writers(parseResult);
            var filter = new OrderQuery
            {
                Username = parseResult.GetValue(username), Market = parseResult.GetValue(market),
                From = parseResult.GetValue(from), To = parseResult.GetValue(to), Limit = parseResult.GetValue(limit),
            };
            return await Queries(services, output, error)
                .StatsAsync(filter, parseResult.GetValue(after), parseResult.GetValue(all), Format(parseResult, json, csv), ct);
        });
        return command;
    }

    internal static (Option<Uri> Url, Option<string?> Key) EndpointOptions(ClientEnvironment environment)
    {
        var url = new Option<Uri>("--url")
        {
            Description = $"The orders URL; default: ${ApiEndpoint.UrlVariable}, else {ApiEndpoint.DefaultOrdersUrl}",
            DefaultValueFactory = _ => new Uri(
                environment.GetVariable(ApiEndpoint.UrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : ApiEndpoint.DefaultOrdersUrl),
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                {
                    return uri;
                }

                result.AddError($"--url must be an absolute http(s) URL such as {ApiEndpoint.DefaultOrdersUrl}, not '{text}'.");
                return null;
            },
        };
        // No default value here: the help prints a default, and the key is a secret. The action reads the variable.
        var key = new Option<string?>("--key")
        {
            Description = $"Function key, sent as {ApiEndpoint.KeyHeader}; default: ${ApiEndpoint.KeyVariable}"
        };
        return (url, key);
    }

    private static (Option<string?>, Option<string?>, Option<string?>, Option<DateTimeOffset?>, Option<DateTimeOffset?>) FilterOptions() =>
    (
        new Option<string?>("--username") { Description = "Only this user's orders" },
        new Option<string?>("--market") { Description = "Only this market" },
        new Option<string?>("--side") { Description = "Only buy or sell" },
        new Option<DateTimeOffset?>("--from")
        {
            Description = "From this time (ISO 8601, inclusive; UTC unless it names an offset)", CustomParser = Instant("from"),
        },
        new Option<DateTimeOffset?>("--to")
        {
            Description = "Up to this time (ISO 8601, exclusive; UTC unless it names an offset)", CustomParser = Instant("to"),
        }
    );

    /// <summary>An ISO 8601 time, read here so the library sends one exact instant; the message names the field like the server's.</summary>
    internal static Func<ArgumentResult, DateTimeOffset?> Instant(string field) => result =>
    {
        var text = result.Tokens.Single().Value;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)) return value;
        result.AddError($"{field}: '{text}' is not an ISO 8601 time such as 2026-11-27T00:00:00Z.");
        return null;
    };

    private static QueryCommands Queries(ServiceProvider services, TextWriter output, TextWriter error) =>
        new(services.GetRequiredService<OrderFunctionsClient>(), services.GetRequiredService<ApiEndpoint>(), output, error);

    private static Option<decimal> DecimalOption(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        // Invariant culture, whatever the machine's; decimal, never double, so every typed digit reaches the server.
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (OrderDraft.TryParseDecimal(text, out var value)) return value;
            result.AddError($"{name} must be a decimal number such as 0.1 or 43000.12345678, not '{text}'.");
            return default;
        },
    };

    private static Option<int> BatchOption(int defaultValue, string description)
    {
        var batch = new Option<int>("--batch", "-b")
        {
            Description = description, DefaultValueFactory = _ => defaultValue,
            CustomParser = WholeNumber("--batch", 1, 10_000, "--batch must be 1 to 10000 (the server's limit per request).")
        };
        return batch;
    }

    private static Option<int> RetriesOption()
    {
        var retries = new Option<int>("--retries")
        {
            Description = "Retries of a transient failure (connection refused, timeout, 408, 429, 5xx)",
            DefaultValueFactory = _ => ClientServices.DefaultRetries, CustomParser = WholeNumber("--retries", 0, 20, "--retries must be 0 to 20.")
        };
        return retries;
    }

    private static Option<bool> JsonOption(string description) => new("--json") { Description = description };

    private static Option<bool> CsvOption() =>
        new("--csv") { Description = "Print CSV (RFC 4180, a header row, every value whole) instead of a table" };

    private static void NotBoth(System.CommandLine.Parsing.CommandResult result, Option<bool> json, Option<bool> csv)
    {
        if (result.GetValue(json) && result.GetValue(csv)) result.AddError("Choose one of --json and --csv.");
    }

    private static QueryFormat Format(ParseResult parseResult, Option<bool> json, Option<bool> csv) =>
        parseResult.GetValue(json) ? QueryFormat.Json : parseResult.GetValue(csv) ? QueryFormat.Csv : QueryFormat.Table;

    // The parser's own message names .NET types ("as expected type 'System.Int32'"): these speak the user's words.
    // The range is checked here too: a validator that reads the value would throw on a value that did not parse.
    private static Func<ArgumentResult, int> WholeNumber(string name, int min, int max, string outOfRange) => result =>
    {
        var text = result.Tokens.Single().Value;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{name} must be a whole number, not '{text}'.");
        }
        else if (value < min || value > max)
        {
            result.AddError(outOfRange);
        }
        return value;
    };

    private static Func<ArgumentResult, int?> OptionalWholeNumber(string name) => result =>
    {
        var text = result.Tokens.Single().Value;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        result.AddError($"{name} must be a whole number, not '{text}'.");
        return null;
    };

    private static ServiceProvider Services(ParseResult parseResult, Option<Uri> url, Option<string?> key, ClientEnvironment environment, int retries,
        int loadConnections = 1) =>
        ClientServices.Create(
            Endpoint(parseResult, parseResult.GetValue(url)!, parseResult.GetValue(key), environment),
            environment, retries, loadConnections);

    private static (TextWriter Output, TextWriter Error) Writers(ParseResult parseResult) =>
        (parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error);
}
