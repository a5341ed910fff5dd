using System.Globalization;
using System.Text.Json;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Contracts.Inputs;

/// <summary>
/// The ranges a run or sweep spec must keep, checked before any grain state changes (the HTTP API and the dashboard
/// form share them). Each error names the field by its JSON path and says what is allowed.
/// </summary>
public static class SpecValidation
{
    public const int MaxN = 256;
    public const int MaxTokens = 32_768;
    public const int MaxPromptLength = 32_768;
    public const int MaxBatchSize = 4_096;
    public const int MaxConcurrentRuns = 64;
    public const double MaxTemperature = 10;
    public const int MaxDataFiles = 64;
    public const int MaxCheckpoints = 1_000;
    public const int MaxRewardRoutes = 64;
    public const int MaxStops = 16;
    public const int MaxStopLength = 256;
    public const int MaxStopTokenIds = 64;
    public const int MaxChatTemplateKwargsLength = 64 * 1024;
    public const int MaxPathLength = 4096;

    /// <summary>Most samples (rows × n) one run may ask for when it names its rows.</summary>
    public const long MaxSamplesTimesN = 1_000_000;

    public static readonly IReadOnlyList<string> Truncations = ["error", "left", "right", "middle"];
    public static readonly IReadOnlyList<string> DTypes = ["auto", "bf16", "fp16", "fp32"];
    public static readonly IReadOnlyList<string> RewardModes = ["legacy", "naive", "reward-loop", "reward_loop"];

    /// <summary>Every field of <paramref name="spec"/> outside its range; <paramref name="prefix"/> goes before each path.</summary>
    public static IReadOnlyList<FieldError> Validate(RunSpec spec, string prefix = "", bool checkpointRequired = true)
    {
        var errors = new List<FieldError>();
        void Add(string field, string message) => errors.Add(new FieldError(prefix + field, message));

        if (checkpointRequired && string.IsNullOrWhiteSpace(spec.Checkpoint))
        {
            Add("checkpoint", "is required: a Hugging Face folder, a verl actor folder or a verl run folder");
        }

        if (spec.Import is not null)
        {
            ValidateImport(spec, errors, prefix);
        }
        else if (spec.DataFiles is null || spec.DataFiles.Count == 0)
        {
            Add("dataFiles", "needs at least one parquet, JSON or JSONL file");
        }
        else if (spec.DataFiles.Count > MaxDataFiles)
        {
            Add("dataFiles", $"may name at most {MaxDataFiles} files, got {spec.DataFiles.Count}");
        }
        else
        {
            for (var i = 0; i < spec.DataFiles.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(spec.DataFiles[i]))
                {
                    Add($"dataFiles[{i}]", "is empty");
                }
            }
        }

        if (spec.MaxSamples is < 1)
        {
            Add("maxSamples", $"must be at least 1 (or absent for every row), got {spec.MaxSamples}");
        }

        Range(errors, prefix + "batchSize", spec.BatchSize, 1, MaxBatchSize);
        OneOf(errors, prefix + "dType", spec.DType, DTypes);
        OneOf(errors, prefix + "rewardMode", spec.RewardMode, RewardModes);
        if (spec.RewardRoutes is null || spec.RewardRoutes.Count > MaxRewardRoutes)
        {
            Add("rewardRoutes", $"must be a list of at most {MaxRewardRoutes} SOURCE=REWARD routes");
        }

