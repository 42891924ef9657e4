using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Hosting;

/// <summary>A host serving the function app for the contract suite: the standalone host or the real worker.</summary>
public interface IOrderApiHost
{
    /// <summary>A client whose relative URIs (<c>/API/orders</c>) reach the host.</summary>
    HttpClient CreateClient();

    /// <summary>The SQLite file the host stores into, for reading rows back on the test's own connection.</summary>
    string DatabasePath { get; }

    /// <summary>What the app logged (the worker's through its RpcLog messages).</summary>
    CapturedLogs Logs { get; }
}
