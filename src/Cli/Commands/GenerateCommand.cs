using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using VerlOrleans.Checkpoints;
using VerlOrleans.Cli.Generation;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Models;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans generate</c>: loads a Hugging Face model folder into the inference engine and continues one
/// prompt (token ids, plain text, or chat messages rendered with the model's chat template), printing one JSON line
/// per sequence (<c>token_ids</c>, <c>text</c>, <c>finish_reason</c>).
/// </summary>
public static class GenerateCommand
{
    private static readonly JsonSerializerOptions JsonLines = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="codecs">Opens a model's tokenizer and chat template for --prompt, --messages, text and stop
    /// strings (default: the folder's tokenizer.json and chat template); a folder without one only takes --prompt-ids
    /// and stop token ids.</param>
    public static Command Create(PromptCodecLoader? codecs = null)
    {
        codecs ??= TokenizerPromptCodec.Open;
        var model = new Option<string>("--model") { Description = "Hugging Face model folder (config.json + safetensors)", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "Prompt text (needs the model's tokenizer)" };
        var promptIds = new Option<string?>("--prompt-ids") { Description = "Prompt token ids, comma-separated: 1,2,3" };
        var messages = new Option<string?>("--messages") { Description = "JSON file of chat messages, rendered with the model's chat template" };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Most tokens generated per sequence", DefaultValueFactory = _ => 16 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy (default)", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus mass in (0, 1]", DefaultValueFactory = _ => 1 };
        var topK = new Option<int>("--top-k") { Description = "Keep the K most likely tokens (0 or -1: off)", DefaultValueFactory = _ => -1 };
        var minP = new Option<double>("--min-p") { Description = "Drop tokens below min-p times the top probability", DefaultValueFactory = _ => 0 };
        var n = new Option<int>("--n") { Description = "Sequences to sample for the prompt", DefaultValueFactory = _ => 1 };
        var seed = new Option<long?>("--seed") { Description = "Seed of the sampler (sequence i uses seed + i)" };
        var stopIds = new Option<string?>("--stop-token-ids") { Description = "Extra stop token ids, comma-separated" };
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable; needs the tokenizer)", Arity = ArgumentArity.ZeroOrMore };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Do not stop at the model's end-of-sequence ids" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16 or float16 (default: bfloat16 on CUDA, float32 on CPU)" };
        var logitsOut = new Option<string?>("--logits-out") { Description = "Write the float32 logits of the prefill and of every step to this safetensors file" };

        var command = new Command("generate", "Generate from a prompt with the inference engine; prints one JSON line per sequence.")
        {
            model, prompt, promptIds, messages, maxNewTokens, temperature, topP, topK, minP, n, seed, stopIds, stop, ignoreEos, device, dtype, logitsOut,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var folder = parseResult.GetValue(model)!;
            try
            {
                var codec = codecs(folder);
                var ids = PromptIds(parseResult.GetValue(prompt), parseResult.GetValue(promptIds), parseResult.GetValue(messages), codec);
                var sampling = new SamplingParams
                {
                    N = parseResult.GetValue(n),
                    Temperature = parseResult.GetValue(temperature),
                    TopP = parseResult.GetValue(topP),
                    TopK = parseResult.GetValue(topK),
                    MinP = parseResult.GetValue(minP),
                    Seed = parseResult.GetValue(seed),
                    MaxTokens = parseResult.GetValue(maxNewTokens),
                    StopTokenIds = ParseIds(parseResult.GetValue(stopIds), "--stop-token-ids"),
                    Stop = parseResult.GetValue(stop) ?? [],
                    IgnoreEos = parseResult.GetValue(ignoreEos),
                };
                sampling.Validate();
                if (sampling.Stop.Count > 0 && codec is null)
                {
                    throw new UsageException($"--stop needs the model's tokenizer to decode text, and {folder} has no tokenizer.json; use --stop-token-ids");
                }

                var logitsPath = parseResult.GetValue(logitsOut);
                var runnerOptions = RunnerOptions(folder, new ModelLoadOptions(parseResult.GetValue(device)!, parseResult.GetValue(dtype)), ids.Count, sampling);
                var plan = TorchModelRunner.Plan(folder, runnerOptions);
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"model: {plan.Footprint.ParameterCount:N0} parameters, weights {Mib(plan.Footprint.WeightBytes)} + KV cache {Mib(plan.KvCacheBytes)} ({plan.Slots} x {plan.MaxSequenceLength} positions) as {runnerOptions.Load.ScalarType} on {runnerOptions.Load.Device}"));

                await using var engine = InferenceEngine.Start(folder, runnerOptions, new EngineOptions { Decoder = codec is null ? null : codec.Decode });
                var result = await engine.GenerateAsync(new GenerationRequest(ids, sampling) { CaptureLogits = logitsPath is not null }, cancellationToken);
                foreach (var sequence in result.Sequences)
                {
                    output.WriteLine(JsonSerializer.Serialize(new SequenceLine(sequence.TokenIds, sequence.Text, sequence.FinishReason.ToWireName()), JsonLines));
                }

                if (logitsPath is not null)
                {
                    LogitsFileWriter.Write(logitsPath, result);
                }

                return 0;
            }
            catch (Exception e) when (e is UsageException or CheckpointFormatException or ArgumentException or IOException or UnauthorizedAccessException
                or TokenizerFormatException or ChatTemplateException)
            {
                error.WriteLine($"generate: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error.WriteLine($"generate failed: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static TorchRunnerOptions RunnerOptions(string folder, ModelLoadOptions load, int promptLength, SamplingParams sampling)
    {
        var config = ModelConfig.Load(folder);
        if (promptLength >= config.MaxPositionEmbeddings)
        {
            throw new UsageException($"the prompt has {promptLength} tokens; the model's max_position_embeddings is {config.MaxPositionEmbeddings}");
        }

        // One slot per sequence, each exactly as long as this request can grow.
        var length = (int)Math.Min((long)promptLength + sampling.MaxTokens, config.MaxPositionEmbeddings);
        return new TorchRunnerOptions { Load = load, MaxBatchSize = sampling.N, MaxSequenceLength = length };
    }

    private static IReadOnlyList<int> PromptIds(string? text, string? ids, string? messagesFile, IPromptCodec? codec)
    {
        var given = new[] { text, ids, messagesFile }.Count(v => v is not null);
        if (given != 1)
        {
            throw new UsageException("give exactly one of --prompt, --prompt-ids, --messages");
        }

        if (ids is not null)
        {
            return ParseIds(ids, "--prompt-ids");
        }

        if (codec is null)
        {
            throw new UsageException($"{(text is not null ? "--prompt" : "--messages")} needs the model's tokenizer and chat template (no tokenizer.json in the model folder); use --prompt-ids");
        }

        return text is not null ? codec.EncodePrompt(text) : codec.EncodeMessages(File.ReadAllText(messagesFile!));
    }

    private static IReadOnlyList<int> ParseIds(string? list, string option)
    {
        if (list is null)
        {
            return [];
        }

        return list.Split(',', StringSplitOptions.TrimEntries).Select((item, i) =>
            int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? id
                : throw new UsageException($"{option}: item {i + 1} ('{item}') is not a token id")).ToList();
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):F1} MiB");

    private sealed record SequenceLine(
        [property: JsonPropertyName("token_ids")] IReadOnlyList<int> TokenIds,
        [property: JsonPropertyName("text")] string? Text,
        [property: JsonPropertyName("finish_reason")] string FinishReason);

    /// <summary>The command line asks for something impossible (exit code 2).</summary>
    private sealed class UsageException(string message) : Exception(message);
}
