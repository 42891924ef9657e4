using Xunit.Sdk;

namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>
/// A fact that runs on every engine: declared once in a contract class, run by each engine's subclass, and skipped
/// (visibly, with the reason) in a <see cref="RequiresPostgresAttribute"/> class when no PostgreSQL is available.
/// </summary>
[XunitTestCaseDiscoverer("OrderFunctions.Tests.Support.Postgres.StoreFactDiscoverer", "OrderFunctions.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;
