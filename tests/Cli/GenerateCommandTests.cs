using System.Runtime.InteropServices;
using System.Text.Json;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Cli.Commands;
using VerlOrleans.Cli.Generation;
using VerlOrleans.Inference.Tests.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests;

/// <summary><c>verlorleans generate</c> on the fixture models, checked against PyTorch's reference outputs.</summary>
public sealed class GenerateCommandTests
{
    private static readonly string Qwen2 = ReferenceFixture.FolderOf("qwen2-tiny");

    [Fact]
    public async Task Greedy_generation_from_prompt_ids_prints_pytorchs_tokens_as_a_json_line()
    {
        var reference = ReferenceFixture.Load("qwen2-tiny").Case("long");

        var (exit, output, error) = await CliHarness.RunAsync("generate", "--model", Qwen2, "--prompt-ids", string.Join(",", reference.PromptIds),
            "--max-new-tokens", "12", "--ignore-eos");

        Assert.Equal(0, exit);
        var line = Assert.Single(Lines(output));
        Assert.Equal(reference.GreedyIds, line.GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal(JsonValueKind.Null, line.GetProperty("text").ValueKind);
        Assert.Equal("length", line.GetProperty("finish_reason").GetString());
        Assert.Contains("model: 102,976 parameters", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logits_out_holds_the_prefill_and_step_logits_pytorch_computed()
    {
        var fixture = ReferenceFixture.Load("llama3-tiny");
        var reference = fixture.Case("short");
        using var temp = new TempDirectory("generate");
        var path = temp.Combine("logits.safetensors");
        File.WriteAllText(path, "an older file, replaced whole");

        var (exit, _, error) = await CliHarness.RunAsync("generate", "--model", fixture.Folder, "--prompt-ids", string.Join(",", reference.PromptIds),
            "--max-new-tokens", "12", "--ignore-eos", "--logits-out", path);

        Assert.True(exit == 0, error);
        var tensors = SafetensorsModel.Open(path).Tensors;
        var prefill = Floats(tensors["prefill"]);
        var steps = Floats(tensors["sequence0.steps"]);
        var expected = fixture.Rows("short.greedy_logits");
        Assert.Equal([12L, 256L], tensors["sequence0.steps"].Shape);
        AssertClose(fixture.Rows("short.prompt_logits")[^1], prefill);
        for (var step = 0; step < 12; step++)
        {
            AssertClose(expected[step], steps.AsSpan(step * 256, 256).ToArray());
        }

        Assert.Single(Directory.GetFiles(temp.Path));                       // no temporary file left behind
    }

    [Fact]
    public async Task Seeded_samples_are_reproducible_and_stop_token_ids_end_them()
    {
        string[] args = ["generate", "--model", Qwen2, "--prompt-ids", "5,6,7", "--n", "3", "--temperature", "1.0", "--top-k", "40", "--seed", "9", "--max-new-tokens", "10"];

        var first = await CliHarness.RunAsync(args);
        var second = await CliHarness.RunAsync(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(3, Lines(first.Output).Count);
        Assert.Equal(first.Output, second.Output);

        var tokens = Lines(first.Output)[0].GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt32()).ToList();
        var stopAt = tokens[3];
        var stopped = await CliHarness.RunAsync([.. args, "--stop-token-ids", $"{stopAt}"]);
        var line = Lines(stopped.Output)[0];
        Assert.Equal(tokens.Take(tokens.IndexOf(stopAt) + 1), line.GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal("stop", line.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Text_prompts_messages_and_stop_strings_go_through_the_prompt_codec()
    {
        using var temp = new TempDirectory("generate");
        var messages = temp.Combine("messages.json");
        File.WriteAllText(messages, """[{"role": "user", "content": "hi"}]""");
        var root = new System.CommandLine.RootCommand { GenerateCommand.Create(_ => new Latin1Codec()) };

        var fromText = await CliHarness.RunAsync(root, "generate", "--model", Qwen2, "--prompt", "abc", "--max-new-tokens", "8", "--ignore-eos");
        var fromIds = await CliHarness.RunAsync(root, "generate", "--model", Qwen2, "--prompt-ids", "97,98,99", "--max-new-tokens", "8", "--ignore-eos");
        var fromMessages = await CliHarness.RunAsync(root, "generate", "--model", Qwen2, "--messages", messages, "--max-new-tokens", "8", "--ignore-eos");

        Assert.Equal(0, fromText.ExitCode);
        Assert.Equal(fromIds.Output, fromText.Output);
        var text = Lines(fromText.Output)[0].GetProperty("text").GetString()!;
        Assert.Equal(8, text.Length);
        Assert.Equal(0, fromMessages.ExitCode);

        var stop = text.Substring(3, 2);
        var stopped = await CliHarness.RunAsync(root, "generate", "--model", Qwen2, "--prompt", "abc", "--max-new-tokens", "8", "--ignore-eos", "--stop", stop);
        var line = Lines(stopped.Output)[0];
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], line.GetProperty("text").GetString());
        Assert.Equal("stop", line.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Messages_are_rendered_with_the_models_chat_template_and_answered_like_pytorch()
    {
        var reference = TinyChatModel.Reference.Case("multi-turn");
        using var temp = new TempDirectory("generate");
        var messages = temp.Combine("messages.json");
        File.WriteAllText(messages, reference.Messages.ToJsonString());
        var wrapped = temp.Combine("conversation.json");
        File.WriteAllText(wrapped, new System.Text.Json.Nodes.JsonObject { ["messages"] = reference.Messages.DeepClone(), ["add_generation_prompt"] = true }.ToJsonString());

        var (exit, output, error) = await CliHarness.RunAsync("generate", "--model", TinyChatModel.Folder, "--messages", messages, "--max-new-tokens", $"{TinyChatModel.Reference.MaxNewTokens}");
        var fromObject = await CliHarness.RunAsync("generate", "--model", TinyChatModel.Folder, "--messages", wrapped, "--max-new-tokens", $"{TinyChatModel.Reference.MaxNewTokens}");

        Assert.True(exit == 0, error);
        var line = Assert.Single(Lines(output));
        Assert.Equal(reference.GreedyIds, line.GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal(reference.ResponseText, line.GetProperty("text").GetString());
        Assert.Equal(reference.FinishReason, line.GetProperty("finish_reason").GetString());
        Assert.Equal(output, fromObject.Output);
    }

    [Fact]
    public async Task A_text_prompt_is_encoded_without_special_tokens_and_stop_strings_cut_the_text()
    {
        var reference = TinyChatModel.Reference.Case("system-and-user");
        var ids = string.Join(",", reference.PromptIds);

        var fromText = await CliHarness.RunAsync("generate", "--model", TinyChatModel.Folder, "--prompt", reference.PromptText, "--max-new-tokens", "12");
        var fromIds = await CliHarness.RunAsync("generate", "--model", TinyChatModel.Folder, "--prompt-ids", ids, "--max-new-tokens", "12");
        var text = Lines(fromText.Output)[0].GetProperty("text").GetString()!;
        var stop = text.Substring(3, 3);
        var stopped = await CliHarness.RunAsync("generate", "--model", TinyChatModel.Folder, "--prompt", reference.PromptText, "--max-new-tokens", "12", "--stop", stop);

        Assert.True(fromText.ExitCode == 0, fromText.Error);
        Assert.Equal(fromIds.Output, fromText.Output);
        Assert.Equal(reference.ResponseText[..text.Length], text);
        var line = Lines(stopped.Output)[0];
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], line.GetProperty("text").GetString());
        Assert.Equal("stop", line.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Malformed_messages_exit_with_2_and_say_why()
    {
        using var temp = new TempDirectory("generate");
        var messages = temp.Combine("messages.json");
        File.WriteAllText(messages, """{"turns": []}""");

        var (exit, output, error) = await CliHarness.RunAsync("generate", "--model", TinyChatModel.Folder, "--messages", messages);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("an object with a \"messages\" array", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--prompt", "hello", "--prompt needs the model's tokenizer and chat template")]
    [InlineData("--prompt-ids", "1,x,3", "--prompt-ids: item 2 ('x') is not a token id")]
    [InlineData("--prompt-ids", "1,999", "prompt token id 999 is outside the vocabulary [0, 256)")]
    [InlineData("--top-p", "1.5", "sampling parameter TopP = 1.5")]
    [InlineData("--stop", "x", "--stop needs the model's tokenizer")]
    public async Task Unusable_input_exits_with_2_and_says_why(string option, string value, string message)
    {
        string[] prompt = option is "--prompt" or "--prompt-ids" ? [] : ["--prompt-ids", "1,2"];

        var (exit, output, error) = await CliHarness.RunAsync(["generate", "--model", Qwen2, .. prompt, option, value]);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_model_or_an_unsupported_architecture_exits_with_2_naming_the_file()
    {
        using var temp = new TempDirectory("generate");
        var missing = await CliHarness.RunAsync("generate", "--model", temp.Combine("nowhere"), "--prompt-ids", "1");
        File.WriteAllText(temp.Combine("config.json"), """{"architectures": ["GPT2LMHeadModel"]}""");
        var unsupported = await CliHarness.RunAsync("generate", "--model", temp.Path, "--prompt-ids", "1");
        var twoPrompts = await CliHarness.RunAsync("generate", "--model", Qwen2, "--prompt-ids", "1", "--prompt", "x");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains(Path.Combine(temp.Combine("nowhere"), "config.json"), missing.Error, StringComparison.Ordinal);
        Assert.Equal(2, unsupported.ExitCode);
        Assert.Contains("unsupported architecture 'GPT2LMHeadModel'", unsupported.Error, StringComparison.Ordinal);
        Assert.Equal(2, twoPrompts.ExitCode);
        Assert.Contains("exactly one of --prompt, --prompt-ids, --messages", twoPrompts.Error, StringComparison.Ordinal);
    }

    private static List<JsonElement> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private static float[] Floats(SafetensorsTensorInfo info) => MemoryMarshal.Cast<byte, float>(SafetensorsFile.ReadAllBytes(info)).ToArray();

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-4f, $"max abs error {worst:E2}");
    }

    /// <summary>
    /// A codec that is not a tokenizer (one character per byte-sized id, a chat rendered as "role: content\n"): shows
    /// that generate goes through whatever <see cref="PromptCodecLoader"/> it is given.
    /// </summary>
    private sealed class Latin1Codec : IPromptCodec
    {
        public IReadOnlyList<int> EncodePrompt(string text) => text.Select(c => (int)c).ToList();

        public IReadOnlyList<int> EncodeMessages(string messagesJson) =>
            EncodePrompt(string.Concat(JsonDocument.Parse(messagesJson).RootElement.EnumerateArray()
                .Select(m => $"{m.GetProperty("role").GetString()}: {m.GetProperty("content").GetString()}\n")));

        public string Decode(IReadOnlyList<int> tokenIds) => new(tokenIds.Select(id => (char)id).ToArray());
    }
}
