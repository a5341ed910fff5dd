using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Grains.Tests.Contracts;

/// <summary>A run spec's custom reward function (rewardPath, rewardName, rewardKwargsJson) is checked field by field.</summary>
public sealed class CustomRewardSpecValidationTests
{
    private static readonly RunSpec Good = new() { Checkpoint = "/ckpt", DataFiles = ["/data/test.parquet"] };

    [Fact]
    public void A_reward_file_with_a_name_and_kwargs_passes() =>
        Assert.Empty(SpecValidation.Validate(Good with { RewardPath = "/data/reward.py", RewardName = "my_score_2", RewardKwargsJson = """{"method": "flexible"}""" }));

    [Fact]
    public void Each_bad_reward_field_is_named()
    {
        var errors = SpecValidation.Validate(Good with
        {
            RewardPath = "reward.py",
            RewardName = "2fast",
            RewardKwargsJson = "[1]",
            RewardRoutes = ["a=gsm8k"],
        }).ToDictionary(e => e.Field, e => e.Message);

        Assert.Equal(["rewardKwargsJson", "rewardName", "rewardPath", "rewardRoutes"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("must be an absolute path to a Python file", errors["rewardPath"], StringComparison.Ordinal);
        Assert.StartsWith("must be a Python function name", errors["rewardName"], StringComparison.Ordinal);
        Assert.StartsWith("must be a JSON object of keyword arguments", errors["rewardKwargsJson"], StringComparison.Ordinal);
        Assert.StartsWith("must be empty with rewardPath", errors["rewardRoutes"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_or_kwargs_without_a_file_are_refused_and_a_sweep_template_is_checked_too()
    {
        var alone = SpecValidation.Validate(Good with { RewardName = "f", RewardKwargsJson = "{}" }).Select(e => e.Field);
        var sweep = SpecValidation.Validate(new SweepSpec(["/ckpt"], Good with { RewardPath = "relative.py" }, 1)).Select(e => e.Field);

        Assert.Equal(["rewardName", "rewardKwargsJson"], alone);
        Assert.Equal(["template.rewardPath"], sweep);
    }
}
