using VerlOrleans.Inference.Models;

namespace VerlOrleans.Inference.Engine;

/// <summary>How a <see cref="TorchModelRunner"/> loads its model and sizes its KV cache.</summary>
public sealed record TorchRunnerOptions
{
    public ModelLoadOptions Load { get; init; } = new();

    /// <summary>Sequences held at once (KV cache slots).</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>Positions per slot; null: the model's max_position_embeddings, capped at 4096.</summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>Upper bound on KV cache memory: fewer slots are allocated when MaxBatchSize would exceed it.</summary>
    public long? MaxKvCacheBytes { get; init; }
}
