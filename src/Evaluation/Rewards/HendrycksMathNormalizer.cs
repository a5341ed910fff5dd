using System.Text;
using System.Text.RegularExpressions;
using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// The Hendrycks MATH answer handling verl's <c>math_reward.py</c> took from lm-evaluation-harness:
/// <c>last_boxed_only_string</c>, <c>remove_boxed</c>, <c>strip_string</c> and <c>is_equiv</c>. Where the Python
/// raises (an assertion, an index past the end), the Try methods return false and the callers take the same
/// fallback verl's <c>except</c> clauses take.
/// </summary>
public static partial class HendrycksMathNormalizer
{
    private const string Boxed = "\\boxed";
    private const string BoxedSpace = "\\boxed ";
    private const string BoxedBrace = "\\boxed{";

    /// <summary><c>last_boxed_only_string</c>: the last <c>\boxed{...}</c> (or <c>\fbox{...}</c>) with balanced braces, or null.</summary>
    public static string? LastBoxedOnlyString(string text)
    {
        var index = text.LastIndexOf(Boxed, StringComparison.Ordinal);
        if (text.Contains(BoxedSpace, StringComparison.Ordinal))
        {
            var afterLast = text[(text.LastIndexOf(BoxedSpace, StringComparison.Ordinal) + BoxedSpace.Length)..];
            var dollar = afterLast.IndexOf('$', StringComparison.Ordinal);
            return BoxedSpace + (dollar < 0 ? afterLast : afterLast[..dollar]);
        }

        if (index < 0)
        {
            index = text.LastIndexOf("\\fbox", StringComparison.Ordinal);
            if (index < 0)
            {
                return null;
            }
        }

        return BalancedFrom(text, index);
    }

