using System.Globalization;

namespace VerlOrleans.Dashboard.Components;

/// <summary>How the dashboard writes sizes and durations: short, fixed culture, never ambiguous.</summary>
public static class Display
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>Bytes in binary units with one decimal above KiB: 1536 → "1.5 KiB".</summary>
    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {Units[unit]}");
    }

    /// <summary>A duration as "3d 04:05:06" (days only when there are any).</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        var clock = string.Create(CultureInfo.InvariantCulture, $"{duration.Hours:00}:{duration.Minutes:00}:{duration.Seconds:00}");
        return duration.Days > 0 ? string.Create(CultureInfo.InvariantCulture, $"{duration.Days}d {clock}") : clock;
    }
}
