using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Evaluation.Prompts;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Prompts;

/// <summary>
/// Prompt building as verl's RLHFDataset does it, on the tiny chat model's real tokenizer and Qwen2.5 template:
/// the ids PyTorch's reference was fed, each truncation mode, the overlong filter's boundary, template kwargs.
/// </summary>
public sealed class PromptBuilderTests
{
    private static readonly HfTokenizer Tokenizer = HfTokenizer.FromDirectory(TinyChatModel.Folder);
    private static readonly ChatTemplate Qwen25 = ChatTemplate.FromDirectory(TinyChatModel.Folder);

    private static readonly JsonArray LongChat = Chat(string.Join(" ", Enumerable.Range(1, 40).Select(i => $"Step {i}: add {i * 7} apples.")));

    [Theory]
    [InlineData("gsm8k-row-0")]
    [InlineData("system-and-user")]
    [InlineData("multi-turn")]
    public void Prompts_are_the_text_and_ids_of_the_python_reference(string name)
    {
        var reference = TinyChatModel.Reference.Case(name);

        var prompt = Builder(new PromptOptions()).Build(Row(reference.Messages));

        Assert.Equal(PromptDisposition.Kept, prompt.Disposition);
        Assert.Equal(reference.PromptText, prompt.Text);
        Assert.Equal(reference.PromptIds, prompt.TokenIds);
        Assert.Equal(reference.PromptIds.Count, prompt.TemplatedLength);
    }

    [Theory]
    [InlineData(TruncationMode.Left, 40)]
    [InlineData(TruncationMode.Right, 40)]
    [InlineData(TruncationMode.Middle, 40)]
    [InlineData(TruncationMode.Middle, 41)]
    public void Overlong_prompts_without_filtering_are_cut_as_postprocess_data_cuts_them(TruncationMode mode, int max)
    {
        var full = Builder(new PromptOptions { MaxPromptLength = 100_000 }).Build(Row(LongChat)).TokenIds.ToArray();

        var prompt = Builder(new PromptOptions { MaxPromptLength = max, FilterOverlongPrompts = false, Truncation = mode }).Build(Row(LongChat));

        int[] expected = mode switch
        {
            TruncationMode.Left => full[^max..],
            TruncationMode.Right => full[..max],
            _ => [.. full[..(max / 2)], .. full[^(max - (max / 2))..]],
        };
        Assert.True(full.Length > max);
        Assert.Equal(PromptDisposition.Truncated, prompt.Disposition);
        Assert.Equal(expected, prompt.TokenIds);
        Assert.Equal(full.Length, prompt.TemplatedLength);
        Assert.Equal(Tokenizer.Decode(expected), prompt.Text);
    }

    [Fact]
    public void Error_truncation_refuses_an_overlong_prompt_naming_file_row_and_lengths()
    {
        var full = Builder(new PromptOptions { MaxPromptLength = 100_000 }).Build(Row(LongChat)).TokenIds.Count;

        var error = Assert.Throws<PromptBuildException>(() =>
            Builder(new PromptOptions { MaxPromptLength = 50, FilterOverlongPrompts = false }).Build(Row(LongChat, rowInFile: 7)));

        Assert.Equal("/data/rows.jsonl: row 7: prompt length " + full + " is longer than max_prompt_length 50 (truncation 'error'; use left, right or middle, or filter overlong prompts)", error.Message);
    }

    [Fact]
    public void The_filter_keeps_a_prompt_of_exactly_max_tokens_and_drops_one_more()
    {
        var length = Builder(new PromptOptions { MaxPromptLength = 100_000 }).Build(Row(LongChat)).TokenIds.Count;

        var atLimit = Builder(new PromptOptions { MaxPromptLength = length }).Build(Row(LongChat));
        var overLimit = Builder(new PromptOptions { MaxPromptLength = length - 1, Truncation = TruncationMode.Left }).Build(Row(LongChat));

        Assert.Equal(PromptDisposition.Kept, atLimit.Disposition);
        Assert.Equal(PromptDisposition.Filtered, overLimit.Disposition);
        Assert.Empty(overLimit.TokenIds);
        Assert.Equal(length, overLimit.TemplatedLength);
        Assert.Equal($"{length} prompt tokens > max_prompt_length {length - 1}", overLimit.FilterReason);
    }