    /// <summary>From <paramref name="start"/>, the text up to the first <c>}</c> that closes every brace opened after it.</summary>
    internal static string? BalancedFrom(string text, int start)
    {
        var open = 0;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '{')
            {
                open++;
            }
            else if (text[i] == '}')
            {
                open--;
                if (open == 0)
                {
                    return text[start..(i + 1)];
                }
            }
        }

        return null;
    }

    /// <summary><c>remove_boxed</c>: the inside of <c>\boxed{...}</c> or the rest after <c>\boxed </c>; false where verl's asserts fail (e.g. <c>\fbox</c>).</summary>
    public static bool TryRemoveBoxed(string boxed, out string inner)
    {
        inner = string.Empty;
        if (boxed.Contains(BoxedSpace, StringComparison.Ordinal))
        {
            if (!boxed.StartsWith(BoxedSpace, StringComparison.Ordinal))
            {
                return false;
            }

            inner = boxed[BoxedSpace.Length..];
            return true;
        }

        if (!boxed.StartsWith(BoxedBrace, StringComparison.Ordinal) || boxed[^1] != '}')
        {
            return false;
        }

        inner = boxed[BoxedBrace.Length..^1];
        return true;
    }

    /// <summary><c>is_equiv(answer, ground_truth)</c>: equal after <see cref="TryStripString"/>, or equal as given when normalisation fails.</summary>
    public static bool IsEquivalent(string answer, string groundTruth)
    {
        if (TryStripString(answer, out var a) && TryStripString(groundTruth, out var b))
        {
            return string.Equals(a, b, StringComparison.Ordinal);
        }

        return string.Equals(answer, groundTruth, StringComparison.Ordinal);
    }

    /// <summary><c>strip_string</c>, step for step; false where the Python raises.</summary>
    public static bool TryStripString(string text, out string result)
    {
        result = string.Empty;
        var s = text.Replace("\n", "", StringComparison.Ordinal)
            .Replace("\\!", "", StringComparison.Ordinal)
            .Replace("\\\\", "\\", StringComparison.Ordinal)
            .Replace("tfrac", "frac", StringComparison.Ordinal)
            .Replace("dfrac", "frac", StringComparison.Ordinal)
            .Replace("\\left", "", StringComparison.Ordinal)
            .Replace("\\right", "", StringComparison.Ordinal)
            .Replace("^{\\circ}", "", StringComparison.Ordinal)
            .Replace("^\\circ", "", StringComparison.Ordinal)
            .Replace("\\$", "", StringComparison.Ordinal);

        // remove_right_units: "\text{ " is taken to start a unit, and must occur exactly once.
        if (s.Contains("\\text{ ", StringComparison.Ordinal))
        {
            var parts = s.Split("\\text{ ");
            if (parts.Length != 2)
            {
                return false;
            }

            s = parts[0];
        }

        s = s.Replace("\\\\%", "", StringComparison.Ordinal)
            .Replace("\\%", "", StringComparison.Ordinal)
            .Replace(" .", " 0.", StringComparison.Ordinal)
            .Replace("{.", "{0.", StringComparison.Ordinal);
        if (s.Length == 0)
        {
            result = s;
            return true;
        }

        if (s[0] == '.')
        {
            s = "0" + s;
        }

        var equation = s.Split('=');
        if (equation.Length == 2 && PythonText.Length(equation[0]) <= 2)
        {
            s = equation[1];
        }

        if (!TryFixSqrt(s, out s))
        {
            return false;
        }

        s = s.Replace(" ", "", StringComparison.Ordinal);
        if (!TryFixFracs(s, out s))
        {
            return false;
        }

        if (s == "0.5")
        {
            s = "\\frac{1}{2}";
        }

        result = FixSlashFraction(s);
        return true;
    }

    /// <summary><c>fix_sqrt</c>: <c>\sqrt3</c> → <c>\sqrt{3}</c>; a <c>\sqrt</c> with nothing after it raises in Python.</summary>
    private static bool TryFixSqrt(string s, out string result)
    {
        result = s;
        if (!s.Contains("\\sqrt", StringComparison.Ordinal))
        {
            return true;
        }

        var splits = s.Split("\\sqrt");
        var rebuilt = new StringBuilder(splits[0]);
        foreach (var split in splits.AsSpan(1))
        {
            if (split.Length == 0)
            {
                return false;
            }

            if (split[0] != '{')
            {
                var width = PythonText.FirstCodePointWidth(split);
                rebuilt.Append("\\sqrt{").Append(split, 0, width).Append('}').Append(split, width, split.Length - width);
            }
            else
            {
                rebuilt.Append("\\sqrt").Append(split);
            }
        }

        result = rebuilt.ToString();
        return true;
    }

    /// <summary>
    /// <c>fix_fracs</c>: <c>\frac12</c> → <c>\frac{1}{2}</c>, <c>\frac1{2}</c> → <c>\frac{1}{2}</c>. A <c>\frac</c> followed by
    /// fewer than two characters leaves the whole string unchanged; one followed by nothing at all raises.
    /// </summary>
    private static bool TryFixFracs(string s, out string result)
    {
        result = s;
        var parts = s.Split("\\frac");
        if (parts.Length == 1)
        {
            return true;
        }

        var rebuilt = new StringBuilder(parts[0]);
        foreach (var part in parts.AsSpan(1))
        {
            rebuilt.Append("\\frac");
            if (part.Length == 0)
            {
                return false;
            }

            if (part[0] == '{')
            {
                rebuilt.Append(part);
                continue;
            }

            if (PythonText.Length(part) < 2)
            {
                return true;
            }

            var aWidth = PythonText.FirstCodePointWidth(part);
            var bWidth = PythonText.FirstCodePointWidth(part, aWidth);
            var a = part[..aWidth];
            var b = part.Substring(aWidth, bWidth);
            var rest = part[(aWidth + bWidth)..];
            rebuilt.Append('{').Append(a).Append('}');
            rebuilt.Append(b == "{" ? b : "{" + b + "}");
            rebuilt.Append(rest);
        }

        result = rebuilt.ToString();
        return true;
    }

    /// <summary>
    /// <c>fix_a_slash_b</c>: <c>a/b</c> → <c>\frac{a}{b}</c> when both sides are integers written exactly as Python's
    /// <c>str(int(x))</c> would (no sign other than a leading minus, no leading zeros, no "-0", ASCII digits), and
    /// within Python's 4300-digit int/str conversion limit.
    /// </summary>
    private static string FixSlashFraction(string s)
    {
        var parts = s.Split('/');
        if (parts.Length != 2 || !IsCanonicalInteger(parts[0]) || !IsCanonicalInteger(parts[1]))
        {
            return s;
        }

        return "\\frac{" + parts[0] + "}{" + parts[1] + "}";
    }

    private const int PythonMaxIntegerDigits = 4300;

    private static bool IsCanonicalInteger(string s) =>
        CanonicalInteger().IsMatch(s) && s.TrimStart('-').Length <= PythonMaxIntegerDigits;

    [GeneratedRegex(@"\A(?:0|-?[1-9][0-9]*)\z", RegexOptions.CultureInvariant)]
    private static partial Regex CanonicalInteger();
}
