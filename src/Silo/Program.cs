using Orleans.Dashboard;
using VerlOrleans.Dashboard;
using VerlOrleans.Silo.Api;
using VerlOrleans.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
// Serve the dashboard's static assets when run from build output outside Development too.
builder.WebHost.UseStaticWebAssets();

builder.AddServiceDefaults();
builder.AddVerlOrleansSilo();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddVerlOrleansDashboard();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

var app = builder.Build();

app.UseAntiforgery();
app.MapStaticAssets();
app.MapDefaultEndpoints();
app.MapOrleansDashboard(routePrefix: "/orleans");
app.MapGridApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
