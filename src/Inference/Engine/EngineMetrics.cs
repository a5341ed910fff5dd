namespace VerlOrleans.Inference.Engine;

/// <summary>A snapshot of an engine's load and throughput, refreshed every step (what a model grain reports).</summary>
/// <param name="WaitingRequests">Requests with sequences not yet admitted (queue depth).</param>
/// <param name="WaitingSequences">Sequences not yet admitted.</param>
/// <param name="ActiveSequences">Sequences holding a KV slot.</param>
/// <param name="Slots">KV slots (most sequences at once).</param>
/// <param name="Steps">Forward passes so far.</param>
/// <param name="PromptTokens">Prompt tokens prefilled so far.</param>
/// <param name="GeneratedTokens">Tokens generated so far.</param>
/// <param name="GeneratedTokensPerSecond">Generation rate over the last few seconds.</param>
/// <param name="LastStepSequences">Sequences in the last step.</param>
/// <param name="LastStepTokens">Tokens fed in the last step.</param>
/// <param name="LastStepCallers">Distinct callers that shared the last step.</param>
/// <param name="MaxStepCallers">Most distinct callers that ever shared one step.</param>
/// <param name="KvCacheBytes">Allocated KV cache memory.</param>
/// <param name="WeightBytes">Resident weight memory.</param>
/// <param name="CachedTokens">Positions in use across all slots.</param>
/// <param name="CachedTokenCapacity">Slots × max sequence length.</param>
public sealed record EngineMetrics(
    int WaitingRequests,
    int WaitingSequences,
    int ActiveSequences,
    int Slots,
    long Steps,
    long PromptTokens,
    long GeneratedTokens,
    double GeneratedTokensPerSecond,
    int LastStepSequences,
    int LastStepTokens,
    int LastStepCallers,
    int MaxStepCallers,
    long KvCacheBytes,
    long WeightBytes,
    long CachedTokens,
    long CachedTokenCapacity)
{
    public static EngineMetrics Starting { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
