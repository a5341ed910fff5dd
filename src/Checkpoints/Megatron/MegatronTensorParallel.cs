using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// Joins the tensor-parallel shards of one parameter of the per-rank Megatron layout into a global tensor described
/// like a torch.distributed.checkpoint entry (chunks at their global offsets), as Megatron splits them: column-parallel
/// <c>linear_qkv</c>, <c>word_embeddings</c> and <c>output_layer</c> along rows (each rank's query groups are
/// contiguous, so the fused QKV concatenates); GLU <c>linear_fc1</c> along rows per half (rank t holds
/// [gate_t; up_t], the global tensor is [gate; up]); row-parallel <c>linear_proj</c>/<c>linear_fc2</c> weights along
/// columns; everything else (norms, row-parallel biases, a value model's one-row <c>output_layer</c>) replicated.
/// </summary>
internal static class MegatronTensorParallel
{
    private enum Split
    {
        Replicated,
        Rows,
        Columns,
        GluRows,
    }

    /// <summary>The global entry (its chunks added to <paramref name="items"/>), or an error when the shards disagree.</summary>
    public static (DcpTensorEntry? Entry, string? Error) Join(string key, IReadOnlyList<TorchTensor> shards, Dictionary<DcpChunk, TorchTensor> items)
    {
        var first = shards[0];
        for (var t = 1; t < shards.Count; t++)
        {
            if (shards[t].DType != first.DType || !shards[t].Shape.SequenceEqual(first.Shape))
            {
                return (null, $"TP shards disagree: rank 0 holds {first}, rank {t} holds {shards[t]}");
            }
        }

        if (shards.FirstOrDefault(s => !s.IsContiguous) is { } strided)
        {
            return (null, $"a TP shard is a non-contiguous view ({strided}); only contiguous tensors are supported");
        }

        var tp = shards.Count;
        var shape = first.Shape;
        var split = Of(key, shape);
        if (tp == 1)
        {
            split = Split.Replicated;
        }

        var chunks = new List<(DcpChunk, DcpStorageInfo?)>();
        void Add(long[] offsets, TorchTensor tensor)
        {
            var chunk = new DcpChunk(offsets, tensor.Shape);
            items[chunk] = tensor;
            chunks.Add((chunk, null));
        }

        long[] global = (long[])shape.Clone();
        switch (split)
        {
            case Split.Replicated:
                Add(new long[shape.Length], first);
                break;
            case Split.Rows when shape.Length >= 1:
                global[0] = shape[0] * tp;
                for (var t = 0; t < tp; t++)
                {
                    Add(Offsets(shape.Length, 0, t * shape[0]), shards[t]);
                }

                break;
            case Split.Columns when shape.Length == 2:
                global[1] = shape[1] * tp;
                for (var t = 0; t < tp; t++)
                {
                    Add(Offsets(2, 1, t * shape[1]), shards[t]);
                }

                break;
            case Split.GluRows when shape.Length >= 1 && shape[0] % 2 == 0:
                var half = shape[0] / 2;
                var rowElements = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                global[0] = shape[0] * tp;
                for (var t = 0; t < tp; t++)
                {
                    var (gate, up) = (Rows(shards[t], 0, half, rowElements), Rows(shards[t], half, half, rowElements));
                    Add(Offsets(shape.Length, 0, t * half), gate);
                    Add(Offsets(shape.Length, 0, (tp * half) + (t * half)), up);
                }

                break;
            default:
                return (null, $"a TP shard of shape [{string.Join(", ", shape)}] cannot be split as {split}");
        }

        return (new DcpTensorEntry(key, first.DType, global, chunks), null);
    }

    private static Split Of(string key, long[] shape)
    {
        if (key.EndsWith("linear_fc1.weight", StringComparison.Ordinal) || key.EndsWith("linear_fc1.bias", StringComparison.Ordinal))
        {
            return Split.GluRows;
        }

        if (key == "output_layer.weight" && shape is [1, _])
        {
            return Split.Replicated; // verl's value head (LinearForLastLayer) is not vocab-parallel
        }

        if (key.EndsWith("linear_qkv.weight", StringComparison.Ordinal) || key.EndsWith("linear_qkv.bias", StringComparison.Ordinal)
            || key is "embedding.word_embeddings.weight" or "output_layer.weight")
        {
            return Split.Rows;
        }

        return key.EndsWith("linear_proj.weight", StringComparison.Ordinal) || key.EndsWith("linear_fc2.weight", StringComparison.Ordinal)
            ? Split.Columns
            : Split.Replicated;
    }

    private static long[] Offsets(int rank, int dim, long offset)
    {
        var offsets = new long[rank];
        offsets[dim] = offset;
        return offsets;
    }

    private static TorchTensor Rows(TorchTensor tensor, long start, long count, long rowElements)
    {
        var shape = (long[])tensor.Shape.Clone();
        shape[0] = count;
        return new TorchTensor(tensor.Storage, tensor.DType, tensor.StorageOffset + (start * rowElements), shape, tensor.Stride);
    }
}
