namespace OrderFunctions.Tests.Support;

/// <summary>What <see cref="TcpFaultProxy"/> does to the connection that sends COMMIT.</summary>
public enum TcpFault
{
    None,

    /// <summary>The COMMIT reaches the server; the connection drops before its answer comes back.</summary>
    DropAfterCommit,

    /// <summary>The connection drops instead of forwarding the COMMIT.</summary>
    DropBeforeCommit,
}
