using VerlOrleans.Inference.Scheduling;

namespace VerlOrleans.Inference.Engine;

/// <summary>Scheduling and text settings of an <see cref="InferenceEngine"/> (cache sizes belong to the runner).</summary>
public sealed record EngineOptions
{
    /// <summary>Sequences run at once; null: all of the runner's KV slots (a smaller value leaves slots unused).</summary>
    public int? MaxBatchSize { get; init; }

    /// <summary>Tokens per forward pass; null: max(512, the batch size).</summary>
    public int? MaxTokensPerStep { get; init; }

    public BatchingPolicy Policy { get; init; } = BatchingPolicy.Continuous;

    /// <summary>Decodes generated ids to text (results, stop strings); null: token ids only.</summary>
    public TokenTextDecoder? Decoder { get; init; }

    /// <summary>Name of the engine thread (shows in debuggers and dumps).</summary>
    public string ThreadName { get; init; } = "verlorleans-inference";
}
