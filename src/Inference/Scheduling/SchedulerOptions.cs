namespace VerlOrleans.Inference.Scheduling;

/// <summary>The scheduler's policy knobs.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Sequences running at once: the KV cache's slots (its memory is slots × max sequence length).</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>Tokens one forward pass may process (one per decoding sequence, the rest for prompt chunks).</summary>
    public int MaxTokensPerStep { get; init; } = 512;

    /// <summary>Longest sequence, prompt plus generated tokens (a KV slot's positions).</summary>
    public int MaxSequenceLength { get; init; } = 2048;

    public BatchingPolicy Policy { get; init; } = BatchingPolicy.Continuous;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent knob.</summary>
    public void Validate()
    {
        if (MaxBatchSize < 1)
        {
            throw new ArgumentException($"{nameof(MaxBatchSize)} = {MaxBatchSize} must be at least 1", nameof(MaxBatchSize));
        }

        if (MaxTokensPerStep < MaxBatchSize)
        {
            // Otherwise a full batch could not decode in one step.
            throw new ArgumentException($"{nameof(MaxTokensPerStep)} = {MaxTokensPerStep} must be at least {nameof(MaxBatchSize)} = {MaxBatchSize}", nameof(MaxTokensPerStep));
        }

        if (MaxSequenceLength < 2)
        {
            throw new ArgumentException($"{nameof(MaxSequenceLength)} = {MaxSequenceLength} must be at least 2", nameof(MaxSequenceLength));
        }
    }
}
