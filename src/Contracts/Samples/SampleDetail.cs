namespace VerlOrleans.Contracts.Samples;

/// <summary>Everything about one sample: the row, the full texts, the ground truth and the reward's extras.</summary>
/// <param name="Row">Identity and score.</param>
/// <param name="PromptText">The prompt as sent to the model (after the chat template).</param>
/// <param name="ResponseText">The decoded response.</param>
/// <param name="GroundTruthJson">reward_model.ground_truth as JSON.</param>
/// <param name="RewardExtras">The reward's extra fields (e.g. acc, pred), as text, in order.</param>
/// <param name="ExtraInfoJson">The row's extra_info as JSON, when it had one.</param>
/// <param name="Ability">The row's ability column.</param>
/// <param name="RewardError">Why the reward could not score this sample (it then scores 0), or null when it scored.</param>
[GenerateSerializer, Immutable]
public sealed record SampleDetail(
    [property: Id(0)] SampleRow Row,
    [property: Id(1)] string PromptText,
    [property: Id(2)] string ResponseText,
    [property: Id(3)] string? GroundTruthJson,
    [property: Id(4)] IReadOnlyList<KeyValuePair<string, string>> RewardExtras,
    [property: Id(5)] string? ExtraInfoJson,
    [property: Id(6)] string? Ability,
    [property: Id(7)] string? RewardError = null);
