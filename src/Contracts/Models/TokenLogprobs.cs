namespace VerlOrleans.Contracts.Models;

/// <summary>
/// How likely the model found one token: its log-probability under the raw next-token distribution (before temperature
/// and filters), its rank there (1 = most likely), and the most likely tokens at that position, most likely first.
/// </summary>
/// <param name="TokenId">The token scored.</param>
/// <param name="Logprob">Its natural-log probability.</param>
/// <param name="Rank">1 + how many tokens were more likely.</param>
/// <param name="TopIds">The most likely tokens' ids.</param>
/// <param name="TopLogprobs">Their log-probabilities, in the same order.</param>
[GenerateSerializer, Immutable]
public sealed record TokenLogprobs(
    [property: Id(0)] int TokenId,
    [property: Id(1)] float Logprob,
    [property: Id(2)] int Rank,
    [property: Id(3)] IReadOnlyList<int> TopIds,
    [property: Id(4)] IReadOnlyList<float> TopLogprobs);
