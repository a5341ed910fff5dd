using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>
/// How to produce one full tensor: concatenate <see cref="Pieces"/> (local tensors, in mesh or offset order)
/// along <see cref="ConcatDim"/>. A single piece is used as it is (W = 1, replicated values).
/// </summary>
public sealed class TensorAssembly(string name, TensorDType dtype, long[] shape, int concatDim, IReadOnlyList<TorchTensor> pieces, string layout)
{
    public string Name { get; } = name;

    public TensorDType DType { get; } = dtype;

    public long[] Shape { get; } = shape;

    public int ConcatDim { get; } = concatDim;

    public IReadOnlyList<TorchTensor> Pieces { get; } = pieces;

    /// <summary>How the ranks held it, for reports.</summary>
    public string Layout { get; } = layout;

    public long ElementCount => TensorDTypes.ElementCount(Shape) ?? 0;

    public long ByteLength => ElementCount * DType.ItemSize();
}

/// <summary>A validated merge: the tensors in output order and where the Hugging Face side files are.</summary>
public sealed class MergePlan(string source, string huggingFaceFolder, Layouts.HfModelConfig config, IReadOnlyList<TensorAssembly> tensors)
{
    public string Source { get; } = source;

    public string HuggingFaceFolder { get; } = huggingFaceFolder;

    public Layouts.HfModelConfig Config { get; } = config;

    public IReadOnlyList<TensorAssembly> Tensors { get; } = tensors;
}
