using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>The third-party tool an <see cref="OpenApiToolFactAttribute"/> test needs.</summary>
public enum OpenApiTool
{
    /// <summary>Redocly CLI and Spectral, on node.</summary>
    Linters,

    /// <summary>Kiota, the local dotnet tool.</summary>
    Kiota,
}

/// <summary>
/// A fact that needs <see cref="OpenApiTool"/>: reported skipped, with the command that installs it, when the tool is
/// missing outside CI (see <see cref="OpenApiTools"/>).
/// </summary>
[XunitTestCaseDiscoverer("OrderFunctions.Tests.OpenApi.OpenApiToolFactDiscoverer", "OrderFunctions.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpenApiToolFactAttribute(OpenApiTool tool) : FactAttribute
{
    public OpenApiTool Tool { get; } = tool;
}

/// <summary>Discovers <see cref="OpenApiToolFactAttribute"/> tests: as facts, or skipped with the reason.</summary>
public sealed class OpenApiToolFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _inner = new(diagnosticMessageSink);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var reason = factAttribute.GetConstructorArguments().Single() switch
        {
            OpenApiTool.Linters => OpenApiTools.LintersSkipReason,
            OpenApiTool.Kiota => OpenApiTools.KiotaSkipReason,
            var tool => $"unknown tool {tool}",
        };
        return reason is null
            ? _inner.Discover(discoveryOptions, testMethod, factAttribute)
            : [new XunitSkippedDataRowTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
    }
}
