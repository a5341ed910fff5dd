namespace VerlOrleans.Inference.Scheduling;

/// <summary>
/// Work for one sequence in one step: feed its tokens <paramref name="Start"/> .. Start+Count-1 (their keys and
/// values join the cache). When <paramref name="Sample"/> is set the chunk reaches the end of the known tokens
/// and a next token is drawn; the sequences in <paramref name="Forks"/> (siblings admitted with it) then receive
/// a copy of its cache and draw their own first token from the same logits.
/// </summary>
public sealed record ScheduledChunk(long SequenceId, int Start, int Count, bool Sample, IReadOnlyList<long> Forks);

/// <summary>One engine step: the chunks to run in a single forward pass, and the callers they belong to.</summary>
public sealed record SchedulerStep(IReadOnlyList<ScheduledChunk> Chunks, int DistinctCallers)
{
    public static SchedulerStep Empty { get; } = new([], 0);

    public int TokenCount => Chunks.Sum(c => c.Count);

    public bool IsEmpty => Chunks.Count == 0;
}
