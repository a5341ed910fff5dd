using System.Runtime.InteropServices;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Testing;

/// <summary>
/// Writes a verl run folder (<c>global_step_N/actor</c> with FSDP2-style DTensor Shard(0) shards, <c>fsdp_config.json</c>,
/// <c>huggingface/</c>, <c>latest_checkpointed_iteration.txt</c>) from the committed tiny chat model, each step's
/// weights scaled differently so every step is a different model. Uses the project's own torch.save writer, whose
/// files real torch 1.13 and 2.6 load (tests/Checkpoints).
/// </summary>
public static class VerlRunFolderBuilder
{
    /// <summary>
    /// Writes steps 1..<paramref name="steps"/> under <paramref name="runFolder"/>; returns the actor folders. Step N's
    /// weights are the tiny model's times <paramref name="firstScale"/> + 0.25 (N - 1): a test that needs weights no other
    /// test merges (the model cache is shared by content) picks a scale of its own.
    /// </summary>
    public static IReadOnlyList<string> Write(string runFolder, int steps, int worldSize = 2, float firstScale = 1f)
    {
        var model = SafetensorsModel.Open(TinyChatModel.Folder);
        var actors = new List<string>();
        for (var step = 1; step <= steps; step++)
        {
            var actor = Path.Combine(runFolder, $"global_step_{step}", "actor");
            WriteActor(actor, model, worldSize, scale: firstScale + (0.25f * (step - 1)));
            actors.Add(actor);
        }

        File.WriteAllText(Path.Combine(runFolder, "latest_checkpointed_iteration.txt"), steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return actors;
    }

    private static void WriteActor(string actor, SafetensorsModel model, int worldSize, float scale)
    {
        Directory.CreateDirectory(actor);
        var names = model.Tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var values = names.ToDictionary(n => n, n => Scaled(model.Tensors[n], scale));
        var mesh = new DeviceMeshInfo([worldSize], Enumerable.Range(0, worldSize).ToArray(), ["fsdp"]);
        for (var rank = 0; rank < worldSize; rank++)
        {
            var tensors = new List<TorchSaveTensor>();
            var slices = new List<float[]>();
            foreach (var name in names)
            {
                var global = model.Tensors[name].Shape.ToArray();
                var chunk = (global[0] + worldSize - 1) / worldSize;
                var rows = Math.Clamp(global[0] - (rank * chunk), 0, chunk);
                var inner = global.Skip(1).Aggregate(1L, (a, b) => a * b);
                var local = global.ToArray();
                local[0] = rows;
                tensors.Add(new TorchSaveTensor(name, TensorDType.F32, local)
                {
                    DTensor = new DTensorLayout(global, [new ShardPlacement(0)], mesh, rank),
                });
                slices.Add(values[name].AsSpan((int)(Math.Min(rank * chunk, global[0]) * inner), (int)(rows * inner)).ToArray());
            }

            TorchSaveWriter.Write(Path.Combine(actor, $"model_world_size_{worldSize}_rank_{rank}.pt"), tensors,
                (i, zip) => zip.Write(MemoryMarshal.AsBytes(slices[i].AsSpan())));
        }

        File.WriteAllText(Path.Combine(actor, "fsdp_config.json"), "{\n    \"FSDP_version\": 2,\n    \"world_size\": " + worldSize + "\n}");
        var huggingFace = Directory.CreateDirectory(Path.Combine(actor, "huggingface")).FullName;
        foreach (var file in new[] { "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(TinyChatModel.Folder, file), Path.Combine(huggingFace, file));
        }
    }

    private static float[] Scaled(SafetensorsTensorInfo tensor, float scale)
    {
        var bytes = SafetensorsFile.ReadAllBytes(tensor);
        var values = new float[tensor.ElementCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = tensor.DType switch
            {
                TensorDType.BF16 => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(bytes, i * 2) << 16),
                TensorDType.F32 => BitConverter.ToSingle(bytes, i * 4),
                _ => throw new InvalidDataException($"{tensor.Name}: the tiny model holds bf16 or f32 weights, not {tensor.DType}"),
            } * scale;
        }

        return values;
    }
}
