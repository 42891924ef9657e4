using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderFunctions.Storage;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// The services <c>Program.cs</c> registers (<see cref="OrderServiceCollectionExtensions.AddOrderServices"/>), with
/// the functions created the way the worker creates them (<see cref="ActivatorUtilities"/>).
/// </summary>
public static class FunctionHost
{
    public static ServiceProvider Services(IDictionary<string, string?> settings, IOrderRepository? repository = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddOrderServices(configuration);
        if (repository is not null) services.Replace(ServiceDescriptor.Singleton(repository));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static ServiceProvider Services(TempDatabase database) =>
        Services(new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = database.ConnectionString });

    public static T Create<T>(IServiceProvider services) where T : class => ActivatorUtilities.CreateInstance<T>(services);
}
