using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using OrderFunctions;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddOrderServices(builder.Configuration);
builder.Services.AddFunctionAppTelemetry(builder.Configuration);
try
{
    builder.Build().Run();
}
catch (OrderSchemaVersionException refused)
{
    // A database a newer release upgraded: refused at start with what to do, not an unhandled exception's abort.
    Console.Error.WriteLine(refused.Message);
    return 1;
}
return 0;
