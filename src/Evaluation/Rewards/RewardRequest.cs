using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// What verl's <c>compute_score(data_source, solution_str, ground_truth, extra_info, **kwargs)</c> receives.
/// <paramref name="GroundTruth"/> is <c>reward_model.ground_truth</c> as stored (usually a JSON string);
/// <paramref name="Kwargs"/> are the reward's keyword arguments (verl's <c>reward_kwargs</c>).
/// </summary>
public sealed record RewardRequest(
    string DataSource,
    string SolutionStr,
    JsonNode? GroundTruth,
    JsonObject? ExtraInfo = null,
    IReadOnlyDictionary<string, JsonNode?>? Kwargs = null)
{
    /// <summary>The ground truth when it is a JSON string, else null (verl's scorers compare strings).</summary>
    public string? GroundTruthText =>
        GroundTruth is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
