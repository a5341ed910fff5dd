using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Spectre.Console;
using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Cli.Evaluation;
using VerlOrleans.Cli.Output;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Evaluation.Results;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Inference.Devices;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Models;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans eval --model DIR --data FILE... --out DIR</c>: a whole evaluation in one process with the inference
/// engine: verl's prompts, sampling, rule rewards and validation metrics, results written as they arrive, a progress
/// bar on stderr and the metrics table on stdout. Running it again with the same arguments resumes an unfinished run
/// (or does nothing for a finished one). DIR is a Hugging Face folder or a verl actor folder (merged on the fly).
/// Exit codes: 0 done, 1 failed or cancelled (rerun to resume), 2 unreadable input or usage error.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Hugging Face model folder, or a verl actor folder (global_step_N/actor) to merge", Required = true };
        var output = new Option<string>("--out") { Description = "Results folder (created; an unfinished run there is resumed)", Required = true };
        var evaluation = new EvaluationOptions();
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var mergeCache = new Option<string?>("--merge-cache") { Description = $"Where verl actor folders are merged (default: {EvalModel.DefaultMergeCache})" };
        var python = evaluation.Reward;

        var command = new Command("eval", "Evaluate a checkpoint on verl datasets in this process: prompts, generation, rewards, verl's metrics; resumable.")
        {
            model, output,
        };
        foreach (var option in evaluation.All)
        {
            command.Options.Add(option);
        }

        foreach (var option in python.Local)
        {
            command.Options.Add(option);
        }

        command.Options.Add(device);
        command.Options.Add(mergeCache);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                var settings = evaluation.Read(parseResult);
                var pythonRewards = python.ReadLocal(parseResult);
                var (prompt, sampling, batch) = (settings.Prompt, settings.Sampling, settings.BatchSize);
                var load = new ModelLoadOptions(parseResult.GetValue(device)!, settings.DType);

                var resolved = await EvalModel.ResolveAsync(parseResult.GetValue(model)!, parseResult.GetValue(mergeCache) ?? EvalModel.DefaultMergeCache, stderr, cancellationToken);
                var tokenizer = HfTokenizer.FromDirectory(resolved.Folder);
                var template = ChatTemplate.FromDirectory(resolved.Folder, withTools: prompt.ApplyChatTemplateKwargs?["tools"] is not null);
                var config = ModelConfig.Load(resolved.Folder);
                var runner = new TorchRunnerOptions
                {
                    Load = load,
                    MaxBatchSize = batch,
                    MaxSequenceLength = (int)Math.Min((long)prompt.MaxPromptLength + sampling.MaxTokens, config.MaxPositionEmbeddings),
                };
                var plan = TorchModelRunner.Plan(resolved.Folder, runner);
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"model: {resolved.Folder} ({plan.Footprint.ParameterCount:N0} parameters, weights {resolved.ContentHash[..16]}, {load.ScalarType} on {load.Device}; KV cache {plan.Slots} x {plan.MaxSequenceLength} positions)"));

                var spec = new EvaluationSpec
                {
                    DataFiles = settings.DataFiles,
                    Dataset = settings.Dataset,
                    Prompt = prompt,
                    Sampling = sampling,
                    RewardMode = settings.RewardMode,
                    RewardRoutes = settings.Routes,
                    CustomReward = settings.CustomReward,
                    OutputFolder = parseResult.GetValue(output)!,
                    MaxInFlight = batch,
                    CallerId = "eval",
                    Model = new ModelIdentity(resolved.GivenPath, resolved.ContentHash, load.ScalarType.ToString(), load.Device),
                    ToolVersions = ToolVersions(),
                };

                await using var generator = EngineResponseGenerator.Start(resolved.Folder, tokenizer, runner, callerId: spec.CallerId);
                var pipeline = new EvaluationPipeline(tokenizer, template, generator, pythonRewards: pythonRewards);
                var console = EvaluationProgressBar.ConsoleFor(stderr, ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected);
                EvaluationOutcome? outcome = null;
                EvaluationProgressBar? bar = null;
                await console.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        bar = new EvaluationProgressBar(context.AddTask("planning", maxValue: 1), TimeProvider.System);
                        outcome = await pipeline.RunAsync(spec, bar, cancellationToken);
                    });

                stderr.WriteLine(EvaluationProgressBar.Describe(bar!.Last!));
                stderr.WriteLine($"prompts: {outcome!.Prompts.Selected} selected, {outcome.Prompts.Filtered} filtered, {outcome.Prompts.Truncated} truncated"
                    + (outcome.Prompts.Filtered + outcome.Prompts.Truncated > 0 ? $" (listed in {ResultsFolder.PromptReportFile})" : ""));
                stderr.WriteLine($"samples: {outcome.SamplesTotal} ({outcome.SamplesGenerated} generated now, {outcome.SamplesResumed} already in the folder); results in {outcome.OutputFolder}");
                MetricsTable.Write(EvaluationProgressBar.ConsoleFor(stdout, ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected), outcome.Metrics);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or DatasetFormatException or ResultsFormatException or CheckpointFormatException
                or TokenizerFormatException or ChatTemplateException or PromptBuildException or RewardConfigurationException or JsonException
                or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"eval: {e.Message}");
                return 2;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stderr.WriteLine("eval: cancelled; the results so far are kept: run the same command again to resume");
                return 1;
            }
            catch (Exception e) when (e is EvaluationException or CheckpointMergeException)
            {
                stderr.WriteLine($"eval failed: {e.Message} (the results so far are kept: run the same command again to resume)");
                return 1;
            }
        });
        return command;
    }

    private static Dictionary<string, string> ToolVersions() => new()
    {
        ["verlorleans"] = typeof(EvalCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        [".net"] = Environment.Version.ToString(),
        ["torchsharp"] = TorchRuntime.TorchSharpVersion,
    };
}
