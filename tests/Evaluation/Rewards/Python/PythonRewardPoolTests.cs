using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Evaluation.Tests.Rewards.Python;

/// <summary>
/// Custom reward files scored by real /usr/bin/python3 worker processes: dict results, and samples that raise, hang
/// or kill their worker fail alone, with clear errors, while every other sample scores correctly.
/// </summary>
public sealed class PythonRewardPoolTests
{
    [Fact]
    public async Task A_dict_result_becomes_the_score_and_typed_extras_in_the_dicts_order()
    {
        await using var pool = await PythonRewardPool.StartAsync(RewardFiles.Function("scripted_reward.py", kwargs: new JsonObject { ["bonus"] = 0.5 }), RewardFiles.Options());

        var right = await pool.ScoreAsync(RewardFiles.Request("so #### 72"));
        var wrong = await pool.ScoreAsync(RewardFiles.Request("no number"));

        Assert.Null(right.Error);
        Assert.True(right.Result!.IsDict);
        Assert.Equal(1.5, right.Result.Score);
        Assert.Equal(["acc", "pred", "turns"], right.Result.Extras.Select(e => e.Key));
        Assert.Equal(ScalarValue.FromBoolean(true), right.Result.Extras[0].Value);
        Assert.Equal(ScalarValue.FromText("72"), right.Result.Extras[1].Value);
        Assert.Equal(ScalarValue.Null, right.Result.Extras[2].Value);
        Assert.Equal(-0.5, wrong.Result!.Score);
        Assert.Equal(ScalarValue.FromBoolean(false), wrong.Result.Extras[0].Value);
        Assert.Equal(ScalarValue.FromText(""), wrong.Result.Extras[1].Value);
        Assert.Matches(@"^3\.\d+\.\d+", pool.PythonVersion);
    }

    [Fact]
    public async Task A_float_result_is_a_scalar_score()
    {
        await using var pool = await PythonRewardPool.StartAsync(RewardFiles.Function("scripted_reward.py", "float_score"), RewardFiles.Options(workers: 1));

        var outcomes = await pool.ScoreAllAsync([RewardFiles.Request("#### 72"), RewardFiles.Request("#### 71")]);

        Assert.Equal([1.0, 0.0], outcomes.Select(o => o.Result!.Score));
        Assert.All(outcomes, o => Assert.False(o.Result!.IsDict));
    }

    [Fact]
    public async Task Raising_hanging_and_crashing_samples_fail_alone_with_clear_errors_and_the_rest_score_correctly()
    {
        await using var pool = await PythonRewardPool.StartAsync(RewardFiles.Function("scripted_reward.py"), RewardFiles.Options(timeoutSeconds: 2));
        var responses = new[] { "#### 72", "RAISE #### 72", "#### 1", "HANG", "#### 72", "EXIT", "#### 72", "SEGV", "TEXT", "#### 2" };
        var many = Enumerable.Range(0, 60).Select(i => responses[i % responses.Length]).ToList();

        var outcomes = await pool.ScoreAllAsync(many.Select(r => RewardFiles.Request(r)));

        for (var i = 0; i < many.Count; i++)
        {
            var (response, outcome) = (many[i], outcomes[i]);
            switch (response)
            {
                case "RAISE #### 72":
                    Assert.Null(outcome.Result);
                    Assert.StartsWith("custom reward raised ValueError: cannot read 'RAISE #### 72'", outcome.Error, StringComparison.Ordinal);
                    Assert.Contains("scripted_reward.py\", line", outcome.Error, StringComparison.Ordinal);
                    Assert.Contains("about to fail on RAISE #### 72", outcome.Error, StringComparison.Ordinal);
                    break;
                case "HANG":
                    Assert.StartsWith("custom reward timed out after 2 s on this sample", outcome.Error, StringComparison.Ordinal);
                    Assert.Contains("hanging now", outcome.Error, StringComparison.Ordinal);
                    Assert.Contains("in compute_score", outcome.Error, StringComparison.Ordinal);       // faulthandler's stack of the hung call
                    break;
                case "EXIT":
                    Assert.StartsWith("the reward worker process died (exit code 3) while scoring this sample", outcome.Error, StringComparison.Ordinal);
                    break;
                case "SEGV":
                    Assert.StartsWith("the reward worker process died (killed by SIGSEGV) while scoring this sample", outcome.Error, StringComparison.Ordinal);
                    Assert.Contains("segfaulting now", outcome.Error, StringComparison.Ordinal);
                    Assert.Contains("Segmentation fault", outcome.Error, StringComparison.Ordinal);
                    break;
                case "TEXT":
                    Assert.StartsWith("custom reward raised TypeError: the returned value is str 'not a number'", outcome.Error, StringComparison.Ordinal);
                    break;
                default:
                    Assert.True(outcome.Error is null, $"sample {i} ({response}): {outcome.Error}");
                    Assert.Equal(response == "#### 72" ? 1.0 : -1.0, outcome.Result!.Score);
                    break;
            }
        }

        Assert.Equal(many.Count(r => r is "HANG" or "EXIT" or "SEGV"), pool.WorkersReplaced);
    }

