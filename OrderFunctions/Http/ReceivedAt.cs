namespace OrderFunctions.Http;

/// <summary>The audit trail's clock: when the server accepted a request.</summary>
public static class ReceivedAt
{
    /// <summary>
    /// The server's UTC clock, in whole microseconds: what PostgreSQL's timestamptz holds, so the value answered in the
    /// 201 is the one every read returns on either engine (written with 7 fraction digits, the last one 0).
    /// </summary>
    public static DateTime Now()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }
}
