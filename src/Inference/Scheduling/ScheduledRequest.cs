namespace VerlOrleans.Inference.Scheduling;

/// <summary>
/// A request as the scheduler sees it: who sent it, how long its prompt is, and the ids of the sequences it
/// wants (n samples of one prompt; siblings admitted together share one prefill).
/// </summary>
public sealed record ScheduledRequest(long RequestId, string CallerId, int PromptLength, IReadOnlyList<long> SequenceIds);
