using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Http;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Telemetry;

namespace OrderFunctions;

/// <summary>The one service registration, shared by the Functions host, the standalone host and the tests.</summary>
public static class OrderServiceCollectionExtensions
{
    public static IServiceCollection AddOrderServices(this IServiceCollection services, IConfiguration configuration)
    {
        // The app's meter through IMeterFactory: one per service provider, so a test reads its own host's metrics.
        services.AddMetrics();
        services.AddSingleton<OrderMetrics>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OrderJsonContext.Default));

        // The write queue and health, then the engines OrderStorage:Provider chooses from; the first is the default.
        services.AddOrderStorage();
        services.AddSqliteOrderStore();
        services.AddPostgresOrderStore();
        return services;
    }
}
