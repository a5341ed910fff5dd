using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Tests.Golden;

namespace VerlOrleans.Evaluation.Tests.Rewards;

/// <summary>
/// Every response in Golden/search_r1.jsonl (written by generate_scorers.py from verl's own
/// <c>search_r1_like_qa_em</c>) must score exactly as verl scored it: last answer tag, missing and unclosed tags,
/// more than 10 tags, articles and punctuation, Python whitespace, Unicode lowercasing and word boundaries.
/// </summary>
public sealed class SearchR1GoldenTests
{
    private static readonly RewardRegistry Registry = RewardRegistry.CreateDefault();

    [Fact]
    public void Every_golden_response_scores_exactly_as_verl_scored_it()
    {
        var mismatches = new List<string>();
        var sources = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var (line, record) in GoldenFiles.ReadJsonLines("search_r1.jsonl"))
        {
            count++;
            var source = record["data_source"]!.GetValue<string>();
            sources.Add(source);
            var kwargs = record["reward_kwargs"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone());
            var request = new RewardRequest(source, record["solution_str"]!.GetValue<string>(), record["ground_truth"]?.DeepClone(), null, kwargs);
            var reward = Registry.Resolve(source);
            Assert.Equal("search_r1_like_qa_em", reward.Name);

            var actual = reward.Score(request);
            var expected = record["score"]!.GetValue<double>();
            if (actual.Score != expected || actual.Extras.Count != 0)
            {
                mismatches.Add($"line {line} {JsonValue.Create(request.SolutionStr).ToJsonString()} vs {request.GroundTruth?.ToJsonString()}: verl {expected}, C# {actual.Score}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {count} golden cases differ from verl:\n" + string.Join("\n", mismatches.Take(25)));
        Assert.True(count >= 2000, $"search_r1 cases: {count}");
        Assert.Equal(RewardRegistry.SearchR1Sources.Order(StringComparer.Ordinal), sources.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_golden_corpus_exercises_every_outcome()
    {
        var scores = GoldenFiles.ReadJsonLines("search_r1.jsonl").Select(r => r.Record["score"]!.GetValue<double>()).Distinct().Order().ToArray();

        Assert.Equal([0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 2.0, 3.0], scores);
    }

    [Theory]
    [InlineData("\"Paris\"")]
    [InlineData("{\"answer\": [\"Paris\"]}")]
    [InlineData("{\"target\": [\"Paris\", 3]}")]
    [InlineData("{\"target\": 3}")]
    public void A_ground_truth_without_a_target_list_of_strings_is_a_configuration_error(string groundTruth)
    {
        var request = new RewardRequest("searchR1_nq", "<answer>Paris</answer>", JsonNode.Parse(groundTruth));

        var error = Assert.Throws<RewardConfigurationException>(() => Registry.Score(request));

        Assert.Contains("search_r1_like_qa_em", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keyword_arguments_are_refused()
    {
        var request = new RewardRequest("searchR1_nq", "<answer>Paris</answer>", JsonNode.Parse("{\"target\": [\"Paris\"]}"), null,
            new Dictionary<string, JsonNode?> { ["scores"] = 1.0 });

        Assert.Throws<RewardConfigurationException>(() => Registry.Score(request));
    }
}
