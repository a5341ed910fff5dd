using VerlOrleans.Inference.Scheduling;

namespace VerlOrleans.Inference.Tests.Scheduling;

/// <summary>
/// A fake model runner for the scheduler: it "runs" each step by checking the chunks against what it knows of
/// every sequence (positions fed exactly once, in order, samples only at the end of the known tokens) and
/// finishes a sequence once it has generated its target number of tokens.
/// </summary>
internal sealed class SchedulerSimulation(ContinuousBatchScheduler scheduler)
{
    private readonly Dictionary<long, int> _fed = [];          // positions with cached keys/values
    private readonly Dictionary<long, int> _known = [];        // prompt + generated tokens
    private readonly Dictionary<long, int> _generated = [];
    private readonly Dictionary<long, int> _target = [];
    private readonly Dictionary<long, long> _requestOf = [];
    private long _nextRequest;
    private long _nextSequence;

    public List<SchedulerStep> Steps { get; } = [];

    /// <summary>Step index at which each sequence was first scheduled.</summary>
    public Dictionary<long, int> AdmittedAt { get; } = [];

    /// <summary>Step index at which each sequence finished.</summary>
    public Dictionary<long, int> FinishedAt { get; } = [];

    public ScheduledRequest Submit(string caller, int promptLength, params int[] generatedPerSequence)
    {
        var requestId = _nextRequest++;
        var ids = generatedPerSequence.Select(_ => _nextSequence++).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            _fed[ids[i]] = 0;
            _known[ids[i]] = promptLength;
            _generated[ids[i]] = 0;
            _target[ids[i]] = generatedPerSequence[i];
            _requestOf[ids[i]] = requestId;
        }

        var request = new ScheduledRequest(requestId, caller, promptLength, ids);
        scheduler.Add(request);
        return request;
    }

    public SchedulerStep Step()
    {
        var step = scheduler.Schedule();
        var index = Steps.Count;
        Steps.Add(step);
        var finished = new List<long>();
        foreach (var chunk in step.Chunks)
        {
            var id = chunk.SequenceId;
            AdmittedAt.TryAdd(id, index);
            Assert.Equal(_fed[id], chunk.Start);                                    // no gap, no overlap
            Assert.InRange(chunk.Count, 1, _known[id] - chunk.Start);                  // only known tokens
            _fed[id] = chunk.Start + chunk.Count;
            Assert.Equal(_fed[id] == _known[id], chunk.Sample);                       // sample exactly at the end
            Assert.True(chunk.Sample || chunk.Forks.Count == 0, "forks only ride on a sampling chunk");
            if (!chunk.Sample)
            {
                continue;
            }

            var known = _known[id] + 1;                                                // the sampled token
            foreach (var sequence in chunk.Forks.Prepend(id))
            {
                AdmittedAt.TryAdd(sequence, index);
                _fed[sequence] = _fed[id];
                _known[sequence] = known;
                if (++_generated[sequence] >= _target[sequence])
                {
                    finished.Add(sequence);
                    FinishedAt[sequence] = index;
                }
            }
        }

        scheduler.Complete(step, finished);
        return step;
    }

    public void RunToEnd(int maxSteps = 10_000)
    {
        while (scheduler.HasWork)
        {
            Step();
            Assert.True(Steps.Count < maxSteps, "the scheduler did not drain");
        }
    }

    public int Generated(long sequenceId) => _generated[sequenceId];

    public long RequestOf(long sequenceId) => _requestOf[sequenceId];
}
