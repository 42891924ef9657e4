using System.Diagnostics;

namespace OrderFunctions.Telemetry;

/// <summary>
/// The app's own telemetry names: one <see cref="System.Diagnostics.Metrics.Meter"/> and one <see cref="ActivitySource"/>, both
/// "OrderFunctions".
/// </summary>
public static class OrderTelemetry
{
    public const string Name = "OrderFunctions";

    /// <summary>The span of one commit of the write queue.</summary>
    public const string CommitActivityName = "orders.commit";

    public static readonly ActivitySource ActivitySource = new(Name);
}
