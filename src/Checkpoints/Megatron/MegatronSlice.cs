namespace VerlOrleans.Checkpoints.Megatron;

/// <summary>
/// One Hugging Face tensor cut out of a Megatron global tensor: the rows (of dim 0, after the layer axis when the
/// key has one) that make it up, in order. q/k/v take every query group's rows of the fused QKV; gate/up take the
/// two halves of <c>linear_fc1</c>; everything else takes all rows.
/// </summary>
/// <param name="Name">The Hugging Face name.</param>
/// <param name="Source">The Megatron tensor.</param>
/// <param name="Layer">The index on the prepended layer axis (homogeneous <c>decoder.layers.*</c> keys), or null.</param>
/// <param name="Rows">Row ranges of the (per-layer) source, concatenated.</param>
/// <param name="Shape">The Hugging Face shape.</param>
public sealed record MegatronSlice(string Name, DcpTensorEntry Source, long? Layer, IReadOnlyList<(long Start, long Count)> Rows, long[] Shape);
