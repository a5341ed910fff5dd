namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// Data-source routing from configuration, applied on top of the defaults with <see cref="RewardRegistry.Configure"/>.
/// Values are registered reward names (<c>gsm8k</c>, <c>math</c>, <c>math_dapo</c>, or a custom one).
/// </summary>
public sealed class RewardRoutingOptions
{
    /// <summary>Exact data source → reward name.</summary>
    public Dictionary<string, string> Routes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Data-source prefix → reward name (like verl's <c>aime*</c>).</summary>
    public Dictionary<string, string> PrefixRoutes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Routes written as <c>SOURCE=REWARD</c> (a trailing <c>*</c> on SOURCE routes a prefix), as the command line
    /// takes them; a malformed one throws <see cref="RewardConfigurationException"/> naming it.
    /// </summary>
    public static RewardRoutingOptions Parse(IEnumerable<string> routes)
    {
        var options = new RewardRoutingOptions();
        foreach (var route in routes)
        {
            var at = route.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == route.Length - 1)
            {
                throw new RewardConfigurationException($"route '{route}' must look like SOURCE=REWARD");
            }

            var source = route[..at];
            var reward = route[(at + 1)..];
            if (source.EndsWith('*'))
            {
                options.PrefixRoutes[source[..^1]] = reward;
            }
            else
            {
                options.Routes[source] = reward;
            }
        }

        return options;
    }
}
