namespace OrderFunctions.Storage;

/// <summary>
/// A database engine as it registers itself (<c>AddSqliteOrderStore()</c>, <c>AddPostgresOrderStore()</c>): the name
/// <c>OrderStorage:Provider</c> chooses it by (case-insensitive) and how to build its parts from the services. The
/// first engine registered is the one used when no provider is set.
/// </summary>
public sealed record OrderStoreEngine(
    string Name,
    Func<IServiceProvider, string?> CheckConnectionString,
    Func<IServiceProvider, IOrderBatchWriter> CreateWriter,
    Func<IServiceProvider, IOrderStoreProbe> CreateProbe,
    Func<IServiceProvider, IOrderQueries> CreateQueries)
{
    /// <summary>True when <c>OrderStorage:Provider</c> names this engine.</summary>
    public bool IsNamed(string? provider) => string.Equals(provider, Name, StringComparison.OrdinalIgnoreCase);
}
