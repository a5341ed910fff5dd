using System.CommandLine;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation;
using VerlOrleans.Evaluation.Metrics;
using VerlOrleans.Evaluation.Results;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans metrics --input SAMPLES.jsonl</c> (lines <c>{data_source, uid, &lt;variables&gt;…}</c>) or
/// <c>verlorleans metrics --results RESULTS.(jsonl|parquet)</c>: prints verl's validation metrics as one JSON object.
/// </summary>
public static class MetricsCommand
{
    public static Command Create()
    {
        var input = new Option<string?>("--input", "-i") { Description = "JSON Lines: {data_source, uid, <variable>: number|bool|string, ...} per response, in verl's order" };
        var results = new Option<string?>("--results", "-r") { Description = "A results file written by an evaluation (results.jsonl or results.parquet)" };
        var noPassAtK = new Option<bool>("--no-pass-at-k") { Description = "Leave out the pass@k metrics (verl does not compute them)" };
        var command = new Command("metrics", "Compute verl's validation metrics (mean@n, std@n, best/worst/maj@k, pass@k) with verl's names.") { input, results, noPassAtK };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var inputPath = parseResult.GetValue(input);
            var resultsPath = parseResult.GetValue(results);
            if (inputPath is null == resultsPath is null)
            {
                error.WriteLine("metrics: give exactly one of --input or --results");
                return 2;
            }

            var options = new ValidationMetricsOptions { IncludePassAtK = !parseResult.GetValue(noPassAtK) };
            try
            {
                var metrics = inputPath is not null
                    ? ValidationMetrics.Compute(ReadSamples(inputPath), options)
                    : ResultsReader.ComputeMetrics(await ReadResultsAsync(resultsPath!, cancellationToken), options);
                parseResult.InvocationConfiguration.Output.Write(MetricsJson.Serialize(metrics));
                return 0;
            }
            catch (JsonLinesFormatException e)
            {
                error.WriteLine($"metrics: {e.Message}");
                return 2;
            }
            catch (ResultsFormatException e)
            {
                error.WriteLine($"metrics: {e.Message}");
                return 2;
            }
            catch (MetricsInputException e)
            {
                error.WriteLine($"metrics: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<List<SampleResult>> ReadResultsAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await ResultsReader.ReadAsync(path, cancellationToken) : throw new ResultsFormatException($"{path}: file not found");

    private static List<MetricSample> ReadSamples(string path)
    {
        var samples = new List<MetricSample>();
        foreach (var (line, record) in JsonLinesFile.Read(path))
        {
            var where = $"{path}: line {line}";
            var source = Text(record, "data_source", where) ?? "unknown";
            var uid = Text(record, "uid", where) ?? throw new MetricsInputException($"{where}: 'uid' is missing");
            var variables = new List<KeyValuePair<string, ScalarValue>>();
            foreach (var (name, value) in record)
            {
                if (name is "data_source" or "uid")
                {
                    continue;
                }

                variables.Add(new(name, ScalarValue.TryFromJson(value, out var scalar)
                    ? scalar
                    : throw new MetricsInputException($"{where}: '{name}' must be a number, bool, string or null, got {value!.ToJsonString()}")));
            }

            samples.Add(new MetricSample(source, uid, variables));
        }

        return samples;
    }

    private static string? Text(JsonObject record, string key, string where) => record[key] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number => value.ToJsonString(),
        var other => throw new MetricsInputException($"{where}: '{key}' must be a string, got {other.ToJsonString()}"),
    };
}
