using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Grains.Tests.Contracts;

/// <summary>Specs are refused field by field, by JSON path, before anything starts.</summary>
public sealed class SpecValidationTests
{
    private static readonly RunSpec Good = new() { Checkpoint = "/ckpt", DataFiles = ["/data/test.parquet"] };

    [Fact]
    public void A_good_spec_passes() => Assert.Empty(SpecValidation.Validate(Good));

    [Fact]
    public void Each_bad_field_is_named_with_its_range()
    {
        var bad = Good with
        {
            MaxSamples = -5,
            Sampling = new SamplingSettings { N = 0, Temperature = -1, TopP = 0, TopK = -2, MinP = 2, MaxTokens = 100_000_000 },
            Prompt = new PromptSettings { MaxPromptLength = 0, Truncation = "sideways", ChatTemplateKwargsJson = "[1]" },
            BatchSize = 0,
            DType = "int3",
            RewardMode = "vibes",
            RewardRoutes = ["gsm8k"],
            DataFiles = ["/a", " "],
        };

        var errors = SpecValidation.Validate(bad).ToDictionary(e => e.Field, e => e.Message);

        Assert.Equal(
            ["maxSamples", "batchSize", "dType", "rewardMode", "rewardRoutes[0]", "sampling.n", "sampling.temperature", "sampling.topP", "sampling.topK", "sampling.minP", "sampling.maxTokens",
             "prompt.maxPromptLength", "prompt.truncation", "prompt.chatTemplateKwargsJson", "dataFiles[1]"],
            [.. errors.Keys.OrderBy(k => k.StartsWith("dataFiles", StringComparison.Ordinal) ? 1 : 0)]);
        Assert.Equal("must be between 1 and 32768, got 100000000", errors["sampling.maxTokens"]);
        Assert.Equal("must be between 0 (greedy) and 10, got -1", errors["sampling.temperature"]);
        Assert.Contains("error, left, right, middle", errors["prompt.truncation"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_sweep_checks_its_own_fields_and_its_template_under_template()
    {
        var errors = SpecValidation.Validate(new SweepSpec([], Good with { Checkpoint = "", Sampling = new SamplingSettings { Temperature = 11 } }, 0));

        Assert.Equal(["checkpoints", "maxConcurrentRuns", "template.sampling.temperature"], errors.Select(e => e.Field));
    }
}
