using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;

namespace VerlOrleans.Evaluation.Results;

/// <summary>
/// What makes a run reproducible: the input files with their content hashes, the dataset selection, the model
/// identity, sampling and prompt settings, reward routing, the seed, and the tool versions. Written as
/// <c>manifest.json</c> in the results folder; resuming checks every field except <see cref="CreatedAt"/> and
/// <see cref="Tool"/> against the folder's manifest.
/// </summary>
public sealed record RunManifest
{
    public const string FormatName = "verlorleans-run/1";

    public string Format { get; init; } = FormatName;

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    public required IReadOnlyList<DatasetFile> Inputs { get; init; }

    public required DatasetSelection Dataset { get; init; }

    public ModelIdentity? Model { get; init; }

    public SamplingSettings? Sampling { get; init; }

    public PromptSettings? Prompt { get; init; }

    public required RewardSettings Reward { get; init; }

    /// <summary>The run's master seed (sampling seeds derive from it).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Versions of the tool and runtime that produced the run (e.g. verlorleans, .NET, TorchSharp).</summary>
    public IReadOnlyDictionary<string, string> Tool { get; init; } = new Dictionary<string, string>();

    /// <summary>Set when the samples were taken from files verl wrote (nothing was generated here).</summary>
    public ImportRecord? Import { get; init; }

    /// <summary>
    /// Set when the results were copied from an earlier run with the same settings (the results cache): which run, and
    /// when it was made. Everything else in this manifest is that run's.
    /// </summary>
    public ReusedRun? ReusedFrom { get; init; }

    /// <summary>A manifest for <paramref name="dataset"/> as opened, with the rest left for the caller to fill in.</summary>
    public static RunManifest For(VerlDataset dataset, DatasetOptions options, RewardSettings reward) => new()
    {
        Inputs = dataset.Files,
        Dataset = new DatasetSelection(options.PromptKey, options.DataSourceKey, options.RewardModelKey, options.MaxSamples,
            options.Shuffle, dataset.EffectiveSeed, dataset.TotalRows, dataset.SelectedRows),
        Reward = reward,
    };
}

/// <summary>How rows were chosen from the inputs.</summary>
public sealed record DatasetSelection(string PromptKey, string DataSourceKey, string RewardModelKey, long MaxSamples, bool Shuffle,
    ulong? ShuffleSeed, long TotalRows, long SelectedRows);

/// <summary>Which model answered: its folder, a content hash of its weights, and how it ran.</summary>
public sealed record ModelIdentity(string Path, string? ContentHash, string? DType, string? Device);

/// <summary>Sampling parameters (verl's <c>val_kwargs</c> and response length), with the stop rules that end responses.</summary>
public sealed record SamplingSettings(int N, double Temperature, double TopP, int TopK, int MaxResponseLength, ulong? Seed)
{
    public double MinP { get; init; }

    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    public IReadOnlyList<string> Stop { get; init; } = [];
}

/// <summary>Prompt building: length limit, truncation mode, overlong filtering and chat-template arguments.</summary>
public sealed record PromptSettings(int MaxPromptLength, string Truncation, bool FilterOverlongPrompts, JsonObject? ApplyChatTemplateKwargs)
{
    /// <summary>SHA-256 of the chat template's source: another template makes other prompts.</summary>
    public string? ChatTemplateSha256 { get; init; }
}

/// <summary>The reward manager mode and any data-source routes added to verl's defaults, or the custom reward function used instead.</summary>
public sealed record RewardSettings(string Mode, IReadOnlyDictionary<string, string>? Routes = null)
{
    /// <summary>verl's <c>custom_reward_function</c> when the run used one (it replaces the routing).</summary>
    public CustomRewardSettings? Custom { get; init; }
}

/// <summary>
/// A custom Python reward: the file (and the SHA-256 of its content: a resumed run must score with the same code),
/// the function's name and its keyword arguments.
/// </summary>
public sealed record CustomRewardSettings(string Path, string Name, string Sha256, JsonObject? Kwargs);

/// <summary>Where imported samples came from: verl's validation dump or generation output, its hash and what was done to the scores.</summary>
/// <param name="Kind">"validation_dump" (<c>trainer.validation_data_dir</c>) or "generation_output" (a parquet with <c>responses</c>).</param>
/// <param name="Path">The file read.</param>
/// <param name="Sha256">Its content hash.</param>
/// <param name="Step">The global step it belongs to, when it says.</param>
/// <param name="Rescored">Samples scored again with this grid's rewards (the rest keep verl's stored score).</param>
/// <param name="Disagreements">Re-scored samples whose score differs from the one verl stored (listed in import_report.json).</param>
/// <param name="Rejected">Lines or rows that could not be read (listed in import_report.json).</param>
public sealed record ImportRecord(string Kind, string Path, string Sha256, long? Step, long Rescored, long Disagreements, long Rejected);

/// <summary>The run whose results a cached run copied.</summary>
public sealed record ReusedRun(string RunId, string Folder, DateTimeOffset CreatedAt);
