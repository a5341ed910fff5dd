using System.Globalization;
using System.Text.RegularExpressions;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// The LoRA hyper-parameters a merge applies, resolved from <c>--lora-alpha</c>, <c>lora_train_meta.json</c> and
/// <c>adapter_config.json</c> (in that order of precedence), with where each came from for messages.
/// </summary>
internal sealed class LoraSettings
{
    /// <summary>What a user is told when alpha is 0.</summary>
    public const string AlphaZeroHelp =
        "lora_alpha is 0, so the LoRA update would be multiplied by 0 and the merge would silently be the base model. "
        + "This is verl's known merger bug (its FSDP merger writes lora_alpha 0 into adapter_config.json, issues #4553/#7285); "
        + "verl fixed it by writing lora_train_meta.json (PR #5326/#6409). Give the run's actor_rollout_ref.model.lora_alpha "
        + "with --lora-alpha, or put it in lora_train_meta.json next to fsdp_config.json";

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private readonly IReadOnlyList<(Regex Pattern, string Key, int Rank)> _rankPattern;
    private readonly IReadOnlyList<(Regex Pattern, string Key, double Alpha)> _alphaPattern;

    private LoraSettings(double alpha, string alphaSource, int? rank, string? rankSource, LoraAdapterConfig? config)
    {
        Alpha = alpha;
        AlphaSource = alphaSource;
        Rank = rank;
        RankSource = rankSource;
        UseRslora = config?.UseRslora ?? false;
        FanInFanOut = config?.FanInFanOut ?? false;
        Targets = config?.TargetModules;
        Exclude = config?.ExcludeModules;
        RestrictsLayers = config?.RestrictsLayers ?? false;
        _rankPattern = (config?.RankPattern ?? new Dictionary<string, int>()).Select(p => (Compile(p.Key, config!.Path), p.Key, p.Value)).ToList();
        _alphaPattern = (config?.AlphaPattern ?? new Dictionary<string, double>()).Select(p => (Compile(p.Key, config!.Path), p.Key, p.Value)).ToList();
    }

    public double Alpha { get; }

    public string AlphaSource { get; }

    /// <summary>The configured rank, when a file says it (the tensors' rank is checked against it).</summary>
    public int? Rank { get; }

    public string? RankSource { get; }

    public bool UseRslora { get; }

    public bool FanInFanOut { get; }

    public TargetModules? Targets { get; }

    public TargetModules? Exclude { get; }

    public bool RestrictsLayers { get; }

    /// <summary>
    /// Resolves alpha and rank; problems go to <paramref name="issues"/> and give null. <paramref name="config"/> and
    /// <paramref name="meta"/> are whichever files the checkpoint has.
    /// </summary>
    public static LoraSettings? Resolve(LoraAdapterConfig? config, LoraTrainMeta? meta, LoraOptions options, IssueList issues, string file)
    {
        double alpha;
        string alphaSource;
        if (options.Alpha is { } given)
        {
            (alpha, alphaSource) = (given, "--lora-alpha");
            foreach (var (value, where) in new[] { (meta?.LoraAlpha, meta?.Path), (config?.LoraAlpha, config?.Path) })
            {
                if (value is { } v && v != given)
                {
                    issues.Info("lora-alpha-overridden", $"--lora-alpha {Text(given)} replaces lora_alpha {Text(v)}", where);
                }
            }
        }
        else if (meta?.LoraAlpha is { } m && config?.LoraAlpha is { } c && m != c && c != 0)
        {
            issues.Error("lora-alpha-conflict", $"lora_train_meta.json says lora_alpha {Text(m)}, {config.Path} says {Text(c)}; give the right one with --lora-alpha", meta.Path);
            return null;
        }
        else if (meta?.LoraAlpha is { } fromMeta)
        {
            (alpha, alphaSource) = (fromMeta, meta.Path);
        }
        else if (config?.LoraAlpha is { } fromConfig)
        {
            (alpha, alphaSource) = (fromConfig, config.Path);
        }
        else
        {
            issues.Error("lora-alpha-missing",
                "the checkpoint holds LoRA weights but no file gives lora_alpha (verl's engine workers write no lora_adapter/, and verl before PR #6409 no lora_train_meta.json); "
                + "give the run's actor_rollout_ref.model.lora_alpha with --lora-alpha", file);
            return null;
        }

        if (alpha == 0)
        {
            issues.Error("lora-alpha-zero", AlphaZeroHelp, alphaSource == "--lora-alpha" ? file : alphaSource);
            return null;
        }

        if (meta?.R is { } mr && config?.R is { } cr && mr != cr)
        {
            issues.Error("lora-rank-conflict", $"lora_train_meta.json says r {mr}, {config.Path} says r {cr}", meta.Path);
            return null;
        }

        var rank = meta?.R ?? config?.R;
        var rankSource = meta?.R is not null ? meta.Path : config?.R is not null ? config.Path : null;
        try
        {
            return new LoraSettings(alpha, alphaSource, rank, rankSource, config);
        }
        catch (ArgumentException e)
        {
            issues.Error("lora-config-invalid", $"rank_pattern/alpha_pattern key is not a regular expression: {e.Message}", config?.Path);
            return null;
        }
    }

    /// <summary>The rank the configuration expects for <paramref name="module"/> (rank_pattern first), or null when none is configured.</summary>
    public int? RankFor(string module) => _rankPattern.FirstOrDefault(p => p.Pattern.IsMatch(module)) is { Key: not null } hit ? hit.Rank : Rank;

    /// <summary>lora_alpha for <paramref name="module"/> (alpha_pattern first; <c>--lora-alpha</c> replaces only the global value).</summary>
    public double AlphaFor(string module) => _alphaPattern.FirstOrDefault(p => p.Pattern.IsMatch(module)) is { Key: not null } hit ? hit.Alpha : Alpha;

    /// <summary>PEFT's scaling: alpha/r, or alpha/√r with use_rslora; computed in double as Python does, used as float32 as PyTorch does.</summary>
    public float ScaleFor(string module, int rank)
    {
        var alpha = AlphaFor(module);
        return (float)(UseRslora ? alpha / Math.Sqrt(rank) : alpha / rank);
    }

    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>peft.utils.other.get_pattern_key: <c>re.match(rf"(^|.*\.){key}$", module)</c>.</summary>
    private static Regex Compile(string key, string path)
    {
        try
        {
            return new Regex($@"\A(?:|.*\.)(?:{key})\z", RegexOptions.CultureInvariant | RegexOptions.Singleline, RegexTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{key}' in {path}: {e.Message}", e);
        }
    }
}
