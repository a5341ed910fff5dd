using MudBlazor;

namespace VerlOrleans.Dashboard.Layout;

/// <summary>The dashboard's look. System fonts only: the service often runs where no font CDN is reachable.</summary>
public static class DashboardTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3f51b5",
            AppbarBackground = "#263238",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
            },
        },
    };
}
