using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenQA.Selenium;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Dashboard;

/// <summary>
/// The dashboard page in a real browser (Debian's headless chromium) against the standalone host on a socket. Every
/// assertion reads what the page rendered (the charts' data-* attributes, the tables' cells), never the HTML source.
/// The first test saves a screenshot in the test output folder (artifacts/dashboard.png).
/// </summary>
public sealed class DashboardBrowserTests
{
    private static readonly DateTime Start = new(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);
    private const string Range = "from=2026-11-27T10:00Z&to=2026-11-27T11:00Z";

    public static string ScreenshotPath => Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard.png");

    private static async Task<StoredOrder[]> PostAsync(StandaloneApplication app,
        IEnumerable<(DateTime At, string Market, string Side, string Size, string Price)> orders, string? key = null)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        if (key is not null) http.DefaultRequestHeaders.Add("x-functions-key", key);
        var body = "[" + string.Join(',', orders.Select(o =>
            $"{{\"timestamp\":\"{o.At:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"username\":\"desk-{o.Market[..3].ToLowerInvariant()}\"," +
            $"\"market\":\"{o.Market}\",\"side\":\"{o.Side}\",\"size\":{o.Size},\"price\":{o.Price}}}")) + "]";
        using var response = await http.PostAsync("/API/orders", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonSerializer.Deserialize<StoredOrder[]>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
    }

