using Orleans.Dashboard;
using VerlOrleans.Dashboard;
using VerlOrleans.Silo.Api;
using VerlOrleans.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
// Serve the dashboard's static assets when run from build output outside Development too.
builder.WebHost.UseStaticWebAssets();

builder.AddServiceDefaults();
builder.AddVerlOrleansSilo();
// A cluster serves its dashboard from one silo or a few; the others keep the API and health endpoints only.
var dashboard = builder.Configuration.GetValue("VerlOrleans:DashboardEnabled", defaultValue: true);
if (dashboard)
{
    builder.Services.AddRazorComponents().AddInteractiveServerComponents();
    builder.Services.AddVerlOrleansDashboard();
}

builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGridApi();
if (dashboard)
{
    app.UseAntiforgery();
    app.MapStaticAssets();
    app.MapOrleansDashboard(routePrefix: "/orleans");
    app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
}

app.Run();
