using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Evaluation.Runs;

/// <summary>
/// One evaluation, whoever generates: dataset rows → prompts (<see cref="PromptBuilder"/>) → a bounded window of
/// generate calls → rewards → results appended as each call returns → metrics.json at the end. A planning pass
/// builds every prompt first (exact totals, early errors, <c>prompt_report.json</c>). Given a folder that holds a
/// run of the same spec it resumes: completed (uid, sample index) pairs are skipped and a prompt missing only some
/// samples gets one N=1 call per missing sample i, seeded as sample i of the uninterrupted run, so every sample is
/// written exactly once and equals what an uninterrupted run writes. Cancellation stops new calls, cancels those in
/// flight and returns with the folder consistent (complete result lines only). Draining (a silo handing the run to
/// another) stops new calls but lets those in flight finish and be written, then stops the same way.
/// </summary>
public sealed class EvaluationPipeline
{
    private readonly HfTokenizer _tokenizer;
    private readonly ChatTemplate _chatTemplate;
    private readonly IResponseGenerator _generator;
    private readonly Func<RewardRegistry> _rewards;
    private readonly PythonRewardOptions _pythonRewards;
    private readonly TimeProvider _clock;
    private readonly IResultsCache? _cache;

    /// <param name="tokenizer">The model folder's tokenizer (prompts, default stop ids).</param>
    /// <param name="chatTemplate">The model folder's chat template.</param>
    /// <param name="generator">Answers prompts.</param>
    /// <param name="rewards">Makes each run's reward registry (default: verl's built-in rewards and routing); the spec's routes are added to it.</param>
    /// <param name="clock">Timing of results and progress.</param>
    /// <param name="pythonRewards">How a spec's custom Python reward runs here (interpreter, workers, timeout); default: system python3.</param>
    /// <param name="resultsCache">Told of every run that completes, so the same evaluation can later be answered from it.</param>
    public EvaluationPipeline(HfTokenizer tokenizer, ChatTemplate chatTemplate, IResponseGenerator generator, Func<RewardRegistry>? rewards = null, TimeProvider? clock = null,
        PythonRewardOptions? pythonRewards = null, IResultsCache? resultsCache = null)
    {
        _cache = resultsCache;
        _tokenizer = tokenizer;
        _chatTemplate = chatTemplate;
        _generator = generator;
        _rewards = rewards ?? RewardRegistry.CreateDefault;
        _pythonRewards = pythonRewards ?? new PythonRewardOptions();
        _clock = clock ?? TimeProvider.System;
    }

    /// <param name="spec">What to evaluate, and where the results go.</param>
    /// <param name="progress">Counts as samples are written.</param>
    /// <param name="cancellationToken">Stops the run at once: calls in flight are cancelled and their samples not written.</param>
    /// <param name="drain">
    /// Stops launching calls; those in flight finish and are written, then the run stops with an
    /// <see cref="OperationCanceledException"/> on this token (unless nothing was left to launch: then it completes).
    /// </param>
    public async Task<EvaluationOutcome> RunAsync(
        EvaluationSpec spec, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default, CancellationToken drain = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.MaxInFlight, 1);
        var builder = new PromptBuilder(_tokenizer, _chatTemplate, spec.Prompt);
        var registry = _rewards();
        if (spec.RewardRoutes is { } routes)
        {
            if (spec.CustomReward is not null && routes.Routes.Count + routes.PrefixRoutes.Count > 0)
            {
                throw new RewardConfigurationException("a custom reward function scores every data source, as in verl: reward routes have no effect with it; give one or the other");
            }

            registry.Configure(routes);
        }

        spec.CustomReward?.Validate();

        var folder = Path.GetFullPath(spec.OutputFolder);
        var previous = ReadManifestIfAny(folder);
        var datasetOptions = spec.Dataset.Shuffle && spec.Dataset.Seed is null && previous?.Dataset.ShuffleSeed is { } shuffleSeed
            ? spec.Dataset with { Seed = shuffleSeed }
            : spec.Dataset;
        var dataset = await VerlDataset.OpenAsync(spec.DataFiles, datasetOptions, cancellationToken).ConfigureAwait(false);
        var sampling = ResolveSampling(spec.Sampling, previous);
        var manifest = BuildManifest(spec, dataset, datasetOptions, sampling);

