namespace VerlOrleans.Inference.Scheduling;

/// <summary>
/// Decides, step by step, which tokens of which sequences run, without touching a model (vLLM's split:
/// the scheduler is bookkeeping, the model runner computes). Each step: every running sequence that has a new
/// token decodes it; running prompts continue their prefill within the token budget; then waiting requests
/// are admitted into free slots (the caller with the fewest running sequences first, FIFO within a caller),
/// their prompts prefilled in chunks if the budget is short. Finished sequences free their slot at once.
/// Not thread-safe: the engine thread owns it.
/// </summary>
public sealed class ContinuousBatchScheduler
{
    private readonly SchedulerOptions _options;
    private readonly Dictionary<string, LinkedList<WaitingGroup>> _waitingByCaller = new(StringComparer.Ordinal);
    private readonly List<RunningSequence> _running = [];                 // admission order
    private readonly Dictionary<long, RunningSequence> _runningById = [];
    private long _arrivals;

    public ContinuousBatchScheduler(SchedulerOptions options)
    {
        options.Validate();
        _options = options;
    }

    public SchedulerOptions Options => _options;

    /// <summary>Requests with at least one sequence not yet admitted.</summary>
    public int WaitingRequests => _waitingByCaller.Values.Sum(q => q.Count);

    /// <summary>Sequences not yet admitted.</summary>
    public int WaitingSequences => _waitingByCaller.Values.Sum(q => q.Sum(g => g.Pending.Count));

    /// <summary>Sequences holding a slot.</summary>
    public int RunningSequences => _running.Count;

    public int FreeSlots => _options.MaxBatchSize - _running.Count;

    /// <summary>Tokens whose keys and values are in the cache, over all running sequences.</summary>
    public long CachedTokens => _running.Sum(s => (long)s.Computed);

    public bool HasWork => _running.Count > 0 || _waitingByCaller.Count > 0;

    /// <summary>Queues a request. Its prompt must leave room for at least one generated token.</summary>
    public void Add(ScheduledRequest request)
    {
        if (request.PromptLength < 1 || request.PromptLength >= _options.MaxSequenceLength)
        {
            throw new ArgumentException($"request {request.RequestId}: prompt of {request.PromptLength} tokens must be in [1, {_options.MaxSequenceLength - 1}] (max sequence length {_options.MaxSequenceLength})", nameof(request));
        }

        if (request.SequenceIds.Count == 0)
        {
            throw new ArgumentException($"request {request.RequestId} has no sequences", nameof(request));
        }

        if (!_waitingByCaller.TryGetValue(request.CallerId, out var queue))
        {
            queue = new LinkedList<WaitingGroup>();
            _waitingByCaller.Add(request.CallerId, queue);
        }

        queue.AddLast(new WaitingGroup(request, new Queue<long>(request.SequenceIds), _arrivals++));
    }

    /// <summary>
    /// Forgets a request: its waiting sequences are dropped and its running ones leave their slots. Returns the
    /// running sequence ids, whose cache the runner must release.
    /// </summary>
    public IReadOnlyList<long> Abort(long requestId)
    {
        foreach (var (caller, queue) in _waitingByCaller)
        {
            var node = queue.First;
            while (node is not null)
            {
                var next = node.Next;
                if (node.Value.Request.RequestId == requestId)
                {
                    queue.Remove(node);
                }

                node = next;
            }

            if (queue.Count == 0)
            {
                _waitingByCaller.Remove(caller);
            }
        }

        var freed = _running.Where(s => s.RequestId == requestId).Select(s => s.SequenceId).ToList();
        foreach (var id in freed)
        {
            Remove(id);
        }

        return freed;
    }

