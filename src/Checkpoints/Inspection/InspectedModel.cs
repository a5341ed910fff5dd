namespace VerlOrleans.Checkpoints.Inspection;

/// <summary>What kind of model a checkpoint (or a state-dict file) holds, read from headers only.</summary>
/// <param name="Path">The checkpoint folder or file.</param>
/// <param name="Kind"><c>causal-lm</c>, <c>value-model</c>, <c>lora-adapter</c> (an adapter folder), <c>peft-lora</c> (PEFT-wrapped shards or LoRA-only weights), or <c>unreadable</c>.</param>
/// <param name="Description">For a person, e.g. <c>value model: it scores, it does not generate (score.weight [1, 16], no lm_head.weight)</c>.</param>
public sealed record InspectedModel(string Path, string Kind, string Description)
{
    public bool IsValueModel => Kind == "value-model";
}