    [Fact]
    public async Task Workers_see_only_a_scrubbed_environment_their_own_folder_and_no_stdin()
    {
        Environment.SetEnvironmentVariable("VERLORLEANS_TEST_SECRET", "must-not-leak");
        await using var pool = await PythonRewardPool.StartAsync(RewardFiles.Function("environment_reward.py"), RewardFiles.Options(workers: 1));

        var outcome = await pool.ScoreAsync(RewardFiles.Request("anything"));

        var extras = outcome.Result!.Extras.ToDictionary(e => e.Key, e => e.Value.Text);
        var variables = JsonNode.Parse(extras["environment"]!)!.AsArray().Select(v => v!.GetValue<string>()).ToList();
        Assert.Subset(new HashSet<string> { "HOME", "LANG", "PATH", "PYTHONPATH", "LC_CTYPE" }, variables.ToHashSet());
        Assert.Equal(extras["home"], extras["cwd"]);
        Assert.StartsWith(Path.GetTempPath(), extras["cwd"], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(extras["cwd"]!, "written_by_reward.txt")));
        Assert.Equal(Path.GetDirectoryName(RewardFiles.PathOf("environment_reward.py")), extras["pythonpath"]);
        Assert.Equal("", extras["stdin"]);
        Assert.Equal(PythonRewardOptions.DefaultInterpreter, extras["interpreter"]);

        await pool.DisposeAsync();
        Assert.False(Directory.Exists(extras["cwd"]));
    }

    [Fact]
    public async Task A_file_that_does_not_load_fails_the_start_with_pythons_error()
    {
        var syntax = await Assert.ThrowsAsync<RewardConfigurationException>(() => PythonRewardPool.StartAsync(RewardFiles.Function("broken_reward.py"), RewardFiles.Options()));
        var missing = await Assert.ThrowsAsync<RewardConfigurationException>(() => PythonRewardPool.StartAsync(RewardFiles.Function("scripted_reward.py", "no_such_function"), RewardFiles.Options()));
        var absent = await Assert.ThrowsAsync<RewardConfigurationException>(() => PythonRewardPool.StartAsync(RewardFiles.Function("absent.py"), RewardFiles.Options()));
        var interpreter = await Assert.ThrowsAsync<RewardConfigurationException>(() =>
            PythonRewardPool.StartAsync(RewardFiles.Function("scripted_reward.py"), new PythonRewardOptions { Interpreter = "/nonexistent/python3" }));

        Assert.Contains("broken_reward.py: cannot load reward function 'compute_score': SyntaxError: expected ':' (broken_reward.py, line 1)", syntax.Message, StringComparison.Ordinal);
        Assert.Contains("AttributeError: Reward function 'no_such_function' not found", missing.Message, StringComparison.Ordinal);
        Assert.Contains("absent.py' does not exist", absent.Message, StringComparison.Ordinal);
        Assert.Equal("Python interpreter '/nonexistent/python3' does not exist", interpreter.Message);
    }

    [Fact]
    public async Task Samples_sent_together_travel_in_batches_and_keep_their_order()
    {
        await using var pool = await PythonRewardPool.StartAsync(RewardFiles.Function("scripted_reward.py", "float_score"), RewardFiles.Options());
        var requests = Enumerable.Range(0, 2000).Select(i => RewardFiles.Request($"#### {i % 7}", truth: "3")).ToList();

        var outcomes = await pool.ScoreAllAsync(requests);

        Assert.Equal(requests.Select((_, i) => i % 7 == 3 ? 1.0 : 0.0), outcomes.Select(o => o.Result!.Score));
        Assert.Equal(0, pool.WorkersReplaced);
        Assert.InRange(pool.MessagesSent, 2000 / 64, 2000 / 8);
    }
}
