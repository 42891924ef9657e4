using OrderFunctions;
using OrderFunctions.Standalone;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddOrderServices(builder.Configuration);
builder.Services.AddOptions<OrderApiOptions>().BindConfiguration(OrderApiOptions.SectionName);
// On SIGTERM Kestrel stops accepting, lets requests in flight finish, then the order writer commits what it holds;
// all of it within this time (the .NET default, stated so the drain has a named budget).
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));

var app = builder.Build();
app.UseServerTiming();
app.MapOrderFunctions();
app.Run();