    // An hour of trading on three markets: prices drift, sizes vary, a few quiet minutes.
    private static IEnumerable<(DateTime, string, string, string, string)> Session(int count, int seed, int minuteOffset = 0)
    {
        var random = new Random(seed);
        (string Market, decimal Price)[] markets = [("BTC-USD", 43000m), ("ETH-USD", 2300m), ("SOL-USD", 95m)];
        for (var i = 0; i < count; i++)
        {
            var (market, basePrice) = markets[random.Next(markets.Length)];
            var minute = (minuteOffset + i * 47 / Math.Max(1, count)) % 60;
            var at = Start.AddMinutes(minute).AddSeconds(random.Next(60));
            var price = decimal.Round(basePrice * (1 + (minute - 25) / 400m + random.Next(-100, 100) / 20000m), 8);
            var size = decimal.Round(random.Next(1, 400) / 100m, 8);
            yield return (at, market, random.Next(2) == 0 ? "buy" : "sell", size.ToString(CultureInfo.InvariantCulture),
                price.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static long RenderedTotal(HeadlessChromium browser) =>
        browser.Evaluate("return [...document.querySelectorAll('#orders-svg rect[data-count]')].reduce((s, r) => s + Number(r.dataset.count), 0);")
            .GetInt64();

    private static string State(HeadlessChromium browser) => browser.Find("#status").GetAttribute("data-state") ?? "";

    [ChromiumFact(Timeout = 5 * 60_000)]
    public async Task Page_charts_the_posted_orders_without_console_errors_and_updates_when_more_arrive()
    {
        // Arrange: orders in a known hour, the page opened on that hour, refreshing every second.
        await using var app = await StandaloneApplication.StartAsync();
        var stored = (await PostAsync(app, Session(120, seed: 21))).ToList();
        using var browser = new HeadlessChromium(1280, 1700);

        // Act
        browser.Open(new Uri(app.BaseAddress, $"/API/dashboard?{Range}&refresh=1"));
        await browser.WaitUntilAsync(() => State(browser) == "ok" && RenderedTotal(browser) == stored.Count, $"{stored.Count} orders charted");

        // Assert: the orders chart's bars are the posted orders per minute.
        var bars = browser.Evaluate("return [...document.querySelectorAll('#orders-svg rect[data-count]')].map(r => [r.dataset.start, " +
            "Number(r.dataset.count)]);")
            .EnumerateArray().ToDictionary(b => DateTime.Parse(b[0].GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
                b => b[1].GetInt32());
        var expectedBars = stored.GroupBy(o => StatsInterval.BucketStart(o.Timestamp, TimeSpan.FromMinutes(1)))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expectedBars.OrderBy(p => p.Key), bars.OrderBy(p => p.Key));
        Assert.Equal("1m", browser.Find("#orders-chart").GetAttribute("data-interval"));

        // Assert: one volume and VWAP chart per market, each bucket's exact volumes and VWAP as the server computed them.
        var charts = browser.Evaluate("""
            return [...document.querySelectorAll('#market-charts figure[data-market]')].map(f => ({
              market: f.dataset.market,
              buy: [...f.querySelectorAll('rect[data-buy-volume]')].map(r => r.dataset.buyVolume),
              vwap: [...f.querySelectorAll('circle[data-vwap]')].map(c => c.dataset.vwap) }));
            """).EnumerateArray().ToArray();
        Assert.Equal(["BTC-USD", "ETH-USD", "SOL-USD"], charts.Select(c => c.GetProperty("market").GetString()));
        foreach (var chart in charts)
        {
            var market = chart.GetProperty("market").GetString()!;
            var expected = stored.Where(o => o.Market == market).GroupBy(o => StatsInterval.BucketStart(o.Timestamp, TimeSpan.FromMinutes(1)))
                .OrderBy(g => g.Key).ToArray();
            Assert.Equal(expected.Select(g => Text(g.Where(o => o.Side == "buy").Sum(o => o.Size))),
                chart.GetProperty("buy").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal(expected.Select(g => Text(Math.Round(g.Sum(o => o.Size * o.Price) / g.Sum(o => o.Size), 8, MidpointRounding.AwayFromZero))),
                chart.GetProperty("vwap").EnumerateArray().Select(v => v.GetString()));
        }

        // Assert: the totals table shows each market's VWAP with every digit; the newest order heads the recent list.
        var rows = browser.Evaluate("return [...document.querySelectorAll('#market-table tbody tr')].map(r => [...r.cells].map(c => c.textContent));")
            .EnumerateArray().ToArray();
        foreach (var row in rows)
        {
            var market = row[0].GetString()!;
            var orders = stored.Where(o => o.Market == market).ToArray();
            Assert.Equal(orders.Length.ToString(CultureInfo.InvariantCulture), row[1].GetString());
            Assert.Equal(Text(Math.Round(orders.Sum(o => o.Size * o.Price) / orders.Sum(o => o.Size), 8, MidpointRounding.AwayFromZero)),
                row[4].GetString());
        }
        var newest = stored.OrderByDescending(o => o.Timestamp).ThenByDescending(o => o.Id).First();
        Assert.Equal(newest.Id.ToString(CultureInfo.InvariantCulture),
            browser.Evaluate("return document.querySelector('#recent-table tbody tr').cells[0].textContent;").GetString());
        Assert.Equal("healthy", browser.Find("#health").GetAttribute("data-state"));
        Assert.Empty(browser.ConsoleErrors());
        browser.Screenshot(ScreenshotPath);

        // Act: more orders arrive.
        stored.AddRange(await PostAsync(app, Session(15, seed: 22, minuteOffset: 50)));

        // Assert: the page shows them at its next refresh, still without console errors.
        await browser.WaitUntilAsync(() => RenderedTotal(browser) == stored.Count, $"{stored.Count} orders charted after the refresh");
        Assert.Equal(stored.Count.ToString(CultureInfo.InvariantCulture), browser.Find("#orders-chart").GetAttribute("data-total"));
        Assert.Empty(browser.ConsoleErrors());
    }

    [ChromiumFact(Timeout = 5 * 60_000)]
    public async Task Page_says_the_key_was_refused_when_the_key_is_wrong_and_shows_the_data_with_the_right_one()
    {
        await using var app = await StandaloneApplication.StartAsync(
            environment: new Dictionary<string, string> { ["OrderApi__Keys__0"] = "right-key" });
        await PostAsync(app, Session(10, seed: 3), key: "right-key");
        using var browser = new HeadlessChromium();
        browser.Open(new Uri(app.BaseAddress, $"/API/dashboard?{Range}&refresh=60"));

        // No key yet: the API answers 401 and the page asks for one.
        await browser.WaitUntilAsync(() => State(browser) == "unauthorized", "the page to report the missing key");

        // The right key: the data appears, and the key is kept for the tab only.
        Submit(browser, "right-key");
        await browser.WaitUntilAsync(() => State(browser) == "ok" && RenderedTotal(browser) == 10, "the data with the right key");
        Assert.Equal("right-key", browser.Evaluate("return sessionStorage.getItem('orderfunctions.key');").GetString());
        Assert.Equal(0, browser.Evaluate("return localStorage.length;").GetInt32());

        // A wrong key: a clear message, the key field marked invalid and focused.
        Submit(browser, "wrong-key");
        await browser.WaitUntilAsync(() => State(browser) == "unauthorized", "the page to report the refused key");
        var message = browser.Find("#message").Text;
        Assert.Contains("refused the function key", message, StringComparison.Ordinal);
        Assert.Contains("401", message, StringComparison.Ordinal);
        Assert.Equal("true", browser.Find("#key").GetAttribute("aria-invalid"));
        Assert.Equal("key", browser.Evaluate("return document.activeElement.id;").GetString());
    }

    [ChromiumFact(Timeout = 5 * 60_000)]
    public async Task Page_says_the_store_is_unavailable_when_the_store_is_down()
    {
        await using var app = await StandaloneApplication.StartAsync(services: services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IOrderQueries, DownStore>());
            services.Replace(ServiceDescriptor.Singleton<IOrderBucketQueries, DownStore>());
            services.Replace(ServiceDescriptor.Singleton<IOrderStoreHealth, DownStore>());
        });
        using var browser = new HeadlessChromium();

        browser.Open(new Uri(app.BaseAddress, $"/API/dashboard?{Range}&refresh=60"));

        await browser.WaitUntilAsync(() => State(browser) == "unavailable" && browser.Find("#health").GetAttribute("data-state") == "unhealthy",
            "the page to report the store down");
        var message = browser.Find("#message").Text;
        Assert.Contains("The order store is unavailable (503)", message, StringComparison.Ordinal);
        Assert.Contains("cannot be read now", message, StringComparison.Ordinal);
    }

    private static void Submit(HeadlessChromium browser, string key)
    {
        var field = browser.Find("#key");
        field.Clear();
        field.SendKeys(key);
        field.SendKeys(Keys.Enter);
    }

    private static string Text(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary>A store that cannot be read: every read throws as an engine does when its database is gone.</summary>
    private sealed class DownStore : IOrderQueries, IOrderBucketQueries, IOrderStoreHealth
    {
        private static OrderStoreUnavailableException Down() => new("the order store cannot be read now", TimeSpan.FromSeconds(5));

        public Task<StoredOrder?> FindAsync(long id, CancellationToken cancellationToken = default) => throw Down();

        public Task<bool> IsStoredAsync(string username, string clientOrderId, CancellationToken cancellationToken = default) =>
            throw Down();

        public Task<IReadOnlyList<StoredOrder>> ListAsync(OrderFilter filter, long afterId, int count,
            CancellationToken cancellationToken = default) => throw Down();

        public Task<IReadOnlyList<MarketStats>> StatsAsync(OrderFilter filter, string? afterMarket, int count,
            CancellationToken cancellationToken = default) => throw Down();

        public Task<IReadOnlyList<StatsBucket>> BucketsAsync(OrderFilter filter, TimeSpan width, BucketKey? after, int count,
            CancellationToken cancellationToken = default) => throw Down();

        public Task<StoreHealth> CheckAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult(new StoreHealth("the database file cannot be opened", TimeSpan.FromSeconds(5)));
    }
}
