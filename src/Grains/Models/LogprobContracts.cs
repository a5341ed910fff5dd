using VerlOrleans.Contracts.Models;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Grains.Models;

/// <summary>The engine's log-probabilities as the grain interface carries them.</summary>
internal static class LogprobContracts
{
    public static IReadOnlyList<TokenLogprobs>? From(IReadOnlyList<TokenLogprob>? logprobs) =>
        logprobs?.Select(From).ToList();

    public static IReadOnlyList<TokenLogprobs?>? FromPrompt(IReadOnlyList<TokenLogprob?>? logprobs) =>
        logprobs?.Select(l => l is null ? null : From(l)).ToList();

    private static TokenLogprobs From(TokenLogprob l) =>
        new(l.TokenId, l.Logprob, l.Rank, l.Top.Select(t => t.TokenId).ToList(), l.Top.Select(t => t.Logprob).ToList());
}
