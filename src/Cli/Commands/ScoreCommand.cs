using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation;
using VerlOrleans.Cli.Output;
using VerlOrleans.Evaluation.Rewards;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans score --input IN.jsonl [--output OUT.jsonl] [--route SOURCE=REWARD]...</c>: scores each line
/// <c>{data_source, solution_str, ground_truth, extra_info?, reward_kwargs?}</c> with verl's rule rewards and writes
/// the same object with <c>score</c> and the scorer's extras (<c>acc</c>, <c>pred</c>) added.
/// </summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "JSON Lines file: one {data_source, solution_str, ground_truth, extra_info?, reward_kwargs?} per line" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the scored lines (default: standard output); written only when every line scored" };
        var routes = new Option<string[]>("--route") { Description = "Route a data source to a reward: SOURCE=REWARD (rewards: gsm8k, math, math_dapo); a trailing * routes a prefix", AllowMultipleArgumentsPerToken = false };
        var command = new Command("score", "Score responses with verl's rule rewards (default_compute_score routing).") { input, output, routes };
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var inputPath = parseResult.GetValue(input);
            if (string.IsNullOrEmpty(inputPath))
            {
                error.WriteLine("score: --input is required");
                return 2;
            }

            try
            {
                var registry = RewardRegistry.CreateDefault().Configure(RewardRoutingOptions.Parse(parseResult.GetValue(routes) ?? []));

                var lines = Score(registry, inputPath);
                var outputPath = parseResult.GetValue(output);
                if (outputPath is null)
                {
                    foreach (var line in lines)
                    {
                        parseResult.InvocationConfiguration.Output.WriteLine(line);
                    }
                }
                else
                {
                    var scored = lines.ToList();
                    var temporary = outputPath + ".tmp";
                    File.WriteAllLines(temporary, scored);
                    File.Move(temporary, outputPath, overwrite: true);
                    parseResult.InvocationConfiguration.Output.WriteLine($"scored {scored.Count} responses into {outputPath}");
                }

                return 0;
            }
            catch (JsonLinesFormatException e)
            {
                error.WriteLine($"score: {e.Message}");
                return 2;
            }
            catch (RewardConfigurationException e)
            {
                error.WriteLine($"score: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static IEnumerable<string> Score(RewardRegistry registry, string path)
    {
        foreach (var (line, record) in JsonLinesFile.Read(path))
        {
            var where = $"{path}: line {line}";
            var request = new RewardRequest(
                RequiredString(record, "data_source", where),
                RequiredString(record, "solution_str", where),
                record["ground_truth"]?.DeepClone(),
                record["extra_info"] switch
                {
                    null => null,
                    JsonObject info => (JsonObject)info.DeepClone(),
                    _ => throw new RewardConfigurationException($"{where}: 'extra_info' must be an object"),
                },
                record["reward_kwargs"] switch
                {
                    null => null,
                    JsonObject kwargs => kwargs.ToDictionary(p => p.Key, p => p.Value?.DeepClone()),
                    _ => throw new RewardConfigurationException($"{where}: 'reward_kwargs' must be an object"),
                });

            RewardResult result;
            try
            {
                result = registry.Score(request);
            }
            catch (RewardConfigurationException e)
            {
                throw new RewardConfigurationException($"{where}: {e.Message}");
            }

            var scored = (JsonObject)record.DeepClone();
            scored["score"] = result.Score;
            foreach (var (key, value) in result.Extras)
            {
                scored[key] = value.ToJson();
            }

            yield return scored.ToJsonString(CliJson.Lines);
        }
    }

    private static string RequiredString(JsonObject record, string key, string where) =>
        record[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new RewardConfigurationException($"{where}: '{key}' must be a string, got {record[key]?.ToJsonString() ?? "nothing"}");
}
