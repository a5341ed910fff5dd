using TorchSharp;
using VerlOrleans.Inference.Models;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Engine;

/// <summary>The model runner on TorchSharp: a <see cref="DecoderModel"/>, its KV cache, slot bookkeeping and the sampler.</summary>
public sealed class TorchModelRunner : IModelRunner
{
    private readonly DecoderModel _model;
    private readonly KvCache _cache;
    private readonly SlotTable _slots;

    private TorchModelRunner(DecoderModel model, KvCache cache, ModelFootprint footprint)
    {
        _model = model;
        _cache = cache;
        _slots = new SlotTable(cache.Slots);
        Footprint = footprint;
        Info = new RunnerInfo(cache.Slots, cache.Capacity, model.Config.VocabSize, model.Config.EosTokenIds,
            footprint.WeightBytes, cache.Bytes, model.Device.ToString(), model.DType.ToString());
    }

    public RunnerInfo Info { get; }

    public ModelFootprint Footprint { get; }

    public DecoderModel Model => _model;

    /// <summary>
    /// Plans the memory from config.json (weights plus KV cache within <see cref="TorchRunnerOptions.MaxKvCacheBytes"/>),
    /// then loads the weights and allocates the cache. Call on the thread that will run the model.
    /// </summary>
    public static TorchModelRunner Load(string modelFolder, TorchRunnerOptions options)
    {
        var plan = Plan(modelFolder, options);
        var model = DecoderModel.Load(modelFolder, options.Load, plan.MaxSequenceLength);
        try
        {
            return new TorchModelRunner(model, model.CreateKvCache(plan.Slots, plan.MaxSequenceLength), plan.Footprint);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>What <see cref="Load"/> would allocate, from config.json alone.</summary>
    public static RunnerPlan Plan(string modelFolder, TorchRunnerOptions options)
    {
        var config = ModelConfig.Load(modelFolder);
        var footprint = ModelFootprint.Estimate(config, options.Load.ScalarType);
        var length = options.MaxSequenceLength ?? Math.Min(config.MaxPositionEmbeddings, 4096);
        if (length < 2 || length > config.MaxPositionEmbeddings)
        {
            throw new ArgumentException($"MaxSequenceLength = {length} must be in [2, max_position_embeddings = {config.MaxPositionEmbeddings}]", nameof(options));
        }

        if (options.MaxBatchSize < 1)
        {
            throw new ArgumentException($"MaxBatchSize = {options.MaxBatchSize} must be at least 1", nameof(options));
        }

        var slots = options.MaxBatchSize;
        var perSlot = footprint.KvCacheBytes(1, length);
        if (options.MaxKvCacheBytes is { } budget)
        {
            slots = (int)Math.Min(slots, budget / perSlot);
            if (slots < 1)
            {
                throw new ArgumentException($"MaxKvCacheBytes = {budget} holds no sequence of {length} positions ({perSlot} bytes each)", nameof(options));
            }
        }

        return new RunnerPlan(footprint, slots, length, footprint.KvCacheBytes(slots, length));
    }

    public RunnerOutput Execute(IReadOnlyList<RunnerChunk> chunks)
    {
        var profile = StepProfile.Active;
        profile?.StartStep();
        using var scope = torch.NewDisposeScope();
        using var threads = SmallStepThreads.Enter(_model.Device, chunks.Sum(c => c.TokenIds.Count));
        var forward = new List<ForwardChunk>(chunks.Count);
        foreach (var chunk in chunks)
        {
            var slot = _slots.Contains(chunk.SequenceId) ? _slots.SlotOf(chunk.SequenceId) : _slots.Allocate(chunk.SequenceId);
            var wanted = chunk.Scoring is not null ? LogitsWanted.All : chunk.Samples.Count > 0 ? LogitsWanted.Last : LogitsWanted.None;
            forward.Add(new ForwardChunk(slot, chunk.Start, chunk.TokenIds, wanted));
        }

        using var batch = _model.CreateBatch(forward, _cache);
        profile?.Mark("runner: batch and slots");
        var logits = _model.Forward(batch, _cache);
        var rows = new List<SampleRow>();
        var targets = new List<SampleTarget>();
        var scored = new List<LogprobRow>();
        var scoredChunks = new List<(RunnerChunk Chunk, int Count)>();
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var length = chunk.Start + chunk.TokenIds.Count;
            _slots.SetLength(chunk.SequenceId, length);
            if (chunk.Scoring is { } scoring)
            {
                scored.AddRange(scoring.NextTokenIds.Select((id, j) => new LogprobRow(batch.LogitOffsets[i] + j, id, scoring.Top)));
                scoredChunks.Add((chunk, scoring.NextTokenIds.Count));
            }

            // The next-token row is the chunk's last (its only one unless the chunk is scored).
            var nextTokenRow = batch.LogitOffsets[i + 1] - 1;
            foreach (var target in chunk.Samples)
            {
                if (target.SequenceId != chunk.SequenceId)
                {
                    _cache.CopySlot(_slots.SlotOf(chunk.SequenceId), _slots.Allocate(target.SequenceId), length);
                    _slots.SetLength(target.SequenceId, length);
                }

                rows.Add(new SampleRow(nextTokenRow, target.Params, target.Uniform));
                targets.Add(target);
            }
        }

        if (logits is null)
        {
            return RunnerOutput.Empty;
        }

        profile?.Mark("runner: batch and slots");
        var tokens = rows.Count > 0 ? TokenSampler.Sample(logits, rows) : [];
        profile?.Mark("sampling");
        // Drawn tokens' and prompt tokens' log-probabilities in one pass; rows that ask for none cost nothing.
        var drawnScored = Enumerable.Range(0, rows.Count).Where(i => rows[i].Params.Logprobs is not null).ToList();
        var all = LogprobScorer.Compute(logits, [.. scored, .. drawnScored.Select(i => new LogprobRow(rows[i].LogitsRow, tokens[i], rows[i].Params.Logprobs!.Value))]);
        var drawnLogprobs = new TokenLogprob?[rows.Count];
        for (var j = 0; j < drawnScored.Count; j++)
        {
            drawnLogprobs[drawnScored[j]] = all[scored.Count + j];
        }

        var scores = new List<ChunkScores>(scoredChunks.Count);
        var at = 0;
        foreach (var (chunk, count) in scoredChunks)
        {
            scores.Add(new ChunkScores(chunk.SequenceId, chunk.Start + 1, all[at..(at + count)]));
            at += count;
        }

        var sampled = targets.Select((t, i) => new SampledToken(t.SequenceId, tokens[i], t.CaptureLogits ? Row(logits, rows[i].LogitsRow) : null, drawnLogprobs[i])).ToList();
        profile?.Mark("logprobs and results");
        return new RunnerOutput(sampled, scores);
    }

    public void Release(long sequenceId)
    {
        if (_slots.Release(sequenceId) is { } move)
        {
            _cache.CopySlot(move.From, move.To, move.Length);
        }
    }

    public void Dispose()
    {
        _cache.Dispose();
        _model.Dispose();
    }

    private static float[] Row(torch.Tensor logits, int row) => logits[row].cpu().data<float>().ToArray();
}

/// <summary>Memory a runner will allocate: weights and a KV cache of <paramref name="Slots"/> × <paramref name="MaxSequenceLength"/> positions.</summary>
public sealed record RunnerPlan(ModelFootprint Footprint, int Slots, int MaxSequenceLength, long KvCacheBytes)
{
    public long TotalBytes => Footprint.WeightBytes + KvCacheBytes;
}
