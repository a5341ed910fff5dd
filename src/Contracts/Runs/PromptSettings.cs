namespace VerlOrleans.Contracts.Runs;

/// <summary>How dataset rows become prompts (verl's data.* settings).</summary>
[GenerateSerializer, Immutable]
public sealed record PromptSettings
{
    /// <summary>Parquet column holding the chat messages.</summary>
    [Id(0)] public string PromptKey { get; init; } = "prompt";
    [Id(1)] public int MaxPromptLength { get; init; } = 1024;
    /// <summary>"error", "left", "right" or "middle".</summary>
    [Id(2)] public string Truncation { get; init; } = "error";
    [Id(3)] public bool FilterOverlongPrompts { get; init; } = true;
    /// <summary>Extra chat template variables as a JSON object (e.g. {"enable_thinking": false}).</summary>
    [Id(4)] public string? ChatTemplateKwargsJson { get; init; }
}
