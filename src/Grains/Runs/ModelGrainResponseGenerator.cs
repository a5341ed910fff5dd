using VerlOrleans.Contracts.Models;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Grains.Models.Placement;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// The evaluation pipeline's generator when it runs inside the grid: every prompt goes to the model grain, where
/// it joins the batches of every other run on that model.
/// </summary>
public sealed class ModelGrainResponseGenerator(IGrainFactory grains, string modelKey, ModelLoadSpec spec, string callerId, long requiredBytes) : IResponseGenerator
{
    public async Task<IReadOnlyList<GeneratedResponse>> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams sampling, CancellationToken cancellationToken)
    {
        // Read by the placement director if this call activates the model grain.
        RequestContext.Set(DeviceAwarePlacementStrategy.RequiredBytesKey, requiredBytes);
        var reply = await grains.GetGrain<IModelGrain>(modelKey).GenerateAsync(spec, new GenerationCall(callerId, promptTokenIds, ToSettings(sampling)), cancellationToken);
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
