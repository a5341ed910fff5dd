namespace VerlOrleans.Contracts.Samples;

/// <summary>One sample as a results grid shows it: identity, score and short previews of the texts.</summary>
/// <param name="Uid">The prompt's stable id (the same row has the same uid in every run).</param>
/// <param name="SampleIndex">Which of the prompt's n responses (0-based).</param>
/// <param name="Position">The prompt's position in the run.</param>
/// <param name="DataSource">The data source metrics group the sample under.</param>
/// <param name="Score">The reward.</param>
/// <param name="Correct">The reward's <c>acc</c> when it records one, otherwise score &gt; 0.</param>
/// <param name="Pred">The reward's extracted answer (<c>pred</c>), when it records one.</param>
/// <param name="FinishReason">"stop" or "length".</param>
/// <param name="PromptTokens">Tokens of the rendered prompt.</param>
/// <param name="ResponseTokens">Tokens generated.</param>
/// <param name="GenerationSeconds">Time from submission to the last token.</param>
/// <param name="ResponsePreview">The response's first characters.</param>
/// <param name="GroundTruthPreview">The ground truth's first characters.</param>
[GenerateSerializer, Immutable]
public sealed record SampleRow(
    [property: Id(0)] string Uid,
    [property: Id(1)] int SampleIndex,
    [property: Id(2)] long Position,
    [property: Id(3)] string DataSource,
    [property: Id(4)] double Score,
    [property: Id(5)] bool Correct,
    [property: Id(6)] string? Pred,
    [property: Id(7)] string? FinishReason,
    [property: Id(8)] int? PromptTokens,
    [property: Id(9)] int? ResponseTokens,
    [property: Id(10)] double? GenerationSeconds,
    [property: Id(11)] string ResponsePreview,
    [property: Id(12)] string GroundTruthPreview);
