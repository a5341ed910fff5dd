namespace VerlOrleans.Checkpoints.Safetensors;

/// <summary>One output file of a sharded save: its name and the tensors it holds, in order.</summary>
public sealed record SafetensorsShard(string FileName, IReadOnlyList<SafetensorsEntry> Entries)
{
    public long ByteLength => Entries.Sum(e => e.ByteLength);
}

/// <summary>
/// Splits tensors into files the way Hugging Face <c>save_pretrained</c> does: greedily in order, a new file
/// when the next tensor would push the current one past the limit, a tensor larger than the limit alone in
/// its own file; one file is <c>model.safetensors</c>, more are <c>model-0000i-of-0000n.safetensors</c>.
/// </summary>
public static class SafetensorsShardPlan
{
    public static IReadOnlyList<SafetensorsShard> Split(IReadOnlyList<SafetensorsEntry> entries, long maxShardBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        var groups = new List<List<SafetensorsEntry>>();
        var current = new List<SafetensorsEntry>();
        long currentBytes = 0;
        foreach (var entry in entries)
        {
            var size = entry.ByteLength;
            if (size > maxShardBytes)
            {
                groups.Add([entry]);
                continue;
            }

            if (currentBytes + size > maxShardBytes && current.Count > 0)
            {
                groups.Add(current);
                current = [];
                currentBytes = 0;
            }

            current.Add(entry);
            currentBytes += size;
        }

        if (current.Count > 0 || groups.Count == 0)
        {
            groups.Add(current);
        }

        return groups.Count == 1
            ? [new SafetensorsShard(SafetensorsModel.SingleFileName, groups[0])]
            : groups.Select((g, i) => new SafetensorsShard($"model-{i + 1:D5}-of-{groups.Count:D5}.safetensors", g)).ToList();
    }

    /// <summary>The <c>model.safetensors.index.json</c> text for a multi-file save (keys sorted, 2-space indent, as transformers writes it).</summary>
    public static string IndexJson(IReadOnlyList<SafetensorsShard> shards)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", shards.Sum(s => s.ByteLength));
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (name, file) in shards.SelectMany(s => s.Entries.Select(e => (e.Name, s.FileName))).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                json.WriteString(name, file);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
