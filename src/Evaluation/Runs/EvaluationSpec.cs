using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Metrics;
using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Evaluation.Runs;

/// <summary>
/// Everything an evaluation needs besides the model's text side and a generator, as plain data: which rows, how
/// they become prompts, how responses are sampled and scored, where results go and how many prompts may be in
/// flight. The same spec run twice into the same folder gives the same results; a folder holding an unfinished run
/// of this spec is resumed.
/// </summary>
public sealed record EvaluationSpec
{
    /// <summary>verl parquet (or JSON/JSONL) files, concatenated in order.</summary>
    public required IReadOnlyList<string> DataFiles { get; init; }

    public DatasetOptions Dataset { get; init; } = new();

    public PromptOptions Prompt { get; init; } = new();

    /// <summary>
    /// Sampling per prompt (verl's <c>val_kwargs</c>; <see cref="SamplingParams.MaxTokens"/> is max_response_length).
    /// A null seed draws one (kept in the manifest, and reused when the folder is resumed); empty stop token ids
    /// mean the tokenizer's stop ids (generation_config.json's eos list). Prompt p's sample i uses seed
    /// Seed + p·N + i, so every sample of the run has its own random stream.
    /// </summary>
    public required SamplingParams Sampling { get; init; }

    public RewardMode RewardMode { get; init; } = RewardMode.Naive;

    /// <summary>Data-source routes added to verl's defaults (names of registered rewards).</summary>
    public RewardRoutingOptions? RewardRoutes { get; init; }

    /// <summary>
    /// verl's <c>custom_reward_function</c>: a Python file and function that scores every sample instead of the
    /// built-in routing (so no <see cref="RewardRoutes"/> with it). It runs in worker processes set up by the
    /// pipeline's <see cref="Rewards.Python.PythonRewardOptions"/>; a sample it fails on is written with score 0 and
    /// its <c>reward_error</c>, and the run goes on (verl would stop the validation).
    /// </summary>
    public CustomRewardFunction? CustomReward { get; init; }

    /// <summary>The results folder (created, or resumed when it holds a run of this spec).</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Generate calls (prompts) in flight at once.</summary>
    public int MaxInFlight { get; init; } = 64;

    /// <summary>
    /// Who asks (a run id). The pipeline itself does not use it: the generator made for the run carries it to a model
    /// shared between callers (<see cref="EngineResponseGenerator"/>'s caller id, a model grain call).
    /// </summary>
    public string CallerId { get; init; } = "";

    /// <summary>The model that answers, for the manifest.</summary>
    public ModelIdentity? Model { get; init; }

    /// <summary>Versions of the tools involved, for the manifest.</summary>
    public IReadOnlyDictionary<string, string> ToolVersions { get; init; } = new Dictionary<string, string>();

    public ValidationMetricsOptions Metrics { get; init; } = new();

    /// <summary>Results file settings; <see cref="ResultsWriterOptions.Resume"/> is always on.</summary>
    public ResultsWriterOptions Results { get; init; } = new();
}
