using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Inspection;

/// <summary>One tensor as stored in a file.</summary>
/// <param name="Name">State-dict key or safetensors name.</param>
/// <param name="Kind"><c>tensor</c>, <c>DTensor</c>, <c>ShardedTensor</c>, <c>safetensors</c> or a non-tensor description.</param>
/// <param name="DType">Element type, when it is a tensor.</param>
/// <param name="Shape">Global shape.</param>
/// <param name="LocalShape">This file's part, for DTensors and ShardedTensors.</param>
/// <param name="Placements">DTensor placements (<c>Shard(0)</c>, <c>Replicate()</c>).</param>
/// <param name="Mesh">DTensor device mesh.</param>
public sealed record InspectedTensor(string Name, string Kind, string? DType, IReadOnlyList<long> Shape, IReadOnlyList<long>? LocalShape, IReadOnlyList<string>? Placements, string? Mesh);

/// <summary>What a file or folder contains, for <c>verlorleans inspect</c>.</summary>
/// <param name="Path">The file or folder inspected.</param>
/// <param name="Format"><c>torch.save</c>, <c>safetensors</c>, or the folder's <see cref="CheckpointKind"/>.</param>
/// <param name="Tensors">A file's tensors.</param>
/// <param name="Checkpoints">A folder's checkpoints.</param>
/// <param name="Models">The model each checkpoint (or the file) holds: language model, value model, LoRA.</param>
public sealed record InspectedCheckpoint(string Path, string Format, IReadOnlyList<InspectedTensor> Tensors, IReadOnlyList<DiscoveredCheckpoint> Checkpoints, IReadOnlyList<InspectedModel> Models);

/// <summary>Lists the tensors of a torch.save or safetensors file, or the checkpoints of a folder, and what model each is, without reading tensor data.</summary>
public static class CheckpointInspector
{
    public static InspectedCheckpoint Inspect(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            var found = CheckpointDiscovery.Discover(full);
            return new InspectedCheckpoint(full, found.Kind.ToString(), [], found.Checkpoints, found.Checkpoints.Select(ModelKinds.Describe).ToList());
        }

        if (!File.Exists(full))
        {
            throw new CheckpointFormatException(full, "no such file or folder");
        }

        if (full.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            var file = SafetensorsFile.Open(full);
            return new InspectedCheckpoint(full, "safetensors",
                file.Tensors.Values.Select(t => new InspectedTensor(t.Name, "safetensors", t.DType.SafetensorsName(), t.Shape, null, null, null)).ToList(), [],
                [ModelKinds.Of(full, file.Tensors.Values.Select(t => (t.Name, t.Shape)))]);
        }

        var saved = TorchSaveFile.Open(full);
        return new InspectedCheckpoint(full, "torch.save", saved.Entries.Select(e => Describe(e.Key, e.Value)).ToList(), [],
            [ModelKinds.Of(full, saved.Entries.Select(e => (e.Key, e.Value.Shape)))]);
    }

    private static InspectedTensor Describe(string name, StateDictValue value) => value switch
    {
        DTensorValue d => new InspectedTensor(name, "DTensor", d.DType?.SafetensorsName(), d.Shape, d.Local.Shape, d.Placements.Select(p => p.ToString()).ToList(), d.Mesh.ToString()),
        ShardedTensorValue s => new InspectedTensor(name, "ShardedTensor", s.DType?.SafetensorsName(), s.Shape,
            s.LocalShards.Count == 1 ? s.LocalShards[0].Tensor.Shape : null, s.LocalShards.Select(l => $"offsets [{string.Join(", ", l.Block.Offsets)}]").ToList(), null),
        PlainTensorValue p => new InspectedTensor(name, "tensor", p.DType?.SafetensorsName(), p.Shape, null, null, null),
        _ => new InspectedTensor(name, value.Kind, null, [], null, null, null),
    };
}
