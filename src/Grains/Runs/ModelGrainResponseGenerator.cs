using VerlOrleans.Contracts.Models;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Models.Placement;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// The evaluation pipeline's generator when it runs inside the grid: every prompt goes to the model grain, where
/// it joins the batches of every other run on that model. A call lost with its model's silo is made again: the model
/// grain comes back on a live silo (loading the weights there) and, since nothing is written until a call returns,
/// no sample is duplicated. Generation is deterministic per seed, so the retried call answers the same. A model with no
/// room on its silo (every resident model busy with other runs) is asked again every few seconds: the run waits its turn.
/// </summary>
public sealed class ModelGrainResponseGenerator(
    IGrainFactory grains, string modelKey, ModelLoadSpec spec, string callerId, long requiredBytes,
    TimeProvider? clock = null, Action<Exception, int>? onRetry = null) : IResponseGenerator
{
    private long _retries;

    /// <summary>Calls made again after a cluster failure, over this generator's life.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    public async Task<IReadOnlyList<GeneratedResponse>> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams sampling, CancellationToken cancellationToken)
    {
        var call = new GenerationCall(callerId, promptTokenIds, ToSettings(sampling));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await GenerateOnceAsync(call, cancellationToken);
            }
            catch (NoModelRoomException e) when (!cancellationToken.IsCancellationRequested)
            {
                onRetry?.Invoke(e, attempt);
                await Task.Delay(RoomPollInterval, clock ?? TimeProvider.System, cancellationToken);
            }
        }
    }

    /// <summary>How often a run whose model has no room asks again.</summary>
    public static readonly TimeSpan RoomPollInterval = TimeSpan.FromSeconds(2);

    private async Task<IReadOnlyList<GeneratedResponse>> GenerateOnceAsync(GenerationCall call, CancellationToken cancellationToken)
    {
        var reply = await ClusterRetry.CallAsync(
            () =>
            {
                // Read by the placement director if this call activates the model grain.
                RequestContext.Set(DeviceAwarePlacementStrategy.RequiredBytesKey, requiredBytes);
                return grains.GetGrain<IModelGrain>(modelKey).GenerateAsync(spec, call, cancellationToken);
            },
            clock ?? TimeProvider.System,
            (e, attempt) =>
            {
                Interlocked.Increment(ref _retries);
                onRetry?.Invoke(e, attempt);
            },
            cancellationToken: cancellationToken);
        return reply.Sequences.Select(s => new GeneratedResponse(s.Index, s.TokenIds, s.Text, s.FinishReason)).ToList();
    }

    public static SamplingSettings ToSettings(SamplingParams p) => new()
    {
        N = p.N,
        Temperature = p.Temperature,
        TopP = p.TopP,
        TopK = p.TopK,
        MinP = p.MinP,
        Seed = p.Seed,
        MaxTokens = p.MaxTokens,
        StopTokenIds = p.StopTokenIds,
        Stop = p.Stop,
    };
}
