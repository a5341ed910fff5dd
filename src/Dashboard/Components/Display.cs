using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

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

    /// <summary>A score or metric with three decimals ("0.667"); "–" when there is none.</summary>
    public static string Score(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    /// <summary>A rate with no decimals above 10 and one below ("123", "4.5").</summary>
    public static string Rate(double value) =>
        value.ToString(Math.Abs(value) >= 10 ? "0" : "0.0", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a whole percentage ("42 %").</summary>
    /// <summary>"1 sample", "3 samples": the count with its noun in the right number.</summary>
    public static string Count(long count, string one, string? many = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many ?? one + "s")}");

    public static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0} %");

    /// <summary>How long ago <paramref name="at"/> was, coarsely ("12 s ago", "3 min ago", "2 h ago", "4 d ago").</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        return age.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)age.TotalSeconds)} s ago")
            : age.TotalMinutes < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes} min ago")
            : age.TotalHours < 48 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours} h ago")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays} d ago");
    }

    /// <summary>A local, sortable time ("2026-12-04 11:07:05").</summary>
    public static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A moment in local time, short: "14:03:12" today, "12-03 14:03" another day.</summary>
    public static string Clock(DateTimeOffset at, DateTimeOffset now)
    {
        var local = at.ToLocalTime();
        return local.Date == now.ToLocalTime().Date
            ? local.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : local.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>An Orleans silo address (<c>10.0.0.5:11111@155598218</c>) as people name the silo: its endpoint.</summary>
    public static string SiloEndpoint(string siloAddress) => siloAddress.IndexOf('@') is > 0 and var at ? siloAddress[..at] : siloAddress;

    /// <summary>The first 12 characters of a content hash: enough to tell models apart on screen.</summary>
    public static string ShortHash(string? hash) => hash is null ? "–" : hash.Length <= 12 ? hash : hash[..12];

    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// A dataset value stored as JSON, as a person reads it: a string as its text (no quotes or \u escapes), anything
    /// else indented; text that is not JSON as it is.
    /// </summary>
    public static string Json(string? json)
    {
        if (json is null)
        {
            return "–";
        }

        try
        {
            var node = JsonNode.Parse(json);
            return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString(Readable) ?? "null";
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
