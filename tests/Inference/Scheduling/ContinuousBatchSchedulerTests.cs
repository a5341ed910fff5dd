using VerlOrleans.Inference.Scheduling;

namespace VerlOrleans.Inference.Tests.Scheduling;

/// <summary>The scheduler alone, driven by a fake runner: admission, budgets, chunked prefill, forks, fairness, aborts.</summary>
public sealed class ContinuousBatchSchedulerTests
{
    private static (ContinuousBatchScheduler Scheduler, SchedulerSimulation Simulation) Create(
        int batch = 4, int budget = 64, int maxLength = 256, BatchingPolicy policy = BatchingPolicy.Continuous)
    {
        var scheduler = new ContinuousBatchScheduler(new SchedulerOptions { MaxBatchSize = batch, MaxTokensPerStep = budget, MaxSequenceLength = maxLength, Policy = policy });
        return (scheduler, new SchedulerSimulation(scheduler));
    }

    [Fact]
    public void A_finished_sequence_frees_its_slot_for_a_waiting_one_in_the_next_step()
    {
        var (scheduler, sim) = Create(batch: 2);
        var shortOne = sim.Submit("a", 4, 2).SequenceIds[0];
        var longOne = sim.Submit("a", 4, 10).SequenceIds[0];
        var waiting = sim.Submit("a", 4, 3).SequenceIds[0];

        sim.Step();
        Assert.Equal((2, 1), (scheduler.RunningSequences, scheduler.WaitingSequences));
        sim.Step();                                                       // short one's second token: done

        Assert.Equal(1, sim.FinishedAt[shortOne]);
        Assert.Equal(1, scheduler.FreeSlots);
        sim.Step();
        Assert.Equal(2, sim.AdmittedAt[waiting]);                        // admitted right away, next to the long one
        Assert.Contains(sim.Steps[2].Chunks, c => c.SequenceId == longOne && c.Count == 1);
        sim.RunToEnd();
        Assert.Equal(10, sim.Generated(longOne));
    }

    [Fact]
    public void Static_batching_admits_nothing_until_the_whole_batch_has_finished()
    {
        var (_, sim) = Create(batch: 2, policy: BatchingPolicy.Static);
        var first = sim.Submit("a", 4, 2).SequenceIds[0];
        var second = sim.Submit("a", 4, 6).SequenceIds[0];
        var third = sim.Submit("a", 4, 1).SequenceIds[0];

        sim.RunToEnd();

        Assert.Equal(0, sim.AdmittedAt[first]);
        Assert.Equal(5, sim.FinishedAt[second]);
        Assert.Equal(6, sim.AdmittedAt[third]);                           // waited for the longest, not the first
    }

    [Fact]
    public void Every_step_stays_within_the_token_budget_and_long_prompts_are_prefilled_in_chunks()
    {
        var (_, sim) = Create(batch: 3, budget: 16);
        var decoding = sim.Submit("a", 3, 20).SequenceIds[0];
        sim.Step();
        var longPrompt = sim.Submit("b", 40, 2).SequenceIds[0];

        sim.RunToEnd();

        Assert.All(sim.Steps, s => Assert.InRange(s.TokenCount, 1, 16));
        var prefill = sim.Steps.SelectMany(s => s.Chunks).Where(c => c.SequenceId == longPrompt && c.Start < 40).ToList();
        Assert.Equal([(0, 15), (15, 15), (30, 10)], prefill.Select(c => (c.Start, c.Count)));  // next to one decode token each step
        Assert.Equal([false, false, true], prefill.Select(c => c.Sample));
        Assert.All(sim.Steps.Skip(1).Take(3), s => Assert.Contains(s.Chunks, c => c.SequenceId == decoding && c.Count == 1));
        Assert.Equal(2, sim.Generated(longPrompt));
    }

