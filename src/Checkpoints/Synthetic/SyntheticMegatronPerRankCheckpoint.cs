using VerlOrleans.Checkpoints.Megatron;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Synthetic;

/// <summary>
/// Writes the model of <see cref="SyntheticMegatronCheckpoint"/> (the same values) in Megatron's per-rank layout for
/// benchmarks: one <c>mp_rank_TT/model_optim_rng.pt</c> per TP rank (PP 1) holding <c>{'model': local state dict}</c>,
/// each layer under its own key, TP shards as Megatron keeps them (column-parallel rows, row-parallel columns, GLU
/// [gate_t; up_t]). Merging either layout gives the same Hugging Face model.
/// </summary>
public static class SyntheticMegatronPerRankCheckpoint
{
    /// <summary>Writes the folder and returns the bytes of tensor data written.</summary>
    public static long Write(string actor, DecoderShape shape, int tp)
    {
        var tensors = SyntheticMegatronCheckpoint.Tensors(shape);
        long total = 0;
        for (var rank = 0; rank < tp; rank++)
        {
            var local = new List<TorchSaveTensor>();
            var pieces = new List<(int Index, long[] Size, List<(long[] Offsets, long[] Sizes)> Chunks)>();
            for (var t = 0; t < tensors.Count; t++)
            {
                var (key, size, tpDim, layered, glu) = tensors[t];
                var chunks = SyntheticMegatronCheckpoint.Chunks(size, tpDim, layered, glu, tp);
                var perLayer = tpDim < 0 ? 1 : glu ? 2 * tp : tp;
                for (long layer = 0; layer < (layered ? size[0] : 1); layer++)
                {
                    // This rank's fragments of the layer: fragment `rank`, and for GLU also the up half's `rank + tp`.
                    var mine = chunks.Skip((int)(layer * perLayer)).Take(perLayer)
                        .Where((_, f) => tpDim < 0 || f == rank || (glu && f == rank + tp)).ToList();
                    var localShape = mine[0].Sizes[(layered ? 1 : 0)..];
                    localShape[0] = mine.Sum(c => c.Sizes[layered ? 1 : 0]); // GLU: gate and up rows stacked

                    var name = layered ? $"decoder.layers.{layer}.{key["decoder.layers.".Length..]}" : key;
                    local.Add(new TorchSaveTensor(name, TensorDType.BF16, localShape));
                    pieces.Add((t, size, mine));
                    total += TensorDTypes.ElementCount(localShape)!.Value * 2;
                }
            }

            var file = Path.Combine(Directory.CreateDirectory(Path.Combine(actor, $"mp_rank_{rank:00}")).FullName, MegatronRankFolders.FileName);
            TorchSaveWriter.Write(file, local, (i, zip) =>
            {
                foreach (var (offsets, sizes) in pieces[i].Chunks)
                {
                    SyntheticMegatronCheckpoint.WriteValues(zip, pieces[i].Index, pieces[i].Size, offsets, sizes);
                }
            }, entry: "model");
        }

        SyntheticMegatronCheckpoint.WriteHuggingFace(actor, shape);
        return total;
    }
}
