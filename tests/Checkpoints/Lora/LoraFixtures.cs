using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Tests.Lora;

/// <summary>The LoRA and critic fixtures real PyTorch wrote (tools/checkpoint-fixtures/generate_lora_critic.py), and ways to damage copies.</summary>
internal static class LoraFixtures
{
    public static string Lora(params string[] parts) => FixturePaths.Torch113(["lora", .. parts]);

    public static string Critic(params string[] parts) => FixturePaths.Torch113(["critic", .. parts]);

    public static string Base => Lora("base");

    /// <summary>The content hash of an expected folder's weights: equal hashes mean bit-equal tensors, names, dtypes and shapes.</summary>
    public static string Hash(string folder) => ModelContentHash.Compute(SafetensorsModel.Open(folder));

    /// <summary>Rewrites a JSON file in place.</summary>
    public static void EditJson(string path, Action<JsonObject> edit)
    {
        var root = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        edit(root);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Rewrites a safetensors file keeping only the tensors <paramref name="keep"/> accepts (same bytes).</summary>
    public static void FilterSafetensors(string path, Func<string, bool> keep)
    {
        var file = SafetensorsFile.Open(path);
        var kept = file.Tensors.Values.Where(t => keep(t.Name)).ToList();
        var data = kept.Select(SafetensorsFile.ReadAllBytes).ToList();
        var temp = path + ".tmp";
        using (var writer = SafetensorsWriter.Create(temp, kept.Select(t => new SafetensorsEntry(t.Name, t.DType, t.Shape)).ToList()))
        {
            foreach (var bytes in data)
            {
                writer.Append(bytes);
            }

            writer.Complete();
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Nothing but <paramref name="expected"/> is left in <paramref name="folder"/> (a refused merge wrote nothing, not even a hidden staging folder).</summary>
    public static void AssertOnly(string folder, params string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
}
