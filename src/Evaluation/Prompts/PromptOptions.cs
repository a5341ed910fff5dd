using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Prompts;

/// <summary>
/// How dataset rows become prompts: verl's <c>data.max_prompt_length</c>, <c>data.truncation</c>,
/// <c>data.filter_overlong_prompts</c> and <c>data.apply_chat_template_kwargs</c>. The defaults are
/// <c>RLHFDataset</c>'s own (verl's trainer YAML overrides them with 512 and no filtering).
/// </summary>
public sealed record PromptOptions
{
    /// <summary>Most prompt tokens (after the chat template).</summary>
    public int MaxPromptLength { get; init; } = 1024;

    public TruncationMode Truncation { get; init; } = TruncationMode.Error;

    /// <summary>Drop rows whose templated prompt is longer than <see cref="MaxPromptLength"/> (and rows whose template fails) instead of truncating them.</summary>
    public bool FilterOverlongPrompts { get; init; } = true;

    /// <summary>Extra chat-template variables (<c>enable_thinking</c>, <c>tools</c>, …), passed as <c>apply_chat_template(**kwargs)</c>.</summary>
    public JsonObject? ApplyChatTemplateKwargs { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxPromptLength < 1)
        {
            throw new ArgumentException($"max_prompt_length = {MaxPromptLength} must be at least 1", nameof(MaxPromptLength));
        }

        foreach (var key in ApplyChatTemplateKwargs?.Select(p => p.Key) ?? [])
        {
            if (ReservedKwargs.Contains(key))
            {
                throw new ArgumentException(
                    $"apply_chat_template_kwargs: '{key}' is set by the prompt builder itself (messages, add_generation_prompt=True, tokenize=False) or not supported; remove it",
                    nameof(ApplyChatTemplateKwargs));
            }
        }
    }

    /// <summary>apply_chat_template's own parameters: verl passes them itself, and transformers would refuse a second value.</summary>
    private static readonly HashSet<string> ReservedKwargs = new(StringComparer.Ordinal)
    {
        "messages", "conversation", "add_generation_prompt", "tokenize", "return_dict", "return_tensors", "chat_template",
        "continue_final_message", "padding", "truncation", "max_length", "return_assistant_tokens_mask",
    };
}
