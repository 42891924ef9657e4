using OrderFunctions;
using OrderFunctions.Standalone;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddOrderServices(builder.Configuration);

var app = builder.Build();
app.UseServerTiming();
app.MapOrderFunctions();
app.Run();
