using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Evaluation.Imports;

/// <summary>
/// Turns one file verl wrote into a results folder like a generated run's: each sample is scored again with this grid's
/// reward where its data source routes (and differences from verl's stored score are reported per sample), or keeps
/// verl's score; metrics are verl's validation metrics over them. An import always starts the folder afresh (it is quick
/// and reads nothing twice), so an interrupted one is simply done again.
/// </summary>
public sealed class ResultsImporter(Func<RewardRegistry>? rewards = null)
{
    private static readonly JsonSerializerOptions ReportJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Func<RewardRegistry> _rewards = rewards ?? RewardRegistry.CreateDefault;

    public async Task<ImportOutcome> ImportAsync(ImportSource source, string folder, ImportOptions options, IProgress<(long Done, long Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var registry = _rewards();
        if (options.RewardRoutes is { } routes)
        {
            registry.Configure(routes);
        }

        var scorer = new SampleScorer(registry, options.RewardMode);
        var (samples, rejected, step) = source.Kind == ImportKind.ValidationDump
            ? await ValidationDumpReader.ReadAsync(source.Path, cancellationToken).ConfigureAwait(false)
            : await ReadGenerationAsync(source.Path, cancellationToken).ConfigureAwait(false);
        step = source.Step ?? step;
        if (samples.Count == 0)
        {
            throw new ImportFormatException(rejected.Count == 0
                ? $"{source.Path}: holds no samples"
                : $"{source.Path}: no sample could be read ({rejected.Count} rejected; the first: {rejected[0].Where}: {rejected[0].Error})");
        }

        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { ResultsFolder.ManifestFile, ResultsFolder.ResultsJsonlFile, ResultsFolder.ResultsParquetFile, ResultsFolder.MetricsFile, ResultsFolder.ImportReportFile })
        {
            File.Delete(Path.Combine(folder, file));
        }

        var manifest = Manifest(source, samples, options, step, await Sha256Async(source.Path, cancellationToken).ConfigureAwait(false));
        var disagreements = new List<ScoreDisagreement>();
        long rescored = 0, kept = 0, unscored = 0;
        await using (var writer = await ResultsWriter.OpenAsync(folder, manifest, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (var sample in samples)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var dataSource = options.DataSource ?? sample.DataSource ?? "unknown";
                var extraColumns = sample.ExtraColumns is null ? new JsonObject() : (JsonObject)sample.ExtraColumns.DeepClone();
                ScoredResponse scored;
                if (!options.KeepStoredScores && Routes(registry, dataSource))
                {
                    // Async: some rewards score outside this process (code in a sandbox).
                    scored = await scorer.ScoreAsync(dataSource, sample.ResponseText, sample.GroundTruth, sample.ExtraInfo, cancellationToken).ConfigureAwait(false);
                    rescored++;
                    if (sample.StoredScore is { } stored)
                    {
                        extraColumns["verl_score"] = stored;
                        // verl's score went through its float32 reward tensor.
                        if ((float)stored != (float)scored.Score)
                        {
                            disagreements.Add(new ScoreDisagreement(sample.Where, sample.Uid, sample.SampleIndex, stored, scored.Score));
                        }
                    }
                }
                else if (sample.StoredScore is { } stored)
                {
                    scored = new ScoredResponse(stored, sample.StoredExtras);
                    kept++;
                }
                else
                {
                    scored = new ScoredResponse(0, []) { Error = $"not scored: the file holds no score and no reward routes data_source '{dataSource}' (give --data-source or a route)" };
                    unscored++;
                }

                await writer.AppendAsync(new SampleResult
                {
                    Uid = sample.Uid,
                    SampleIndex = sample.SampleIndex,
                    Position = sample.Position,
                    SourceFile = source.Path,
                    DataSource = dataSource,
                    Ability = sample.Ability,
                    PromptText = sample.PromptText,
                    ResponseText = sample.ResponseText,
                    GroundTruth = sample.GroundTruth?.DeepClone(),
                    Score = scored.Score,
                    RewardExtras = scored.Extras,
                    RewardError = scored.Error,
                    ExtraInfo = sample.ExtraInfo,
                    ExtraColumns = extraColumns,
                }, cancellationToken).ConfigureAwait(false);
                progress?.Report((rescored + kept + unscored, samples.Count));
            }

            var metrics = await writer.CompleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            manifest = manifest with { Import = manifest.Import! with { Rescored = rescored, Disagreements = disagreements.Count, Rejected = rejected.Count } };
            ResultsFolder.WriteAtomically(Path.Combine(folder, ResultsFolder.ManifestFile), ManifestJson.Serialize(manifest));
            ResultsFolder.WriteAtomically(Path.Combine(folder, ResultsFolder.ImportReportFile), JsonSerializer.Serialize(new
            {
                Source = source.Path,
                Kind = manifest.Import.Kind,
                Step = step,
                Samples = samples.Count,
                Rescored = rescored,
                Kept = kept,
                Unscored = unscored,
                Rejected = rejected,
                Disagreements = disagreements,
            }, ReportJson));
            return new ImportOutcome(folder, step, metrics, samples.Count, rescored, kept, unscored, rejected, disagreements);
        }
    }

    private static async Task<(List<ImportedSample>, List<ImportRejection>, long?)> ReadGenerationAsync(string path, CancellationToken cancellationToken)
    {
        var (samples, rejected) = await GenerationOutputReader.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        return (samples, rejected, null);
    }

    private static bool Routes(RewardRegistry registry, string dataSource)
    {
        try
        {
            registry.Resolve(dataSource);
            return true;
        }
        catch (RewardConfigurationException)
        {
            return false;
        }
    }

    private static RunManifest Manifest(ImportSource source, List<ImportedSample> samples, ImportOptions options, long? step, string sha256)
    {
        var info = new FileInfo(source.Path);
        var prompts = samples.Select(s => s.Uid).Distinct(StringComparer.Ordinal).LongCount();
        var routes = options.RewardRoutes is null
            ? null
            : options.RewardRoutes.Routes.Concat(options.RewardRoutes.PrefixRoutes.Select(p => KeyValuePair.Create(p.Key + "*", p.Value)))
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var kind = source.Kind == ImportKind.ValidationDump ? "validation_dump" : "generation_output";
        return new RunManifest
        {
            Inputs = [new DatasetFile(source.Path, source.Kind == ImportKind.ValidationDump ? DatasetFileFormat.Json : DatasetFileFormat.Parquet, info.Length, sha256, prompts)],
            Dataset = new DatasetSelection(source.Kind == ImportKind.ValidationDump ? "input" : "prompt", "data_source", "reward_model", -1, false, null, prompts, prompts),
            Reward = new RewardSettings(options.RewardMode == RewardMode.Naive ? "naive" : "reward_loop", routes),
            Import = new ImportRecord(kind, source.Path, sha256, step, 0, 0, 0),
        };
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}
