using System.Reflection;

namespace OrderFunctions.Tests.Deployment;

/// <summary>Files of the repository the deployment tests read: azure.yaml and infra/.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainTemplate => Path.Combine(Infra, "main.bicep");

    public static string AzureYaml => Path.Combine(Root, "azure.yaml");

    /// <summary>A value the test project's build wrote into the assembly (see OrderFunctions.Tests.csproj).</summary>
    public static string Metadata(string key) =>
        typeof(RepositoryFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly has no {key} metadata.");
}
