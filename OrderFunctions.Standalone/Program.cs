using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderFunctions;
using OrderFunctions.Standalone;
using OrderFunctions.Standalone.Benchmarking;
using OrderFunctions.Storage;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddOrderServices(builder.Configuration);

// Benchmarks only: the HTTP ceiling, the same host with a store that writes nothing.
var nullStore = builder.Configuration.GetValue<bool>(NullOrderRepository.ConfigurationKey);
if (nullStore)
{
    builder.Services.Replace(ServiceDescriptor.Singleton<IOrderRepository, NullOrderRepository>());
}

var app = builder.Build();
if (nullStore)
{
    app.Logger.LogWarning(
        "{Key}=true: NOTHING IS STORED. Every order is answered 201 and then discarded; this host is a benchmark ceiling only.",
        NullOrderRepository.ConfigurationKey);
}
app.MapOrderFunctions();
app.Run();
