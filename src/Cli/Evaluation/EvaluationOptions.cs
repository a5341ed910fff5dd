using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Inference.Models;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Cli.Evaluation;

/// <summary>
/// The evaluation settings <c>eval</c> and <c>submit</c> share, each option defined once: which rows, how they become
/// prompts, how responses are sampled and scored, how many prompts are in flight and the resident dtype.
/// <see cref="Read"/> checks them all (a usage error names the option) and returns them in the libraries' terms for an
/// in-process evaluation; <see cref="ReadRunSpec"/> puts the same checked values into the grid's run spec.
/// A new instance per command: System.CommandLine symbols belong to one parent.
/// </summary>
internal sealed class EvaluationOptions
{
    public Option<string[]> Data { get; } = new("--data") { Description = "verl parquet (or JSON/JSONL) dataset; repeat to concatenate (required unless --verl-config has data.val_files)", AllowMultipleArgumentsPerToken = false };
    public Option<string?> VerlConfig { get; } = new("--verl-config")
    {
        Description = "verl trainer config YAML (e.g. a run's Hydra config.yaml): its data:, actor_rollout_ref.rollout.val_kwargs: and custom_reward_function: settings apply; options given here win",
    };
    public Option<long> MaxSamples { get; } = new("--max-samples") { Description = "Evaluate the first M rows (-1: all)", DefaultValueFactory = _ => -1 };
    public Option<bool> Shuffle { get; } = new("--shuffle") { Description = "With --max-samples: pick the rows at random, as verl's RLHFDataset does" };
    public Option<ulong?> ShuffleSeed { get; } = new("--shuffle-seed") { Description = "Seed of --shuffle (default: eval draws one and records it in the manifest; the grid uses 42)" };
    public Option<string> PromptKey { get; } = new("--prompt-key") { Description = "Column holding the chat messages (verl data.prompt_key)", DefaultValueFactory = _ => "prompt" };
    public Option<int> N { get; } = new("--n") { Description = "Responses per prompt", DefaultValueFactory = _ => 1 };
    public Option<double> Temperature { get; } = new("--temperature") { Description = "0 = greedy (verl's val_kwargs default)", DefaultValueFactory = _ => 0 };
    public Option<double> TopP { get; } = new("--top-p") { Description = "Nucleus mass in (0, 1]", DefaultValueFactory = _ => 1 };
    public Option<int> TopK { get; } = new("--top-k") { Description = "Keep the K most likely tokens (-1: off)", DefaultValueFactory = _ => -1 };
    public Option<long?> Seed { get; } = new("--seed") { Description = "Sampling seed (prompt p's sample i uses seed + p*n + i; default: drawn, recorded in the manifest)" };
    // Defaults are verl's trainer YAML's (ppo_trainer.yaml data:), what a verl run validates with; RLHFDataset's own
    // fallbacks (1024, filtering on) only apply outside the trainer.
    public Option<int> MaxPromptLength { get; } = new("--max-prompt-length") { Description = "Most prompt tokens after the chat template (verl data.max_prompt_length; trainer default 512)", DefaultValueFactory = _ => 512 };
    public Option<int> MaxResponseLength { get; } = new("--max-response-length") { Description = "Most tokens per response (verl data.max_response_length; trainer default 512)", DefaultValueFactory = _ => 512 };
    public Option<string> Truncation { get; } = new("--truncation") { Description = "Overlong prompts when not filtered: error (trainer default), left, right or middle", DefaultValueFactory = _ => "error" };
    public Option<bool> FilterOverlongPrompts { get; } = new("--filter-overlong-prompts") { Description = "Drop (and list) prompts longer than --max-prompt-length instead of truncating them (trainer default false)", DefaultValueFactory = _ => false };
    public Option<string?> ChatTemplateKwargs { get; } = new("--apply-chat-template-kwargs") { Description = "JSON object of chat template variables, e.g. {\"enable_thinking\": false}" };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Sequences decoded together (KV cache slots); as many prompts are kept in flight", DefaultValueFactory = _ => 32 };
    public Option<string> RewardMode { get; } = new("--reward-mode") { Description = "naive (verl <= 0.6 reward manager) or reward-loop (adds acc, verl >= 0.7)", DefaultValueFactory = _ => "naive" };
    public Option<string[]> Routes { get; } = new("--route") { Description = "Route a data source to a reward: SOURCE=REWARD (gsm8k, math, math_dapo); a trailing * routes a prefix", AllowMultipleArgumentsPerToken = false };
    public Option<string?> DType { get; } = new("--dtype") { Description = "float32, bfloat16 or float16 (default: bfloat16 on CUDA, float32 on CPU)" };

