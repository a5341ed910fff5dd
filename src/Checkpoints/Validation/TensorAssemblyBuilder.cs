using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>
/// Decides, for one state-dict key across all ranks, how the full tensor is assembled, checking placements,
/// meshes, shard shapes and coverage on the way. Problems go to the issue list; null means "cannot assemble".
/// </summary>
internal sealed class TensorAssemblyBuilder(IssueList issues, IReadOnlyList<string> rankFiles, FileHandleCache handles)
{
    public TensorAssembly? Build(string key, IReadOnlyList<StateDictValue> values)
    {
        var first = values[0];
        for (var r = 1; r < values.Count; r++)
        {
            if (values[r].GetType() != first.GetType())
            {
                issues.Error("mixed-kinds", $"rank {r} holds a {values[r].Kind}, rank 0 a {first.Kind}", rankFiles[r], key);
                return null;
            }

            if (values[r].DType != first.DType)
            {
                issues.Error("dtype-mismatch", $"rank {r} holds {values[r].DType}, rank 0 {first.DType}", rankFiles[r], key);
                return null;
            }
        }

        return first switch
        {
            DTensorValue => FromDTensors(key, values.Cast<DTensorValue>().ToList()),
            ShardedTensorValue => FromShardedTensors(key, values.Cast<ShardedTensorValue>().ToList()),
            PlainTensorValue => FromPlainTensors(key, values.Cast<PlainTensorValue>().Select(v => v.Tensor).ToList()),
            NonTensorValue other => Fail("not-a-tensor", $"value is {other.Description}, not a tensor", rankFiles[0], key),
            _ => null,
        };
    }

    private TensorAssembly? Fail(string code, string message, string file, string key)
    {
        issues.Error(code, message, file, key);
        return null;
    }

    private TensorAssembly? FromDTensors(string key, List<DTensorValue> values)
    {
        var first = values[0];
        for (var r = 1; r < values.Count; r++)
        {
            if (!values[r].Placements.SequenceEqual(first.Placements))
            {
                return Fail("placement-mismatch", $"rank {r} has placements ({string.Join(", ", values[r].Placements)}), rank 0 ({string.Join(", ", first.Placements)})", rankFiles[r], key);
            }

            if (!values[r].Shape.SequenceEqual(first.Shape))
            {
                return Fail("shape-mismatch", $"rank {r} has global shape [{string.Join(", ", values[r].Shape)}], rank 0 [{string.Join(", ", first.Shape)}]", rankFiles[r], key);
            }
        }

        var unsupported = first.Placements.FirstOrDefault(p => p is PartialPlacement or StridedShardPlacement);
        if (unsupported is not null)
        {
            return Fail("unsupported-placement", $"placement {unsupported} cannot be merged", rankFiles[0], key);
        }

        var mesh = first.Mesh;
        var shape = first.Shape.ToArray();
        var sharded = Enumerable.Range(0, first.Placements.Count).Where(i => first.Placements[i] is ShardPlacement).ToList();
        if (sharded.Count > 1)
        {
            return Fail("unsupported-placement", $"sharded along {sharded.Count} mesh dims ({string.Join(", ", first.Placements)}): FSDP+TP is not supported", rankFiles[0], key);
        }

        var replicas = sharded.Count == 1 ? mesh.Ranks.Count / mesh.Shape[sharded[0]] : mesh.Ranks.Count;
        var replicaNote = replicas > 1 ? $", replica group 0 of {replicas}" : string.Empty;
        if (sharded.Count == 0)
        {
            var rank = mesh.Ranks[0];
            var local = values[rank].Local;
            return local.Shape.SequenceEqual(shape)
                ? new TensorAssembly(key, local.DType, shape, 0, [local], $"DTensor Replicate() (rank {rank}'s copy)")
                : Fail("shard-shape-mismatch", $"replicated local tensor [{string.Join(", ", local.Shape)}] differs from the global shape [{string.Join(", ", shape)}]", rankFiles[rank], key);
        }

        var meshDim = sharded[0];
        var dim = ((ShardPlacement)first.Placements[meshDim]).Dim;
        if (dim >= shape.Length)
        {
            return Fail("unsupported-placement", $"Shard({dim}) of a {shape.Length}-D tensor", rankFiles[0], key);
        }

        var count = mesh.Shape[meshDim];
        var size = shape[dim];
        var chunk = (size + count - 1) / count;
        var pieces = new List<TorchTensor>(count);
        for (var i = 0; i < count; i++)
        {
            // Coordinate 0 on every other (replicate) mesh dim: the first replica group, as verl's merger reads.
            var index = 0;
            for (var d = 0; d < mesh.Shape.Count; d++)
            {
                index = (index * mesh.Shape[d]) + (d == meshDim ? i : 0);
            }

            var rank = mesh.Ranks[index];
            var local = values[rank].Local;
            var expected = shape.ToArray();
            expected[dim] = Math.Clamp(size - (i * chunk), 0, chunk);
            if (!local.Shape.SequenceEqual(expected))
            {
                return Fail("shard-shape-mismatch",
                    $"local shard [{string.Join(", ", local.Shape)}] at mesh coordinate {i} should be [{string.Join(", ", expected)}] (torch.chunk of [{string.Join(", ", shape)}] into {count} along dim {dim})",
                    rankFiles[rank], key);
            }

            pieces.Add(local);
        }

        return new TensorAssembly(key, first.Local.DType, shape, dim, pieces, $"DTensor Shard({dim}) over {count} ranks{replicaNote}");
    }

