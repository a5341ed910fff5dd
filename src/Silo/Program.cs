using Orleans.Dashboard;
using VerlOrleans.Dashboard;
using VerlOrleans.Silo.Api;
using VerlOrleans.Silo.Hosting;
using VerlOrleans.Silo.OpenAi;
using VerlOrleans.Silo.Security;

var builder = WebApplication.CreateBuilder(args);
// Serve the dashboard's static assets when run from build output outside Development too.
builder.WebHost.UseStaticWebAssets();

builder.AddServiceDefaults();
try
{
    builder.AddGridAuthentication();
    builder.AddVerlOrleansSilo();
}
catch (StartupRefusedException refused)
{
    Console.Error.WriteLine(refused.Message);
    return 2;
}

// A cluster serves its dashboard from one silo or a few; the others keep the API and health endpoints only.
var dashboard = builder.Configuration.GetValue("VerlOrleans:DashboardEnabled", defaultValue: true);
if (dashboard)
{
    builder.Services.AddRazorComponents().AddInteractiveServerComponents();
    builder.Services.AddVerlOrleansDashboard();
}

builder.Services.ConfigureHttpJsonOptions(ApiJson.Configure);
builder.Services.AddApiProblems();
builder.Services.AddSingleton<RequestChecks>();

var app = builder.Build();
app.WarnIfExposed();

app.UseApiProblems();
app.UseRequestSizeLimit(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<VerlOrleans.Grains.Hosting.GridOptions>>().Value.Limits.MaxRequestBytes);
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapGridApi();
app.MapOpenAiApi();
if (dashboard)
{
    app.UseAntiforgery();
    app.MapStaticAssets().AllowAnonymous();
    app.MapLoginEndpoints();
    app.MapOrleansDashboard(routePrefix: "/orleans").RequireAuthorization(GridPolicies.Read);
    app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
}

app.Run();
return 0;