        // Plan before the folder is touched: a run refused here (an overlong prompt, an unrouted source, a reward file
        // that does not load) leaves no manifest behind that would block the corrected run in the same folder.
        await using var custom = spec.CustomReward is { } function
            ? await PythonRewardPool.StartAsync(function, _pythonRewards, cancellationToken).ConfigureAwait(false)
            : null;
        var plan = await PromptPlan.BuildAsync(dataset, builder, custom is null ? registry : null, cancellationToken).ConfigureAwait(false);
        await using var writer = await ResultsWriter.OpenAsync(folder, manifest, spec.Results with { Resume = true }, cancellationToken).ConfigureAwait(false);
        plan.Write(folder, spec.Prompt);
        var tracker = new ProgressTracker(_clock, plan.Selected, plan.Filtered, plan.Truncated, plan.Kept * sampling.N);
        foreach (var done in await ResultsReader.ReadJsonlAsync(Path.Combine(folder, ResultsFolder.ResultsJsonlFile), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            tracker.AddResumed(done.DataSource, done.Score);
        }

        progress?.Report(tracker.Snapshot(EvaluationPhase.Planning));
        await using var verlPython = new VerlPythonScorers(_pythonRewards);
        var scorer = new SampleScorer(registry, spec.RewardMode, custom, verlPython);
        await GenerateAsync(spec, dataset, builder, scorer, sampling, writer, tracker, progress, cancellationToken, drain).ConfigureAwait(false);

        progress?.Report(tracker.Snapshot(EvaluationPhase.Completing));
        var metrics = await writer.CompleteAsync(spec.Metrics, cancellationToken).ConfigureAwait(false);
        if (_cache is not null)
        {
            await _cache.RecordAsync(ManifestJson.CacheKey(manifest), folder, cancellationToken).ConfigureAwait(false);
        }

        var final = tracker.Snapshot(EvaluationPhase.Completed);
        progress?.Report(final);
        return new EvaluationOutcome(folder, metrics, new PromptCounts(plan.Selected, plan.Filtered, plan.Truncated),
            final.SamplesTotal, tracker.SamplesGenerated, tracker.SamplesResumed, tracker.GeneratedTokens, final.Elapsed);
    }

