using VerlOrleans.Inference.Scheduling;

namespace VerlOrleans.Inference.Engine;

/// <summary>
/// The engine thread's work: load the runner, then forever take commands, plan a step with the scheduler, run
/// it, apply the drawn tokens (stop rules, streams, results) and free finished sequences' slots at once.
/// </summary>
internal sealed class EngineLoop(InferenceEngine engine, EngineOptions options)
{
    private readonly Dictionary<long, SequenceState> _sequences = [];
    private readonly List<RequestState> _requests = [];
    private readonly ThroughputWindow _throughput = new(TimeSpan.FromSeconds(5));
    private IModelRunner? _runner;
    private ContinuousBatchScheduler? _scheduler;
    private HashSet<int> _eos = [];
    private long _nextSequenceId;
    private long _steps;
    private long _promptTokens;
    private long _generatedTokens;
    private int _maxStepCallers;
    private (int Sequences, int Tokens, int Callers) _lastStep;

    public void Run(Func<IModelRunner> loadRunner)
    {
        Exception? loadError = null;
        try
        {
            _runner = loadRunner();
            var info = _runner.Info;
            _eos = [.. info.EosTokenIds];
            var batch = Math.Min(options.MaxBatchSize ?? info.Slots, info.Slots);
            _scheduler = new ContinuousBatchScheduler(new SchedulerOptions
            {
                MaxBatchSize = batch,
                MaxSequenceLength = info.MaxSequenceLength,
                MaxTokensPerStep = options.MaxTokensPerStep ?? Math.Max(512, batch),
                Policy = options.Policy,
            });
            Publish();
            engine.SetReady(info);
        }
        catch (Exception e)
        {
            loadError = e;
            engine.SetLoadFailed(e);
        }

        try
        {
            while (!engine.Stopping)
            {
                Drain(loadError);
                if (_scheduler?.HasWork == true)
                {
                    Step();
                }
                else if (!engine.Stopping)
                {
                    engine.WaitForWork();
                }
            }
        }
        finally
        {
            var stopped = new ObjectDisposedException(nameof(InferenceEngine), "the inference engine stopped before this request finished");
            Drain(stopped);
            foreach (var request in _requests.ToList())
            {
                request.Fail(stopped);
            }

            _runner?.Dispose();
            engine.SetStopped();
        }
    }

    /// <summary>Applies queued commands; with <paramref name="refuse"/> set every new request fails with it.</summary>
    private void Drain(Exception? refuse)
    {
        var cancelled = new List<RequestState>();
        while (engine.TryTake(out var command))
        {
            var request = command!.Request;
            if (request.Closed)
            {
                continue;
            }

            switch (command)
            {
                case EngineCommand.Submit when refuse is not null:
                    request.Fail(refuse);
                    break;
                case EngineCommand.Submit:
                    Admit(request);
                    break;
                case EngineCommand.Cancel:
                    foreach (var id in _scheduler?.Abort(request.Id) ?? [])
                    {
                        _runner!.Release(id);
                    }

                    Forget(request);
                    cancelled.Add(request);
                    break;
            }
        }

        Publish();
        cancelled.ForEach(r => r.Cancel());
    }

    private void Admit(RequestState request)
    {
        var info = _runner!.Info;
        var prompt = request.Request.PromptTokenIds;
        var sampling = request.Request.Sampling;
        string? problem = null;
        if (prompt.Count == 0 || prompt.Count >= info.MaxSequenceLength)
        {
            problem = $"prompt of {prompt.Count} tokens must have 1 to {info.MaxSequenceLength - 1} tokens (max sequence length {info.MaxSequenceLength})";
        }
        else if (prompt.FirstOrDefault(id => id < 0 || id >= info.VocabSize, -1) is var bad && bad != -1)
        {
            problem = $"prompt token id {bad} is outside the vocabulary [0, {info.VocabSize})";
        }
        else if (sampling.Stop.Count > 0 && options.Decoder is null)
        {
            problem = "stop strings need a text decoder (EngineOptions.Decoder); use StopTokenIds instead";
        }

        if (problem is not null)
        {
            request.Fail(new ArgumentException($"request {request.Id}: {problem}", nameof(request)));
            return;
        }

        if (request.CancellationToken.IsCancellationRequested)
        {
            request.Cancel();
            return;
        }

        HashSet<int> stops = [.. sampling.StopTokenIds, .. sampling.IgnoreEos ? [] : _eos];
        for (var i = 0; i < sampling.N; i++)
        {
            var sequence = new SequenceState(_nextSequenceId++, request, i, stops, info.MaxSequenceLength, options.Decoder);
            request.Sequences.Add(sequence);
            _sequences.Add(sequence.Id, sequence);
        }

        _requests.Add(request);
        _scheduler!.Add(new ScheduledRequest(request.Id, request.Request.CallerId, prompt.Count, request.Sequences.Select(s => s.Id).ToList()));
    }