    /// <summary>Plans the next step. Call <see cref="Complete"/> with it once it has run.</summary>
    public SchedulerStep Schedule()
    {
        var budget = _options.MaxTokensPerStep;
        var chunks = new List<ScheduledChunk>();
        var callers = new HashSet<string>(StringComparer.Ordinal);

        void Run(RunningSequence sequence, int count)
        {
            var sample = sequence.Computed + count == sequence.Length;
            chunks.Add(new ScheduledChunk(sequence.SequenceId, sequence.Computed, count, sample, sample ? sequence.PendingForks : []));
            callers.Add(sequence.CallerId);
            budget -= count;
        }

        var active = _running.Where(s => !s.AwaitingFork).ToList();
        foreach (var sequence in active.Where(s => s.Length - s.Computed == 1))
        {
            Run(sequence, 1);
        }

        foreach (var sequence in active.Where(s => s.Length - s.Computed > 1))
        {
            if (budget == 0)
            {
                break;
            }

            Run(sequence, Math.Min(sequence.Length - sequence.Computed, budget));
        }

        var mayAdmit = _options.Policy == BatchingPolicy.Continuous || _running.Count == 0;
        while (mayAdmit && budget > 0 && FreeSlots > 0 && NextGroup() is { } group)
        {
            Run(Admit(group), Math.Min(group.Request.PromptLength, budget));
        }

        return chunks.Count == 0 ? SchedulerStep.Empty : new SchedulerStep(chunks, callers.Count);
    }

    /// <summary>
    /// Records that <paramref name="step"/> ran: fed tokens are cached, sampled sequences grew by one token,
    /// forks hold their leader's cache, and the <paramref name="finished"/> sequences leave their slots.
    /// </summary>
    public void Complete(SchedulerStep step, IReadOnlyCollection<long> finished)
    {
        foreach (var chunk in step.Chunks)
        {
            if (!_runningById.TryGetValue(chunk.SequenceId, out var sequence))
            {
                continue; // aborted while the step ran
            }

            sequence.Computed = chunk.Start + chunk.Count;
            if (!chunk.Sample)
            {
                continue;
            }

            sequence.Length++;
            foreach (var forkId in chunk.Forks)
            {
                if (_runningById.TryGetValue(forkId, out var fork))
                {
                    fork.Computed = sequence.Computed;
                    fork.Length = sequence.Length;
                    fork.AwaitingFork = false;
                }
            }

            sequence.PendingForks = [];
        }

        foreach (var id in finished)
        {
            Remove(id);
        }
    }

    private RunningSequence Admit(WaitingGroup group)
    {
        var request = group.Request;
        var admitted = Math.Min(group.Pending.Count, FreeSlots);
        var ids = Enumerable.Range(0, admitted).Select(_ => group.Pending.Dequeue()).ToList();
        if (group.Pending.Count == 0)
        {
            var queue = _waitingByCaller[request.CallerId];
            queue.Remove(group);
            if (queue.Count == 0)
            {
                _waitingByCaller.Remove(request.CallerId);
            }
        }

        var leader = Track(new RunningSequence(ids[0], request.RequestId, request.CallerId, request.PromptLength) { PendingForks = ids.Skip(1).ToList() });
        foreach (var id in ids.Skip(1))
        {
            Track(new RunningSequence(id, request.RequestId, request.CallerId, request.PromptLength) { AwaitingFork = true });
        }

        return leader;
    }

    /// <summary>The head of the queue of the caller with the fewest running sequences (ties: earliest arrival).</summary>
    private WaitingGroup? NextGroup()
    {
        if (_waitingByCaller.Count == 0)
        {
            return null;
        }

        var runningByCaller = _running.GroupBy(s => s.CallerId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return _waitingByCaller
            .Select(pair => (Head: pair.Value.First!.Value, Running: runningByCaller.GetValueOrDefault(pair.Key)))
            .OrderBy(c => c.Running)
            .ThenBy(c => c.Head.Arrival)
            .First().Head;
    }

    private RunningSequence Track(RunningSequence sequence)
    {
        _running.Add(sequence);
        _runningById.Add(sequence.SequenceId, sequence);
        return sequence;
    }

    private void Remove(long sequenceId)
    {
        if (_runningById.Remove(sequenceId, out var sequence))
        {
            _running.Remove(sequence);
        }
    }

    private sealed record WaitingGroup(ScheduledRequest Request, Queue<long> Pending, long Arrival);

    private sealed class RunningSequence(long sequenceId, long requestId, string callerId, int promptLength)
    {
        public long SequenceId { get; } = sequenceId;

        public long RequestId { get; } = requestId;

        public string CallerId { get; } = callerId;

        /// <summary>Known tokens: the prompt plus every sampled token.</summary>
        public int Length { get; set; } = promptLength;

        /// <summary>Tokens whose keys and values are cached.</summary>
        public int Computed { get; set; }

        /// <summary>Siblings waiting for this sequence's prefill to be copied to them.</summary>
        public IReadOnlyList<long> PendingForks { get; set; } = [];

        public bool AwaitingFork { get; set; }
    }
}
