using System.Text.Json;

namespace VerlOrleans.Checkpoints.Safetensors;

/// <summary>
/// The weights of a Hugging Face model folder: <c>model.safetensors.index.json</c> with its shards, or a
/// single <c>model.safetensors</c>. Every tensor name maps to exactly one validated header entry.
/// </summary>
public sealed class SafetensorsModel
{
    public const string IndexFileName = "model.safetensors.index.json";
    public const string SingleFileName = "model.safetensors";

    private SafetensorsModel(string source, IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyList<SafetensorsFile> files)
    {
        Source = source;
        Tensors = tensors;
        Files = files;
    }

    /// <summary>The index, single file, or folder this model was opened from.</summary>
    public string Source { get; }

    /// <summary>Every tensor by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The shard files, in index order.</summary>
    public IReadOnlyList<SafetensorsFile> Files { get; }

    /// <summary>Sum of all tensors' bytes.</summary>
    public long TotalBytes => Tensors.Values.Sum(t => t.ByteLength);

    /// <summary>Opens a folder (index preferred over a single file), an index .json, or one .safetensors file.</summary>
    public static SafetensorsModel Open(string path)
    {
        if (Directory.Exists(path))
        {
            var index = System.IO.Path.Combine(path, IndexFileName);
            var single = System.IO.Path.Combine(path, SingleFileName);
            if (File.Exists(index))
            {
                return OpenIndex(index);
            }

            if (File.Exists(single))
            {
                return OpenSingle(single);
            }

            throw new CheckpointFormatException(path, $"folder has neither {IndexFileName} nor {SingleFileName}");
        }

        if (!File.Exists(path))
        {
            throw new CheckpointFormatException(path, "no such file or folder");
        }

        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? OpenIndex(path) : OpenSingle(path);
    }

    private static SafetensorsModel OpenSingle(string file)
    {
        var opened = SafetensorsFile.Open(file);
        return new SafetensorsModel(file, opened.Tensors, [opened]);
    }

    private static SafetensorsModel OpenIndex(string indexPath)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath))!;
        Dictionary<string, string> weightMap;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(indexPath));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(indexPath, "missing object field 'weight_map'");
            }

            weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in map.EnumerateObject())
            {
                if (item.Value.ValueKind != JsonValueKind.String)
                {
                    throw new CheckpointFormatException(indexPath, $"weight_map['{item.Name}'] is not a file name");
                }

                weightMap[item.Name] = item.Value.GetString()!;
            }
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(indexPath, $"not valid JSON: {e.Message}", e);
        }

        var files = new List<SafetensorsFile>();
        var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        foreach (var shardName in weightMap.Values.Distinct(StringComparer.Ordinal))
        {
            if (shardName.Contains('/', StringComparison.Ordinal) || shardName.Contains('\\', StringComparison.Ordinal) || shardName is "." or "..")
            {
                throw new CheckpointFormatException(indexPath, $"weight_map names a file outside the folder: '{shardName}'");
            }

            var shard = SafetensorsFile.Open(System.IO.Path.Combine(folder, shardName));
            files.Add(shard);
            foreach (var (name, info) in shard.Tensors)
            {
                if (!weightMap.TryGetValue(name, out var listed) || listed != shardName)
                {
                    throw new CheckpointFormatException(shard.Path, $"tensor '{name}' is not mapped to this file by {IndexFileName}");
                }

                tensors.Add(name, info);
            }
        }

        var missing = weightMap.Keys.FirstOrDefault(name => !tensors.ContainsKey(name));
        if (missing is not null)
        {
            throw new CheckpointFormatException(indexPath, $"tensor '{missing}' is mapped to '{weightMap[missing]}' but that file does not contain it");
        }

        return new SafetensorsModel(indexPath, tensors, files);
    }
}