    private void Step()
    {
        var step = _scheduler!.Schedule();
        if (step.IsEmpty)
        {
            return;
        }

        _promptTokens += step.Chunks.Sum(c => Math.Max(0, Math.Min(c.Start + c.Count, _sequences[c.SequenceId].PromptLength) - c.Start));
        var chunks = step.Chunks.Select(c => new RunnerChunk(
            c.SequenceId,
            c.Start,
            _sequences[c.SequenceId].Tokens.Skip(c.Start).Take(c.Count).ToList(),
            c.Sample ? c.Forks.Prepend(c.SequenceId).Select(Target).ToList() : [])
        {
            Scoring = PromptScoringOf(_sequences[c.SequenceId], c),
        }).ToList();

        Publish();
        IReadOnlyList<SampledToken> sampled;
        try
        {
            var output = _runner!.Execute(chunks);
            sampled = output.Tokens;
            foreach (var scores in output.Scores)
            {
                var promptLogprobs = _sequences[scores.SequenceId].Request.PromptLogprobs!;
                for (var j = 0; j < scores.Logprobs.Count; j++)
                {
                    promptLogprobs[scores.FirstPosition + j] = scores.Logprobs[j];
                }
            }
        }
        catch (Exception e)
        {
            // A failed step fails the requests in it; the others keep running.
            var failed = step.Chunks.Select(c => _sequences[c.SequenceId].Request).Distinct().ToList();
            foreach (var request in failed)
            {
                foreach (var id in _scheduler.Abort(request.Id))
                {
                    _runner!.Release(id);
                }

                Forget(request);
            }

            Publish();
            failed.ForEach(r => r.Fail(e));
            return;
        }

        var finished = new List<long>();
        foreach (var token in sampled)
        {
            var sequence = _sequences[token.SequenceId];
            var update = sequence.Append(token.TokenId, token.Logits, token.Logprob);
            sequence.Request.Updates?.Writer.TryWrite(update);
            if (sequence.Finished)
            {
                finished.Add(sequence.Id);
            }
        }

        _scheduler.Complete(step, finished);
        foreach (var id in finished)
        {
            _runner!.Release(id);
        }

        var done = finished.Select(id => _sequences[id].Request).Distinct().Where(r => r.Sequences.All(s => s.Finished)).ToList();
        done.ForEach(Forget);
        _steps++;
        _generatedTokens += sampled.Count;
        _throughput.Add(sampled.Count);
        _lastStep = (step.Chunks.Count, step.TokenCount, step.DistinctCallers);
        _maxStepCallers = Math.Max(_maxStepCallers, step.DistinctCallers);
        // Metrics first: a caller whose request completes sees them include its request.
        Publish();
        done.ForEach(r => r.Succeed());
    }

    /// <summary>
    /// What a chunk scores for a request that wants its prompt's log-probabilities: each position's next prompt token
    /// (position p predicts token p + 1; the prompt's last position predicts the first drawn token, which is scored as a
    /// generated one when asked for).
    /// </summary>
    private static PromptScoring? PromptScoringOf(SequenceState sequence, ScheduledChunk chunk)
    {
        if (sequence.Sampling.PromptLogprobs is not { } top)
        {
            return null;
        }

        var prompt = sequence.Request.Request.PromptTokenIds;
        // Positions Start .. Start+Count-1 predict tokens Start+1 .. Start+Count, of which those inside the prompt are scored.
        var count = Math.Min(chunk.Start + chunk.Count, prompt.Count - 1) - chunk.Start;
        return count > 0 ? new PromptScoring(top, prompt.Skip(chunk.Start + 1).Take(count).ToList()) : null;
    }

    private SampleTarget Target(long sequenceId)
    {
        var sequence = _sequences[sequenceId];
        return new SampleTarget(sequenceId, sequence.Sampling, sequence.Random.NextDouble(), sequence.Request.Request.CaptureLogits);
    }

    private void Forget(RequestState request)
    {
        _requests.Remove(request);
        foreach (var sequence in request.Sequences)
        {
            _sequences.Remove(sequence.Id);
        }
    }

    private void Publish()
    {
        var info = _runner?.Info;
        var scheduler = _scheduler;
        engine.Publish(new EngineMetrics(
            scheduler?.WaitingRequests ?? 0,
            scheduler?.WaitingSequences ?? 0,
            scheduler?.RunningSequences ?? 0,
            info?.Slots ?? 0,
            _steps,
            _promptTokens,
            _generatedTokens,
            _throughput.PerSecond(),
            _lastStep.Sequences,
            _lastStep.Tokens,
            _lastStep.Callers,
            _maxStepCallers,
            info?.KvCacheBytes ?? 0,
            info?.WeightBytes ?? 0,
            scheduler?.CachedTokens ?? 0,
            info is null ? 0 : (long)info.Slots * info.MaxSequenceLength));
    }
}
