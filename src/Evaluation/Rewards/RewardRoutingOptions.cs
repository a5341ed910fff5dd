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
}
