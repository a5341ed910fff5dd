using System.Text.RegularExpressions;
using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// <c>normalize_final_answer</c> from verl's <c>math_dapo.py</c> (Minerva's normalisation): keep what follows the last
/// <c>=</c>, apply fixed substitutions and removals, unwrap <c>$…$</c>, <c>\text{}</c>, <c>\textbf{}</c>,
/// <c>\overline{}</c>, <c>\boxed{}</c>, expand shorthand <c>\frac</c>/<c>\sqrt</c>, drop <c>$</c>, drop commas from
/// digit strings, strip whitespace. The regular expressions are Python's, made to step over surrogate pairs as
/// Python steps over code points.
/// </summary>
public static partial class MinervaAnswerNormalizer
{
    private static readonly (string Before, string After)[] Substitutions =
    [
        ("an ", ""), ("a ", ""), (".$", "$"), ("\\$", ""), ("\\ ", ""), (" ", ""), ("mbox", "text"),
        (",\\text{and}", ","), ("\\text{and}", ","), ("\\text{m}", "\\text{}"),
    ];

    private static readonly string[] RemovedExpressions =
    [
        "square", "ways", "integers", "dollars", "mph", "inches", "hours", "km", "units", "\\ldots", "sue", "points",
        "feet", "minutes", "digits", "cents", "degrees", "cm", "gm", "pounds", "meters", "meals", "edges", "students",
        "childrentickets", "multiples", "\\text{s}", "\\text{.}", "\\text{\ns}", "\\text{}^2", "\\text{}^3",
        "\\text{\n}", "\\text{}", "\\mathrm{th}", "^\\circ", "^{\\circ}", "\\;", ",\\!", "{,}", "\"", "\\dots",
    ];

    public static string Normalize(string finalAnswer)
    {
        var s = finalAnswer[(finalAnswer.LastIndexOf('=') + 1)..];
        foreach (var (before, after) in Substitutions)
        {
            s = s.Replace(before, after, StringComparison.Ordinal);
        }

        foreach (var expression in RemovedExpressions)
        {
            s = s.Replace(expression, "", StringComparison.Ordinal);
        }

        s = DollarMath().Replace(s, m => "$" + m.Groups[3].Value + "$");
        s = TextCommand().Replace(s, m => m.Groups[2].Value);
        s = TextBoldCommand().Replace(s, m => m.Groups[2].Value);
        s = OverlineCommand().Replace(s, m => m.Groups[2].Value);
        s = BoxedCommand().Replace(s, m => m.Groups[2].Value);
        s = ShorthandFrac().Replace(s, m => "frac{" + m.Groups[2].Value + "}{" + m.Groups[3].Value + "}");
        s = ShorthandSqrt().Replace(s, m => "sqrt{" + m.Groups[2].Value + "}");
        s = s.Replace("$", "", StringComparison.Ordinal);

        var withoutCommas = s.Replace(",", "", StringComparison.Ordinal);
        if (PythonText.IsDigit(withoutCommas))
        {
            s = withoutCommas;
        }

        return PythonText.Strip(s);
    }

    private const string Any = PythonText.AnyCodePointButNewline;
    private const string NotBrace = PythonText.AnyCodePointButOpenBrace;

    [GeneratedRegex(@"(.*?)(\$)(.*?)(\$)(.*)", RegexOptions.CultureInvariant)]
    private static partial Regex DollarMath();

    [GeneratedRegex(@"(\\text\{)(.*?)(\})", RegexOptions.CultureInvariant)]
    private static partial Regex TextCommand();

    [GeneratedRegex(@"(\\textbf\{)(.*?)(\})", RegexOptions.CultureInvariant)]
    private static partial Regex TextBoldCommand();

    [GeneratedRegex(@"(\\overline\{)(.*?)(\})", RegexOptions.CultureInvariant)]
    private static partial Regex OverlineCommand();

    [GeneratedRegex(@"(\\boxed\{)(.*)(\})", RegexOptions.CultureInvariant)]
    private static partial Regex BoxedCommand();

    [GeneratedRegex("(frac)(" + NotBrace + ")(" + Any + ")", RegexOptions.CultureInvariant)]
    private static partial Regex ShorthandFrac();

    [GeneratedRegex("(sqrt)(" + NotBrace + ")", RegexOptions.CultureInvariant)]
    private static partial Regex ShorthandSqrt();
}