        for (var i = 0; i < (spec.RewardRoutes?.Count ?? 0) && spec.RewardRoutes!.Count <= MaxRewardRoutes; i++)
        {
            var route = spec.RewardRoutes[i] ?? "";
            var eq = route.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == route.Length - 1)
            {
                Add($"rewardRoutes[{i}]", $"must be SOURCE=REWARD (a trailing * on SOURCE routes a prefix), got '{route}'");
            }
        }

        ValidateCustomReward(spec, errors, prefix);
        if (spec.Sampling is null)
        {
            Add("sampling", "is required: n, temperature, top_p, top_k, min_p, seed, max tokens");
        }
        else
        {
            ValidateSampling(spec.Sampling, errors, prefix);
            if (spec.MaxSamples is { } rows and > 0 && (long)rows * spec.Sampling.N > MaxSamplesTimesN)
            {
                Add("maxSamples", $"× sampling.n asks for {(long)rows * spec.Sampling.N} samples; a run may ask for at most {MaxSamplesTimesN}");
            }
        }

        if (spec.Prompt is null)
        {
            Add("prompt", "is required: prompt key, max prompt length, truncation");
        }
        else
        {
            ValidatePrompt(spec.Prompt, errors, prefix);
        }

        return errors;
    }

    public const int MaxDataSourceLength = 256;

    /// <summary>An import: the file (or folder) verl wrote, and nothing that only generating runs use.</summary>
    private static void ValidateImport(RunSpec spec, List<FieldError> errors, string prefix)
    {
        void Add(string field, string message) => errors.Add(new FieldError(prefix + field, message));
        var import = spec.Import!;
        if (string.IsNullOrWhiteSpace(import.Path) || import.Path.Length > MaxPathLength || !import.Path.StartsWith('/'))
        {
            Add("import.path", $"must be an absolute path to a validation dump (<global_step>.jsonl), its folder, or a generation parquet (at most {MaxPathLength} characters), got '{import.Path}'");
        }

        if (import.DataSource is { } source && (source.Length == 0 || source.Length > MaxDataSourceLength))
        {
            Add("import.dataSource", $"must be 1 to {MaxDataSourceLength} characters, got {source.Length}");
        }

        if (spec.DataFiles is { Count: > 0 })
        {
            Add("dataFiles", "must be empty for an import: the samples come from import.path");
        }

        if (spec.RewardPath is not null)
        {
            Add("rewardPath", "is not available for imports yet: they are scored with the built-in rewards or keep verl's scores");
        }
    }

    /// <summary>A custom reward function (verl's custom_reward_function): path, name and kwargs, and no routes beside it.</summary>
    private static void ValidateCustomReward(RunSpec spec, List<FieldError> errors, string prefix)
    {
        void Add(string field, string message) => errors.Add(new FieldError(prefix + field, message));
        if (spec.RewardPath is null)
        {
            if (spec.RewardName is not null)
            {
                Add("rewardName", "needs rewardPath: the Python file the function is in");
            }

            if (spec.RewardKwargsJson is not null)
            {
                Add("rewardKwargsJson", "needs rewardPath: the Python file whose function takes them");
            }

            return;
        }

        if (string.IsNullOrWhiteSpace(spec.RewardPath) || spec.RewardPath.Length > MaxPathLength || !spec.RewardPath.StartsWith('/'))
        {
            Add("rewardPath", $"must be an absolute path to a Python file (at most {MaxPathLength} characters), got '{spec.RewardPath}'");
        }

        if (spec.RewardName is not null && !IsPythonIdentifier(spec.RewardName))
        {
            Add("rewardName", $"must be a Python function name (letters, digits, _; not starting with a digit), got '{spec.RewardName}'");
        }

        if (spec.RewardRoutes is { Count: > 0 })
        {
            Add("rewardRoutes", "must be empty with rewardPath: a custom reward function scores every data source, as in verl");
        }

        if (spec.RewardKwargsJson is { Length: > MaxChatTemplateKwargsLength })
        {
            Add("rewardKwargsJson", $"may be at most {MaxChatTemplateKwargsLength} characters");
        }
        else if (spec.RewardKwargsJson is { } json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    Add("rewardKwargsJson", "must be a JSON object of keyword arguments, e.g. {\"method\": \"flexible\"}");
                }
            }
            catch (JsonException e)
            {
                Add("rewardKwargsJson", $"is not valid JSON: {e.Message}");
            }
        }
    }

    /// <summary>A Python identifier in the ASCII subset.</summary>
    public static bool IsPythonIdentifier(string name) =>
        name.Length is > 0 and <= 200 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static void ValidateSampling(SamplingSettings sampling, List<FieldError> errors, string prefix)
    {
        void Add(string field, string message) => errors.Add(new FieldError(prefix + field, message));
        Range(errors, prefix + "sampling.n", sampling.N, 1, MaxN);
        if (!(sampling.Temperature >= 0 && sampling.Temperature <= MaxTemperature))
        {
            Add("sampling.temperature", $"must be between 0 (greedy) and {MaxTemperature}, got {Number(sampling.Temperature)}");
        }

        if (!(sampling.TopP > 0 && sampling.TopP <= 1))
        {
            Add("sampling.topP", $"must be in (0, 1], got {Number(sampling.TopP)}");
        }

        if (sampling.TopK < -1)
        {
            Add("sampling.topK", $"must be -1 or 0 (off) or a positive count, got {sampling.TopK}");
        }

        if (!(sampling.MinP >= 0 && sampling.MinP <= 1))
        {
            Add("sampling.minP", $"must be in [0, 1], got {Number(sampling.MinP)}");
        }

        Range(errors, prefix + "sampling.maxTokens", sampling.MaxTokens, 1, MaxTokens);
        if (sampling.StopTokenIds is null || sampling.StopTokenIds.Count > MaxStopTokenIds)
        {
            Add("sampling.stopTokenIds", $"must be a list of at most {MaxStopTokenIds} token ids");
        }

        if (sampling.Stop is null || sampling.Stop.Count > MaxStops || sampling.Stop.Any(s => string.IsNullOrEmpty(s) || s.Length > MaxStopLength))
        {
            Add("sampling.stop", $"must be a list of at most {MaxStops} non-empty strings of at most {MaxStopLength} characters");
        }
    }

    private static void ValidatePrompt(PromptSettings prompt, List<FieldError> errors, string prefix)
    {
        void Add(string field, string message) => errors.Add(new FieldError(prefix + field, message));
        if (string.IsNullOrWhiteSpace(prompt.PromptKey))
        {
            Add("prompt.promptKey", "is required (verl's default is 'prompt')");
        }

        Range(errors, prefix + "prompt.maxPromptLength", prompt.MaxPromptLength, 1, MaxPromptLength);
        OneOf(errors, prefix + "prompt.truncation", prompt.Truncation, Truncations);
        if (prompt.ChatTemplateKwargsJson is { Length: > MaxChatTemplateKwargsLength })
        {
            Add("prompt.chatTemplateKwargsJson", $"may be at most {MaxChatTemplateKwargsLength} characters");
        }
        else if (prompt.ChatTemplateKwargsJson is { Length: > 0 } json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    Add("prompt.chatTemplateKwargsJson", "must be a JSON object, e.g. {\"enable_thinking\": false}");
                }
            }
            catch (JsonException e)
            {
                Add("prompt.chatTemplateKwargsJson", $"is not valid JSON: {e.Message}");
            }
        }
    }

    /// <summary>The sweep's own fields and its template's (the template's checkpoint is ignored).</summary>
    public static IReadOnlyList<FieldError> Validate(SweepSpec spec)
    {
        var errors = new List<FieldError>();
        if (spec.Checkpoints is null || spec.Checkpoints.Count == 0)
        {
            errors.Add(new FieldError("checkpoints", "needs at least one checkpoint or verl run folder"));
        }
        else if (spec.Checkpoints.Count > MaxCheckpoints)
        {
            errors.Add(new FieldError("checkpoints", $"may name at most {MaxCheckpoints} checkpoints, got {spec.Checkpoints.Count}"));
        }
        else
        {
            for (var i = 0; i < spec.Checkpoints.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(spec.Checkpoints[i]))
                {
                    errors.Add(new FieldError($"checkpoints[{i}]", "is empty"));
                }
            }
        }

        Range(errors, "maxConcurrentRuns", spec.MaxConcurrentRuns, 1, MaxConcurrentRuns);
        if (spec.Template is null)
        {
            errors.Add(new FieldError("template", "is required: the run settings every checkpoint is evaluated with"));
        }
        else
        {
            errors.AddRange(Validate(spec.Template, "template.", checkpointRequired: false));
        }

        return errors;
    }

    private static void Range(List<FieldError> errors, string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(new FieldError(field, $"must be between {min} and {max}, got {value}"));
        }
    }

    private static void OneOf(List<FieldError> errors, string field, string? value, IReadOnlyList<string> allowed)
    {
        if (value is null || !allowed.Contains(value, StringComparer.Ordinal))
        {
            errors.Add(new FieldError(field, $"must be one of {string.Join(", ", allowed)}, got '{value}'"));
        }
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
