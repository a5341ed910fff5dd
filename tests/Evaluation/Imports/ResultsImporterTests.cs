using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Imports;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Tests.Fixtures;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Imports;

/// <summary>
/// Imports of files in verl's exact output formats (tools/imports/make_import_fixtures.py: dumps written as
/// RayPPOTrainer._dump_generations writes them and scored by verl's gsm8k, expected metrics by verl's
/// process_validation_metrics; the generation parquet by the Arrow Rust writer with a list&lt;string&gt; column).
/// </summary>
public sealed class ResultsImporterTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Imports", "Fixtures");
    private readonly TempDirectory _dir = new("imports");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_validation_folder_is_its_steps_in_order_and_anything_else_is_refused_by_name()
    {
        var steps = ImportSource.ForValidationFolder(Path.Combine(Fixtures, "val_dumps"));
        Assert.Equal([0L, 40L, 80L], steps.Select(s => s.Step!.Value));
        Assert.All(steps, s => Assert.Equal(ImportKind.ValidationDump, s.Kind));

        var empty = Directory.CreateDirectory(_dir.Combine("empty")).FullName;
        File.WriteAllText(Path.Combine(empty, "notes.jsonl"), "{}\n");
        Assert.Contains("holds no validation dumps", Assert.Throws<ImportFormatException>(() => ImportSource.ForValidationFolder(empty)).Message);
        var text = Path.Combine(empty, "notes.txt");
        File.WriteAllText(text, "x");
        Assert.Contains($"{text}: not one of verl's sample outputs", Assert.Throws<ImportFormatException>(() => ImportSource.ForFile(text)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    public async Task A_dump_rescored_with_the_grids_gsm8k_agrees_with_verl_sample_by_sample_and_gives_verls_metrics(long step)
    {
        var outcome = await ImportStepAsync(step, new ImportOptions { DataSource = "openai/gsm8k" });

        Assert.Equal(step, outcome.Step);
        Assert.Equal(12, outcome.Samples);
        Assert.Equal(12, outcome.Rescored);
        Assert.Empty(outcome.Disagreements);
        Assert.Empty(outcome.Rejected);
        AssertVerlMetrics(Expected("val_dumps_expected.json")[step.ToString(System.Globalization.CultureInfo.InvariantCulture)]!.AsObject(), outcome.Metrics);

        // Grouped as verl grouped them: six prompts of two samples, each pair under one uid, the same uids as other steps.
        var results = await ResultsReader.ReadAsync(Path.Combine(outcome.Folder, ResultsFolder.ResultsParquetFile));
        Assert.Equal(6, results.Select(r => r.Uid).Distinct().Count());
        Assert.All(results.GroupBy(r => r.Uid), g => Assert.Equal([0, 1], g.Select(r => r.SampleIndex).Order()));
        var other = await ResultsReader.ReadAsync(Path.Combine((await ImportStepAsync(80, new ImportOptions())).Folder, ResultsFolder.ResultsJsonlFile));
        Assert.Equal(results.Select(r => r.Uid).Distinct().Order(), other.Select(r => r.Uid).Distinct().Order());
        Assert.Contains(results, r => r.PromptText.Contains("café owners buy them (日本語 too)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_score_verl_stored_differently_is_reported_per_sample_and_kept_scores_give_verls_own_metrics()
    {
        var rescored = await ImportStepAsync(80, new ImportOptions { DataSource = "openai/gsm8k" });

        // The long response: this verl's gsm8k (no clip) gave 1.0, the grid's (verl's later 300-character clip) 0.0.
        var disagreement = Assert.Single(rescored.Disagreements);
        Assert.Equal(("line 1", 0, 1.0, 0.0), (disagreement.Where, disagreement.SampleIndex, disagreement.Stored, disagreement.Rescored));
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(rescored.Folder, ResultsFolder.ImportReportFile)))!;
        Assert.Equal("line 1", report["disagreements"]![0]!["where"]!.GetValue<string>());
        var manifest = ManifestJson.Read(Path.Combine(rescored.Folder, ResultsFolder.ManifestFile));
        Assert.Equal(("validation_dump", 80L, 12L, 1L, 0L), (manifest.Import!.Kind, manifest.Import.Step, manifest.Import.Rescored, manifest.Import.Disagreements, manifest.Import.Rejected));
        var first = (await ResultsReader.ReadAsync(Path.Combine(rescored.Folder, ResultsFolder.ResultsJsonlFile))).Single(r => r.Position == 0 && r.SampleIndex == 0);
        Assert.Equal((0.0, 1.0), (first.Score, first.ExtraColumns!["verl_score"]!.GetValue<double>()));

        var kept = await ImportStepAsync(80, new ImportOptions { DataSource = "openai/gsm8k", KeepStoredScores = true }, "kept");
        Assert.Equal((0L, 12L), (kept.Rescored, kept.Kept));
        AssertVerlMetrics(Expected("val_dumps_expected.json")["80"]!.AsObject(), kept.Metrics);
    }

    [Fact]
    public async Task A_dump_scored_by_the_users_own_reward_keeps_verls_scores_and_extras_and_gives_verls_metrics_with_majority_votes()
    {
        var outcome = await new ResultsImporter().ImportAsync(
            ImportSource.ForFile(Path.Combine(Fixtures, "custom_dump", "120.jsonl")), _dir.Combine("custom"), new ImportOptions { DataSource = "my_puzzles" });

        Assert.Equal((12L, 0L, 12L), (outcome.Samples, outcome.Rescored, outcome.Kept));
        AssertVerlMetrics(Expected("custom_dump_expected.json").AsObject(), outcome.Metrics);
        Assert.Contains(outcome.Metrics, m => m.Key == "val-core/my_puzzles/acc/maj@4/mean");
    }

    [Fact]
    public async Task A_dump_that_names_no_data_source_groups_under_unknown_as_verl_does_and_keeps_its_scores()
    {
        var outcome = await ImportStepAsync(40, new ImportOptions());

        Assert.Equal((0L, 12L), (outcome.Rescored, outcome.Kept));
        var expected = Expected("val_dumps_expected.json")["40"]!.AsObject()
            .ToDictionary(p => p.Key.Replace("/openai/gsm8k/", "/unknown/", StringComparison.Ordinal), p => p.Value);
        AssertVerlMetrics(new JsonObject(expected.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))), outcome.Metrics);
    }

    [Fact]
    public async Task Malformed_lines_are_rejected_by_line_number_with_the_reason_and_the_rest_is_imported()
    {
        var outcome = await new ResultsImporter().ImportAsync(
            ImportSource.ForFile(Path.Combine(Fixtures, "bad_dump", "7.jsonl")), _dir.Combine("bad"), new ImportOptions { DataSource = "openai/gsm8k" });

        Assert.Equal(3, outcome.Samples);
        Assert.Equal(7, outcome.Step);
        Assert.Collection(outcome.Rejected,
            r => Assert.Equal(("line 2", true), (r.Where, r.Error.StartsWith("not valid JSON", StringComparison.Ordinal))),
            r => Assert.Equal(("line 3", "'score' is not a number"), (r.Where, r.Error)),
            r => Assert.Equal(("line 4", "has no 'output'"), (r.Where, r.Error)),
            r => Assert.Equal(("line 7", "reward extra 'tokens' holds array; verl's metrics take numbers, booleans and strings"), (r.Where, r.Error)),
            r => Assert.Equal(("line 8", "not valid UTF-8"), (r.Where, r.Error)));
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outcome.Folder, ResultsFolder.ImportReportFile)))!;
        Assert.Equal(5, report["rejected"]!.AsArray().Count);
        Assert.Equal(5, ManifestJson.Read(Path.Combine(outcome.Folder, ResultsFolder.ManifestFile)).Import!.Rejected);
        Assert.Equal(3, (await ResultsReader.ReadAsync(Path.Combine(outcome.Folder, ResultsFolder.ResultsParquetFile))).Count);
    }

    [Fact]
    public async Task A_file_of_nothing_but_bad_lines_is_refused_naming_the_first_and_writes_nothing()
    {
        var file = _dir.Combine("3.jsonl");
        File.WriteAllText(file, "not json\n{\"input\": 1}\n");
        var folder = _dir.Combine("none");

        var error = await Assert.ThrowsAsync<ImportFormatException>(() => new ResultsImporter().ImportAsync(ImportSource.ForFile(file), folder, new ImportOptions()));

        Assert.Contains("no sample could be read (2 rejected; the first: line 1: not valid JSON", error.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_generation_parquet_is_scored_as_main_eval_scores_it()
    {
        var expected = Expected("generation_expected.json");
        var outcome = await new ResultsImporter().ImportAsync(
            ImportSource.ForFile(Path.Combine(Fixtures, "generation", "gsm8k_responses.parquet")), _dir.Combine("generation"), new ImportOptions());

        Assert.Equal((12L, 12L), (outcome.Samples, outcome.Rescored));
        var results = await ResultsReader.ReadAsync(Path.Combine(outcome.Folder, ResultsFolder.ResultsJsonlFile));
        var scores = expected["scores"]!.AsArray().Select(row => row!.AsArray().Select(s => s!.GetValue<double>()).ToList()).ToList();
        Assert.Equal(scores.SelectMany(s => s), results.OrderBy(r => r.Position).ThenBy(r => r.SampleIndex).Select(r => r.Score));
        Assert.All(results, r => Assert.False(r.ExtraColumns!.ContainsKey("responses")));
        Assert.All(results, r => Assert.Equal("openai/gsm8k", r.DataSource));
        // main_eval.py: the mean over rows of each row's mean score; with n equal for every row that is mean@3.
        Assert.Equal(expected["test_score/openai/gsm8k"]!.GetValue<double>(),
            outcome.Metrics.Single(m => m.Key == "val-core/openai/gsm8k/reward/mean@3").Value, 1e-12);
    }

    [Fact]
    public async Task A_generation_output_whose_data_source_no_reward_routes_says_so_on_every_sample()
    {
        var outcome = await new ResultsImporter().ImportAsync(
            ImportSource.ForFile(Path.Combine(Fixtures, "generation", "gsm8k_responses.parquet")), _dir.Combine("unrouted"), new ImportOptions { DataSource = "my/own" });

        Assert.Equal((0L, 12L), (outcome.Rescored, outcome.Unscored));
        var results = await ResultsReader.ReadAsync(Path.Combine(outcome.Folder, ResultsFolder.ResultsJsonlFile));
        Assert.All(results, r => Assert.Contains("no reward routes data_source 'my/own'", r.RewardError));
    }

    [Fact]
    public async Task A_parquet_without_responses_is_not_a_generation_output()
    {
        var error = await Assert.ThrowsAsync<ImportFormatException>(() => new ResultsImporter().ImportAsync(
            ImportSource.ForFile(VerlData.Gsm8kTest), _dir.Combine("plain"), new ImportOptions()));
        Assert.Contains("has no 'responses' column: not a generation output", error.Message);
    }

    private Task<ImportOutcome> ImportStepAsync(long step, ImportOptions options, string? name = null) =>
        new ResultsImporter().ImportAsync(ImportSource.ForFile(Path.Combine(Fixtures, "val_dumps", $"{step}.jsonl")), _dir.Combine(name ?? $"step{step}-{Guid.NewGuid():N}"), options);

    private static JsonNode Expected(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, file)))!;

    private static void AssertVerlMetrics(JsonObject expected, IReadOnlyList<KeyValuePair<string, double>> actual)
    {
        var verlOnly = actual.Where(m => !m.Key.Contains("/pass@", StringComparison.Ordinal)).ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(expected.Select(p => p.Key).Order(StringComparer.Ordinal), verlOnly.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in expected)
        {
            Assert.True(Math.Abs(value!.GetValue<double>() - verlOnly[key]) <= 1e-12, $"{key}: verl {value}, import {verlOnly[key]}");
        }
    }
}