    /// <summary>verl's custom_reward_function (path, name, kwargs).</summary>
    public CustomRewardOptions Reward { get; } = new();

    /// <summary>Every option, in the order help lists them.</summary>
    public IReadOnlyList<Option> All =>
    [
        Data, VerlConfig, MaxSamples, Shuffle, ShuffleSeed, PromptKey, N, Temperature, TopP, TopK, Seed, MaxPromptLength, MaxResponseLength,
        Truncation, FilterOverlongPrompts, ChatTemplateKwargs, BatchSize, RewardMode, Routes, .. Reward.Spec, DType,
    ];

    /// <summary>The settings, checked; an invalid one throws <see cref="ArgumentException"/> or <see cref="RewardConfigurationException"/> naming it.</summary>
    public EvaluationSettings Read(ParseResult parseResult)
    {
        var config = parseResult.GetValue(VerlConfig) is { } configPath ? VerlTrainerConfig.Load(configPath) : null;
        T Value<T>(Option<T> option, T? configured)
            where T : struct => Given(parseResult, option) || configured is null ? parseResult.GetValue(option)! : configured.Value;
        string Text(Option<string> option, string? configured) => Given(parseResult, option) || configured is null ? parseResult.GetValue(option)! : configured;

        var prompt = new PromptOptions
        {
            MaxPromptLength = Value(MaxPromptLength, config?.MaxPromptLength),
            Truncation = TruncationModes.Parse(Text(Truncation, config?.Truncation)),
            FilterOverlongPrompts = Value(FilterOverlongPrompts, config?.FilterOverlongPrompts),
            ApplyChatTemplateKwargs = Given(parseResult, ChatTemplateKwargs) || config?.ApplyChatTemplateKwargs is null
                ? ParseKwargs(parseResult.GetValue(ChatTemplateKwargs))
                : config.ApplyChatTemplateKwargs,
        };
        prompt.Validate();
        var batch = parseResult.GetValue(BatchSize);
        if (batch < 1)
        {
            throw new ArgumentException($"--batch-size {batch} must be at least 1");
        }

        // verl's vLLM rollout validates greedily when val_kwargs.do_sample is false, whatever the other val_kwargs say.
        var greedy = config?.DoSample == false;
        var sampling = new SamplingParams
        {
            N = Value(N, config?.N),
            Temperature = Value(Temperature, greedy ? 0 : config?.Temperature),
            TopP = Value(TopP, greedy ? 1 : config?.TopP),
            TopK = Value(TopK, greedy ? -1 : config?.TopK),
            Seed = parseResult.GetValue(Seed),
            MaxTokens = Value(MaxResponseLength, config?.MaxResponseLength),
        };
        sampling.Validate();
        var mode = parseResult.GetValue(RewardMode) switch
        {
            "naive" => VerlOrleans.Evaluation.Rewards.RewardMode.Naive,
            "reward-loop" => VerlOrleans.Evaluation.Rewards.RewardMode.RewardLoop,
            var other => throw new ArgumentException($"--reward-mode '{other}' is not naive or reward-loop"),
        };
        var routes = parseResult.GetValue(Routes) ?? [];
        var custom = Reward.Read(parseResult) ?? (config?.RewardPath is { } rewardPath
            ? new CustomRewardFunction(Path.GetFullPath(rewardPath), config.RewardName ?? CustomRewardFunction.DefaultName, config.RewardKwargs)
            : null);
        if (custom is not null && routes.Length > 0)
        {
            throw new ArgumentException("--route has no effect with --reward-path: a custom reward function scores every data source, as in verl");
        }

        var dtype = parseResult.GetValue(DType);
        if (dtype is not null)
        {
            ModelLoadOptions.ParseDType(dtype);
        }

        var data = parseResult.GetValue(Data) is { Length: > 0 } given ? given : config?.ValFiles
            ?? throw new ArgumentException("--data is required (or a --verl-config with data.val_files)");
        return new EvaluationSettings(
            data,
            new DatasetOptions
            {
                PromptKey = Text(PromptKey, config?.PromptKey),
                MaxSamples = Value(MaxSamples, config?.ValMaxSamples),
                Shuffle = parseResult.GetValue(Shuffle),
                Seed = parseResult.GetValue(ShuffleSeed),
            },
            prompt,
            sampling,
            mode,
            routes,
            RewardRoutingOptions.Parse(routes),
            batch,
            dtype)
        {
            CustomReward = custom,
        };
    }

