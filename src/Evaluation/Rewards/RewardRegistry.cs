using VerlOrleans.Evaluation.Rewards.Code;
using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// Named rewards and the routing from <c>data_source</c> to them, like verl's <c>default_compute_score</c>:
/// exact data-source routes first, then prefix routes (longest prefix wins). Users register their own
/// <see cref="IRewardFunction"/> by name and route data sources to it in code or through
/// <see cref="RewardRoutingOptions"/>. Resolving an unrouted data source fails with the list of known ones.
/// Not thread-safe while being configured; safe for concurrent scoring afterwards.
/// </summary>
public sealed class RewardRegistry
{
    /// <summary>The Search-R1 QA data sources verl scores with <c>search_r1_like_qa_em</c>.</summary>
    public static readonly IReadOnlyList<string> SearchR1Sources =
    [
        "searchR1_nq", "searchR1_triviaqa", "searchR1_popqa", "searchR1_hotpotqa", "searchR1_2wikimultihopqa",
        "searchR1_musique", "searchR1_bamboogle",
    ];

    private readonly Dictionary<string, IRewardFunction> _rewards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _prefixRoutes = new(StringComparer.Ordinal);

    /// <summary>The built-in rewards with verl's default routing.</summary>
    public static RewardRegistry CreateDefault()
    {
        var registry = new RewardRegistry();
        registry.Register(new Gsm8kReward());
        registry.Register(new HendrycksMathReward());
        registry.Register(new MathDapoReward());
        registry.Register(new SearchR1QaReward());
        registry.Register(new PrimeCodeReward());
        registry.Register(new Geo3kReward());
        registry.Register(new PrimeMathReward());
        registry.Route("openai/gsm8k", "gsm8k");
        foreach (var source in new[] { "lighteval/MATH", "DigitalLearningGmbH/MATH-lighteval", "HuggingFaceH4/MATH-500" })
        {
            registry.Route(source, "math");
        }

        foreach (var source in new[] { "math_dapo", "math", "math_dapo_reasoning" })
        {
            registry.Route(source, "math_dapo");
        }

        registry.RoutePrefix("aime", "math_dapo");
        foreach (var source in SearchR1Sources)
        {
            registry.Route(source, "search_r1_like_qa_em");
        }

        foreach (var source in PrimeCodeReward.Sources)
        {
            registry.Route(source, "prime_code");
        }

        registry.Route("hiyouga/geometry3k", "geo3k");
        foreach (var source in PrimeMathReward.Sources)
        {
            registry.Route(source, "prime_math");
        }

        return registry;
    }

    /// <summary>Registered reward names.</summary>
    public IReadOnlyCollection<string> RewardNames => _rewards.Keys;

    /// <summary>True when a registered reward scores outside this process (<see cref="IAsyncRewardFunction"/>, e.g. in a code sandbox).</summary>
    public bool HasAsyncRewards => _rewards.Values.Any(r => r is IAsyncRewardFunction);

    /// <summary>Adds (or replaces) a reward under its <see cref="IRewardFunction.Name"/>.</summary>
    public RewardRegistry Register(IRewardFunction reward)
    {
        ArgumentException.ThrowIfNullOrEmpty(reward.Name);
        _rewards[reward.Name] = reward;
        return this;
    }

    /// <summary>Routes one data source to a registered reward.</summary>
    public RewardRegistry Route(string dataSource, string rewardName)
    {
        _routes[dataSource] = RequireRegistered(rewardName, $"route for data source '{dataSource}'");
        return this;
    }

    /// <summary>Routes every data source starting with <paramref name="prefix"/> (exact routes win).</summary>
    public RewardRegistry RoutePrefix(string prefix, string rewardName)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _prefixRoutes[prefix] = RequireRegistered(rewardName, $"prefix route '{prefix}*'");
        return this;
    }

    /// <summary>Applies routes from configuration (e.g. a <c>Rewards</c> section bound to <see cref="RewardRoutingOptions"/>).</summary>
    public RewardRegistry Configure(RewardRoutingOptions options)
    {
        foreach (var (source, reward) in options.Routes)
        {
            Route(source, reward);
        }

        foreach (var (prefix, reward) in options.PrefixRoutes)
        {
            RoutePrefix(prefix, reward);
        }

        return this;
    }

    /// <summary>Data sources this registry can score: exact routes, and prefix routes written as <c>prefix*</c>.</summary>
    public IReadOnlyList<string> KnownDataSources =>
        [.. _routes.Keys.Order(StringComparer.Ordinal), .. _prefixRoutes.Keys.Order(StringComparer.Ordinal).Select(p => p + "*")];

    /// <summary>The reward for <paramref name="dataSource"/>; throws <see cref="RewardConfigurationException"/> listing the known sources when none is routed.</summary>
    public IRewardFunction Resolve(string dataSource)
    {
        if (_routes.TryGetValue(dataSource, out var name))
        {
            return _rewards[name];
        }

        var prefix = _prefixRoutes.Keys
            .Where(p => dataSource.StartsWith(p, StringComparison.Ordinal))
            .OrderByDescending(p => p.Length)
            .FirstOrDefault();
        if (prefix is not null)
        {
            return _rewards[_prefixRoutes[prefix]];
        }

        throw new RewardConfigurationException(
            $"no reward for data_source '{dataSource}'; known data sources: {string.Join(", ", KnownDataSources)}");
    }

    /// <summary>Scores one response with the reward routed for its data source.</summary>
    public RewardResult Score(RewardRequest request) => Resolve(request.DataSource).Score(request);

    /// <summary>
    /// Scores one response with the reward routed for its data source, wherever that reward runs: in this process, in
    /// the code sandbox (<see cref="IAsyncRewardFunction"/>), or natively where exact and else through verl's Python
    /// (<see cref="IPythonFallbackReward"/> via <paramref name="verlPython"/>; without it such a response fails, naming
    /// what it needs). A reward's failure on the sample is the outcome's error; a routing error throws.
    /// </summary>
    public async ValueTask<RewardOutcome> ScoreAsync(RewardRequest request, VerlPythonScorers? verlPython, CancellationToken cancellationToken = default) =>
        Resolve(request.DataSource) switch
        {
            IAsyncRewardFunction outside => await outside.ScoreAsync(request, cancellationToken).ConfigureAwait(false),
            IPythonFallbackReward fallback when verlPython is not null => await verlPython.ScoreAsync(fallback, request, cancellationToken).ConfigureAwait(false),
            IPythonFallbackReward fallback => fallback.TryScoreNatively(request) is { } native
                ? RewardOutcome.Success(native)
                : RewardOutcome.Failure($"reward '{fallback.Name}' needs {fallback.PythonRequirements} for this response, and this scorer has no Python reward workers"),
            var reward => RewardOutcome.Success(reward.Score(request)),
        };

    private string RequireRegistered(string rewardName, string what) =>
        _rewards.ContainsKey(rewardName)
            ? rewardName
            : throw new RewardConfigurationException(
                $"{what} names reward '{rewardName}', which is not registered (registered: {string.Join(", ", _rewards.Keys.Order(StringComparer.Ordinal))})");
}
