namespace VerlOrleans.Contracts.Models;

/// <summary>How responses are sampled (vLLM names and defaults; greedy when <see cref="Temperature"/> is 0).</summary>
[GenerateSerializer, Immutable]
public sealed record SamplingSettings
{
    /// <summary>Responses per prompt.</summary>
    [Id(0)] public int N { get; init; } = 1;
    [Id(1)] public double Temperature { get; init; }
    [Id(2)] public double TopP { get; init; } = 1.0;
    /// <summary>-1 or 0 disables.</summary>
    [Id(3)] public int TopK { get; init; } = -1;
    [Id(4)] public double MinP { get; init; }
    /// <summary>Seed of the first sample; sample i uses Seed + i. Null draws one.</summary>
    [Id(5)] public long? Seed { get; init; }
    /// <summary>Most tokens per response.</summary>
    [Id(6)] public int MaxTokens { get; init; } = 512;
    [Id(7)] public IReadOnlyList<int> StopTokenIds { get; init; } = [];
    [Id(8)] public IReadOnlyList<string> Stop { get; init; } = [];
    /// <summary>Report each generated token's log-probability with this many alternatives (0: its own only); null: none.</summary>
    [Id(9)] public int? Logprobs { get; init; }
    /// <summary>Report every prompt token's log-probability after the first, with this many alternatives; null: none.</summary>
    [Id(10)] public int? PromptLogprobs { get; init; }
}
