namespace VerlOrleans.Contracts.Runs;

/// <summary>
/// How dataset rows become prompts (verl's data.* settings). The defaults are verl's trainer YAML's
/// (<c>ppo_trainer.yaml</c>: max_prompt_length 512, truncation error, filter_overlong_prompts false), which is what a
/// verl run gets, not <c>RLHFDataset</c>'s own fallbacks (1024, filtering on).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PromptSettings
{
    /// <summary>Parquet column holding the chat messages.</summary>
    [Id(0)] public string PromptKey { get; init; } = "prompt";
    [Id(1)] public int MaxPromptLength { get; init; } = 512;
    /// <summary>"error", "left", "right" or "middle".</summary>
    [Id(2)] public string Truncation { get; init; } = "error";
    [Id(3)] public bool FilterOverlongPrompts { get; init; }
    /// <summary>Extra chat template variables as a JSON object (e.g. {"enable_thinking": false}).</summary>
    [Id(4)] public string? ChatTemplateKwargsJson { get; init; }
}
