using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Testing;

namespace VerlOrleans.Checkpoints.Tests.Demo;

/// <summary>
/// The demo verl run folder shipped in demo/verl-run (tools/demo/train_demo.py: real training, then FSDP2 shards
/// saved by two gloo ranks with torch.save) is a valid run: discovery lists every step, each step validates as a
/// world-size-2 FSDP2 shard set whose rank files hold exactly what demo/MANIFEST.json (written by the same script
/// from the state dicts it saved) says, and merging a step reproduces PyTorch's unsharded weights bit for bit.
/// </summary>
public sealed partial class DemoRunFolderTests : IDisposable
{
    private static readonly string Demo = DemoFiles.Folder;

    private static readonly string Run = DemoFiles.RunFolder;

    private readonly TempDirectory _dir = new("demo-run");

    public void Dispose() => _dir.Dispose();

    public static TheoryData<long> Steps()
    {
        var steps = new TheoryData<long>();
        foreach (var step in StepList())
        {
            steps.Add(step);
        }

        return steps;
    }

    [Fact]
    public void The_tracker_names_the_last_step_and_discovery_lists_every_step()
    {
        var steps = StepList();
        Assert.True(steps.Count >= 4, "the demo run needs several steps");
        Assert.Equal(steps.Order(), steps);

        Assert.Equal(steps[^1].ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(Run, CheckpointDiscovery.LatestStepFileName)));
        Assert.Equal(steps[^1], DemoFiles.Manifest.GetProperty("latest_step").GetInt64());
        Assert.Equal(steps.Select(s => $"global_step_{s}").Order(StringComparer.Ordinal),
            Directory.EnumerateDirectories(Run).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([CheckpointDiscovery.LatestStepFileName], Directory.EnumerateFiles(Run).Select(Path.GetFileName));

        var run = CheckpointDiscovery.Discover(Run);
        Assert.Equal(CheckpointKind.VerlRun, run.Kind);
        Assert.Equal(steps[^1], run.LatestStep);
        Assert.Equal(steps.Select(s => (s, "actor", s == steps[^1])), run.Checkpoints.Select(c => (c.Step!.Value, c.Role!, c.IsLatest)));
        Assert.All(run.Checkpoints, c => Assert.Equal(CheckpointKind.VerlShardSet, c.Kind));
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void Each_step_validates_as_an_fsdp2_shard_set_of_two_ranks(long step)
    {
        var report = CheckpointValidator.Validate(Actor(step), new ValidationOptions(ScanNonFinite: true));

        Assert.True(report.IsValid, string.Join("; ", report.Issues));
        Assert.DoesNotContain(report.Issues, i => i.Severity != IssueSeverity.Info);
        Assert.Equal(CheckpointKind.VerlShardSet, report.Kind);
        Assert.Equal(2, report.WorldSize);
        Assert.Equal(2, report.FsdpVersion);
        Assert.Equal("mesh [2] (fsdp)", report.Mesh);
        Assert.All(report.Tensors, t => Assert.Equal(0, t.NonFiniteCount));

        var saved = RankEntries(step, 0).ToDictionary(t => t.GetProperty("key").GetString()!);
        Assert.Equal(saved.Keys.Order(StringComparer.Ordinal), report.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var tensor in report.Tensors)
        {
            Assert.Equal(Longs(saved[tensor.Name].GetProperty("global_shape")), tensor.Shape);
            Assert.Equal("F32", tensor.DType);
            Assert.Equal("DTensor Shard(0) over 2 ranks", tensor.Layout);
        }
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void Each_rank_file_holds_the_keys_shapes_and_dtypes_the_generator_saved(long step)
    {
        for (var rank = 0; rank < 2; rank++)
        {
            var manifestRank = Rank(step, rank);
            var path = Path.Combine(Actor(step), manifestRank.GetProperty("file").GetString()!);
            Assert.Equal($"model_world_size_2_rank_{rank}.pt", Path.GetFileName(path));
            Assert.Equal(manifestRank.GetProperty("bytes").GetInt64(), new FileInfo(path).Length);
            Assert.Equal(manifestRank.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));

            var file = TorchSaveFile.Open(path);
            var expected = RankEntries(step, rank).ToList();
            Assert.Equal(expected.Select(e => e.GetProperty("key").GetString()), file.Entries.Select(e => e.Key));
            foreach (var (entry, (key, value)) in expected.Zip(file.Entries))
            {
                var dtensor = Assert.IsType<DTensorValue>(value);
                Assert.Equal("DTensor", entry.GetProperty("type").GetString());
                Assert.Equal(Longs(entry.GetProperty("global_shape")), dtensor.Shape);
                Assert.Equal(Longs(entry.GetProperty("local_shape")), dtensor.Local.Shape);
                Assert.Equal(entry.GetProperty("dtype").GetString(), dtensor.DType!.Value.TorchName());
                Assert.Equal(entry.GetProperty("placements").EnumerateArray().Select(p => PythonShard().Replace(p.GetString()!, "Shard($1)")),
                    dtensor.Placements.Select(p => p.ToString()));
                Assert.Equal([0, 1], dtensor.Mesh.Ranks);
                Assert.True(TensorDType.F32 == dtensor.DType, $"{key} is {dtensor.DType}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void Merging_a_step_in_float32_reproduces_the_weights_pytorch_trained_bit_for_bit(long step)
    {
        var expected = StepEntry(step).GetProperty("full_tensor_sha256").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        var result = CheckpointMerger.Merge(Actor(step), new MergeOptions(_dir.Combine($"f32-{step}")) { DType = null });
        var model = SafetensorsModel.Open(result.TargetDir);

        // Tied embeddings: verl's state dict carries lm_head.weight as a second copy of the embedding; the merge drops it.
        Assert.Equal(["lm_head.weight"], result.DroppedKeys);
        Assert.Equal(expected["model.embed_tokens.weight"], expected["lm_head.weight"]);
        Assert.Equal(expected.Keys.Where(k => k != "lm_head.weight").Order(StringComparer.Ordinal), model.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in model.Tensors)
        {
            Assert.Equal(TensorDType.F32, tensor.DType);
            Assert.True(expected[name] == Convert.ToHexStringLower(SHA256.HashData(SafetensorsFile.ReadAllBytes(tensor))), $"{name} differs from PyTorch's weights at step {step}");
        }

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(result.TargetDir, "config.json")))!;
        Assert.Equal("Qwen2ForCausalLM", config["architectures"]![0]!.GetValue<string>());
        foreach (var side in new[] { "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(Actor(step), "huggingface", side)), File.ReadAllBytes(Path.Combine(result.TargetDir, side)));
        }
    }

    [Fact]
    public void The_grids_default_bf16_merge_gives_every_step_its_own_model_identity()
    {
        var hashes = StepList().Select(step => CheckpointMerger.Merge(Actor(step), new MergeOptions(_dir.Combine($"bf16-{step}"))).ContentHash).ToList();

        Assert.Equal(hashes.Count, hashes.Distinct().Count());
        Assert.Equal(hashes[0], CheckpointMerger.Merge(Actor(StepList()[0]), new MergeOptions(_dir.Combine("again"))).ContentHash);
    }

    [Fact]
    public void Every_step_ships_the_same_model_config_tokenizer_and_chat_template()
    {
        var first = Path.Combine(Actor(StepList()[0]), "huggingface");
        Assert.Equal(["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"],
            Directory.EnumerateFileSystemEntries(first).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var step in StepList())
        {
            Assert.Equal("{\n    \"FSDP_version\": 2,\n    \"world_size\": 2\n}\n", File.ReadAllText(Path.Combine(Actor(step), "fsdp_config.json")));
            foreach (var file in Directory.EnumerateFiles(first))
            {
                Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(Actor(step), "huggingface", Path.GetFileName(file))));
            }
        }

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(first, "config.json")))!;
        Assert.Equal("qwen2", config["model_type"]!.GetValue<string>());
        Assert.True(config["tie_word_embeddings"]!.GetValue<bool>());
        Assert.Equal("float32", config["torch_dtype"]!.GetValue<string>());
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(first, "tokenizer_config.json")))!;
        Assert.Contains("<|im_start|>", tokenizer["chat_template"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("<|im_end|>", tokenizer["eos_token"]!.GetValue<string>());
        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(first, "generation_config.json")))!;
        Assert.Equal(2, generation["eos_token_id"]!.AsArray().Count);
    }

    [Fact]
    public void The_demo_stays_small_and_the_manifest_sizes_are_the_files_sizes()
    {
        var total = Directory.EnumerateFiles(Demo, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.InRange(total, 1_000_000, 8_000_000);
        foreach (var step in StepList())
        {
            var shards = Directory.EnumerateFiles(Actor(step), "*.pt").Sum(f => new FileInfo(f).Length);
            Assert.Equal(StepEntry(step).GetProperty("bytes").GetInt64(), shards);
            Assert.Equal($"verl-run/global_step_{step}/actor", StepEntry(step).GetProperty("path").GetString());
        }
    }

    [Fact]
    public void The_manifest_records_accuracy_rising_from_near_zero_to_high()
    {
        var accuracy = StepList().Select(s => StepEntry(s).GetProperty("pytorch_greedy_accuracy").GetProperty("all").GetDouble()).ToList();
        var bf16 = StepList().Select(s => StepEntry(s).GetProperty("pytorch_greedy_accuracy_bf16_weights").GetProperty("all").GetDouble()).ToList();

        Assert.InRange(accuracy[0], 0, 0.15);
        Assert.InRange(accuracy[^1], 0.8, 1);
        Assert.InRange(bf16[0], 0, 0.15);
        Assert.InRange(bf16[^1], 0.8, 1);
    }

    private static List<long> StepList() => [.. DemoFiles.Steps];

    private static string Actor(long step) => DemoFiles.Actor(step);

    private static JsonElement StepEntry(long step) => DemoFiles.Step(step);

    private static JsonElement Rank(long step, int rank) =>
        StepEntry(step).GetProperty("ranks").EnumerateArray().Single(r => r.GetProperty("rank").GetInt32() == rank);

    private static IEnumerable<JsonElement> RankEntries(long step, int rank) => Rank(step, rank).GetProperty("tensors").EnumerateArray();

    private static long[] Longs(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt64())];

    [GeneratedRegex(@"^Shard\(dim=(\d+)\)$")]
    private static partial Regex PythonShard();
}
