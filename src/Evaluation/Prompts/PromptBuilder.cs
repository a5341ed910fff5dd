using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Datasets;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Evaluation.Prompts;

/// <summary>
/// Turns dataset rows into prompt token ids exactly as verl v0.6.1's <c>RLHFDataset</c> does (the last version that
/// tokenizes in the dataset; from v0.7 the agent loop does the same with the same template call):
/// <c>apply_chat_template(messages, add_generation_prompt=True, tokenize=False, **apply_chat_template_kwargs)</c>,
/// then <c>tokenizer(text, add_special_tokens=False)</c>. With <see cref="PromptOptions.FilterOverlongPrompts"/> a row
/// is dropped when that token count exceeds max_prompt_length or its template raises (verl's
/// <c>maybe_filter_out_long_prompts</c>, which counts a failing row as overlong); otherwise an overlong prompt is cut
/// by <see cref="PromptOptions.Truncation"/> (<c>postprocess_data</c>) or, with <c>error</c>, refused.
/// Thread-safe: tokenizer and template are.
/// </summary>
public sealed class PromptBuilder
{
    private readonly HfTokenizer _tokenizer;
    private readonly ChatTemplate _template;
    private readonly IReadOnlyDictionary<string, JsonNode?> _kwargs;

    public PromptBuilder(HfTokenizer tokenizer, ChatTemplate template, PromptOptions options)
    {
        options.Validate();
        _tokenizer = tokenizer;
        _template = template;
        Options = options;
        _kwargs = (options.ApplyChatTemplateKwargs ?? []).ToDictionary(p => p.Key, p => p.Value?.DeepClone(), StringComparer.Ordinal);
    }

    public PromptOptions Options { get; }

    /// <summary>
    /// The tokenizer and chat template of a model folder, the template chosen as transformers chooses it (the
    /// <c>tool_use</c> one of a named list when the kwargs carry <c>tools</c>).
    /// </summary>
    public static PromptBuilder FromDirectory(string folder, PromptOptions options) =>
        new(HfTokenizer.FromDirectory(folder), ChatTemplate.FromDirectory(folder, withTools: options.ApplyChatTemplateKwargs?["tools"] is not null), options);

    /// <summary>The prompt of <paramref name="row"/>; throws <see cref="PromptBuildException"/> when the row cannot be sent and filtering is off.</summary>
    public BuiltPrompt Build(DatasetRow row)
    {
        string text;
        try
        {
            text = _template.Render((JsonArray)row.Prompt.DeepClone(), addGenerationPrompt: true, _kwargs);
        }
        catch (Exception e) when (e is ChatTemplateException or ArgumentException)
        {
            return Options.FilterOverlongPrompts
                ? new BuiltPrompt(PromptDisposition.Filtered, "", [], null, $"chat template failed: {e.Message}")
                : throw new PromptBuildException(row.SourceFile, row.RowInFile, $"chat template failed: {e.Message}", e);
        }

        var ids = _tokenizer.Encode(text);
        var max = Options.MaxPromptLength;
        if (ids.Count <= max)
        {
            return new BuiltPrompt(PromptDisposition.Kept, text, ids, ids.Count, null);
        }

        if (Options.FilterOverlongPrompts)
        {
            return new BuiltPrompt(PromptDisposition.Filtered, text, [], ids.Count, $"{ids.Count} prompt tokens > max_prompt_length {max}");
        }

        if (Options.Truncation == TruncationMode.Error)
        {
            throw new PromptBuildException(row.SourceFile, row.RowInFile,
                $"prompt length {ids.Count} is longer than max_prompt_length {max} (truncation 'error'; use left, right or middle, or filter overlong prompts)");
        }

        var kept = Options.Truncation.Apply(ids, max);
        return new BuiltPrompt(PromptDisposition.Truncated, _tokenizer.Decode(kept), kept, ids.Count, null);
    }
}