    /// <summary>
    /// The grid's spec for evaluating <paramref name="checkpoint"/> with these settings (checked as <see cref="Read"/> checks
    /// them). Paths are made absolute here: the silo resolves them, not this process's working directory.
    /// </summary>
    public RunSpec ReadRunSpec(ParseResult parseResult, string checkpoint)
    {
        var settings = Read(parseResult);
        var spec = new RunSpec
        {
            Checkpoint = Path.GetFullPath(checkpoint),
            DataFiles = settings.DataFiles.Select(Path.GetFullPath).ToList(),
            MaxSamples = settings.Dataset.MaxSamples < 0 ? null : (int)Math.Min(settings.Dataset.MaxSamples, int.MaxValue),
            Shuffle = settings.Dataset.Shuffle,
            Sampling = new SamplingSettings
            {
                N = settings.Sampling.N,
                Temperature = settings.Sampling.Temperature,
                TopP = settings.Sampling.TopP,
                TopK = settings.Sampling.TopK,
                Seed = settings.Sampling.Seed,
                MaxTokens = settings.Sampling.MaxTokens,
            },
            Prompt = new PromptSettings
            {
                PromptKey = settings.Dataset.PromptKey,
                MaxPromptLength = settings.Prompt.MaxPromptLength,
                Truncation = settings.Prompt.Truncation.ToVerlName(),
                FilterOverlongPrompts = settings.Prompt.FilterOverlongPrompts,
                ChatTemplateKwargsJson = settings.Prompt.ApplyChatTemplateKwargs?.ToJsonString(),
            },
            BatchSize = settings.BatchSize,
            DType = GridDTypeName(settings.DType),
            RewardMode = parseResult.GetValue(RewardMode)!,
            RewardRoutes = settings.RouteArguments,
            RewardPath = settings.CustomReward?.Path,
            RewardName = settings.CustomReward?.Name,
            RewardKwargsJson = settings.CustomReward?.Kwargs?.ToJsonString(),
        };
        // Without --shuffle-seed the grid keeps its fixed default, so resubmitting the same command selects the same rows.
        return settings.Dataset.Seed is { } seed ? spec with { Seed = unchecked((long)seed) } : spec;
    }

    /// <summary>True when the command line gave <paramref name="option"/> (not its default).</summary>
    private static bool Given(ParseResult parseResult, Option option) => parseResult.GetResult(option) is { Implicit: false };

    /// <summary>The grid's short dtype names, so equal weights held in the same dtype share one model grain.</summary>
    private static string GridDTypeName(string? dtype) => dtype is null
        ? "auto"
        : ModelLoadOptions.ParseDType(dtype) switch
        {
            TorchSharp.torch.ScalarType.BFloat16 => "bf16",
            TorchSharp.torch.ScalarType.Float16 => "fp16",
            _ => "fp32",
        };

    private static JsonObject? ParseKwargs(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("--apply-chat-template-kwargs must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"--apply-chat-template-kwargs is not valid JSON: {e.Message}", e);
        }
    }
}

/// <summary>
/// Checked evaluation settings in the libraries' terms (<see cref="EvaluationOptions.Read"/>). <c>RouteArguments</c> are
/// the <c>--route</c> values as given (SOURCE=REWARD), for the grid's run spec; <c>DType</c> is the <c>--dtype</c> given,
/// or null for the device's default.
/// </summary>
internal sealed record EvaluationSettings(
    IReadOnlyList<string> DataFiles,
    DatasetOptions Dataset,
    PromptOptions Prompt,
    SamplingParams Sampling,
    RewardMode RewardMode,
    IReadOnlyList<string> RouteArguments,
    RewardRoutingOptions Routes,
    int BatchSize,
    string? DType)
{
    /// <summary>verl's custom_reward_function, when <c>--reward-path</c> names one (it replaces the routes).</summary>
    public CustomRewardFunction? CustomReward { get; init; }
}
