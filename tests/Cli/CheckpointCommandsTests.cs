using System.Text.Json;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>validate / merge / inspect run in-process on the checkpoint fixtures real PyTorch wrote.</summary>
public sealed class CheckpointCommandsTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "Checkpoints", "Fixtures");
    private readonly TempDirectory _dir = new("cli-checkpoints");

    private static string Fsdp2Actor => Path.Combine(Fixtures, "torch-2.6", "fsdp2-run", "global_step_1", "actor");

    [Fact]
    public async Task Validate_prints_a_valid_report_and_exits_0()
    {
        var (exit, output, error) = await CliHarness.RunAsync("validate", "--local-dir", Fsdp2Actor);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.StartsWith("valid: ", output, StringComparison.Ordinal);
        Assert.Contains("world size 3", output, StringComparison.Ordinal);
        Assert.Contains("DTensor Shard(0) over 3 ranks", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_json_is_the_report_record()
    {
        var (exit, output, _) = await CliHarness.RunAsync("validate", "--local-dir", Path.Combine(Fixtures, "torch-2.6", "hsdp-fsdp2-2x2"), "--json", "--scan-non-finite");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("valid", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("worldSize").GetInt32());
        Assert.Contains("hsdp", json.RootElement.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("code").GetString()));
        Assert.All(json.RootElement.GetProperty("tensors").EnumerateArray(), t => Assert.Equal(0, t.GetProperty("nonFiniteCount").GetInt64()));
    }

    [Fact]
    public async Task Validate_exits_1_for_a_missing_rank_naming_the_file()
    {
        var actor = CopyFixture("missing");
        File.Delete(Path.Combine(actor, "model_world_size_3_rank_1.pt"));

        var (exit, output, _) = await CliHarness.RunAsync("validate", "--local-dir", actor);

        Assert.Equal(1, exit);
        Assert.Contains("[missing-rank]", output, StringComparison.Ordinal);
        Assert.Contains("model_world_size_3_rank_1.pt", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_exits_2_for_an_unreadable_rank_file()
    {
        var actor = CopyFixture("truncated");
        var rank = Path.Combine(actor, "model_world_size_3_rank_2.pt");
        File.WriteAllBytes(rank, File.ReadAllBytes(rank)[..1000]);

        var (exit, output, _) = await CliHarness.RunAsync("validate", "--local-dir", actor);

        Assert.Equal(2, exit);
        Assert.Contains("[unreadable-file]", output, StringComparison.Ordinal);
        Assert.Contains("model_world_size_3_rank_2.pt", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Merge_writes_the_folder_and_verifies_it()
    {
        var target = _dir.Combine("merged");
        var reference = Path.Combine(Fixtures, "torch-2.6", "fsdp2-run-expected", "global_step_1", "bf16");

        var (exit, output, error) = await CliHarness.RunAsync("merge", "--local-dir", Fsdp2Actor, "--target-dir", target, "--verify-against", reference, "--max-shard-size", "4KB");

        Assert.True(exit == 0, error);
        Assert.Contains("content hash: ", output, StringComparison.Ordinal);
        Assert.Contains("dropped lm_head.weight", output, StringComparison.Ordinal);
        Assert.Contains(": passed", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(target, "model.safetensors.index.json")));
    }

    [Fact]
    public async Task Merge_refuses_a_non_empty_target_and_bad_options_without_writing()
    {
        var target = Directory.CreateDirectory(_dir.Combine("taken")).FullName;
        File.WriteAllText(Path.Combine(target, "keep.txt"), "mine");

        var (exit, _, error) = await CliHarness.RunAsync("merge", "--local-dir", Fsdp2Actor, "--target-dir", target);
        Assert.Equal(1, exit);
        Assert.Contains("not empty", error, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.EnumerateFiles(target).Select(Path.GetFileName));

        Assert.Equal(2, (await CliHarness.RunAsync("merge", "--local-dir", Fsdp2Actor, "--target-dir", _dir.Combine("x"), "--dtype", "int4")).ExitCode);
        Assert.Equal(2, (await CliHarness.RunAsync("merge", "--local-dir", Fsdp2Actor, "--target-dir", _dir.Combine("x"), "--max-shard-size", "big")).ExitCode);
        Assert.False(Directory.Exists(_dir.Combine("x")));
    }

    [Fact]
    public async Task Merge_of_an_invalid_shard_set_exits_1_and_leaves_no_target()
    {
        var actor = CopyFixture("extra");
        File.Copy(Path.Combine(actor, "model_world_size_3_rank_0.pt"), Path.Combine(actor, "model_world_size_3_rank_3.pt"));
        var target = _dir.Combine("never");

        var (exit, _, error) = await CliHarness.RunAsync("merge", "--local-dir", actor, "--target-dir", target);

        Assert.Equal(1, exit);
        Assert.Contains("[extra-rank]", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.Single(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public async Task Inspect_lists_dtensor_placements_and_folder_checkpoints()
    {
        var (exit, output, _) = await CliHarness.RunAsync("inspect", Path.Combine(Fsdp2Actor, "model_world_size_3_rank_2.pt"));
        Assert.Equal(0, exit);
        Assert.Contains("model.embed_tokens.weight: DTensor F32 [41, 16] local [13, 16] (Shard(0)) mesh [3] (fsdp)", output, StringComparison.Ordinal);

        var (runExit, runOutput, _) = await CliHarness.RunAsync("inspect", Path.Combine(Fixtures, "torch-2.6", "fsdp2-run"), "--json");
        Assert.Equal(0, runExit);
        using var json = JsonDocument.Parse(runOutput);
        var steps = json.RootElement.GetProperty("checkpoints").EnumerateArray().Select(c => (c.GetProperty("step").GetInt64(), c.GetProperty("isLatest").GetBoolean())).ToList();
        Assert.Equal([(1L, false), (2L, true)], steps);

        var garbage = _dir.Combine("garbage.pt");
        File.WriteAllText(garbage, "not a zip");
        Assert.Equal(2, (await CliHarness.RunAsync("inspect", garbage)).ExitCode);
    }

    public void Dispose() => _dir.Dispose();

    private string CopyFixture(string name)
    {
        var destination = _dir.Combine(name);
        foreach (var file in Directory.EnumerateFiles(Fsdp2Actor, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(Fsdp2Actor, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return destination;
    }
}
