using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>
/// <c>verlorleans import</c> through the gateway and through the HTTP API: a validation-dump folder is a sweep whose
/// comparison table has every step, a dump with bad lines a run whose rejected lines are counted, a path the grid
/// cannot import a usage error naming it.
/// </summary>
[Collection(GridSiloCollection.Name)]
public sealed class ImportCommandTests(SiloProcess silo) : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Imports", "Fixtures");
    private readonly TempDirectory _temp = new("cli-import");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(GridMode.Gateway)]
    [InlineData(GridMode.Http)]
    public async Task A_validation_dump_folder_imports_as_a_sweep_with_the_comparison_table_and_the_disagreement(GridMode mode)
    {
        var dumps = Directory.CreateDirectory(_temp.Combine($"dumps-{mode}")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, "val_dumps")))
        {
            File.Copy(file, Path.Combine(dumps, Path.GetFileName(file)));
        }

        var import = await GridCli.RunAsync(silo, mode, ["import", dumps, "--data-source", "openai/gsm8k", "--id", $"cli-import-{mode}".ToLowerInvariant()]);

        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Equal($"cli-import-{mode}".ToLowerInvariant(), GridCli.LastLine(import.Output));
        var header = import.Output.Split('\n').First(l => l.Contains("metric", StringComparison.Ordinal));
        Assert.True(header.IndexOf("step 0", StringComparison.Ordinal) < header.IndexOf("step 40", StringComparison.Ordinal)
            && header.IndexOf("step 40", StringComparison.Ordinal) < header.IndexOf("step 80", StringComparison.Ordinal), import.Output);
        Assert.Contains("val-core/openai/gsm8k/reward/mean@2", import.Output, StringComparison.Ordinal);
        Assert.Contains("(step 80): 1 sample scored differently from verl's stored score, 0 lines or rows not readable; listed in its import_report.json", import.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dump_with_bad_lines_imports_what_it_can_and_counts_the_rest()
    {
        var file = _temp.Combine("7.jsonl");
        File.Copy(Path.Combine(Fixtures, "bad_dump", "7.jsonl"), file);

        var import = await GridCli.RunAsync(silo, ["import", file, "--data-source", "openai/gsm8k"]);

        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Contains("0 samples scored differently from verl's stored score, 5 lines or rows not readable", import.Error, StringComparison.Ordinal);
        var runId = GridCli.LastLine(import.Output);
        Assert.Equal(3, (await GridCli.HttpStatusAsync(silo, runId)).Progress.SamplesDone);
    }

    [Fact]
    public async Task A_file_that_is_not_verls_output_is_refused_naming_it()
    {
        var notes = _temp.Combine("notes.txt");
        File.WriteAllText(notes, "hello");

        var import = await GridCli.RunAsync(silo, GridMode.Http, ["import", notes]);

        Assert.Equal(2, import.ExitCode);
        Assert.Contains($"{notes}: not one of verl's sample outputs", import.Error, StringComparison.Ordinal);
    }
}
