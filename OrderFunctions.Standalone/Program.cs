using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderFunctions;
using OrderFunctions.Standalone;
using OrderFunctions.Standalone.Benchmarking;
using OrderFunctions.Standalone.OpenApi;
using OrderFunctions.Storage;

// Settings (appsettings.json) are read from beside the app, whatever the working directory: started from elsewhere,
// the host would otherwise run without them and log every request, query string and all, at Information.
// `backup <file>`: an online backup of the SQLite store with this host's configuration, then exit (docs/backup.md).
var backup = args is [BackupCommand.Name, ..];
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = backup ? args[Math.Min(2, args.Length)..] : args,
    ContentRootPath = AppDirectory.Path
});
if (backup) return BackupCommand.Run(args.Length > 1 ? args[1] : null, builder.Configuration, Console.Out, Console.Error);
// The hosting diagnostics log the full URL, ?code=<function key> included, at Information and Debug: they stay at
// Warning whatever the configuration says (a rule for the same category added later wins). RequestLog replaces them.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
builder.Services.AddOrderServices(builder.Configuration);
builder.AddStandaloneTelemetry();
builder.Services.AddOrderApiOpenApi();
builder.Services.AddOptions<OrderApiOptions>().BindConfiguration(OrderApiOptions.SectionName);
// On SIGTERM Kestrel stops accepting, lets requests in flight finish, then the order writer commits what it holds;
// all of it within this time (the .NET default, stated so the drain has a named budget; host setting
// shutdownTimeoutSeconds). A few seconds before it runs out, the writer answers what is still queued 503 (issue 22).
builder.Services.Configure<HostOptions>(options =>
    options.ShutdownTimeout = TimeSpan.FromSeconds(builder.Configuration.GetValue("shutdownTimeoutSeconds", 30)));
// Every error is problem details, also those no function writes: routing's 404 and 405, and a request Kestrel
// refuses while the app reads it (408 body too slow, 413 body too large, 400 bad chunking). What Kestrel answers before
// any application code runs (400 malformed head, 414, 431, 505) cannot carry a body: docs/reliability.md, "What Kestrel
// answers itself".
builder.Services.AddProblemDetails();

// Benchmarks only: the HTTP ceiling, the same host with a store that writes nothing.
var nullStore = builder.Configuration.GetValue<bool>(NullOrderRepository.ConfigurationKey);
if (nullStore)
{
    builder.Services.Replace(ServiceDescriptor.Singleton<IOrderRepository, NullOrderRepository>());
}

var app = builder.Build();
app.UseRequestLog();
app.UseServerTiming();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePages();
if (nullStore)
{
    app.Logger.LogWarning(
        "{Key}=true: NOTHING IS STORED. Every order is answered 201 and then discarded; this host is a benchmark ceiling only.",
        NullOrderRepository.ConfigurationKey);
}
app.MapOrderFunctions();
try
{
    app.Run();
}
catch (OrderSchemaVersionException refused)
{
    // A database a newer release upgraded: refused at start with what to do, not an unhandled exception's abort.
    Console.Error.WriteLine(refused.Message);
    return 1;
}
return 0;
