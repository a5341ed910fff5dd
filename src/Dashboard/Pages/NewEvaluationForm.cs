using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Dashboard.Pages;

/// <summary>What the new-evaluation form edits: the options of <c>verlorleans submit</c>, as text where a list is typed.</summary>
public sealed class NewEvaluationForm
{
    private static readonly RunSpec Defaults = new() { Checkpoint = "", DataFiles = [] };

    /// <summary>One checkpoint or verl run folder per line.</summary>
    public string Checkpoints { get; set; } = "";

    /// <summary>One dataset file per line.</summary>
    public string DataFiles { get; set; } = "";

    public int? MaxSamples { get; set; }
    public bool Shuffle { get; set; }
    public long Seed { get; set; } = Defaults.Seed;
    public int N { get; set; } = Defaults.Sampling.N;
    public double Temperature { get; set; } = Defaults.Sampling.Temperature;
    public double TopP { get; set; } = Defaults.Sampling.TopP;
    public int TopK { get; set; } = Defaults.Sampling.TopK;
    public double MinP { get; set; } = Defaults.Sampling.MinP;
    public long? SamplingSeed { get; set; }
    public int MaxTokens { get; set; } = Defaults.Sampling.MaxTokens;
    public int MaxPromptLength { get; set; } = Defaults.Prompt.MaxPromptLength;
    public string Truncation { get; set; } = Defaults.Prompt.Truncation;
    public bool FilterOverlongPrompts { get; set; } = Defaults.Prompt.FilterOverlongPrompts;
    public string? ChatTemplateKwargsJson { get; set; }
    public int BatchSize { get; set; } = Defaults.BatchSize;
    public string DType { get; set; } = Defaults.DType;
    public string RewardMode { get; set; } = Defaults.RewardMode;

    /// <summary>One SOURCE=REWARD route per line.</summary>
    public string RewardRoutes { get; set; } = "";

    /// <summary>verl's custom_reward_function.path: a Python file whose function scores every sample (empty: built-in rewards).</summary>
    public string? RewardPath { get; set; }

    /// <summary>verl's custom_reward_function.name (empty: compute_score).</summary>
    public string? RewardName { get; set; }

    public int MaxConcurrentRuns { get; set; } = 2;

    /// <summary>Optional id for the run or sweep (one is made up otherwise).</summary>
    public string? Id { get; set; }

    public IReadOnlyList<string> CheckpointLines => Lines(Checkpoints);

    public IReadOnlyList<string> DataFileLines => Lines(DataFiles);

    /// <summary>The run settings the form describes, for <paramref name="checkpoint"/>.</summary>
    public RunSpec ToRunSpec(string checkpoint) => new()
    {
        Checkpoint = checkpoint,
        DataFiles = DataFileLines,
        MaxSamples = MaxSamples,
        Shuffle = Shuffle,
        Seed = Seed,
        Sampling = new SamplingSettings
        {
            N = N,
            Temperature = Temperature,
            TopP = TopP,
            TopK = TopK,
            MinP = MinP,
            Seed = SamplingSeed,
            MaxTokens = MaxTokens,
        },
        Prompt = new PromptSettings
        {
            MaxPromptLength = MaxPromptLength,
            Truncation = Truncation,
            FilterOverlongPrompts = FilterOverlongPrompts,
            ChatTemplateKwargsJson = string.IsNullOrWhiteSpace(ChatTemplateKwargsJson) ? null : ChatTemplateKwargsJson.Trim(),
        },
        BatchSize = BatchSize,
        DType = DType,
        RewardMode = RewardMode,
        RewardRoutes = Lines(RewardRoutes),
        RewardPath = string.IsNullOrWhiteSpace(RewardPath) ? null : RewardPath.Trim(),
        RewardName = string.IsNullOrWhiteSpace(RewardPath) || string.IsNullOrWhiteSpace(RewardName) ? null : RewardName.Trim(),
    };

    /// <summary>The form field a spec error belongs to: list items go to their list, a sweep's template fields to the field itself.</summary>
    public static string FieldOf(string errorPath)
    {
        var path = errorPath.StartsWith("template.", StringComparison.Ordinal) ? errorPath["template.".Length..] : errorPath;
        var bracket = path.IndexOf('[', StringComparison.Ordinal);
        path = bracket < 0 ? path : path[..bracket];
        return path == "checkpoint" ? "checkpoints" : path;
    }

    private static List<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
