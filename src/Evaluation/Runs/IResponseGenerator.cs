using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Evaluation.Runs;

/// <summary>
/// Whatever answers prompts for an evaluation: the in-process inference engine (<see cref="EngineResponseGenerator"/>)
/// for the CLI, a model grain for the grid. The pipeline neither knows nor cares which.
/// </summary>
public interface IResponseGenerator
{
    /// <summary>Generates sampling.N responses for one tokenized prompt (sample i seeded Seed + i).</summary>
    Task<IReadOnlyList<GeneratedResponse>> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams sampling, CancellationToken cancellationToken);
}
