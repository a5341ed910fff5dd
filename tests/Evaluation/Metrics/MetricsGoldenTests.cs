using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Metrics;
using VerlOrleans.Evaluation.Tests.Golden;

namespace VerlOrleans.Evaluation.Tests.Metrics;

/// <summary>
/// Synthetic validation batches (Golden/metrics.json) whose metrics verl's own <c>process_validation_metrics</c>
/// computed: the C# port must produce the same names and the same values (exactly; the requirement is 1e-12).
/// </summary>
public sealed class MetricsGoldenTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in GoldenFiles.ReadJson("metrics.json")["cases"]!.AsArray())
        {
            data.Add(c!["name"]!.GetValue<string>());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_match_verls_process_validation_metrics(string name)
    {
        var golden = FindCase(name);
        var samples = ToSamples(golden["samples"]!.AsArray());
        var expected = golden["expected"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
        var expectedPass = golden["expected_pass_at_k"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());

        var actual = ValidationMetrics.Compute(samples);
        var actualVerl = actual.Where(m => !m.Key.Contains("/pass@", StringComparison.Ordinal)).ToList();
        var actualPass = actual.Where(m => m.Key.Contains("/pass@", StringComparison.Ordinal)).ToDictionary();

        Assert.Equal(expected.Keys.ToArray(), actualVerl.Select(m => m.Key).ToArray());
        var differences = actualVerl
            .Where(m => Math.Abs(m.Value - expected[m.Key]) > 1e-12 || BitConverter.DoubleToInt64Bits(m.Value) != BitConverter.DoubleToInt64Bits(expected[m.Key]))
            .Select(m => $"{m.Key}: verl {expected[m.Key]:R}, C# {m.Value:R}")
            .ToList();
        Assert.True(differences.Count == 0, "metrics differ from verl:\n" + string.Join("\n", differences.Take(20)));

        Assert.Equal(expectedPass.Keys.Order(), actualPass.Keys.Order());
        foreach (var (key, value) in expectedPass)
        {
            Assert.True(Math.Abs(actualPass[key] - value) <= 1e-12, $"{key}: expected {value:R}, got {actualPass[key]:R}");
        }
    }

    [Fact]
    public void The_golden_cases_cover_core_and_aux_sections_maj_and_uneven_n()
    {
        var all = GoldenFiles.ReadJson("metrics.json")["cases"]!.AsArray()
            .SelectMany(c => c!["expected"]!.AsObject().Select(p => p.Key))
            .ToList();

        Assert.Contains("val-core/openai/gsm8k/reward/mean@1", all);
        Assert.Contains("val-core/openai/gsm8k/acc/mean@1", all);
        Assert.Contains("val-aux/openai/gsm8k/reward/mean@1", all);
        Assert.Contains("val-core/math_dapo/acc/maj@4/mean", all);
        Assert.Contains("val-aux/math_dapo/acc/best@2/std", all);
        Assert.Contains("val-aux/lighteval/MATH/reward/mean@2", all);
        Assert.Contains("val-core/aime2024/acc/best@16/mean", all);
    }

    internal static JsonObject FindCase(string name) =>
        GoldenFiles.ReadJson("metrics.json")["cases"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!.AsObject();

    internal static List<MetricSample> ToSamples(JsonArray samples) =>
        samples.Select(s =>
        {
            var o = s!.AsObject();
            var variables = o.Where(p => p.Key is not ("data_source" or "uid"))
                .Select(p => ScalarValue.TryFromJson(p.Value, out var v) ? new KeyValuePair<string, ScalarValue>(p.Key, v) : throw new InvalidDataException(p.Key))
                .ToList();
            return new MetricSample(o["data_source"]!.GetValue<string>(), o["uid"]!.GetValue<string>(), variables);
        }).ToList();
}
