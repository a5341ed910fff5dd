using System.Globalization;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// A LoRA-targeted weight after PEFT's <c>merge_and_unload</c>: <c>W + scale · (B · A)</c>, or with the update transposed
/// for Conv1D layers that store W as [in, out] (PEFT's fan_in_fan_out). Computed in float32 as PyTorch computes it on
/// the CPU: the product sums over the rank in ascending order (torch's float32 matmul here, checked by the fixture
/// generator), then one float32 multiply by the scale and one add to W. Streamed as float32; <c>--dtype keep</c>
/// writes the base weight's dtype.
/// </summary>
public sealed class LoraMergedTensor(string name, PlannedTensor baseWeight, PlannedTensor loraA, PlannedTensor loraB, float scale, bool transpose)
    : PlannedTensor(name, TensorDType.F32, baseWeight.Shape, Describe(baseWeight, loraA, scale, transpose))
{
    /// <summary>W (any floating dtype), [out, in], or [in, out] when <see cref="Transpose"/>.</summary>
    public PlannedTensor Base { get; } = baseWeight;

    /// <summary>lora_A: [r, in].</summary>
    public PlannedTensor A { get; } = loraA;

    /// <summary>lora_B: [out, r].</summary>
    public PlannedTensor B { get; } = loraB;

    public float Scale { get; } = scale;

    /// <summary>The update is (B · A)ᵀ: a Conv1D weight stored as [in, out].</summary>
    public bool Transpose { get; } = transpose;

    public int Rank => (int)A.Shape[0];

    public override TensorDType SourceDType => Base.SourceDType;

    public override PlannedTensor WithName(string newName) => newName == Name ? this : new LoraMergedTensor(newName, Base, A, B, Scale, Transpose);

    public override ITensorReader Open(FileHandleCache handles) => new LoraMergedReader(this, handles);

    private static string Describe(PlannedTensor baseWeight, PlannedTensor a, float scale, bool transpose) =>
        $"{baseWeight.Layout} + LoRA r {a.Shape[0]} x {scale.ToString("R", CultureInfo.InvariantCulture)}{(transpose ? " (transposed: Conv1D)" : string.Empty)}";
}
