using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>
/// One tensor a merge writes: its Hugging Face name and shape, the dtype its bytes stream in, and how to stream
/// them. Subclasses read shard pieces (<see cref="TensorAssembly"/>), a safetensors range (<see cref="SafetensorsTensor"/>)
/// or compute a LoRA-merged weight (<see cref="Lora.LoraMergedTensor"/>).
/// </summary>
public abstract class PlannedTensor(string name, TensorDType dtype, long[] shape, string layout)
{
    /// <summary>The name written (a Hugging Face parameter name once planned; a state-dict key before).</summary>
    public string Name { get; } = name;

    /// <summary>The element type <see cref="Open"/> streams.</summary>
    public TensorDType DType { get; } = dtype;

    /// <summary>The element type <c>--dtype keep</c> writes: the source's (a LoRA merge streams float32 but keeps the base's type).</summary>
    public virtual TensorDType SourceDType => DType;

    public long[] Shape { get; } = shape;

    /// <summary>Where the values come from, for reports (<c>Shard(0) over 4 ranks</c>, <c>safetensors</c>, <c>+ LoRA r 8</c>).</summary>
    public string Layout { get; } = layout;

    public long ElementCount => TensorDTypes.ElementCount(Shape) ?? 0;

    public long ByteLength => ElementCount * DType.ItemSize();

    /// <summary>The same tensor under another name (a PEFT key mapped to its Hugging Face name).</summary>
    public abstract PlannedTensor WithName(string newName);

    /// <summary>A reader over the whole tensor; file handles come from <paramref name="handles"/> and stay open with it.</summary>
    public abstract ITensorReader Open(FileHandleCache handles);
}
