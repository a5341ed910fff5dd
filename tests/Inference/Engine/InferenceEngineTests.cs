using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Tests.Engine;

/// <summary>The engine's request handling, over a fake runner: concurrency, stops, streams, cancellation, failures, metrics.</summary>
public sealed class InferenceEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static GenerationRequest Greedy(int[] prompt, int maxTokens, string caller = "", params int[] stopIds) =>
        new(prompt, new SamplingParams { Temperature = 0, MaxTokens = maxTokens, StopTokenIds = stopIds }) { CallerId = caller };

    [Fact]
    public async Task Many_concurrent_callers_each_get_their_own_continuation()
    {
        var runner = new FakeModelRunner(slots: 3);
        await using var engine = InferenceEngine.Start(() => runner);

        var requests = Enumerable.Range(0, 24).Select(i => (Prompt: new[] { i, i + 1 }, Max: 1 + (i % 5), Caller: $"run-{i % 4}")).ToList();
        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => engine.GenerateAsync(Greedy(r.Prompt, r.Max, r.Caller))))).WaitAsync(Timeout);

        for (var i = 0; i < requests.Count; i++)
        {
            var output = Assert.Single(results[i].Sequences);
            Assert.Equal(Enumerable.Range(requests[i].Prompt[^1] + 1, requests[i].Max), output.TokenIds);
            Assert.Equal(FinishReason.Length, output.FinishReason);
        }

        Assert.NotEqual(Environment.CurrentManagedThreadId, runner.ThreadId);
        Assert.All(runner.Steps, s => Assert.InRange(s.Count, 1, 3));
        Assert.Equal(0, runner.HeldSlots);
        var metrics = engine.Metrics;
        Assert.Equal(requests.Sum(r => r.Max), metrics.GeneratedTokens);
        Assert.Equal(48, metrics.PromptTokens);
        Assert.Equal((0, 0, 0), (metrics.ActiveSequences, metrics.WaitingRequests, metrics.WaitingSequences));
        Assert.InRange(metrics.MaxStepCallers, 2, 3);
    }

    [Fact]
    public async Task The_batch_size_knob_caps_sequences_per_step_below_the_runners_slots()
    {
        var runner = new FakeModelRunner(slots: 4);
        await using var engine = InferenceEngine.Start(() => runner, new EngineOptions { MaxBatchSize = 2, MaxTokensPerStep = 3 });

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => engine.GenerateAsync(Greedy([i, i, i, i, i], 4)))).WaitAsync(Timeout);

        Assert.All(runner.Steps, s => Assert.InRange(s.Count, 1, 2));
        Assert.All(runner.Steps, s => Assert.InRange(s.Sum(c => c.TokenIds.Count), 1, 3));
        Assert.Contains(runner.Steps, s => s.Any(c => c.Start > 0 && c.Samples.Count == 0));   // 5-token prompts chunked
    }

    [Fact]
    public async Task A_stop_id_ends_a_sequence_with_the_stop_token_kept_and_model_eos_applies_unless_ignored()
    {
        await using var engine = InferenceEngine.Start(() => new FakeModelRunner(eos: 7));

        var stopped = await engine.GenerateAsync(Greedy([1], 20, stopIds: 4)).WaitAsync(Timeout);
        var eos = await engine.GenerateAsync(Greedy([5], 20)).WaitAsync(Timeout);
        var ignored = await engine.GenerateAsync(new GenerationRequest([5], new SamplingParams { Temperature = 0, MaxTokens = 4, IgnoreEos = true })).WaitAsync(Timeout);

        Assert.Equal([2, 3, 4], stopped.Sequences[0].TokenIds);
        Assert.Equal((FinishReason.Stop, 4), (stopped.Sequences[0].FinishReason, stopped.Sequences[0].StopTokenId));
        Assert.Equal([6, 7], eos.Sequences[0].TokenIds);
        Assert.Equal((FinishReason.Stop, 7), (eos.Sequences[0].FinishReason, eos.Sequences[0].StopTokenId));
        Assert.Equal([6, 7, 8, 9], ignored.Sequences[0].TokenIds);
        Assert.Equal(FinishReason.Length, ignored.Sequences[0].FinishReason);
    }

    [Fact]
    public async Task A_sequence_that_fills_its_slot_ends_with_length()
    {
        await using var engine = InferenceEngine.Start(() => new FakeModelRunner(maxSequenceLength: 8));

        var result = await engine.GenerateAsync(Greedy([1, 2, 3], 100)).WaitAsync(Timeout);

        Assert.Equal([4, 5, 6, 7, 8], result.Sequences[0].TokenIds);
        Assert.Equal(FinishReason.Length, result.Sequences[0].FinishReason);
    }

    [Fact]
    public async Task Streaming_yields_every_token_once_and_ends_with_the_finish_reason()
    {
        await using var engine = InferenceEngine.Start(() => new FakeModelRunner());
        var request = new GenerationRequest([3], new SamplingParams { Temperature = 0, MaxTokens = 5, N = 2 });

        var updates = new List<GenerationUpdate>();
        await foreach (var update in engine.StreamAsync(request).WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            updates.Add(update);
        }

        foreach (var index in new[] { 0, 1 })
        {
            var mine = updates.Where(u => u.SequenceIndex == index).ToList();
            Assert.Equal([4, 5, 6, 7, 8], mine.SelectMany(u => u.TokenIds));
            Assert.Equal(FinishReason.Length, mine[^1].FinishReason);
            Assert.All(mine.SkipLast(1), u => Assert.Null(u.FinishReason));
        }
    }

    [Fact]
    public async Task N_samples_share_one_prefill_and_draw_from_their_own_streams()
    {
        var runner = new FakeModelRunner(slots: 4, vocab: 1000);
        await using var engine = InferenceEngine.Start(() => runner);

        var result = await engine.GenerateAsync(new GenerationRequest([1, 2, 3], new SamplingParams { N = 3, Seed = 5, MaxTokens = 6 })).WaitAsync(Timeout);
        var single = await engine.GenerateAsync(new GenerationRequest([1, 2, 3], new SamplingParams { N = 1, Seed = 6, MaxTokens = 6 })).WaitAsync(Timeout);

        Assert.Equal([0, 1, 2], result.Sequences.Select(s => s.Index));
        Assert.Equal(3, result.Sequences.Select(s => string.Join(",", s.TokenIds)).Distinct().Count());
        Assert.Equal(single.Sequences[0].TokenIds, result.Sequences[1].TokenIds);     // sample i uses seed + i
        Assert.Single(runner.Steps, s => s.Any(c => c.Start == 0 && c.TokenIds.Count == 3 && c.Samples.Count == 3));
    }

    [Fact]
    public async Task Cancelling_a_running_request_frees_its_slots_and_leaves_the_others_running()
    {
        var runner = new FakeModelRunner(slots: 2);
        await using var engine = InferenceEngine.Start(() => runner);
        using var cancel = new CancellationTokenSource();

        // Cancelled from inside the step that feeds token 5 (deterministic: no race with a fast engine).
        runner.BeforeStep = chunks =>
        {
            if (chunks.Any(c => c.SequenceId == 0 && c.TokenIds.Contains(5)))
            {
                cancel.Cancel();
            }
        };

        var doomed = engine.Submit(Greedy([1], 60), stream: true, cancellationToken: cancel.Token);
        var survivor = engine.GenerateAsync(Greedy([50], 30));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => doomed.Completion.WaitAsync(Timeout));
        var streamed = new List<int>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in doomed.Updates())
            {
                streamed.AddRange(update.TokenIds);
            }
        });
        Assert.Equal([2, 3, 4, 5, 6], streamed);                                       // the step in flight still lands
        Assert.Equal(30, (await survivor.WaitAsync(Timeout)).Sequences[0].TokenIds.Count);
        Assert.Contains(0L, runner.Released);
        Assert.Equal(0, runner.HeldSlots);
        Assert.Equal(5, runner.Steps.Sum(s => s.Count(c => c.SequenceId == 0)));
    }

    [Fact]
    public async Task Cancelling_a_waiting_request_removes_it_before_it_runs()
    {
        var runner = new FakeModelRunner(slots: 1);
        await using var engine = InferenceEngine.Start(() => runner);
        await engine.Ready.WaitAsync(Timeout);
        runner.Gate.Reset();
        var blocking = engine.GenerateAsync(Greedy([1], 3));
        using var cancel = new CancellationTokenSource();
        var waiting = engine.GenerateAsync(Greedy([9], 3), cancel.Token);

        await cancel.CancelAsync();
        runner.Gate.Set();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
        await blocking.WaitAsync(Timeout);
        Assert.DoesNotContain(runner.Steps, s => s.Any(c => c.TokenIds.Contains(9)));
    }

    [Fact]
    public async Task Stop_strings_cut_the_text_and_streams_never_show_a_partial_stop_string()
    {
        // Greedy fake tokens count up: 97 'a', 98 'b', ... decoded one character per id.
        static string Decode(IReadOnlyList<int> ids) => new(ids.Select(id => (char)id).ToArray());
        await using var engine = InferenceEngine.Start(() => new FakeModelRunner(vocab: 200), new EngineOptions { Decoder = Decode });
        var request = new GenerationRequest([96], new SamplingParams { Temperature = 0, MaxTokens = 20, Stop = ["def", "zzz"] });

        var updates = new List<GenerationUpdate>();
        await foreach (var update in engine.StreamAsync(request))
        {
            updates.Add(update);
        }

        var result = await engine.GenerateAsync(request).WaitAsync(Timeout);
        var output = result.Sequences[0];
        Assert.Equal(("abc", FinishReason.Stop, "def"), (output.Text, output.FinishReason, output.StopString));
        Assert.Equal([97, 98, 99, 100, 101, 102], output.TokenIds);
        Assert.Equal("abc", string.Concat(updates.Select(u => u.Text)));
        Assert.DoesNotContain(updates, u => u.Text!.Contains('d', StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stream_ending_inside_a_split_character_sends_it_last_so_its_text_adds_up_to_the_whole()
    {
        // Ids from 100 up are half a character: the decoder shows U+FFFD for each, as a byte-level BPE does for a split one.
        static string Decode(IReadOnlyList<int> ids) => new(ids.Select(id => id >= 100 ? '\uFFFD' : (char)id).ToArray());
        await using var engine = InferenceEngine.Start(() => new FakeModelRunner(vocab: 200), new EngineOptions { Decoder = Decode });
        var request = new GenerationRequest([98], new SamplingParams { Temperature = 0, MaxTokens = 4 });

        var whole = await engine.GenerateAsync(request).WaitAsync(Timeout);
        var streamedFromSplit = new List<GenerationUpdate>();
        await foreach (var update in engine.StreamAsync(request))
        {
            streamedFromSplit.Add(update);
        }

        Assert.Equal([99, 100, 101, 102], whole.Sequences[0].TokenIds);
        Assert.Equal("c\uFFFD\uFFFD\uFFFD", whole.Sequences[0].Text);
        Assert.Equal(whole.Sequences[0].Text, string.Concat(streamedFromSplit.Select(u => u.Text)));
    }

    [Fact]
    public async Task Bad_requests_fail_with_the_reason()
    {
        await using var engine = InferenceEngine.Start(() => new FakeModelRunner(maxSequenceLength: 16, vocab: 100));

        Assert.Throws<ArgumentException>(() => engine.Submit(new GenerationRequest([1], new SamplingParams { TopP = 0 })));
        var outOfVocab = await Assert.ThrowsAsync<ArgumentException>(() => engine.GenerateAsync(Greedy([1, 100], 2)).WaitAsync(Timeout));
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => engine.GenerateAsync(Greedy(new int[16], 2)).WaitAsync(Timeout));
        var stopWithoutDecoder = await Assert.ThrowsAsync<ArgumentException>(() => engine.GenerateAsync(new GenerationRequest([1], new SamplingParams { Stop = ["x"] })).WaitAsync(Timeout));

        Assert.Contains("prompt token id 100 is outside the vocabulary [0, 100)", outOfVocab.Message, StringComparison.Ordinal);
        Assert.Contains("prompt of 16 tokens must have 1 to 15 tokens", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("stop strings need a text decoder", stopWithoutDecoder.Message, StringComparison.Ordinal);
        Assert.Single((await engine.GenerateAsync(Greedy([1], 1)).WaitAsync(Timeout)).Sequences);
    }

    [Fact]
    public async Task A_model_failure_fails_the_requests_in_that_step_and_the_engine_keeps_serving()
    {
        var runner = new FakeModelRunner { FailOnSequence = 0 };
        await using var engine = InferenceEngine.Start(() => runner);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.GenerateAsync(Greedy([1], 3)).WaitAsync(Timeout));
        var next = await engine.GenerateAsync(Greedy([1], 3)).WaitAsync(Timeout);

        Assert.Contains("model failure", error.Message, StringComparison.Ordinal);
        Assert.Equal([2, 3, 4], next.Sequences[0].TokenIds);
        Assert.Equal(0, engine.Metrics.ActiveSequences);
    }

    [Fact]
    public async Task A_runner_that_fails_to_load_faults_ready_and_every_request()
    {
        await using var engine = InferenceEngine.Start(() => throw new FileNotFoundException("no weights here"));

        await Assert.ThrowsAsync<FileNotFoundException>(() => engine.Ready.WaitAsync(Timeout));
        await Assert.ThrowsAsync<FileNotFoundException>(() => engine.GenerateAsync(Greedy([1], 2)).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Stopping_the_engine_fails_what_is_still_running_and_refuses_new_work()
    {
        var runner = new FakeModelRunner(slots: 1);
        var engine = InferenceEngine.Start(() => runner);
        await engine.Ready.WaitAsync(Timeout);
        runner.Gate.Reset();
        var running = engine.GenerateAsync(Greedy([1], 50));
        var waiting = engine.GenerateAsync(Greedy([2], 50));

        var disposing = engine.DisposeAsync().AsTask();
        runner.Gate.Set();
        await disposing.WaitAsync(Timeout);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => running.WaitAsync(Timeout));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Timeout));
        Assert.Throws<ObjectDisposedException>(() => engine.Submit(Greedy([1], 1)));
    }

    [Fact]
    public async Task Metrics_show_the_queue_behind_full_slots()
    {
        var runner = new FakeModelRunner(slots: 2);
        await using var engine = InferenceEngine.Start(() => runner);
        await engine.Ready.WaitAsync(Timeout);
        runner.Gate.Reset();
        var tasks = Enumerable.Range(0, 5).Select(i => engine.GenerateAsync(Greedy([i], 4, caller: $"c{i % 2}"))).ToList();

        var deadline = DateTime.UtcNow + Timeout;
        while (engine.Metrics.WaitingRequests != 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var queued = engine.Metrics;
        runner.Gate.Set();
        await Task.WhenAll(tasks).WaitAsync(Timeout);

        Assert.Equal((3, 3, 2, 2), (queued.WaitingRequests, queued.WaitingSequences, queued.ActiveSequences, queued.Slots));
        Assert.Equal((2000, 1000), (queued.KvCacheBytes, queued.WeightBytes));
        Assert.Equal(20, engine.Metrics.GeneratedTokens);
        Assert.Equal(2, engine.Metrics.MaxStepCallers);
    }
}