    private TensorAssembly? FromShardedTensors(string key, List<ShardedTensorValue> values)
    {
        var first = values[0];
        for (var r = 1; r < values.Count; r++)
        {
            if (!values[r].Shape.SequenceEqual(first.Shape) || !SameBlocks(values[r].AllShards, first.AllShards))
            {
                return Fail("shard-metadata-mismatch", $"rank {r}'s ShardedTensor metadata differs from rank 0's", rankFiles[r], key);
            }
        }

        var shape = first.Shape.ToArray();
        var blocks = first.AllShards.Where(b => b.Sizes.All(s => s > 0)).ToList();
        var splitDims = Enumerable.Range(0, shape.Length).Where(d => blocks.Any(b => b.Offsets[d] != 0 || b.Sizes[d] != shape[d])).ToList();
        if (splitDims.Count > 1)
        {
            return Fail("unsupported-placement", $"ShardedTensor split along dims {string.Join(", ", splitDims)}; only one split dim is supported", rankFiles[0], key);
        }

        var dim = splitDims.Count == 1 ? splitDims[0] : 0;
        blocks.Sort((a, b) => a.Offsets.Count == 0 ? 0 : a.Offsets[dim].CompareTo(b.Offsets[dim]));
        long position = 0;
        var pieces = new List<TorchTensor>();
        foreach (var block in blocks)
        {
            if (shape.Length > 0 && block.Offsets[dim] != position)
            {
                return Fail("shard-coverage", $"shards leave a gap or overlap at offset {position} along dim {dim}", rankFiles[0], key);
            }

            if (block.Rank < 0 || block.Rank >= values.Count)
            {
                return Fail("shard-coverage", $"shard at offset {block.Offsets[dim]} is placed on rank {block.Rank}, outside the world of {values.Count}", rankFiles[0], key);
            }

            var local = values[block.Rank].LocalShards.FirstOrDefault(s => s.Block.Offsets.SequenceEqual(block.Offsets));
            if (local.Tensor is null)
            {
                return Fail("missing-local-shard", $"rank {block.Rank} does not hold the shard at [{string.Join(", ", block.Offsets)}] its metadata places there", rankFiles[block.Rank], key);
            }

            pieces.Add(local.Tensor);
            position += shape.Length > 0 ? block.Sizes[dim] : 1;
        }

        if (shape.Length > 0 && position != shape[dim])
        {
            return Fail("shard-coverage", $"shards cover {position} of {shape[dim]} along dim {dim}", rankFiles[0], key);
        }

        return new TensorAssembly(key, first.DType!.Value, shape, dim, pieces, $"ShardedTensor dim {dim} over {pieces.Count} shards");
    }

    private TensorAssembly? FromPlainTensors(string key, List<TorchTensor> tensors)
    {
        var first = tensors[0];
        if (tensors.Count == 1)
        {
            return new TensorAssembly(key, first.DType, first.Shape, 0, [first], "plain tensor (single rank)");
        }

        if (tensors.All(t => t.Shape.SequenceEqual(first.Shape)) && tensors.Skip(1).All(t => TensorComparison.SameBytes(handles, first, t)))
        {
            // Buffers are saved whole by every rank; verl's merger concatenates them (W x too large, or a crash for 0-dim).
            return new TensorAssembly(key, first.DType, first.Shape, 0, [first], $"replicated plain tensor (identical on all {tensors.Count} ranks)");
        }

        for (var r = 1; r < tensors.Count; r++)
        {
            if (tensors[r].Shape.Length == 0 || tensors[r].Shape.Length != first.Shape.Length || !tensors[r].Shape.Skip(1).SequenceEqual(first.Shape.Skip(1)))
            {
                return Fail("shape-mismatch", $"plain tensors differ across ranks and cannot be dim-0 shards: rank {r} has [{string.Join(", ", tensors[r].Shape)}], rank 0 [{string.Join(", ", first.Shape)}]", rankFiles[r], key);
            }
        }

        if (first.Shape.Length == 0)
        {
            return Fail("shape-mismatch", "0-dim plain tensors differ across ranks", rankFiles[0], key);
        }

        var shape = first.Shape.ToArray();
        shape[0] = tensors.Sum(t => t.Shape[0]);
        return new TensorAssembly(key, first.DType, shape, 0, tensors, $"plain dim-0 shards over {tensors.Count} ranks (legacy, concatenated)");
    }

    private static bool SameBlocks(IReadOnlyList<ShardBlock> a, IReadOnlyList<ShardBlock> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Offsets.SequenceEqual(p.Second.Offsets) && p.First.Sizes.SequenceEqual(p.Second.Sizes) && p.First.Rank == p.Second.Rank);
}
