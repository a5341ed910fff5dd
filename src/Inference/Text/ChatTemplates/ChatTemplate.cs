using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.Jinja;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Inference.Text.ChatTemplates;

/// <summary>
/// A model's chat template, rendered as transformers' <c>apply_chat_template(messages, tools=...,
/// add_generation_prompt=..., tokenize=False, **kwargs)</c> renders it: the template sees <c>messages</c>,
/// <c>tools</c> and <c>documents</c> (None unless given), <c>add_generation_prompt</c>, the tokenizer's special
/// tokens (<c>bos_token</c>, <c>eos_token</c>, ...) and any extra variables (<c>enable_thinking</c>, ...).
/// Messages and variables are JSON, so verl's parquet prompts and tool schemas pass through unchanged.
/// </summary>
public sealed class ChatTemplate
{
    private readonly JinjaTemplate _template;
    private readonly IReadOnlyDictionary<string, JsonNode?> _specialTokens;

    private ChatTemplate(JinjaTemplate template, IReadOnlyDictionary<string, JsonNode?> specialTokens, string origin)
    {
        _template = template;
        _specialTokens = specialTokens;
        Origin = origin;
    }

    /// <summary>Where the template came from (a file, or a file and the template's name).</summary>
    public string Origin { get; }

    public string Source => _template.Source;

    /// <summary>Limits on each render; the defaults suit any real chat template.</summary>
    public JinjaLimits Limits { get; private init; } = JinjaLimits.Default;

    /// <summary>The clock <c>strftime_now</c> reads (Llama 3.x templates put today's date in the system prompt).</summary>
    public TimeProvider Clock { get; private init; } = TimeProvider.System;

    /// <summary>The same template with other render limits and/or clock.</summary>
    public ChatTemplate With(JinjaLimits? limits = null, TimeProvider? clock = null) =>
        new(_template, _specialTokens, Origin) { Limits = limits ?? Limits, Clock = clock ?? Clock };

    /// <summary>
    /// Reads the template of a tokenizer folder like transformers: <c>chat_template.jinja</c> when present, else
    /// <c>chat_template</c> of tokenizer_config.json, either a string or a list of named templates (then
    /// <paramref name="name"/>, or <c>tool_use</c> when rendering with tools and it exists, or <c>default</c>).
    /// </summary>
    public static ChatTemplate FromDirectory(string directory, string? name = null, bool withTools = false)
    {
        var config = TokenizerConfig.FromDirectory(directory);
        var specialTokens = SpecialTokenVariables(config);
        var jinjaPath = Path.Combine(directory, "chat_template.jinja");
        if (File.Exists(jinjaPath))
        {
            return Create(File.ReadAllText(jinjaPath), specialTokens, jinjaPath);
        }

        var configPath = config.ConfigPath ?? Path.Combine(directory, "tokenizer_config.json");
        switch (config.ChatTemplate)
        {
            case JsonValue value when value.TryGetValue<string>(out var source):
                return Create(source, specialTokens, configPath);
            case JsonArray named:
                var templates = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < named.Count; i++)
                {
                    if (named[i] is not JsonObject entry || entry["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var templateName)
                        || entry["template"] is not JsonValue sourceValue || !sourceValue.TryGetValue<string>(out var templateSource))
                    {
                        throw new ChatTemplateException(configPath, $"chat_template[{i}]: expected {{\"name\": ..., \"template\": ...}}");
                    }

                    templates[templateName] = templateSource;
                }

                var chosen = name ?? (withTools && templates.ContainsKey("tool_use") ? "tool_use" : "default");
                return templates.TryGetValue(chosen, out var chosenSource)
                    ? Create(chosenSource, specialTokens, $"{configPath} ({chosen})")
                    : throw new ChatTemplateException(configPath, $"chat_template has no template named '{chosen}' (it has {string.Join(", ", templates.Keys)})");
            case null:
                throw new ChatTemplateException(configPath, "the tokenizer has no chat template (no chat_template.jinja and no chat_template in tokenizer_config.json)");
            default:
                throw new ChatTemplateException(configPath, "chat_template: expected a string or a list of named templates");
        }
    }

    /// <summary>A template from its source text, with the special-token variables it may use (<c>bos_token</c>, ...).</summary>
    public static ChatTemplate FromString(string source, IReadOnlyDictionary<string, string>? specialTokens = null) =>
        Create(source, (specialTokens ?? new Dictionary<string, string>()).ToDictionary(pair => pair.Key, pair => (JsonNode?)JsonValue.Create(pair.Value)), "(string)");

    /// <summary>
    /// The prompt text for <paramref name="messages"/>. <paramref name="variables"/> holds everything else the
    /// template reads (<c>tools</c>, <c>documents</c>, <c>enable_thinking</c>, ...); it overrides the special tokens.
    /// Throws <see cref="ChatTemplateException"/> when the template fails (its <c>raise_exception</c> included) and
    /// <see cref="ArgumentException"/> for a JSON integer outside 64 bits, which the template could not print exactly.
    /// </summary>
    public string Render(JsonArray messages, bool addGenerationPrompt, IReadOnlyDictionary<string, JsonNode?>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var all = new Dictionary<string, JsonNode?>(_specialTokens, StringComparer.Ordinal);
        foreach (var (key, value) in variables ?? new Dictionary<string, JsonNode?>())
        {
            all[key] = value;
        }

        all.TryAdd("tools", null);
        all.TryAdd("documents", null);
        all["messages"] = messages;
        all["add_generation_prompt"] = addGenerationPrompt;
        try
        {
            return _template.Render(all, Limits, Clock);
        }
        catch (JinjaException e)
        {
            throw new ChatTemplateException(Origin, e);
        }
    }

    private static ChatTemplate Create(string source, IReadOnlyDictionary<string, JsonNode?> specialTokens, string origin)
    {
        try
        {
            return new ChatTemplate(JinjaTemplate.Parse(source), specialTokens, origin);
        }
        catch (JinjaException e)
        {
            throw new ChatTemplateException(origin, e);
        }
    }

    /// <summary>What transformers passes from <c>special_tokens_map</c>: the set named tokens and additional_special_tokens.</summary>
    private static Dictionary<string, JsonNode?> SpecialTokenVariables(TokenizerConfig config)
    {
        var variables = config.SpecialTokens.ToDictionary(pair => pair.Key, pair => (JsonNode?)JsonValue.Create(pair.Value), StringComparer.Ordinal);
        if (config.AdditionalSpecialTokens.Count > 0)
        {
            variables["additional_special_tokens"] = new JsonArray([.. config.AdditionalSpecialTokens.Select(token => (JsonNode?)JsonValue.Create(token))]);
        }

        return variables;
    }
}
