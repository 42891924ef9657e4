namespace OrderFunctions.Tests.Deployment;

/// <summary>azure.yaml: what azd up publishes, and to which resource.</summary>
public sealed class AzureYamlTests
{
    [Fact]
    public void Api_service_is_the_function_app_project_when_read()
    {
        var service = Assert.Single(AzureYaml.Load().Services);

        Assert.Equal("api", service.Name);
        Assert.Equal("dotnet", service.Language);
        Assert.Equal("function", service.Host);
        var project = Path.GetFullPath(Path.Combine(RepositoryFiles.Root, service.Project));
        Assert.Equal(Path.Combine(RepositoryFiles.Root, "OrderFunctions"), project.TrimEnd(Path.DirectorySeparatorChar));
        Assert.True(File.Exists(Path.Combine(project, "OrderFunctions.csproj")), $"{project} holds no OrderFunctions.csproj");
    }
}
