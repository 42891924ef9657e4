using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using OrderFunctions;
using OrderFunctions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddOrderServices(builder.Configuration);
builder.Services.AddFunctionAppTelemetry(builder.Configuration);
builder.Build().Run();