    private async Task GenerateAsync(EvaluationSpec spec, VerlDataset dataset, PromptBuilder builder, SampleScorer scorer, SamplingParams sampling,
        ResultsWriter writer, ProgressTracker tracker, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken, CancellationToken drain)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var launching = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, drain);
        using var window = new SemaphoreSlim(spec.MaxInFlight);
        var running = new List<Task>();
        Exception? failure = null;
        var drained = false;
        tracker.StartGenerating();

        async Task RunCallAsync(DatasetRow row, BuiltPrompt prompt, SamplingParams callSampling, IReadOnlyList<int> sampleIndices)
        {
            try
            {
                var startedAt = _clock.GetUtcNow();
                var started = _clock.GetTimestamp();
                IReadOnlyList<GeneratedResponse> responses;
                try
                {
                    responses = await _generator.GenerateAsync(prompt.TokenIds, callSampling, stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new EvaluationException($"{row.SourceFile}: row {row.RowInFile}: generation failed: {e.Message}", e);
                }

                var generationSeconds = _clock.GetElapsedTime(started).TotalSeconds;
                CheckResponses(row, responses, callSampling.N);
                var ordered = responses.OrderBy(r => r.SampleIndex).ToList();

                // A custom reward, or a built-in one that may need verl's Python function, scores the call's samples
                // together (one batch to the Python workers); if the run is cancelled meanwhile none of them is
                // written. The other built-in rewards score each sample as it is written.
                var scoredTogether = scorer.NeedsAsync(row.MetricsDataSource) ? await ScoreTogetherAsync(scorer, row, ordered, stop.Token).ConfigureAwait(false) : null;
                for (var k = 0; k < ordered.Count; k++)
                {
                    var response = ordered[k];
                    var (scored, scoringSeconds) = scoredTogether?[k] ?? ScoreNow(scorer, row, response);
                    var result = SampleResult.For(row, sampleIndices[response.SampleIndex], prompt.Text, response.Text, scored) with
                    {
                        PromptTokens = prompt.TokenIds.Count,
                        ResponseTokens = response.TokenIds.Count,
                        FinishReason = response.FinishReason,
                        StartedAt = startedAt,
                        GenerationSeconds = generationSeconds,
                        ScoringSeconds = scoringSeconds,
                    };
                    // Once scored, a call's samples are all written, cancellation or not: the folder never holds half a call.
                    await writer.AppendAsync(result, CancellationToken.None).ConfigureAwait(false);
                    tracker.AddGenerated(result.DataSource, result.Score, response.TokenIds.Count, progress);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Cancelled with the run (by the caller, or because another call failed).
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
                await stop.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                window.Release();
            }
        }

        try
        {
            await foreach (var (row, missing) in PendingSamples.ReadAsync(dataset, sampling.N, writer, launching.Token).ConfigureAwait(false))
            {
                var prompt = builder.Build(row);
                if (prompt.IsFiltered)
                {
                    continue;
                }

                foreach (var (callSampling, indices) in Calls(sampling, row.Position, missing))
                {
                    await window.WaitAsync(launching.Token).ConfigureAwait(false);
                    running.RemoveAll(t => t.IsCompleted);
                    running.Add(RunCallAsync(row, prompt, callSampling, indices));
                }
            }
        }
        catch (OperationCanceledException) when (launching.IsCancellationRequested)
        {
            // Stopped launching; the calls in flight finish (drain) or cancel (stop) below.
            drained = !stop.IsCancellationRequested;
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (drained)
        {
            throw new OperationCanceledException("the run was drained: calls in flight were written, the rest were not started", drain);
        }
    }

    private (ScoredResponse Scored, double Seconds) ScoreNow(SampleScorer scorer, DatasetRow row, GeneratedResponse response)
    {
        var started = _clock.GetTimestamp();
        try
        {
            var scored = scorer.Score(row.MetricsDataSource, response.Text, row.GroundTruth, row.ExtraInfo);
            return (scored, _clock.GetElapsedTime(started).TotalSeconds);
        }
        catch (RewardConfigurationException e)
        {
            throw new EvaluationException($"{row.SourceFile}: row {row.RowInFile}: scoring failed: {e.Message}", e);
        }
    }

    /// <summary>Scores a call's responses at once through the custom reward; each sample's time runs until its own outcome arrived.</summary>
    private async Task<(ScoredResponse Scored, double Seconds)[]> ScoreTogetherAsync(
        SampleScorer scorer, DatasetRow row, List<GeneratedResponse> responses, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        async Task<(ScoredResponse, double)> ScoreOneAsync(GeneratedResponse response)
        {
            var scored = await scorer.ScoreAsync(row.MetricsDataSource, response.Text, row.GroundTruth, row.ExtraInfo, cancellationToken).ConfigureAwait(false);
            return (scored, _clock.GetElapsedTime(started).TotalSeconds);
        }

        try
        {
            return await Task.WhenAll(responses.Select(ScoreOneAsync).ToList()).ConfigureAwait(false);
        }
        catch (RewardConfigurationException e)
        {
            throw new EvaluationException($"{row.SourceFile}: row {row.RowInFile}: scoring failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// The generate calls for a prompt's missing samples. Prompt p's sample i is seeded Seed + p·N + i: all N at once
    /// when none is written yet, else one N=1 call per missing sample with that sample's seed.
    /// </summary>
    private static IEnumerable<(SamplingParams Sampling, IReadOnlyList<int> SampleIndices)> Calls(SamplingParams sampling, long position, IReadOnlyList<int> missing)
    {
        var promptSeed = sampling.Seed!.Value + (position * sampling.N);
        if (missing.Count == sampling.N)
        {
            yield return (sampling with { Seed = promptSeed }, missing);
            yield break;
        }

        foreach (var index in missing)
        {
            yield return (sampling with { N = 1, Seed = promptSeed + index }, [index]);
        }
    }

    private static void CheckResponses(DatasetRow row, IReadOnlyList<GeneratedResponse> responses, int expected)
    {
        var indices = responses.Select(r => r.SampleIndex).Order().ToList();
        if (!indices.SequenceEqual(Enumerable.Range(0, expected)))
        {
            throw new EvaluationException(
                $"{row.SourceFile}: row {row.RowInFile}: the generator returned sample indices [{string.Join(", ", indices)}] for N = {expected}");
        }
    }

    /// <summary>
    /// The manifest a fresh run of <paramref name="spec"/> would write (its files hashed, its seeds resolved), without
    /// touching its folder: what the results cache is asked with. A spec without a sampling seed gets a fresh one, so
    /// only a greedy run's key (which leaves seeds out) can match an earlier run.
    /// </summary>
    public async Task<RunManifest> DescribeAsync(EvaluationSpec spec, CancellationToken cancellationToken = default)
    {
        spec.CustomReward?.Validate();
        var dataset = await VerlDataset.OpenAsync(spec.DataFiles, spec.Dataset, cancellationToken).ConfigureAwait(false);
        return BuildManifest(spec, dataset, spec.Dataset, ResolveSampling(spec.Sampling, null));
    }

    /// <summary>Seed (the given one, the resumed run's, or a fresh one) and stop ids (the tokenizer's when none are given).</summary>
    private SamplingParams ResolveSampling(SamplingParams requested, RunManifest? previous)
    {
        var seed = requested.Seed ?? (previous?.Seed is { } resumed ? (long)resumed : Random.Shared.NextInt64(int.MaxValue));
        if (seed < 0)
        {
            throw new ArgumentException($"sampling seed {seed} must not be negative", nameof(requested));
        }

        var sampling = requested with
        {
            Seed = seed,
            StopTokenIds = requested.StopTokenIds.Count > 0 ? requested.StopTokenIds : _tokenizer.SpecialTokenIds.Stop,
        };
        sampling.Validate();
        return sampling;
    }

    private RunManifest BuildManifest(EvaluationSpec spec, VerlDataset dataset, DatasetOptions datasetOptions, SamplingParams sampling)
    {
        var routes = spec.RewardRoutes is null
            ? null
            : spec.RewardRoutes.Routes.Concat(spec.RewardRoutes.PrefixRoutes.Select(p => KeyValuePair.Create(p.Key + "*", p.Value)))
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var seed = (ulong)sampling.Seed!.Value;
        var reward = new RewardSettings(spec.RewardMode == RewardMode.Naive ? "naive" : "reward_loop", routes)
        {
            Custom = spec.CustomReward is { } custom
                ? new CustomRewardSettings(custom.Path, custom.Name, custom.ContentSha256(), (System.Text.Json.Nodes.JsonObject?)custom.Kwargs?.DeepClone())
                : null,
        };
        return RunManifest.For(dataset, datasetOptions, reward) with
        {
            Model = spec.Model,
            Sampling = new SamplingSettings(sampling.N, sampling.Temperature, sampling.TopP, sampling.TopK, sampling.MaxTokens, seed)
            {
                MinP = sampling.MinP,
                StopTokenIds = sampling.StopTokenIds,
                Stop = sampling.Stop,
            },
            Prompt = new PromptSettings(spec.Prompt.MaxPromptLength, spec.Prompt.Truncation.ToVerlName(), spec.Prompt.FilterOverlongPrompts,
                (System.Text.Json.Nodes.JsonObject?)spec.Prompt.ApplyChatTemplateKwargs?.DeepClone())
            {
                ChatTemplateSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_chatTemplate.Source))),
            },
            Seed = seed,
            Tool = spec.ToolVersions,
        };
    }

    private static RunManifest? ReadManifestIfAny(string folder)
    {
        var path = Path.Combine(folder, ResultsFolder.ManifestFile);
        return File.Exists(path) ? ManifestJson.Read(path) : null;
    }
}
