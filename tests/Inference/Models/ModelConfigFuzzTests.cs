using System.Text;
using System.Text.Json.Nodes;
using VerlOrleans.Checkpoints;
using VerlOrleans.Inference.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>
/// config.json comes from checkpoints users point us at: mutated configs (seeded, bounded) must either load or
/// fail with <see cref="CheckpointFormatException"/>, never with another exception.
/// </summary>
public sealed class ModelConfigFuzzTests
{
    private static readonly JsonNode?[] OddValues =
    [
        null, JsonValue.Create(0), JsonValue.Create(-7), JsonValue.Create(1e300), JsonValue.Create(2.5), JsonValue.Create(long.MaxValue),
        JsonValue.Create("silu"), JsonValue.Create(""), JsonValue.Create(true), new JsonArray(), new JsonArray(1, "x"),
        new JsonObject(), new JsonObject { ["rope_type"] = 3 }, new JsonObject { ["type"] = "llama3", ["factor"] = "8" },
    ];

    [Fact]
    public void Mutated_field_values_load_or_fail_with_a_model_format_error()
    {
        using var temp = new TempDirectory("config-fuzz");
        var random = new Random(5);
        foreach (var model in ReferenceFixture.ModelNames)
        {
            var original = File.ReadAllText(Path.Combine(ReferenceFixture.FolderOf(model), "config.json"));
            for (var i = 0; i < 300; i++)
            {
                var config = JsonNode.Parse(original)!.AsObject();
                var keys = config.Select(p => p.Key).ToList();
                for (var edits = random.Next(1, 4); edits > 0; edits--)
                {
                    var value = OddValues[random.Next(OddValues.Length)];
                    config[keys[random.Next(keys.Count)]] = value?.DeepClone();
                }

                LoadOrFailTyped(temp, config.ToJsonString(), $"{model} value mutation {i}");
            }
        }
    }

    [Fact]
    public void Mutated_bytes_load_or_fail_with_a_model_format_error()
    {
        using var temp = new TempDirectory("config-fuzz");
        var random = new Random(9);
        var original = Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(ReferenceFixture.FolderOf("llama3-tiny"), "config.json")));
        for (var i = 0; i < 500; i++)
        {
            var bytes = original.ToList();
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes.RemoveAt(at); break;
                    default: bytes.Insert(at, (byte)"{}[],:\"0-e"[random.Next(10)]); break;
                }
            }

            LoadOrFailTyped(temp, Encoding.UTF8.GetString(bytes.ToArray()), $"byte mutation {i}");
        }
    }

    private static void LoadOrFailTyped(TempDirectory temp, string json, string what)
    {
        File.WriteAllText(temp.Combine("config.json"), json);
        try
        {
            var config = ModelConfig.Load(temp.Path);
            Assert.True(config.HeadDim % 2 == 0 && config.AttentionHeadCount % config.KeyValueHeadCount == 0, $"{what}: loaded an inconsistent config");
            _ = ModelFootprint.Estimate(config, TorchSharp.torch.ScalarType.Float32);
        }
        catch (CheckpointFormatException e)
        {
            Assert.Contains("config.json", e.Message, StringComparison.Ordinal);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}\n{json}");
        }
    }
}
