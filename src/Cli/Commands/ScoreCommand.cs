using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Cli.Evaluation;
using VerlOrleans.Cli.Output;
using VerlOrleans.Evaluation;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans score --input IN.jsonl [--output OUT.jsonl] [--route SOURCE=REWARD]... | [--reward-path FILE
/// [--reward-name NAME] [--reward-kwargs JSON]]</c>: scores each line <c>{data_source, solution_str, ground_truth,
/// extra_info?, reward_kwargs?}</c> with verl's rule rewards, or with a verl custom reward file run by Python worker
/// processes, and writes the same object with <c>score</c> and the scorer's extras (<c>acc</c>, <c>pred</c>, a custom
/// dict's keys) added. A line the custom reward fails on (raise, timeout, crash) gets score 0 and <c>reward_error</c>;
/// the others are scored all the same (exit code 0, the count on stderr). Code rewards (prime_code) add
/// <c>reward_detail</c>: the first failing test and how it failed.
/// </summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "JSON Lines file: one {data_source, solution_str, ground_truth, extra_info?, reward_kwargs?} per line" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the scored lines (default: standard output); written only when every line scored" };
        var routes = new Option<string[]>("--route") { Description = $"Route a data source to a reward: SOURCE=REWARD (rewards: {string.Join(", ", RewardRegistry.CreateDefault().RewardNames)}); a trailing * routes a prefix", AllowMultipleArgumentsPerToken = false };
        var custom = new CustomRewardOptions();
        var command = new Command("score", "Score responses with verl's rule rewards (default_compute_score routing) or a verl custom reward file.") { input, output, routes };
        foreach (var option in custom.Spec.Concat(custom.Local))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
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
                var function = custom.Read(parseResult);
                var routeArguments = parseResult.GetValue(routes) ?? [];
                if (function is not null && routeArguments.Length > 0)
                {
                    throw new ArgumentException("--route has no effect with --reward-path: a custom reward function scores every data source, as in verl");
                }

                IEnumerable<string> lines;
                var failed = 0;
                if (function is null)
                {
                    var registry = RewardRegistry.CreateDefault().Configure(RewardRoutingOptions.Parse(routeArguments));
                    // geo3k and prime_math hand what C# cannot decide exactly to verl's Python, on the --python interpreter;
                    // code rewards run in sandboxes. All lines start together: the sandbox's and the pool's own limits pace them.
                    await using var verlPython = new VerlPythonScorers(custom.ReadLocal(parseResult));
                    var read = Read(inputPath).ToList();
                    var outcomes = await Task.WhenAll(read.Select(line => ScoreAsync(registry, verlPython, line.Request, line.Where, cancellationToken)));
                    failed = outcomes.Count(o => o.Error is not null);
                    lines = read.Select((line, i) => Scored(line.Record, outcomes[i])).ToList();
                }
                else
                {
                    var read = Read(inputPath).ToList();
                    var withKwargs = read.FindIndex(l => l.Request.Kwargs is not null);
                    if (withKwargs >= 0)
                    {
                        throw new RewardConfigurationException($"{read[withKwargs].Where}: per-line reward_kwargs do not apply to a custom reward function; give them with --reward-kwargs");
                    }

                    await using var pool = await PythonRewardPool.StartAsync(function, custom.ReadLocal(parseResult), cancellationToken);
                    var outcomes = await pool.ScoreAllAsync(read.Select(l => l.Request), cancellationToken);
                    failed = outcomes.Count(o => o.Error is not null);
                    lines = read.Select((line, i) => Scored(line.Record, outcomes[i])).ToList();
                }

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
                    await File.WriteAllLinesAsync(temporary, scored, cancellationToken);
                    File.Move(temporary, outputPath, overwrite: true);
                    parseResult.InvocationConfiguration.Output.WriteLine($"scored {scored.Count} responses into {outputPath}");
                }

                if (failed > 0)
                {
                    error.WriteLine($"score: the {(function is null ? "reward" : "custom reward")} failed on {failed} response(s): they have score 0 and a reward_error field");
                }

                return 0;
            }
            catch (JsonLinesFormatException e)
            {
                error.WriteLine($"score: {e.Message}");
                return 2;
            }
            catch (ArgumentException e)
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

    private static IEnumerable<(JsonObject Record, RewardRequest Request, string Where)> Read(string path)
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
            yield return (record, request, where);
        }
    }

    private static async Task<RewardOutcome> ScoreAsync(RewardRegistry registry, VerlPythonScorers verlPython, RewardRequest request, string where,
        CancellationToken cancellationToken)
    {
        try
        {
            return await registry.ScoreAsync(request, verlPython, cancellationToken).ConfigureAwait(false);
        }
        catch (RewardConfigurationException e)
        {
            throw new RewardConfigurationException($"{where}: {e.Message}");
        }
    }

    private static string Scored(JsonObject record, RewardOutcome outcome)
    {
        var scored = (JsonObject)record.DeepClone();
        scored["score"] = outcome.Result?.Score ?? 0.0;
        foreach (var (key, value) in outcome.Result?.Extras ?? [])
        {
            scored[key] = value.ToJson();
        }

        if (outcome.Error is not null)
        {
            scored["reward_error"] = outcome.Error;
        }

        if (outcome.Result?.Detail is { } detail)
        {
            scored["reward_detail"] = detail;
        }

        return scored.ToJsonString(CliJson.Lines);
    }

    private static string RequiredString(JsonObject record, string key, string where) =>
        record[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new RewardConfigurationException($"{where}: '{key}' must be a string, got {record[key]?.ToJsonString() ?? "nothing"}");
}
