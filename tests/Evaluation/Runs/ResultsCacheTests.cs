using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Runs;

/// <summary>
/// The results cache over real runs of the tiny chat model: the same evaluation is answered from the finished run
/// without generating (same results and metrics, the manifest naming the run); any setting that changes results misses.
/// </summary>
public sealed class ResultsCacheTests(TinyChatEngine engine) : IClassFixture<TinyChatEngine>
{
    [Fact]
    public async Task The_same_greedy_evaluation_is_answered_from_the_finished_run_and_other_settings_miss()
    {
        using var temp = new TempDirectory("cache");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 4);
        var cache = new MemoryCache();
        var greedy = new SamplingParams { Temperature = 0, MaxTokens = 6 };
        var first = await Pipeline(engine.Generator, cache).RunAsync(Spec(data, temp.Combine("first"), greedy));
        Assert.Single(cache.Entries);

        // The same evaluation, the dataset copied elsewhere, no seed given (greedy draws nothing from it): a hit.
        var copy = temp.Combine("moved.jsonl");
        File.Copy(data, copy);
        var recording = new RecordingGenerator(engine.Generator);
        var wanted = await Pipeline(recording, cache).DescribeAsync(Spec(copy, temp.Combine("second"), greedy));
        var metrics = await CachedResults.TryReuseAsync(wanted, cache, temp.Combine("second"), TimeProvider.System);

        Assert.NotNull(metrics);
        Assert.Equal(first.Metrics, metrics);
        Assert.Equal(0, recording.Calls);
        Assert.Equal(await File.ReadAllBytesAsync(temp.Combine("first", ResultsFolder.ResultsJsonlFile)), await File.ReadAllBytesAsync(temp.Combine("second", ResultsFolder.ResultsJsonlFile)));
        var manifest = ManifestJson.Read(temp.Combine("second", ResultsFolder.ManifestFile));
        Assert.Equal(("first-run", Path.GetFullPath(temp.Combine("first"))), (manifest.ReusedFrom!.RunId, manifest.ReusedFrom.Folder));

        // Anything that changes the results misses: more tokens, another prompt length, a sampled run.
        foreach (var other in new[]
        {
            Spec(data, temp.Combine("x1"), greedy with { MaxTokens = 7 }),
            Spec(data, temp.Combine("x2"), greedy) with { Prompt = new PromptOptions { MaxPromptLength = 100, Truncation = TruncationMode.Left } },
            Spec(data, temp.Combine("x3"), greedy with { Temperature = 0.7, Seed = 5 }),
        })
        {
            var described = await Pipeline(engine.Generator, cache).DescribeAsync(other);
            Assert.Null(await CachedResults.TryReuseAsync(described, cache, other.OutputFolder, TimeProvider.System));
            Assert.False(File.Exists(Path.Combine(other.OutputFolder, ResultsFolder.ManifestFile)));
        }

        // The earlier run deleted: nothing to reuse.
        Directory.Delete(temp.Combine("first"), recursive: true);
        Assert.Null(await CachedResults.TryReuseAsync(wanted, cache, temp.Combine("third"), TimeProvider.System));
    }

    [Fact]
    public async Task A_sampled_evaluation_hits_only_with_the_same_seed()
    {
        using var temp = new TempDirectory("cache");
        var data = EvalRows.Write(temp.Combine("rows.jsonl"), 2);
        var cache = new MemoryCache();
        var sampled = new SamplingParams { N = 2, Temperature = 1, Seed = 11, MaxTokens = 5 };
        await Pipeline(engine.Generator, cache).RunAsync(Spec(data, temp.Combine("first"), sampled));

        var same = await Pipeline(engine.Generator, cache).DescribeAsync(Spec(data, temp.Combine("same"), sampled));
        var other = await Pipeline(engine.Generator, cache).DescribeAsync(Spec(data, temp.Combine("other"), sampled with { Seed = 12 }));

        Assert.NotNull(await CachedResults.TryReuseAsync(same, cache, temp.Combine("same"), TimeProvider.System));
        Assert.Null(await CachedResults.TryReuseAsync(other, cache, temp.Combine("other"), TimeProvider.System));
    }

    private EvaluationPipeline Pipeline(IResponseGenerator generator, IResultsCache cache) =>
        new(engine.Tokenizer, engine.Template, generator, resultsCache: cache);

    private static EvaluationSpec Spec(string data, string folder, SamplingParams sampling) => new()
    {
        DataFiles = [data],
        OutputFolder = folder,
        Sampling = sampling,
        MaxInFlight = 4,
    };

    /// <summary>The grid keeps its cache in a grain; here a dictionary, the run id being the folder's name plus "-run".</summary>
    private sealed class MemoryCache : IResultsCache
    {
        public Dictionary<string, CachedRun> Entries { get; } = [];

        public Task<CachedRun?> FindAsync(string key, CancellationToken cancellationToken = default) =>
            Task.FromResult(Entries.GetValueOrDefault(key));

        public Task RecordAsync(string key, string folder, CancellationToken cancellationToken = default)
        {
            Entries[key] = new CachedRun(Path.GetFileName(folder) + "-run", folder);
            return Task.CompletedTask;
        }
    }
}
