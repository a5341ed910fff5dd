namespace VerlOrleans.Inference.Sampling;

/// <summary>
/// How one request is decoded, with vLLM's names and defaults: greedy when <see cref="Temperature"/> is 0;
/// otherwise temperature, then top-k, top-p and min-p filters (Hugging Face's order), then a draw from the
/// request's own random stream (seeded by <see cref="Seed"/>; sample i of <see cref="N"/> uses Seed + i), so the
/// result does not depend on which other requests share a batch.
/// </summary>
public sealed record SamplingParams
{
    /// <summary>Below this temperature decoding is greedy (vLLM's sampling epsilon).</summary>
    public const double GreedyTemperature = 1e-5;

    /// <summary>Sequences generated for the prompt (they share its prefill).</summary>
    public int N { get; init; } = 1;

    /// <summary>0 = greedy.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus mass in (0, 1]; 1 disables.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep the K most likely tokens; 0 or -1 disables (vLLM uses -1, Hugging Face 0).</summary>
    public int TopK { get; init; } = -1;

    /// <summary>Drop tokens below MinP times the most likely token's probability; 0 disables.</summary>
    public double MinP { get; init; }

    /// <summary>Seed of the request's random stream; null draws a fresh one.</summary>
    public long? Seed { get; init; }

    /// <summary>Most tokens generated per sequence.</summary>
    public int MaxTokens { get; init; } = 16;

    /// <summary>Token ids that end a sequence (finish reason "stop"); the stop token is kept in the output ids.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Strings that end a sequence; the output text stops before the match. Needs a text decoder.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>When true the model's end-of-sequence ids do not stop generation (only <see cref="StopTokenIds"/> do).</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>
    /// Report each generated token's log-probability with this many most likely alternatives (0: the token's alone);
    /// null reports none.
    /// </summary>
    public int? Logprobs { get; init; }

    /// <summary>
    /// Report the log-probability of every prompt token after the first, with this many alternatives (OpenAI's
    /// <c>echo</c> with <c>logprobs</c>); null reports none. The prompt's positions then all compute logits.
    /// </summary>
    public int? PromptLogprobs { get; init; }

    public bool IsGreedy => Temperature < GreedyTemperature;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        Check(N is >= 1 and <= 4096, nameof(N), N, "must be in [1, 4096]");
        Check(Temperature >= 0 && double.IsFinite(Temperature), nameof(Temperature), Temperature, "must be a finite number >= 0");
        Check(TopP > 0 && TopP <= 1, nameof(TopP), TopP, "must be in (0, 1]");
        Check(TopK >= -1, nameof(TopK), TopK, "must be -1, 0 (disabled) or positive");
        Check(MinP is >= 0 and <= 1, nameof(MinP), MinP, "must be in [0, 1]");
        Check(MaxTokens >= 1, nameof(MaxTokens), MaxTokens, "must be at least 1");
        Check(StopTokenIds.All(id => id >= 0), nameof(StopTokenIds), string.Join(",", StopTokenIds), "must be token ids (>= 0)");
        Check(Stop.All(s => !string.IsNullOrEmpty(s)), nameof(Stop), string.Join("|", Stop), "must not contain an empty string");
        Check(Logprobs is null or >= 0 and <= LogprobScorer.MaxTop, nameof(Logprobs), Logprobs!, $"must be in [0, {LogprobScorer.MaxTop}]");
        Check(PromptLogprobs is null or >= 0 and <= LogprobScorer.MaxTop, nameof(PromptLogprobs), PromptLogprobs!, $"must be in [0, {LogprobScorer.MaxTop}]");
    }

    private static void Check(bool valid, string field, object value, string rule)
    {
        if (!valid)
        {
            throw new ArgumentException($"sampling parameter {field} = {value} {rule}", field);
        }
    }
}
