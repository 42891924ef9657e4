using YamlDotNet.RepresentationModel;

namespace OrderFunctions.Tests.Deployment;

/// <summary>The services azure.yaml gives azd: the name each is deployed under, its project folder, language and host.</summary>
internal sealed record AzureYaml(string Name, IReadOnlyList<AzureYaml.Service> Services)
{
    public sealed record Service(string Name, string Project, string Language, string Host);

    public static AzureYaml Load()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(RepositoryFiles.AzureYaml)) stream.Load(reader);
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        var services = ((YamlMappingNode)root["services"]).Children.Select(entry =>
        {
            var service = (YamlMappingNode)entry.Value;
            return new Service(
                ((YamlScalarNode)entry.Key).Value!,
                ((YamlScalarNode)service["project"]).Value!,
                ((YamlScalarNode)service["language"]).Value!,
                ((YamlScalarNode)service["host"]).Value!);
        }).ToList();
        return new AzureYaml(((YamlScalarNode)root["name"]).Value!, services);
    }
}
