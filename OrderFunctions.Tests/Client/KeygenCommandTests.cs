using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using OrderClient;
using OrderFunctions.Http;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Client;

/// <summary><c>OrderClient keygen</c>: a new key and the hash to configure for it.</summary>
public sealed class KeygenCommandTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Keygen_prints_a_key_a_host_configured_with_its_hash_accepts()
    {
        var run = await ClientRun.RunAsync(new ClientRunSettings(), "keygen");
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var key = Assert.Single(lines, l => l.StartsWith("key:", StringComparison.Ordinal))["key:".Length..].Trim();
        var hash = Assert.Single(lines, l => l.StartsWith("hash:", StringComparison.Ordinal))["hash:".Length..].Trim();
        await using var app = new StandaloneApplication(new Dictionary<string, string?>
        {
            ["OrderAccess:Callers:0:Name"] = "desk9",
            ["OrderAccess:Callers:0:KeyHashes:0"] = hash,
            ["OrderAccess:Callers:0:Usernames:0"] = "desk9-*",
            ["OrderAccess:Callers:0:Operations:0"] = "write",
        });
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/API/orders")
        {
            Content = JsonContent.Create(new
            {
                username = "desk9-a", market = "BTC-USD", side = "buy", size = 1, price = 2, timestamp = "2026-12-06T21:00:00Z",
                clientOrderId = Guid.NewGuid().ToString("N"),
            }),
        };
        request.Headers.Add(OrderHeaders.ApiKey, key);

        using var response = await client.SendAsync(request);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), hash);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("desk9", stored.GetProperty("storedBy").GetString());
    }
}