    [Fact]
    public void Siblings_admitted_together_share_one_prefill_and_then_decode_on_their_own()
    {
        var (scheduler, sim) = Create(batch: 4);
        var ids = sim.Submit("a", 10, 3, 5, 4).SequenceIds;

        var first = sim.Step();

        var prefill = Assert.Single(first.Chunks);
        Assert.Equal((ids[0], 0, 10, true), (prefill.SequenceId, prefill.Start, prefill.Count, prefill.Sample));
        Assert.Equal(ids.Skip(1), prefill.Forks);
        Assert.Equal(3, scheduler.RunningSequences);
        var second = sim.Step();
        Assert.Equal(ids, second.Chunks.Select(c => c.SequenceId).Order());
        Assert.All(second.Chunks, c => Assert.Equal((10, 1), (c.Start, c.Count)));
        sim.RunToEnd();
        Assert.Equal([3, 5, 4], ids.Select(sim.Generated));
    }

    [Fact]
    public void Siblings_that_do_not_fit_wait_and_get_their_own_prefill()
    {
        var (_, sim) = Create(batch: 2);
        var ids = sim.Submit("a", 6, 2, 2, 2).SequenceIds;

        sim.RunToEnd();

        var prefills = sim.Steps.SelectMany(s => s.Chunks).Where(c => c.Start == 0).ToList();
        Assert.Equal(2, prefills.Count);
        Assert.Equal([ids[1]], prefills[0].Forks);
        Assert.Equal(ids[2], prefills[1].SequenceId);
        Assert.All(ids, id => Assert.Equal(2, sim.Generated(id)));
    }

    [Fact]
    public void A_small_caller_is_not_starved_by_a_huge_one_that_arrived_first()
    {
        var (_, sim) = Create(batch: 4, budget: 512);
        var bulk = Enumerable.Range(0, 40).Select(i => sim.Submit("huge-run", 8, 5 + (i % 7)).SequenceIds[0]).ToList();
        sim.Step();
        var small = sim.Submit("small-run", 8, 3).SequenceIds[0];

        sim.RunToEnd();

        // The small run takes the first slot that frees, ahead of the 36 bulk requests already waiting.
        var firstFree = sim.FinishedAt.Where(f => bulk.Contains(f.Key)).Min(f => f.Value) + 1;
        Assert.Equal(firstFree, sim.AdmittedAt[small]);
        Assert.True(bulk.Count(id => sim.AdmittedAt[id] > sim.AdmittedAt[small]) >= 30);
    }

    [Fact]
    public void Callers_share_slots_round_robin_when_both_have_a_backlog()
    {
        var (_, sim) = Create(batch: 2, budget: 64);
        foreach (var _ in Enumerable.Range(0, 10))
        {
            sim.Submit("a", 4, 3);
        }

        foreach (var _ in Enumerable.Range(0, 10))
        {
            sim.Submit("b", 4, 3);
        }

        sim.RunToEnd();

        var steps = sim.Steps.Where(s => s.Chunks.Count == 2).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.Equal(2, s.DistinctCallers));         // one slot each, always
    }

    [Fact]
    public void Aborting_drops_waiting_sequences_and_frees_the_slots_of_running_ones()
    {
        var (scheduler, sim) = Create(batch: 2);
        var running = sim.Submit("a", 4, 50, 50);
        var waiting = sim.Submit("b", 4, 50);
        sim.Step();

        Assert.Empty(scheduler.Abort(waiting.RequestId));
        Assert.Equal(0, scheduler.WaitingRequests);
        var freed = scheduler.Abort(running.RequestId);

        Assert.Equal(running.SequenceIds, freed.Order());
        Assert.Equal((0, 2), (scheduler.RunningSequences, scheduler.FreeSlots));
        Assert.False(scheduler.HasWork);
    }

    [Fact]
    public void Prompts_that_leave_no_room_to_generate_and_inconsistent_knobs_are_refused()
    {
        var (scheduler, _) = Create(maxLength: 32);

        Assert.Contains("prompt of 32 tokens must be in [1, 31]", Assert.Throws<ArgumentException>(() => scheduler.Add(new ScheduledRequest(1, "a", 32, [1]))).Message, StringComparison.Ordinal);
        Assert.Contains("MaxTokensPerStep = 8 must be at least MaxBatchSize = 16",
            Assert.Throws<ArgumentException>(() => new ContinuousBatchScheduler(new SchedulerOptions { MaxBatchSize = 16, MaxTokensPerStep = 8 })).Message, StringComparison.Ordinal);
    }
}
