using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
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
using VerlOrleans.Inference.Sampling;
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
        var data = new Option<string[]>("--data") { Description = "verl parquet (or JSON/JSONL) dataset; repeat to concatenate", Required = true, AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--out") { Description = "Results folder (created; an unfinished run there is resumed)", Required = true };
        var maxSamples = new Option<long>("--max-samples") { Description = "Evaluate the first M rows (-1: all)", DefaultValueFactory = _ => -1 };
        var shuffle = new Option<bool>("--shuffle") { Description = "With --max-samples: pick the rows at random, as verl's RLHFDataset does" };
        var shuffleSeed = new Option<ulong?>("--shuffle-seed") { Description = "Seed of --shuffle (default: drawn, recorded in the manifest)" };
        var promptKey = new Option<string>("--prompt-key") { Description = "Column holding the chat messages (verl data.prompt_key)", DefaultValueFactory = _ => "prompt" };
        var n = new Option<int>("--n") { Description = "Responses per prompt", DefaultValueFactory = _ => 1 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy (verl's val_kwargs default)", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus mass in (0, 1]", DefaultValueFactory = _ => 1 };
        var topK = new Option<int>("--top-k") { Description = "Keep the K most likely tokens (-1: off)", DefaultValueFactory = _ => -1 };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed (prompt p's sample i uses seed + p*n + i; default: drawn, recorded in the manifest)" };
        var maxPromptLength = new Option<int>("--max-prompt-length") { Description = "Most prompt tokens after the chat template (verl data.max_prompt_length)", DefaultValueFactory = _ => 1024 };
        var maxResponseLength = new Option<int>("--max-response-length") { Description = "Most tokens per response (verl data.max_response_length)", DefaultValueFactory = _ => 512 };
        var truncation = new Option<string>("--truncation") { Description = "Overlong prompts when not filtered: error, left, right or middle", DefaultValueFactory = _ => "error" };
        var filter = new Option<bool>("--filter-overlong-prompts") { Description = "Drop (and list) prompts longer than --max-prompt-length instead of truncating them", DefaultValueFactory = _ => true };
        var kwargs = new Option<string?>("--apply-chat-template-kwargs") { Description = "JSON object of chat template variables, e.g. {\"enable_thinking\": false}" };
        var batchSize = new Option<int>("--batch-size") { Description = "Sequences decoded together (KV cache slots); as many prompts are kept in flight", DefaultValueFactory = _ => 32 };
        var rewardMode = new Option<string>("--reward-mode") { Description = "naive (verl <= 0.6 reward manager) or reward-loop (adds acc, verl >= 0.7)", DefaultValueFactory = _ => "naive" };
        var routes = new Option<string[]>("--route") { Description = "Route a data source to a reward: SOURCE=REWARD (gsm8k, math, math_dapo); a trailing * routes a prefix", AllowMultipleArgumentsPerToken = false };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16 or float16 (default: bfloat16 on CUDA, float32 on CPU)" };
        var mergeCache = new Option<string?>("--merge-cache") { Description = $"Where verl actor folders are merged (default: {EvalModel.DefaultMergeCache})" };

        var command = new Command("eval", "Evaluate a checkpoint on verl datasets in this process: prompts, generation, rewards, verl's metrics; resumable.")
        {
            model, data, output, maxSamples, shuffle, shuffleSeed, promptKey, n, temperature, topP, topK, seed, maxPromptLength, maxResponseLength,
            truncation, filter, kwargs, batchSize, rewardMode, routes, device, dtype, mergeCache,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                var prompt = new PromptOptions
                {
                    MaxPromptLength = parseResult.GetValue(maxPromptLength),
                    Truncation = TruncationModes.Parse(parseResult.GetValue(truncation)!),
                    FilterOverlongPrompts = parseResult.GetValue(filter),
                    ApplyChatTemplateKwargs = ParseKwargs(parseResult.GetValue(kwargs)),
                };
                prompt.Validate();
                var batch = parseResult.GetValue(batchSize);
                if (batch < 1)
                {
                    throw new ArgumentException($"--batch-size {batch} must be at least 1");
                }

                var sampling = new SamplingParams
                {
                    N = parseResult.GetValue(n),
                    Temperature = parseResult.GetValue(temperature),
                    TopP = parseResult.GetValue(topP),
                    TopK = parseResult.GetValue(topK),
                    Seed = parseResult.GetValue(seed),
                    MaxTokens = parseResult.GetValue(maxResponseLength),
                };
                sampling.Validate();
                var mode = parseResult.GetValue(rewardMode) switch
                {
                    "naive" => RewardMode.Naive,
                    "reward-loop" => RewardMode.RewardLoop,
                    var other => throw new ArgumentException($"--reward-mode '{other}' is not naive or reward-loop"),
                };
                var routing = RewardRoutingOptions.Parse(parseResult.GetValue(routes) ?? []);
                var load = new ModelLoadOptions(parseResult.GetValue(device)!, parseResult.GetValue(dtype));

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
                    DataFiles = parseResult.GetValue(data)!,
                    Dataset = new DatasetOptions
                    {
                        PromptKey = parseResult.GetValue(promptKey)!,
                        MaxSamples = parseResult.GetValue(maxSamples),
                        Shuffle = parseResult.GetValue(shuffle),
                        Seed = parseResult.GetValue(shuffleSeed),
                    },
                    Prompt = prompt,
                    Sampling = sampling,
                    RewardMode = mode,
                    RewardRoutes = routing,
                    OutputFolder = parseResult.GetValue(output)!,
                    MaxInFlight = batch,
                    CallerId = "eval",
                    Model = new ModelIdentity(resolved.GivenPath, resolved.ContentHash, load.ScalarType.ToString(), load.Device),
                    ToolVersions = ToolVersions(),
                };

                await using var generator = EngineResponseGenerator.Start(resolved.Folder, tokenizer, runner, callerId: spec.CallerId);
                var pipeline = new EvaluationPipeline(tokenizer, template, generator);
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

    private static JsonObject? ParseKwargs(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("--apply-chat-template-kwargs must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"--apply-chat-template-kwargs is not valid JSON: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> ToolVersions() => new()
    {
        ["verlorleans"] = typeof(EvalCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        [".net"] = Environment.Version.ToString(),
        ["torchsharp"] = TorchRuntime.TorchSharpVersion,
    };
}
