using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Evaluation.Tests.Rewards.Python;

/// <summary>
/// The Python path of the built-in geo3k and prime_math rewards, on the system interpreter: without verl or mathruler
/// the responses the native ports leave open fail one by one with an error naming what is missing, while the others
/// score; with (stand-in) verl and mathruler packages on the configured PYTHONPATH, the shim calls their functions
/// and the rewards combine what they return as verl does. verl's real code is not in this repository; the golden test
/// with VERLORLEANS_VERL_PYTHONPATH runs that.
/// </summary>
public sealed class VerlPythonScorersTests : IDisposable
{
    private readonly string _packages = Directory.CreateTempSubdirectory("verl-stand-ins-").FullName;

    public void Dispose() => Directory.Delete(_packages, recursive: true);

    [Fact]
    public async Task Without_verl_the_open_responses_fail_one_by_one_naming_what_is_missing_and_the_rest_score()
    {
        await using var scorers = new VerlPythonScorers(RewardFiles.Options());
        var scorer = new SampleScorer(RewardRegistry.CreateDefault(), verlPython: scorers);

        var nativeRight = await scorer.ScoreAsync("numina_olympiads", "The answer is \\boxed{\\frac{1}{2}}", JsonValue.Create("\\frac12"));
        var nativeGeo = await scorer.ScoreAsync("hiyouga/geometry3k", "<think>r = 6</think> \\boxed{13}", JsonValue.Create("12"));
        Assert.False(scorers.Started);
        var open = await scorer.ScoreAsync("numina_olympiads", "The answer is 7", JsonValue.Create("\\frac{14}{2}"));
        var openGeo = await scorer.ScoreAsync("hiyouga/geometry3k", "<think>t</think> \\boxed{2\\sqrt{3}}", JsonValue.Create("\\sqrt{12}"));

        Assert.Equal((1.0, null), (nativeRight.Score, nativeRight.Error));
        Assert.Equal((0.1, null), (nativeGeo.Score, nativeGeo.Error));
        Assert.True(scorers.Started);
        Assert.Equal(0.0, open.Score);
        Assert.Contains("reward 'prime_math' (Python): ModuleNotFoundError: this response needs verl's verl.utils.reward_score.prime_math", open.Error, StringComparison.Ordinal);
        Assert.Contains("/usr/bin/python3", open.Error, StringComparison.Ordinal);
        Assert.Contains("No module named 'verl'", open.Error, StringComparison.Ordinal);
        Assert.Contains("reward 'geo3k' (Python): ModuleNotFoundError: this response needs mathruler's grade_answer", openGeo.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_verl_on_the_configured_path_the_shim_runs_its_functions_and_the_rewards_combine_their_results()
    {
        // Stand-ins with verl's signatures: prime_math returns its (is_correct, format, extracted) tuple, grade_answer a bool.
        Write("verl/__init__.py", "");
        Write("verl/utils/__init__.py", "");
        Write("verl/utils/reward_score/__init__.py", "");
        Write("verl/utils/reward_score/prime_math/__init__.py",
            "def compute_score(model_output, ground_truth):\n    return (model_output.endswith(' 7') and ground_truth == '\\\\frac{14}{2}', True, model_output)\n");
        Write("mathruler/__init__.py", "");
        Write("mathruler/grader.py", "def grade_answer(given, truth):\n    return (given, truth) == ('2\\\\sqrt{3}', '\\\\sqrt{12}')\n");
        var options = RewardFiles.Options();
        options.PythonPath = [_packages];
        await using var scorers = new VerlPythonScorers(options);
        var scorer = new SampleScorer(RewardRegistry.CreateDefault(), verlPython: scorers);

        var prime = await scorer.ScoreAsync("numina_cn_k12", "The answer is 7", JsonValue.Create("\\frac{14}{2}"));
        var primeWrong = await scorer.ScoreAsync("numina_cn_k12", "The answer is 8", JsonValue.Create("\\frac{14}{2}"));
        var geo = await scorer.ScoreAsync("hiyouga/geometry3k", "<think>t</think> \\boxed{2\\sqrt{3}}", JsonValue.Create("\\sqrt{12}"));
        var geoNoFormat = await scorer.ScoreAsync("hiyouga/geometry3k", "\\boxed{2\\sqrt{3}}", JsonValue.Create("\\sqrt{12}"));

        Assert.Equal((1.0, null), (prime.Score, prime.Error));
        Assert.Equal((0.0, null), (primeWrong.Score, primeWrong.Error));
        Assert.Equal((1.0, null), (geo.Score, geo.Error));
        Assert.Equal((0.9, null), (geoNoFormat.Score, geoNoFormat.Error));
        Assert.Empty(geo.Extras);
    }

    [Fact]
    public void Scored_synchronously_a_response_that_needs_python_is_refused_by_name()
    {
        var registry = RewardRegistry.CreateDefault();

        var error = Assert.Throws<RewardConfigurationException>(() => registry.Score(new RewardRequest("numina_amc_aime", "The answer is 7", JsonValue.Create("\\frac{14}{2}"))));

        Assert.Contains("prime_math", error.Message, StringComparison.Ordinal);
        Assert.Equal(1.0, registry.Score(new RewardRequest("numina_amc_aime", "The answer is 7", JsonValue.Create("7"))).Score);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_packages, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
