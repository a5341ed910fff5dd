using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// verl's <c>prime_math.match_answer</c>: the answer after the last "answer:"/"answer is"/"answers are", before the
/// last "is the answer"-style marker, inside the last balanced <c>\boxed</c>/<c>\fbox</c>, before the last ". ", and
/// after the last "be ", "is ", "=", ": ", "get "… in turn. Its <c>endswith("\n")</c> branches follow a
/// <c>strip()</c> and never run.
/// </summary>
internal static class PrimeMathAnswerMatcher
{
    private static readonly string[] LeadMarkers = ["answer:", "answer is", "answers are"];
    private static readonly string[] TrailMarkers = ["is answer", "is the answer", "are answers", "are the answers"];
    private static readonly string[] LastMarkers = ["be ", "is ", "are ", "=", ": ", "get ", "be\n", "is\n", "are\n", ":\n", "get\n"];

    /// <summary>
    /// The extracted answer, or null when Python's <c>lower()</c> would change the text's length (e.g. "İ"), which
    /// shifts the indices match_answer finds in the lowered text against the original; Python then decides.
    /// </summary>
    public static string? Match(string response)
    {
        foreach (var marker in LeadMarkers)
        {
            if (Lower(response) is not { } lower)
            {
                return null;
            }

            var index = lower.LastIndexOf(marker, StringComparison.Ordinal);
            if (index != -1)
            {
                response = PythonText.Strip(response[(index + marker.Length)..]);
            }
        }

        foreach (var marker in TrailMarkers)
        {
            if (Lower(response) is not { } lower)
            {
                return null;
            }

            var index = lower.LastIndexOf(marker, StringComparison.Ordinal);
            if (index != -1)
            {
                response = PythonText.Strip(response[..index]);
            }
        }

        if (LastBoxedOnlyString(response) is { Length: > 0 } boxed)
        {
            response = boxed;
        }

        if (response.Contains(". ", StringComparison.Ordinal))
        {
            if (Lower(response) is not { } lower)
            {
                return null;
            }

            var dot = lower.LastIndexOf(". ", StringComparison.Ordinal);
            if (dot != -1)
            {
                response = PythonText.Strip(response[..dot]);
            }
        }

        foreach (var marker in LastMarkers)
        {
            if (Lower(response) is not { } lower)
            {
                return null;
            }

            var index = lower.LastIndexOf(marker, StringComparison.Ordinal);
            if (index != -1)
            {
                response = PythonText.Strip(response[(index + marker.Length)..]);
            }
        }

        return response;
    }

    /// <summary><c>_last_boxed_only_string</c>: the stripped inside of the first brace group after the last <c>\boxed</c> (else <c>\fbox</c>), or null.</summary>
    private static string? LastBoxedOnlyString(string text)
    {
        var index = text.LastIndexOf("\\boxed", StringComparison.Ordinal);
        if (index < 0)
        {
            index = text.LastIndexOf("\\fbox", StringComparison.Ordinal);
            if (index < 0)
            {
                return null;
            }
        }

        var left = -1;
        var open = 0;
        for (var i = index; i < text.Length; i++)
        {
            if (text[i] == '{')
            {
                open++;
                if (left < 0)
                {
                    left = i;
                }
            }
            else if (text[i] == '}')
            {
                open--;
                if (open == 0)
                {
                    return left < 0 ? null : PythonText.Strip(text[(left + 1)..i]);
                }
            }
        }

        return null;
    }

    /// <summary>Python's <c>lower()</c> when it maps every UTF-16 unit to one (so indices carry over), else null.</summary>
    private static string? Lower(string text)
    {
        var lower = QaAnswerNormalizer.PythonLower(text);
        if (lower.Length != text.Length)
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogate(lower[i]) != char.IsSurrogate(text[i]))
            {
                return null;
            }
        }

        return lower;
    }
}
