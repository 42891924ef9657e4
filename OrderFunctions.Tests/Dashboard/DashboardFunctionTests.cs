using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Dashboard;

/// <summary>The Dashboard function without a browser: its metadata, its policy, and a page that needs nothing from elsewhere.</summary>
public sealed class DashboardFunctionTests
{
    [Fact]
    public void Metadata_lists_Dashboard_as_an_anonymous_get_at_dashboard_when_built()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));

        var function = Assert.Single(metadata.RootElement.EnumerateArray(), f => f.GetProperty("name").GetString() == "Dashboard");
        var trigger = Assert.Single(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("dashboard", trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_the_page_with_a_policy_that_allows_only_its_own_script_and_style()
    {
        var context = new DefaultHttpContext();

        var result = await new OrderFunctions.Dashboard().Run(context.Request);
        await using var app = new StandaloneApplication();
        context.RequestServices = app.Services;
        await app.ExecuteAsync(result, context);
        var body = (MemoryStream)context.Response.Body;

        Assert.Equal("text/html; charset=utf-8", context.Response.ContentType);
        var policy = context.Response.Headers.ContentSecurityPolicy.ToString().Split(';', StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ')[1..]);
        Assert.Equal(["'none'"], policy["default-src"]);
        Assert.Single(policy["script-src"], s => s.StartsWith("'sha256-", StringComparison.Ordinal));
        Assert.Single(policy["style-src"], s => s.StartsWith("'sha256-", StringComparison.Ordinal));
        Assert.Equal(["'self'"], policy["connect-src"]);
        Assert.Equal(OrderFunctions.Dashboard.Content.ToArray(), body.ToArray());
    }

    [Fact]
    public void Page_loads_nothing_from_another_origin()
    {
        var html = System.Text.Encoding.UTF8.GetString(OrderFunctions.Dashboard.Content.Span);

        // The only absolute URL is SVG's namespace name, which is never fetched.
        var urls = System.Text.RegularExpressions.Regex.Matches(html, "(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase)
            .Select(m => m.Value).Distinct();
        Assert.Equal(["http://www.w3.org"], urls);
    }
}
