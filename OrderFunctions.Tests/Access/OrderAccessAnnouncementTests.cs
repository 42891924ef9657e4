using Microsoft.Extensions.Logging;
using OrderFunctions.Access;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Access;

/// <summary>What the host says at start about who may call it (<see cref="OrderAccessAnnouncement"/>).</summary>
public sealed class OrderAccessAnnouncementTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Start_warns_that_the_api_is_open_when_no_callers_are_configured()
    {
        await using var app = new StandaloneApplication();
        _ = app.Server;

        var warning = Assert.Single(Announcements(app), r => r.Level == LogLevel.Warning);
        Assert.StartsWith("No callers are configured (OrderAccess:Callers)", warning.Message);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Start_names_the_callers_without_a_warning_when_callers_are_configured()
    {
        await using var app = new StandaloneApplication(AccessCallers.Environment()
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value));
        _ = app.Server;

        var announcement = Assert.Single(Announcements(app));
        Assert.Equal(LogLevel.Information, announcement.Level);
        Assert.Equal("4 callers may use the API: desk1, desk2, desk1-backup, auditor", announcement.Message);
    }

    private static IEnumerable<LogRecord> Announcements(StandaloneApplication app) =>
        app.Logs.Records.Where(r => r.Category == typeof(OrderAccessAnnouncement).FullName);
}
