using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Engine;

/// <summary>A prompt (token ids) to continue, with its sampling parameters.</summary>
public sealed record GenerationRequest(IReadOnlyList<int> PromptTokenIds, SamplingParams Sampling)
{
    /// <summary>Who asks (an evaluation run, a user); the scheduler shares slots fairly between callers.</summary>
    public string CallerId { get; init; } = "";

    /// <summary>Return each step's float32 logits with the sequences (parity checks; vocab floats per token).</summary>
    public bool CaptureLogits { get; init; }
}
