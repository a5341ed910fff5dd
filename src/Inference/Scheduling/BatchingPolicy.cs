namespace VerlOrleans.Inference.Scheduling;

/// <summary>When waiting requests may join the running batch.</summary>
public enum BatchingPolicy
{
    /// <summary>Every step: finished sequences leave at once and waiting ones take their slots.</summary>
    Continuous,

    /// <summary>
    /// Hugging Face generate style: a batch is admitted only when the previous one has fully finished, so it
    /// waits for its longest sequence. Kept as the baseline the benchmark compares against.
    /// </summary>
    Static,
}
