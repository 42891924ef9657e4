namespace OrderFunctions.Tests.Support;

/// <summary>The engines the contract suites run on (<c>OrderStorage:Provider</c>).</summary>
public enum StoreEngine
{
    Sqlite,
    Postgres,
}
