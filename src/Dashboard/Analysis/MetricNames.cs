namespace VerlOrleans.Dashboard.Analysis;

/// <summary>A verl validation metric name taken apart: <c>val-core/openai/gsm8k/reward/mean@4</c> is the family
/// <c>val-core/reward/mean@4</c> of the data source <c>openai/gsm8k</c>.</summary>
public sealed record MetricName(string Key, string DataSource, string Family);

/// <summary>
/// Splits verl metric names (<c>{section}/{data_source}/{variable}/{metric}</c>) into data source and family. Both a
/// data source (<c>openai/gsm8k</c>) and a metric (<c>best@4/mean</c>) may hold slashes, so the split uses the data
/// sources the run is known to have, longest first; without one it takes the second segment.
/// </summary>
public static class MetricNames
{
    /// <summary>The family the chart starts on: verl's headline number.</summary>
    public const string DefaultFamilyPrefix = "val-core/reward/mean@";

    public static MetricName Parse(string key, IEnumerable<string> knownDataSources)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return new MetricName(key, "", key);
        }

        var section = key[..slash];
        var rest = key[(slash + 1)..];
        foreach (var source in knownDataSources.OrderByDescending(s => s.Length))
        {
            if (rest.StartsWith(source + "/", StringComparison.Ordinal))
            {
                return new MetricName(key, source, $"{section}/{rest[(source.Length + 1)..]}");
            }
        }

        var next = rest.IndexOf('/', StringComparison.Ordinal);
        return next < 0
            ? new MetricName(key, "", key)
            : new MetricName(key, rest[..next], $"{section}/{rest[(next + 1)..]}");
    }

    /// <summary>Every family among <paramref name="keys"/>, verl's core metrics first, then in name order.</summary>
    public static IReadOnlyList<string> Families(IEnumerable<string> keys, IEnumerable<string> knownDataSources)
    {
        var sources = knownDataSources.ToList();
        return keys.Select(k => Parse(k, sources).Family).Distinct(StringComparer.Ordinal)
            .OrderBy(f => f.StartsWith("val-core/", StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(f => f, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The family to show first: <c>val-core/reward/mean@N</c> when there is one, else the first.</summary>
    public static string? DefaultFamily(IReadOnlyList<string> families) =>
        families.FirstOrDefault(f => f.StartsWith(DefaultFamilyPrefix, StringComparison.Ordinal)) ?? families.FirstOrDefault();

    /// <summary>True when a run's running mean score estimates this family (the mean reward over every sample so far).</summary>
    public static bool IsRunningMeanFamily(string family) => family.StartsWith(DefaultFamilyPrefix, StringComparison.Ordinal);
}
