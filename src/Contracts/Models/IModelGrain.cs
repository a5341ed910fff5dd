namespace VerlOrleans.Contracts.Models;

/// <summary>
/// One model's weights resident on a device of one silo (key: <see cref="ModelKeys.For"/>), serving generation
/// to every caller through one continuous-batching engine. Calls interleave: many runs generate at once.
/// </summary>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>Starts loading (idempotent) and returns the status as of now.</summary>
    Task<ModelStatus> LoadAsync(ModelLoadSpec spec);

    /// <summary>
    /// Generates the responses to one prompt, loading the model first if needed. Cancelling the token
    /// frees the request's batch slots at the engine's next step.
    /// </summary>
    [ResponseTimeout("02:00:00")]
    Task<GenerationReply> GenerateAsync(ModelLoadSpec spec, GenerationCall call, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="GenerateAsync"/>, streaming each step's new tokens (for live views); cancel to stop.</summary>
    IAsyncEnumerable<GenerationChunk> StreamAsync(ModelLoadSpec spec, GenerationCall call, CancellationToken cancellationToken = default);

    /// <summary>Residency, queue depth, throughput.</summary>
    Task<ModelStatus> GetStatusAsync();

    /// <summary>Frees the weights (requests in flight fail); the next call loads again.</summary>
    Task UnloadAsync();
}
