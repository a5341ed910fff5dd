using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary>
/// The defaults verl users get (the trainer YAML's, not RLHFDataset's fallbacks) and <c>--verl-config</c>: a verl
/// trainer config's data:, val_kwargs: and custom_reward_function: settings apply, and options given on the command
/// line win over them.
/// </summary>
public sealed class VerlConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new("cli-verl-config");

    public void Dispose() => _dir.Dispose();

    private static string Gsm8kRewardFile => Path.Combine(RepositoryPaths.Root, "tests", "Evaluation", "Rewards", "Python", "Files", "gsm8k_reward.py");

    [Fact]
    public async Task Without_options_eval_uses_verls_trainer_defaults()
    {
        var (exit, _, error) = await CliHarness.RunAsync("eval", "--model", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--max-samples", "1", "--max-response-length", "2", "--out", _dir.Combine("out"));

        Assert.True(exit == 0, error);
        var manifest = Manifest("out");
        Assert.Equal(512, manifest["prompt"]!["max_prompt_length"]!.GetValue<int>());
        Assert.Equal("error", manifest["prompt"]!["truncation"]!.GetValue<string>());
        Assert.False(manifest["prompt"]!["filter_overlong_prompts"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_trainer_config_sets_data_val_kwargs_and_the_custom_reward_and_options_override_it()
    {
        var config = _dir.Combine("config.yaml");
        File.WriteAllText(config, $"""
            data:
              val_files: [{VerlData.Gsm8k}]
              prompt_key: prompt
              max_prompt_length: 120
              max_response_length: ${"{"}data.short_responses{"}"}
              short_responses: 3
              truncation: left
              filter_overlong_prompts: False
              val_max_samples: 2
              apply_chat_template_kwargs: {"{"}enable_thinking: false{"}"}
            actor_rollout_ref:
              rollout:
                val_kwargs:
                  n: 2
                  temperature: 0.7
                  top_p: 0.9
                  top_k: -1
                  do_sample: True
            custom_reward_function:
              path: {Gsm8kRewardFile}
              name: compute_score
              reward_kwargs:
                method: flexible
            """);

        var (exit, _, error) = await CliHarness.RunAsync("eval", "--model", TinyChatModel.Folder, "--verl-config", config, "--top-p", "0.8", "--seed", "1", "--out", _dir.Combine("out"));

        Assert.True(exit == 0, error);
        var manifest = Manifest("out");
        Assert.Equal(120, manifest["prompt"]!["max_prompt_length"]!.GetValue<int>());
        Assert.Equal("left", manifest["prompt"]!["truncation"]!.GetValue<string>());
        Assert.False(manifest["prompt"]!["apply_chat_template_kwargs"]!["enable_thinking"]!.GetValue<bool>());
        Assert.Equal(3, manifest["sampling"]!["max_response_length"]!.GetValue<int>());
        Assert.Equal(2, manifest["sampling"]!["n"]!.GetValue<int>());
        Assert.Equal(0.7, manifest["sampling"]!["temperature"]!.GetValue<double>());
        Assert.Equal(0.8, manifest["sampling"]!["top_p"]!.GetValue<double>());            // the option wins over the file
        Assert.Equal(2, manifest["dataset"]!["max_samples"]!.GetValue<int>());
        Assert.Equal(Gsm8kRewardFile, manifest["reward"]!["custom"]!["path"]!.GetValue<string>());
        Assert.Equal("flexible", manifest["reward"]!["custom"]!["kwargs"]!["method"]!.GetValue<string>());
        Assert.Equal(4, (await ResultsReader.ReadJsonlAsync(_dir.Combine("out", ResultsFolder.ResultsJsonlFile))).Count);
    }

    [Fact]
    public async Task Do_sample_false_validates_greedily_as_verls_rollout_does()
    {
        var config = _dir.Combine("greedy.yaml");
        File.WriteAllText(config, """
            actor_rollout_ref:
              rollout:
                val_kwargs: {n: 1, temperature: 0.6, top_p: 0.95, top_k: 20, do_sample: false}
            """);

        var (exit, _, error) = await CliHarness.RunAsync("eval", "--model", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--verl-config", config,
            "--max-samples", "1", "--max-response-length", "2", "--out", _dir.Combine("out"));

        Assert.True(exit == 0, error);
        var sampling = Manifest("out")["sampling"]!;
        Assert.Equal(0.0, sampling["temperature"]!.GetValue<double>());
        Assert.Equal(1.0, sampling["top_p"]!.GetValue<double>());
        Assert.Equal(-1, sampling["top_k"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("data:\n  max_prompt_length: ${oc.env:LEN}\n", "data.max_prompt_length is \"${oc.env:LEN}\", a Hydra interpolation this reader does not resolve")]
    [InlineData("data:\n  max_prompt_length: long\n", "data.max_prompt_length must be an integer, got \"long\"")]
    [InlineData("data: [1, 2\n", "not valid YAML")]
    [InlineData("- a list\n", "a verl trainer config is a YAML mapping")]
    public async Task A_config_that_cannot_be_read_is_a_usage_error_naming_the_key(string yaml, string message)
    {
        var config = _dir.Combine("bad.yaml");
        File.WriteAllText(config, yaml);

        var (exit, _, error) = await CliHarness.RunAsync("eval", "--model", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--verl-config", config, "--out", _dir.Combine("out"));

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private JsonNode Manifest(string folder) => JsonNode.Parse(File.ReadAllText(_dir.Combine(folder, ResultsFolder.ManifestFile)))!;
}
