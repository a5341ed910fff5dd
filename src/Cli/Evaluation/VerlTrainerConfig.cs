using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VerlOrleans.Cli.Evaluation;

/// <summary>
/// The validation settings of a verl trainer config file (<c>ppo_trainer.yaml</c> with the run's overrides, e.g. the
/// <c>config.yaml</c> Hydra saved next to a run): <c>data:</c> (prompt key, lengths, truncation, filtering,
/// chat-template kwargs, val_files, val_max_samples), <c>actor_rollout_ref.rollout.val_kwargs:</c> (n, temperature,
/// top_p, top_k, do_sample) and <c>custom_reward_function:</c> (path, name, reward_kwargs). A setting the file does not
/// have is null. Interpolations that name another key of the file (<c>${data.max_prompt_length}</c>) are resolved;
/// any other Hydra interpolation is refused naming the key, so nothing is silently guessed.
/// </summary>
internal sealed partial class VerlTrainerConfig
{
    private const int MaxInterpolationDepth = 16;

    private readonly JsonObject _root;
    private readonly string _path;

    private VerlTrainerConfig(JsonObject root, string path)
    {
        _root = root;
        _path = path;
    }

    public int? MaxPromptLength => Integer("data.max_prompt_length");

    public int? MaxResponseLength => Integer("data.max_response_length");

    public string? Truncation => Text("data.truncation");

    public bool? FilterOverlongPrompts => Boolean("data.filter_overlong_prompts");

    public string? PromptKey => Text("data.prompt_key");

    public JsonObject? ApplyChatTemplateKwargs => Object("data.apply_chat_template_kwargs");

    /// <summary><c>data.val_files</c>: one path or a list; <c>~</c> is the user's home, as in verl's examples.</summary>
    public IReadOnlyList<string>? ValFiles => Node("data.val_files") switch
    {
        null => null,
        JsonArray list => [.. list.Select((_, i) => Home(Text($"data.val_files.{i}")!))],
        _ => [Home(Text("data.val_files")!)],
    };

    /// <summary><c>data.val_max_samples</c> (newer verl); -1 or null: every row.</summary>
    public long? ValMaxSamples => Integer("data.val_max_samples");

    public int? N => Integer("actor_rollout_ref.rollout.val_kwargs.n");

    public double? Temperature => Number("actor_rollout_ref.rollout.val_kwargs.temperature");

    public double? TopP => Number("actor_rollout_ref.rollout.val_kwargs.top_p");

    public int? TopK => Integer("actor_rollout_ref.rollout.val_kwargs.top_k");

    /// <summary>verl's vLLM rollout samples greedily (temperature 0, top_p 1, top_k -1) when this is false.</summary>
    public bool? DoSample => Boolean("actor_rollout_ref.rollout.val_kwargs.do_sample");

    public string? RewardPath => Text("custom_reward_function.path") is { } path ? Home(path) : null;

    public string? RewardName => Text("custom_reward_function.name");

    public JsonObject? RewardKwargs => Object("custom_reward_function.reward_kwargs");

    public static VerlTrainerConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--verl-config {path}: {e.Message}", e);
        }

        return YamlJson.Parse(text, path) is JsonObject root
            ? new VerlTrainerConfig(root, path)
            : throw new ArgumentException($"{path}: a verl trainer config is a YAML mapping (data:, actor_rollout_ref:, ...)");
    }

    private int? Integer(string key) => Node(key) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && int.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => i,
        var other => throw Wrong(key, "an integer", other),
    };

    private double? Number(string key) => Node(key) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
        var other => throw Wrong(key, "a number", other),
    };

    private bool? Boolean(string key) => Node(key) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw Wrong(key, "true or false", other),
    };

    private string? Text(string key) => Node(key) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw Wrong(key, "a string", other),
    };

    private JsonObject? Object(string key) => Node(key) switch
    {
        null => null,
        JsonObject o => (JsonObject)o.DeepClone(),
        var other => throw Wrong(key, "a mapping", other),
    };

    /// <summary>The value at a dotted key (list items by index), interpolations resolved; null when absent or null.</summary>
    private JsonNode? Node(string key, int depth = 0)
    {
        if (depth > MaxInterpolationDepth)
        {
            throw new ArgumentException($"{_path}: {key}: interpolations nest deeper than {MaxInterpolationDepth}");
        }

        JsonNode? node = _root;
        foreach (var part in key.Split('.'))
        {
            node = node switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Contains("${", StringComparison.Ordinal))
        {
            var match = Reference().Match(value.GetValue<string>());
            return match.Success
                ? Node(match.Groups[1].Value, depth + 1)
                : throw new ArgumentException(
                    $"{_path}: {key} is {value.ToJsonString()}, a Hydra interpolation this reader does not resolve (only ${{other.key}}); give the value as an option instead");
        }

        return node;
    }

    private ArgumentException Wrong(string key, string expected, JsonNode? got) =>
        new($"{_path}: {key} must be {expected}, got {got?.ToJsonString() ?? "null"}");

    private static string Home(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
            : path;

    [GeneratedRegex(@"\A\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();
}
