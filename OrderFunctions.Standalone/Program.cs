using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderFunctions;
using OrderFunctions.Standalone;
using OrderFunctions.Standalone.Benchmarking;
using OrderFunctions.Storage;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddOrderServices(builder.Configuration);
builder.Services.AddOptions<OrderApiOptions>().BindConfiguration(OrderApiOptions.SectionName);
// On SIGTERM Kestrel stops accepting, lets requests in flight finish, then the order writer commits what it holds;
// all of it within this time (the .NET default, stated so the drain has a named budget).
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));

// Benchmarks only: the HTTP ceiling, the same host with a store that writes nothing.
var nullStore = builder.Configuration.GetValue<bool>(NullOrderRepository.ConfigurationKey);
if (nullStore)
{
    builder.Services.Replace(ServiceDescriptor.Singleton<IOrderRepository, NullOrderRepository>());
}

var app = builder.Build();
app.UseServerTiming();
if (nullStore)
{
    app.Logger.LogWarning(
        "{Key}=true: NOTHING IS STORED. Every order is answered 201 and then discarded; this host is a benchmark ceiling only.",
        NullOrderRepository.ConfigurationKey);
}
app.MapOrderFunctions();
app.Run();
