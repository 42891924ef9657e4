using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Storage;

/// <summary>
/// The engine-agnostic part of the store: the write queue, health, and the choice of engine. Engines register
/// themselves beside it (<c>AddSqliteOrderStore()</c>, <c>AddPostgresOrderStore()</c>); <c>OrderStorage:Provider</c>
/// chooses one of them when the services are first resolved.
/// </summary>
public static class OrderStorageServiceCollectionExtensions
{
    public static IServiceCollection AddOrderStorage(this IServiceCollection services)
    {
        services.AddOptions<OrderStorageOptions>()
            .BindConfiguration(OrderStorageOptions.SectionName)
            .Validate(o => o.QueueCapacity > 0, "OrderStorage:QueueCapacity must be positive")
            .Validate(o => o.MaxQueuedOrders > 0, "OrderStorage:MaxQueuedOrders must be positive (orders waiting to be written " +
                "before new requests are answered 503)")
            .Validate(o => o.MaxBufferedRequestBytes > 0, "OrderStorage:MaxBufferedRequestBytes must be positive (bytes of request " +
                "bodies held at once before new requests are answered 503)")
            .Validate(o => o.MaxOrdersPerTransaction > 0, "OrderStorage:MaxOrdersPerTransaction must be positive")
            .Validate(o => o.RetryAfterSeconds > 0, "OrderStorage:RetryAfterSeconds must be positive")
            .Validate(o => o.PrecedingOrderWait > TimeSpan.Zero, "OrderStorage:PrecedingOrderWait must be positive (a time span such as " +
                "00:00:02: how long a POST with If-Order-Stored waits for the order it names)")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OrderStorageOptions>, ProviderValidation>();

        // The engine is chosen when the services are first resolved, from the bound (and validated) options, so every
        // configuration source (app settings, environment, a test's overrides) takes part.
        services.AddSingleton<IOrderBatchWriter>(sp => Selected(sp).CreateWriter(sp));
        services.AddSingleton<IOrderStoreProbe>(sp => Selected(sp).CreateProbe(sp));
        services.AddSingleton<IOrderQueries>(sp => Selected(sp).CreateQueries(sp));

        services.AddSingleton<LastWriteFailure>();
        services.AddSingleton<OrderWriteQueue>(sp => sp.GetRequiredService<IOrderBatchWriter>().CreateQueue(sp));
        services.AddSingleton<IOrderRepository>(sp => sp.GetRequiredService<OrderWriteQueue>());
        services.AddSingleton<IOrderStoreHealth, OrderStoreHealth>();
        // Started with the host, stopped before it exits: a graceful stop commits every order already accepted.
        services.AddHostedService(sp => sp.GetRequiredService<OrderWriteQueue>());
        return services;
    }

    // The connection string is checked against the engine here, when the host starts the writer, rather than in the
    // options' validation: each setting stays valid on its own, and a mismatch still stops the start with this message.
    private static OrderStoreEngine Selected(IServiceProvider services)
    {
        // Before any engine judges it: a Key Vault reference App Service could not resolve reaches the app verbatim.
        if (services.GetService<IConfiguration>()?.GetConnectionString("Orders") is { } raw
            && raw.StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(UnresolvedKeyVaultReference);
        }
        var provider = services.GetRequiredService<IOptions<OrderStorageOptions>>().Value.Provider;
        var engines = services.GetServices<OrderStoreEngine>().ToList();
        var engine = (provider is null ? engines.FirstOrDefault() : engines.Find(e => e.IsNamed(provider)))
            ?? throw Invalid($"{ProviderValidation.Message(engines)}, not '{provider}'");
        if (engine.CheckConnectionString(services) is { } problem) throw Invalid(problem);
        return engine;
    }

    public const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>
    /// What the app says when App Service handed it the Key Vault reference itself instead of the secret: the platform
    /// leaves the literal reference in the setting when it cannot resolve it.
    /// </summary>
    public const string UnresolvedKeyVaultReference =
        "ConnectionStrings:Orders is an unresolved Key Vault reference (the app setting still reads '@Microsoft.KeyVault(...)'): " +
        "App Service could not fetch the secret. Check that the secret exists at the referenced vault and name, that the " +
        "identity named by the site's keyVaultReferenceIdentity has the 'Key Vault Secrets User' role on that secret (a new " +
        "role assignment can take minutes to apply), that the vault's network rules admit App Service, and the reference's " +
        "status in the portal (the app setting's Source column, or Diagnose and solve problems > Key Vault Application " +
        "Settings Diagnostics); then restart the app.";

    private static OptionsValidationException Invalid(string message) =>
        new(OrderStorageOptions.SectionName, typeof(OrderStorageOptions), [message]);

    /// <summary><c>OrderStorage:Provider</c> names a registered engine, or none (the first).</summary>
    private sealed class ProviderValidation(IEnumerable<OrderStoreEngine> engines) : IValidateOptions<OrderStorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, OrderStorageOptions options) =>
            options.Provider is null || engines.Any(e => e.IsNamed(options.Provider))
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(Message([.. engines]));

        // "OrderStorage:Provider must be 'Sqlite' (the default) or 'Postgres'", from the engines registered.
        public static string Message(IReadOnlyList<OrderStoreEngine> engines)
        {
            var names = engines.Select((e, i) => i == 0 ? $"'{e.Name}' (the default)" : $"'{e.Name}'").ToList();
            var list = names.Count < 2 ? string.Concat(names) : $"{string.Join(", ", names[..^1])} or {names[^1]}";
            return $"{OrderStorageOptions.SectionName}:Provider must be {list}";
        }
    }
}
