using Xunit.Sdk;

namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>The theory form of <see cref="StoreFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("OrderFunctions.Tests.Support.Postgres.StoreTheoryDiscoverer", "OrderFunctions.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute;
