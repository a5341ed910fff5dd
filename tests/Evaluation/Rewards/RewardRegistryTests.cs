using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Evaluation.Tests.Rewards;

/// <summary>Routing like verl's <c>default_compute_score</c>, user rewards by name, and strict keyword arguments.</summary>
public sealed class RewardRegistryTests
{
    [Theory]
    [InlineData("openai/gsm8k", "gsm8k")]
    [InlineData("lighteval/MATH", "math")]
    [InlineData("DigitalLearningGmbH/MATH-lighteval", "math")]
    [InlineData("HuggingFaceH4/MATH-500", "math")]
    [InlineData("math_dapo", "math_dapo")]
    [InlineData("math", "math_dapo")]
    [InlineData("math_dapo_reasoning", "math_dapo")]
    [InlineData("aime2024", "math_dapo")]
    [InlineData("aime", "math_dapo")]
    [InlineData("searchR1_nq", "search_r1_like_qa_em")]
    [InlineData("searchR1_triviaqa", "search_r1_like_qa_em")]
    [InlineData("searchR1_popqa", "search_r1_like_qa_em")]
    [InlineData("searchR1_hotpotqa", "search_r1_like_qa_em")]
    [InlineData("searchR1_2wikimultihopqa", "search_r1_like_qa_em")]
    [InlineData("searchR1_musique", "search_r1_like_qa_em")]
    [InlineData("searchR1_bamboogle", "search_r1_like_qa_em")]
    [InlineData("hiyouga/geometry3k", "geo3k")]
    [InlineData("numina_aops_forum", "prime_math")]
    [InlineData("numina_synthetic_math", "prime_math")]
    [InlineData("numina_amc_aime", "prime_math")]
    [InlineData("numina_synthetic_amc", "prime_math")]
    [InlineData("numina_cn_k12", "prime_math")]
    [InlineData("numina_olympiads", "prime_math")]
    [InlineData("codecontests", "prime_code")]
    [InlineData("apps", "prime_code")]
    [InlineData("codeforces", "prime_code")]
    [InlineData("taco", "prime_code")]
    public void Default_routing_matches_verl(string dataSource, string reward) =>
        Assert.Equal(reward, RewardRegistry.CreateDefault().Resolve(dataSource).Name);

    [Fact]
    public void An_unknown_data_source_fails_listing_the_known_ones()
    {
        var error = Assert.Throws<RewardConfigurationException>(() => RewardRegistry.CreateDefault().Resolve("openai/GSM8K"));

        Assert.Contains("no reward for data_source 'openai/GSM8K'", error.Message, StringComparison.Ordinal);
        Assert.Contains("openai/gsm8k, ", error.Message, StringComparison.Ordinal);
        Assert.Contains("aime*", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_reward_is_registered_by_name_and_routed_from_configuration()
    {
        var registry = RewardRegistry.CreateDefault()
            .Register(new LengthReward())
            .Configure(new RewardRoutingOptions
            {
                Routes = { ["my/short-answers"] = "length" },
                PrefixRoutes = { ["my/gsm8k-"] = "gsm8k" },
            });

        Assert.Equal(0.25, registry.Score(new RewardRequest("my/short-answers", "abcd", null)).Score);
        Assert.Equal(1.0, registry.Score(new RewardRequest("my/gsm8k-hard", "#### 3", JsonValue.Create("3"))).Score);
        Assert.Throws<RewardConfigurationException>(() => registry.Route("x", "no-such-reward"));
    }

    [Fact]
    public void Keyword_arguments_are_checked_by_name_and_type()
    {
        var registry = RewardRegistry.CreateDefault();
        RewardResult Score(string source, string kwargs) =>
            registry.Score(new RewardRequest(source, "#### 72", JsonValue.Create("72"), null, JsonNode.Parse(kwargs)!.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone())));

        Assert.Equal(5.0, Score("openai/gsm8k", """{"score": 5}""").Score);
        Assert.Contains("'method' must be one of \"strict\", \"flexible\"",
            Assert.Throws<RewardConfigurationException>(() => Score("openai/gsm8k", """{"method": "loose"}""")).Message, StringComparison.Ordinal);
        Assert.Contains("'format_score' must be a number",
            Assert.Throws<RewardConfigurationException>(() => Score("openai/gsm8k", """{"format_score": "0.1"}""")).Message, StringComparison.Ordinal);
        Assert.Contains("reward 'math' has no keyword argument 'method'",
            Assert.Throws<RewardConfigurationException>(() => Score("lighteval/MATH", """{"method": "strict"}""")).Message, StringComparison.Ordinal);
        Assert.Contains("pause_tokens_index must hold 4 integers",
            Assert.Throws<RewardConfigurationException>(() => Score("math_dapo", """{"strict_box_verify": true, "pause_tokens_index": [1]}""")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ground_truths_that_are_not_strings_score_as_in_python_or_fail_clearly()
    {
        var registry = RewardRegistry.CreateDefault();

        // Python compares the extracted str with an int: never equal.
        Assert.Equal(0.0, registry.Score(new RewardRequest("openai/gsm8k", "#### 72", JsonValue.Create(72))).Score);
        Assert.Equal(0.0, registry.Score(new RewardRequest("lighteval/MATH", "\\boxed{72}", JsonValue.Create(72))).Score);
        Assert.Equal(0.0, registry.Score(new RewardRequest("lighteval/MATH", "\\boxed{72}", null)).Score);
        // math_dapo calls gt.split(): verl would crash, so this is a clear error about the dataset, not the response.
        Assert.Contains("ground_truth to be a string",
            Assert.Throws<RewardConfigurationException>(() => registry.Score(new RewardRequest("math_dapo", "Answer: 72", JsonValue.Create(72)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reward_loop_mode_adds_acc_for_float_scores_and_reward_is_read_back_as_float32()
    {
        var naive = new SampleScorer(RewardRegistry.CreateDefault(), RewardMode.Naive);
        var loop = new SampleScorer(RewardRegistry.CreateDefault(), RewardMode.RewardLoop);
        var kwargs = new Dictionary<string, JsonNode?> { ["format_score"] = 0.1 };

        var plain = naive.Score("openai/gsm8k", "#### 71", JsonValue.Create("72"), kwargs: kwargs);
        var withAcc = loop.Score("openai/gsm8k", "#### 71", JsonValue.Create("72"), kwargs: kwargs);
        var dict = loop.Score("math_dapo", "Answer: 72", JsonValue.Create("72"));

        Assert.Equal(["reward"], plain.Variables.Select(v => v.Key));
        Assert.Equal((double)0.1f, plain.Variables.Single().Value.Number);
        Assert.Equal(["reward", "acc"], withAcc.Variables.Select(v => v.Key));
        Assert.Equal(0.1, withAcc.Extras.Single().Value.Number);
        Assert.Equal(["reward", "score", "acc", "pred"], dict.Variables.Select(v => v.Key));
        Assert.Equal(ScalarValue.FromBoolean(true), dict.Extras[1].Value);
    }

    private sealed class LengthReward : IRewardFunction
    {
        public string Name => "length";

        public RewardResult Score(RewardRequest request) => RewardResult.Scalar(1.0 / request.SolutionStr.Length);
    }
}
