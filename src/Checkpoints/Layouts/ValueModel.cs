namespace VerlOrleans.Checkpoints.Layouts;

/// <summary>The head of a value (critic) model.</summary>
/// <param name="Kind"><c>score</c> (verl's critic: AutoModelForTokenClassification with num_labels 1) or <c>v_head</c> (TRL's AutoModelForCausalLMWithValueHead).</param>
/// <param name="Description">What gave it away, e.g. <c>score.weight [1, 16], no lm_head.weight</c>.</param>
public sealed record ValueHead(string Kind, string Description);

/// <summary>
/// Recognises value models (verl critics): a <c>score.weight</c> [labels, hidden] head and no <c>lm_head.weight</c>, or
/// TRL's <c>v_head.*</c>. They score tokens; they do not generate, so evaluation runs refuse them.
/// </summary>
public static class ValueModel
{
    /// <summary>The validation issue code that marks a value model.</summary>
    public const string IssueCode = "value-model";

    /// <summary>What an evaluation that is given one says.</summary>
    public const string Refusal = "value model: it scores, it does not generate";

    /// <summary>TRL's wrapper keeps the language model under this prefix in FSDP state dicts.</summary>
    public const string TrlPrefix = "pretrained_model.";

    /// <summary>The value head among <paramref name="tensors"/> (state-dict keys or Hugging Face names), or null.</summary>
    public static ValueHead? Detect(IEnumerable<(string Name, IReadOnlyList<long> Shape)> tensors)
    {
        var list = tensors.Select(t => (Name: Normalize(t.Name), t.Shape)).ToList();
        if (list.FirstOrDefault(t => t.Name.StartsWith("v_head.", StringComparison.Ordinal)) is { Name: not null } vhead)
        {
            return new ValueHead("v_head", $"{vhead.Name} [{string.Join(", ", vhead.Shape)}] (TRL value head)");
        }

        var score = list.FirstOrDefault(t => t.Name == "score.weight" && t.Shape.Count == 2);
        return score.Name is not null && !list.Any(t => t.Name == "lm_head.weight")
            ? new ValueHead("score", $"score.weight [{string.Join(", ", score.Shape)}], no lm_head.weight")
            : null;
    }

    /// <summary>The refusal with its evidence.</summary>
    public static string Message(ValueHead head) => $"{Refusal} ({head.Description}); evaluate the actor's checkpoint instead";

    private static string Normalize(string name) =>
        name.StartsWith(TrlPrefix, StringComparison.Ordinal) ? name[TrlPrefix.Length..]
        : name.StartsWith("base_model.model.", StringComparison.Ordinal) ? name["base_model.model.".Length..]
        : name;
}
