namespace VerlOrleans.Evaluation.Prompts;

/// <summary>What verl's <c>data.truncation</c> does with a prompt longer than <c>max_prompt_length</c> tokens.</summary>
public enum TruncationMode
{
    /// <summary>Refuse the prompt (verl raises).</summary>
    Error,

    /// <summary>Keep the last max_prompt_length tokens.</summary>
    Left,

    /// <summary>Keep the first max_prompt_length tokens.</summary>
    Right,

    /// <summary>Keep the first ⌊max/2⌋ and the last max − ⌊max/2⌋ tokens.</summary>
    Middle,
}

/// <summary>verl's names for <see cref="TruncationMode"/>.</summary>
public static class TruncationModes
{
    public static string ToVerlName(this TruncationMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Parses <c>error</c>, <c>left</c>, <c>right</c> or <c>middle</c>; anything else throws naming the allowed values.</summary>
    public static TruncationMode Parse(string value) => value switch
    {
        "error" => TruncationMode.Error,
        "left" => TruncationMode.Left,
        "right" => TruncationMode.Right,
        "middle" => TruncationMode.Middle,
        _ => throw new ArgumentException($"truncation '{value}' is not one of error, left, right, middle", nameof(value)),
    };

    /// <summary>The tokens verl keeps of an overlong prompt (<c>postprocess_data</c>); <see cref="TruncationMode.Error"/> keeps none.</summary>
    public static IReadOnlyList<int> Apply(this TruncationMode mode, IReadOnlyList<int> ids, int maxLength)
    {
        if (ids.Count <= maxLength)
        {
            return ids;
        }

        var head = maxLength / 2;
        return mode switch
        {
            TruncationMode.Left => ids.Skip(ids.Count - maxLength).ToArray(),
            TruncationMode.Right => ids.Take(maxLength).ToArray(),
            TruncationMode.Middle => [.. ids.Take(head), .. ids.Skip(ids.Count - (maxLength - head))],
            _ => throw new InvalidOperationException("error truncation keeps no tokens"),
        };
    }
}
