using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// A test reported skipped with its reason in its display name: <c>dotnet test</c>'s default console output prints a
/// skipped test's name ("Skipped X [1 ms]") but its reason only at detailed verbosity, and a reason nobody sees makes
/// a skip look like a pass. Used for what this machine lacks (root, PostgreSQL).
/// </summary>
public sealed class VisiblySkippedTestCase : XunitSkippedDataRowTestCase
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public VisiblySkippedTestCase()
    {
    }

    public VisiblySkippedTestCase(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, string skipReason)
        : base(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, skipReason)
    {
        AddReasonToName();
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        base.Deserialize(data);
        AddReasonToName();
    }

    // The base classes name the test before the reason is set (in the constructor, and again when de-serialized in
    // the process that runs it), so the reason is added once the name exists.
    private void AddReasonToName()
    {
        var suffix = $" [skipped: {SkipReason}]";
        if (!DisplayName.EndsWith(suffix, StringComparison.Ordinal)) DisplayName += suffix;
    }
}
