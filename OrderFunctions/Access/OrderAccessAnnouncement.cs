using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrderFunctions.Access;

/// <summary>Says at start who may call: a warning while no callers are configured (the API is open), else their names.</summary>
public sealed partial class OrderAccessAnnouncement(OrderCallers callers, ILogger<OrderAccessAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (callers.IsOpen) LogOpen();
        else LogCallers(callers.Callers.Count, string.Join(", ", callers.Callers.Select(c => c.Name)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No callers are configured (OrderAccess:Callers): any client that reaches the API " +
        "may post and read orders for any username, and orders carry no storedBy.")]
    private partial void LogOpen();

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} callers may use the API: {Names}")]
    private partial void LogCallers(int count, string names);
}
