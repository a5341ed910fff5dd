using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Imports;
using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// Runs the evaluation library's pipeline for a run grain: translates the wire spec into the library's spec, takes
/// the model folder's tokenizer and chat template from the silo's cache, and reports progress in the contract's terms.
/// Blocking and long: the grain calls it on the thread pool.
/// </summary>
public sealed class EvaluationRunExecutor(TokenizerCache tokenizers, TimeProvider clock, IOptions<GridOptions> options, IGrainFactory grains)
{
    public async Task<IReadOnlyDictionary<string, double>> RunAsync(
        RunSpec spec, string modelPath, string contentHash, string resultsDirectory, string runId, IResponseGenerator generator,
        IProgress<RunProgress> progress, CancellationToken cancellationToken, CancellationToken drain = default)
    {
        var (tokenizer, template) = tokenizers.Get(modelPath);
        var pipeline = new EvaluationPipeline(tokenizer, template, generator, clock: clock, pythonRewards: options.Value.PythonRewards,
            resultsCache: options.Value.ResultsCache ? new GrainResultsCache(grains, runId) : null);
        var outcome = await pipeline.RunAsync(
            ToEvaluationSpec(spec, modelPath, contentHash, resultsDirectory, runId),
            new SynchronousProgressAdapter(progress),
            cancellationToken,
            drain);
        return outcome.Metrics.ToDictionary(m => m.Key, m => m.Value);
    }

