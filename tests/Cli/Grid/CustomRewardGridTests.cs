using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>
/// A run submitted to a real silo process with <c>--reward-path</c>: the silo's Python workers score it, and a reward
/// file outside the data roots is refused naming the field.
/// </summary>
[Collection(GridSiloCollection.Name)]
public sealed class CustomRewardGridTests(SiloProcess silo) : IDisposable
{
    private readonly TempDirectory _temp = new("cli-grid-reward");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_submitted_run_is_scored_by_the_silos_python_workers()
    {
        var reward = _temp.Combine("reward.py");
        File.WriteAllText(reward, """
            def compute_score(data_source, solution_str, ground_truth, extra_info=None, marker=0):
                if extra_info["index"] == 1:
                    raise ValueError("row one is refused")
                return {"score": float(len(solution_str) > 0) + marker, "length": len(solution_str), "source": data_source}
            """);

        var submit = await GridCli.RunAsync(silo, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--max-samples", "3",
            "--max-response-length", "6", "--seed", "5", "--reward-path", reward, "--reward-kwargs", """{"marker": 10}"""]);
        Assert.True(submit.ExitCode == 0, submit.Error);
        var runId = GridCli.LastLine(submit.Output);
        var watch = await GridCli.RunAsync(silo, ["watch", runId, "--json"]);
        var final = JsonNode.Parse(watch.Output)!;

        Assert.Equal("completed", final["state"]!.GetValue<string>());
        var folder = final["resultsDirectory"]!.GetValue<string>();
        var results = (await ResultsReader.ReadJsonlAsync(Path.Combine(folder, ResultsFolder.ResultsJsonlFile))).OrderBy(r => r.Position).ToList();
        Assert.Equal(3, results.Count);
        foreach (var result in results)
        {
            if (result.ExtraInfo!["index"]!.GetValue<int>() == 1)
            {
                Assert.Equal(0.0, result.Score);
                Assert.StartsWith("custom reward raised ValueError: row one is refused", result.RewardError, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(result.RewardError);
                Assert.Equal((result.ResponseText.Length > 0 ? 1.0 : 0.0) + 10, result.Score);
                Assert.Equal(["score", "length", "source"], result.RewardExtras.Select(e => e.Key));
            }
        }

        var manifest = ManifestJson.Read(Path.Combine(folder, ResultsFolder.ManifestFile));
        Assert.Equal(reward, manifest.Reward.Custom!.Path);
        Assert.Equal(10, manifest.Reward.Custom.Kwargs!["marker"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(GridMode.Gateway)]
    [InlineData(GridMode.Http)]
    public async Task A_reward_file_outside_the_data_roots_is_refused_naming_the_field(GridMode mode)
    {
        var (exit, output, error) = await GridCli.RunAsync(silo, mode, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--reward-path", "/etc/passwd"]);

        Assert.Equal(2, exit);
        Assert.StartsWith("submit: rewardPath /etc/passwd is outside the folders this grid may read", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task The_api_refuses_a_reward_file_that_is_not_there()
    {
        var missing = _temp.Combine("missing_reward.py");

        var (exit, output, error) = await GridCli.RunAsync(silo, GridMode.Http, ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--reward-path", missing]);

        Assert.Equal(2, exit);
        Assert.Equal($"submit: rewardPath '{missing}' does not exist (or is not a file)", error.TrimEnd());
        Assert.Equal("", output);
    }
}
