using Xunit.Sdk;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// A <see cref="Postgres.StoreFactAttribute"/> that also needs python3: skipped with the install command when it is
/// missing outside CI (<see cref="ThirdPartyTools.PythonSkipReason"/>).
/// </summary>
[XunitTestCaseDiscoverer("OrderFunctions.Tests.Support.Postgres.StoreFactDiscoverer", "OrderFunctions.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonStoreFactAttribute : FactAttribute
{
    public PythonStoreFactAttribute()
    {
        if (ThirdPartyTools.PythonSkipReason is { } reason) Skip = reason;
    }
}
