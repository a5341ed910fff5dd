using VerlOrleans.Checkpoints.Layouts;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>A validated merge: the tensors in output order, where the Hugging Face side files are, and what the model is.</summary>
/// <param name="Source">The folder validated.</param>
/// <param name="HuggingFaceFolder">Where config.json, the tokenizer and generation_config.json come from.</param>
/// <param name="Config">That folder's config.json.</param>
/// <param name="Tensors">What the merge writes, in order, under Hugging Face names.</param>
/// <param name="ValueHead">The value head when the model is a critic (<see cref="ValueModel"/>), else null.</param>
/// <param name="Notes">Things the output's user should know (e.g. how a LoRA adapter was applied).</param>
public sealed record MergePlan(string Source, string HuggingFaceFolder, HfModelConfig Config, IReadOnlyList<PlannedTensor> Tensors, ValueHead? ValueHead, IReadOnlyList<string> Notes);
