using System.Diagnostics;
using OrderFunctions.Telemetry;

namespace OrderFunctions.Storage;

/// <summary>
/// A commit of the write queue as telemetry: a span that is a child of the first request it carries (so a lone
/// order's trace shows its commit) and links the others, and the commit metrics. Nothing is allocated for the span
/// unless a listener (an exporter) samples it.
/// </summary>
internal sealed class CommitTelemetry(string systemName, OrderMetrics? metrics)
{
    // A commit span links the requests it carries (the first is its parent); past this many the rest are counted only.
    private const int MaxLinkedRequests = 32;

    public Activity? Start<TPrepared>(List<PendingWrite<TPrepared>> batch, int orders)
    {
        if (!OrderTelemetry.ActivitySource.HasListeners()) return null;
        var parent = default(ActivityContext);
        List<ActivityLink>? links = null;
        foreach (var pending in batch)
        {
            if (pending.Caller == default) continue;
            if (parent == default) parent = pending.Caller;
            else if ((links ??= []).Count < MaxLinkedRequests) links.Add(new ActivityLink(pending.Caller));
        }
        var activity = OrderTelemetry.ActivitySource.StartActivity(OrderTelemetry.CommitActivityName, ActivityKind.Internal, parent, links: links);
        activity?.SetTag("db.system.name", systemName);
        activity?.SetTag("orders.count", orders);
        activity?.SetTag("orders.requests", batch.Count);
        return activity;
    }

    public void Committed(int orders, TimeSpan duration) => metrics?.Committed(orders, duration);

    public static void Failed(Activity? activity, string description) => activity?.SetStatus(ActivityStatusCode.Error, description);
}