    /// <summary>
    /// Answers the run from the results cache when an earlier run had the same key: its metrics, with its files copied
    /// into <paramref name="resultsDirectory"/>; null when there is none (or the spec draws a fresh seed, which no earlier
    /// run can have had). Reads the model folder's tokenizer and the dataset, never the weights.
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, double> Metrics, string ReusedFrom)?> TryReuseAsync(
        RunSpec spec, string modelPath, string contentHash, string resultsDirectory, string runId, CancellationToken cancellationToken)
    {
        if (!options.Value.ResultsCache || (spec.Sampling.Seed is null && spec.Sampling.Temperature > 0))
        {
            return null;
        }

        var (tokenizer, template) = tokenizers.Get(modelPath);
        var evaluation = ToEvaluationSpec(spec, modelPath, contentHash, resultsDirectory, runId);
        var wanted = await new EvaluationPipeline(tokenizer, template, NoGenerator.Instance, clock: clock, pythonRewards: options.Value.PythonRewards)
            .DescribeAsync(evaluation, cancellationToken);
        var metrics = await CachedResults.TryReuseAsync(wanted, new GrainResultsCache(grains, runId), resultsDirectory, clock, evaluation.Metrics, cancellationToken);
        return metrics is null
            ? null
            : (metrics.ToDictionary(m => m.Key, m => m.Value), ManifestJson.Read(Path.Combine(resultsDirectory, ResultsFolder.ManifestFile)).ReusedFrom!.RunId);
    }

    /// <summary>Imports the file <see cref="RunSpec.Import"/> names into the run's folder (see <see cref="ResultsImporter"/>).</summary>
    public async Task<(IReadOnlyDictionary<string, double> Metrics, ImportOutcome Outcome, RunProgress Progress)> ImportAsync(
        RunSpec spec, string resultsDirectory, CancellationToken cancellationToken)
    {
        var import = spec.Import!;
        var outcome = await new ResultsImporter().ImportAsync(ImportSource.ForFile(import.Path), resultsDirectory, new ImportOptions
        {
            DataSource = import.DataSource,
            KeepStoredScores = import.KeepStoredScores,
            RewardMode = ParseRewardMode(spec.RewardMode),
            RewardRoutes = spec.RewardRoutes is { Count: > 0 } routes ? RewardRoutingOptions.Parse(routes) : null,
        }, cancellationToken: cancellationToken);
        var results = await ResultsReader.ReadJsonlAsync(Path.Combine(outcome.Folder, ResultsFolder.ResultsJsonlFile), cancellationToken: cancellationToken);
        var progress = new RunProgress
        {
            SamplesDone = (int)outcome.Samples,
            SamplesTotal = (int)outcome.Samples,
            MeanScores = results.GroupBy(r => r.DataSource).ToDictionary(g => g.Key, g => g.Average(r => r.Score)),
        };
        return (outcome.Metrics.ToDictionary(m => m.Key, m => m.Value), outcome, progress);
    }

    /// <summary>The library's spec for a run: same files, prompts, sampling and rewards; results in the run's folder.</summary>
    public static EvaluationSpec ToEvaluationSpec(RunSpec spec, string modelPath, string contentHash, string resultsDirectory, string runId) => new()
    {
        DataFiles = spec.DataFiles,
        Dataset = new DatasetOptions
        {
            PromptKey = spec.Prompt.PromptKey,
            MaxSamples = spec.MaxSamples ?? -1,
            Shuffle = spec.Shuffle,
            Seed = (ulong)spec.Seed,
        },
        Prompt = new PromptOptions
        {
            MaxPromptLength = spec.Prompt.MaxPromptLength,
            Truncation = Enum.Parse<TruncationMode>(spec.Prompt.Truncation, ignoreCase: true),
            FilterOverlongPrompts = spec.Prompt.FilterOverlongPrompts,
            ApplyChatTemplateKwargs = spec.Prompt.ChatTemplateKwargsJson is { } json ? JsonNode.Parse(json) as JsonObject
                ?? throw new ArgumentException($"chat template kwargs must be a JSON object: {json}") : null,
        },
        Sampling = new SamplingParams
        {
            N = spec.Sampling.N,
            Temperature = spec.Sampling.Temperature,
            TopP = spec.Sampling.TopP,
            TopK = spec.Sampling.TopK,
            MinP = spec.Sampling.MinP,
            Seed = spec.Sampling.Seed,
            MaxTokens = spec.Sampling.MaxTokens,
            StopTokenIds = spec.Sampling.StopTokenIds,
            Stop = spec.Sampling.Stop,
        },
        RewardMode = ParseRewardMode(spec.RewardMode),
        RewardRoutes = spec.RewardRoutes is { Count: > 0 } routes ? RewardRoutingOptions.Parse(routes) : null,
        CustomReward = spec.RewardPath is { } rewardPath
            ? new CustomRewardFunction(rewardPath, spec.RewardName ?? CustomRewardFunction.DefaultName,
                spec.RewardKwargsJson is { } kwargs ? JsonNode.Parse(kwargs) as JsonObject ?? throw new ArgumentException($"reward kwargs must be a JSON object: {kwargs}") : null)
            : null,
        OutputFolder = resultsDirectory,
        MaxInFlight = spec.BatchSize,
        CallerId = runId,
        Model = new ModelIdentity(modelPath, contentHash, spec.DType, null),
    };

    private static RewardMode ParseRewardMode(string mode) => mode switch
    {
        "legacy" or "naive" => RewardMode.Naive,
        "reward-loop" or "reward_loop" => RewardMode.RewardLoop,
        _ => throw new ArgumentException($"reward mode '{mode}' is not one of: legacy, reward-loop"),
    };

    /// <summary>The cache is asked before any model is loaded: nothing generates.</summary>
    private sealed class NoGenerator : IResponseGenerator
    {
        public static readonly NoGenerator Instance = new();

        public Task<IReadOnlyList<GeneratedResponse>> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams sampling, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("this pipeline only describes runs");
    }

    /// <summary>Maps the library's progress onto the contract's (called on the pipeline's threads).</summary>
    private sealed class SynchronousProgressAdapter(IProgress<RunProgress> target) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => target.Report(new RunProgress
        {
            SamplesDone = (int)value.SamplesDone,
            SamplesTotal = (int)value.SamplesTotal,
            PromptsFiltered = (int)value.PromptsFiltered,
            PromptsTruncated = (int)value.PromptsTruncated,
            GeneratedTokens = value.GeneratedTokens,
            TokensPerSecond = value.TokensPerSecond,
            Eta = value.Eta,
            MeanScores = value.MeanScores,
        });
    }
}
