using VerlOrleans.Dashboard.Analysis;

namespace VerlOrleans.Dashboard.Tests.Analysis;

/// <summary>verl metric names taken apart, where data sources and metric names both hold slashes.</summary>
public sealed class MetricNamesTests
{
    private static readonly string[] Sources = ["openai/gsm8k", "openai", "lighteval/MATH"];

    [Theory]
    [InlineData("val-core/openai/gsm8k/reward/mean@4", "openai/gsm8k", "val-core/reward/mean@4")]
    [InlineData("val-aux/openai/gsm8k/reward/best@4/mean", "openai/gsm8k", "val-aux/reward/best@4/mean")]
    [InlineData("val-aux/openai/acc/mean@1", "openai", "val-aux/acc/mean@1")]
    [InlineData("val-core/lighteval/MATH/reward/maj@2/std", "lighteval/MATH", "val-core/reward/maj@2/std")]
    [InlineData("val-core/unknown_src/reward/mean@1", "unknown_src", "val-core/reward/mean@1")]
    public void Splits_on_the_longest_known_data_source(string key, string source, string family)
    {
        var name = MetricNames.Parse(key, Sources);
        Assert.Equal(source, name.DataSource);
        Assert.Equal(family, name.Family);
    }

    [Fact]
    public void Families_put_core_metrics_first_and_default_to_the_mean_reward()
    {
        var keys = new[] { "val-aux/openai/gsm8k/reward/std@4", "val-core/openai/gsm8k/reward/mean@4", "val-aux/openai/gsm8k/reward/best@4/mean", "val-core/lighteval/MATH/reward/mean@4" };
        var families = MetricNames.Families(keys, Sources);

        Assert.Equal(["val-core/reward/mean@4", "val-aux/reward/best@4/mean", "val-aux/reward/std@4"], families);
        Assert.Equal("val-core/reward/mean@4", MetricNames.DefaultFamily(families));
        Assert.True(MetricNames.IsRunningMeanFamily("val-core/reward/mean@4"));
        Assert.False(MetricNames.IsRunningMeanFamily("val-aux/reward/best@4/mean"));
    }
}
