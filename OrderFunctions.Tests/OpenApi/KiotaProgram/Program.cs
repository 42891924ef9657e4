// A user's program against the C# client Kiota generates from OrderFunctions/openapi.json (namespace OrderApi.Client),
// run by OpenApi/KiotaClientTests against the standalone host: dotnet KiotaProgram.dll <base url> <function key> <username>.
// It writes one JSON object of what it read; amounts as strings (decimal.ToString, invariant), so the test compares
// the digits the generated types held.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using OrderApi.Client;
using OrderApi.Client.Models;

var (baseUrl, key, user) = (args[0], args[1], args[2]);
const string Market = "KIOTA-USD";
var output = new JsonObject();

// Kiota's API-key provider refuses http: local use (the standalone host, func start) sets the header by hand.
try
{
    var keyed = new HttpClientRequestAdapter(new ApiKeyAuthenticationProvider(key, "x-functions-key",
        ApiKeyAuthenticationProvider.KeyLocation.Header))
    {
        BaseUrl = baseUrl,
    };
    await new OrderApiClient(keyed).API.Health.GetAsync();
    output["apiKeyProviderOverHttp"] = "accepted";
}
catch (Exception ex)
{
    output["apiKeyProviderOverHttp"] = $"{ex.GetType().Name}: {ex.Message}";
}

using var http = KiotaClientFactory.Create();
http.DefaultRequestHeaders.Add("x-functions-key", key);
var client = new OrderApiClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl });

OrderRequest Order(string side, decimal size, decimal price, string timestamp, string? clientOrderId = null) => new()
{
    Timestamp = timestamp, Username = user, Market = Market, Side = side, Size = size, Price = price, ClientOrderId = clientOrderId,
};
static string? Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);
static JsonObject Read(StoredOrder order) => new() { ["id"] = order.Id, ["size"] = Text(order.Size), ["price"] = Text(order.Price) };

// One order at the largest price the API keeps: the answer is the stored order, with its id.
var one = await client.API.Orders.PostAsync(Order("buy", 1.23456789m, 9999999999.99999999m, "2026-11-27T10:15:30.123+02:00", "kiota-1"));
output["one"] = Read(one!);

// A batch: the answer is the list, in input order.
var batch = await client.API.Orders.Batch.PostAsync(
[
    Order("sell", 2m, 0.12345678m, "2026-11-27T08:30:00Z"),
    Order("buy", 0.5m, 1.5m, "2026-11-27T09:45:00Z"),
]);
output["batch"] = new JsonArray([.. batch!.Select(o => (JsonNode)Read(o))]);

// Read back by id.
var got = await client.API.Orders[one!.Id!.Value].GetAsync();
output["get"] = Read(got!);

// List by username from an instant with an offset: 09:00+01:00 is 08:00Z, before all three.
var page = await client.API.Orders.GetAsync(r =>
{
    r.QueryParameters.Username = user;
    r.QueryParameters.From = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(1));
});
output["list"] = new JsonArray([.. page!.Items!.Select(o => (JsonNode)Read(o))]);

// From 09:00Z (10:00+01:00): only the last batch order.
var later = await client.API.Orders.GetAsync(r =>
{
    r.QueryParameters.Username = user;
    r.QueryParameters.From = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.FromHours(1));
});
output["listLater"] = new JsonArray([.. later!.Items!.Select(o => (JsonNode)Read(o))]);

// Statistics of this user's market, with the exact notional.
var stats = await client.API.Orders.Stats.GetAsync(r => { r.QueryParameters.Username = user; r.QueryParameters.Market = Market; });
var market = stats!.Markets!.Single();
output["stats"] = new JsonObject
{
    ["count"] = market.Count, ["buyVolume"] = Text(market.BuyVolume), ["sellVolume"] = Text(market.SellVolume),
    ["notional"] = Text(market.Notional), ["vwap"] = Text(market.Vwap), ["minPrice"] = Text(market.MinPrice), ["maxPrice"] = Text(market.MaxPrice),
};

// A typed 400: the field errors, by field.
try
{
    await client.API.Orders.PostAsync(Order("hold", 0m, 1m, "2026-11-27T10:00:00Z"));
    output["invalid"] = "accepted";
}
catch (HttpValidationProblemDetails problem)
{
    output["invalid"] = new JsonObject
    {
        ["type"] = nameof(HttpValidationProblemDetails),
        ["status"] = problem.ResponseStatusCode,
        ["errors"] = new JsonObject([.. problem.Errors!.AdditionalData.Select(e => KeyValuePair.Create(e.Key,
            (JsonNode?)new JsonArray([.. ((UntypedArray)e.Value).GetValue().Select(m => (JsonNode?)((UntypedString)m).GetValue())])))]),
    };
}

// A typed 409: the same clientOrderId for a different order names the stored one.
try
{
    await client.API.Orders.PostAsync(Order("buy", 1.23456789m, 1m, "2026-11-27T10:15:30.123+02:00", "kiota-1"));
    output["conflict"] = "accepted";
}
catch (ConflictProblemDetails problem)
{
    output["conflict"] = new JsonObject
    {
        ["type"] = nameof(ConflictProblemDetails), ["status"] = problem.ResponseStatusCode, ["existingId"] = problem.ExistingId,
    };
}

Console.WriteLine(output.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