    [Fact]
    public void Apply_chat_template_kwargs_reach_the_template_like_enable_thinking_in_qwen3()
    {
        var qwen3 = ChatTemplate.FromString(File.ReadAllText(Path.Combine(TextFixtures.Folder, "Templates", "qwen3.jinja")),
            new Dictionary<string, string> { ["eos_token"] = "<|im_end|>", ["pad_token"] = "<|endoftext|>" });
        var chat = Chat("Is 7 prime?");

        var plain = new PromptBuilder(Tokenizer, qwen3, new PromptOptions()).Build(Row(chat));
        var noThinking = new PromptBuilder(Tokenizer, qwen3, new PromptOptions { ApplyChatTemplateKwargs = new JsonObject { ["enable_thinking"] = false } }).Build(Row(chat));

        Assert.EndsWith("<|im_start|>assistant\n", plain.Text, StringComparison.Ordinal);
        Assert.Equal(plain.Text + "<think>\n\n</think>\n\n", noThinking.Text);
        Assert.Equal(Tokenizer.Encode(noThinking.Text), noThinking.TokenIds);
        Assert.True(noThinking.TokenIds.Count > plain.TokenIds.Count);
    }

    [Fact]
    public void A_row_whose_template_raises_is_filtered_with_the_reason_or_refused_without_filtering()
    {
        var strict = ChatTemplate.FromString("{% for m in messages %}{% if m.role == 'tool' %}{{ raise_exception('no tool turns') }}{% endif %}{{ m.content }}{% endfor %}");
        var row = Row(new JsonArray(new JsonObject { ["role"] = "tool", ["content"] = "42" }), rowInFile: 3);

        var filtered = new PromptBuilder(Tokenizer, strict, new PromptOptions()).Build(row);
        var refused = Assert.Throws<PromptBuildException>(() => new PromptBuilder(Tokenizer, strict, new PromptOptions { FilterOverlongPrompts = false }).Build(row));

        Assert.Equal(PromptDisposition.Filtered, filtered.Disposition);
        Assert.Null(filtered.TemplatedLength);
        Assert.Contains("no tool turns", filtered.FilterReason, StringComparison.Ordinal);
        Assert.StartsWith("/data/rows.jsonl: row 3: chat template failed:", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("add_generation_prompt")]
    [InlineData("tokenize")]
    [InlineData("messages")]
    public void Kwargs_that_apply_chat_template_sets_itself_are_refused(string key)
    {
        var options = new PromptOptions { ApplyChatTemplateKwargs = new JsonObject { [key] = true } };

        var error = Assert.Throws<ArgumentException>(() => Builder(options));

        Assert.Contains($"'{key}' is set by the prompt builder itself", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error", TruncationMode.Error)]
    [InlineData("middle", TruncationMode.Middle)]
    public void Truncation_names_are_verls(string name, TruncationMode mode)
    {
        Assert.Equal(mode, TruncationModes.Parse(name));
        Assert.Equal(name, mode.ToVerlName());
        Assert.Contains("not one of error, left, right, middle", Assert.Throws<ArgumentException>(() => TruncationModes.Parse("both")).Message, StringComparison.Ordinal);
    }

    private static PromptBuilder Builder(PromptOptions options) => new(Tokenizer, Qwen25, options);

    private static JsonArray Chat(string user) => new(new JsonObject { ["role"] = "user", ["content"] = user });

    private static DatasetRow Row(JsonArray messages, long rowInFile = 0) => new()
    {
        Position = rowInFile,
        DatasetIndex = rowInFile,
        SourceFile = "/data/rows.jsonl",
        RowInFile = rowInFile,
        Uid = $"row-{rowInFile}",
        Prompt = (JsonArray)messages.DeepClone(),
        ExtraInfo = [],
        ExtraColumns = [],
    };
}
