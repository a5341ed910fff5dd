using System.Text.Json;
using System.Text.Json.Serialization;

namespace VerlOrleans.Testing;

/// <summary>
/// PyTorch's log-probabilities of a fixture model (tools/inference/make_logprob_fixtures.py): per case, the prompt followed
/// by its greedy continuation, and for each position after the first the token's logprob, rank and top alternatives.
/// </summary>
public sealed record LogprobReference(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("top")] int Top,
    [property: JsonPropertyName("cases")] IReadOnlyList<LogprobCase> Cases)
{
    /// <summary>The tiny chat model's (tests/Fixtures/tiny-chat.logprobs.json).</summary>
    public static LogprobReference TinyChat { get; } = Load(Path.Combine(RepositoryPaths.Root, "tests", "Fixtures", "tiny-chat.logprobs.json"));

    public static LogprobReference Load(string path)
    {
        var reference = JsonSerializer.Deserialize<LogprobReference>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");
        return reference is { Format: "verlorleans.logprob-reference", Version: 1 } ? reference : throw new InvalidDataException($"{path} is {reference.Format} v{reference.Version}");
    }
}

public sealed record LogprobCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prompt_length")] int PromptLength,
    [property: JsonPropertyName("ids")] IReadOnlyList<int> Ids,
    [property: JsonPropertyName("positions")] IReadOnlyList<LogprobPosition> Positions);

public sealed record LogprobPosition(
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("token_id")] int TokenId,
    [property: JsonPropertyName("logprob")] float Logprob,
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("top_ids")] IReadOnlyList<int> TopIds,
    [property: JsonPropertyName("top_logprobs")] IReadOnlyList<float> TopLogprobs);
