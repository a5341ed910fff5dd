using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using VerlOrleans.Evaluation.Text;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// prm800k's <c>grade_answer(given, ground_truth)</c> as mathruler's <c>grader.py</c> and verl's
/// <c>prime_math/__init__.py</c> each carry it, up to the point where it needs other libraries: pylatexenc (any
/// backslash left after <c>_normalize</c>'s text rules) or sympy (<c>are_equal_under_sympy</c>). Those answers are
/// <see cref="GradeVerdict.NeedsPython"/>; every other verdict is the one the Python returns.
/// <para>
/// The mathd comparison (<c>math_normalize.normalize_answer</c>, the Hendrycks <c>_strip_string</c>) runs on any text.
/// The <c>_normalize</c> steps run natively only on ASCII: they call Python's <c>float()</c>, <c>str.isalpha</c> and
/// <c>str.lower</c>, which accept Unicode digits, spaces and letters whose handling is not worth restating here.
/// </para>
/// </summary>
internal static partial class Prm800kGrader
{
    private static readonly string[] Units =
        ["degree", "cm", "centimeter", "meter", "mile", "second", "minute", "hour", "day", "week", "month", "year", "foot", "feet", "inch", "yard"];

    private static readonly Regex[] UnitPatterns = [.. Units.Select(UnitPattern)];

    private static readonly Regex[] PrimeMathUnitPatterns = [.. Units.Append("liter").Select(UnitPattern)];

    public static GradeVerdict Grade(string given, string groundTruth, Prm800kVariant variant)
    {
        if (MathdNormalize(groundTruth) == MathdNormalize(given))
        {
            return GradeVerdict.Correct;
        }

        var truth = Ascii.IsValid(groundTruth) ? Normalize(groundTruth, variant) : null;
        var answer = Ascii.IsValid(given) ? Normalize(given, variant) : null;
        if (truth is null || answer is null)
        {
            return GradeVerdict.NeedsPython;
        }

        if (truth == answer)
        {
            return GradeVerdict.Correct;
        }

        if (answer.Length == 0)
        {
            return GradeVerdict.Incorrect;
        }

        var truthElements = SplitTuple(truth);
        var givenElements = SplitTuple(answer);
        if ((truthElements.Count > 1 && (truth[0] != answer[0] || truth[^1] != answer[^1])) || truthElements.Count != givenElements.Count)
        {
            return GradeVerdict.Incorrect;
        }

        // Python stops at the first wrong element; one that only sympy can judge leaves the verdict open unless a
        // later element is wrong whatever sympy says.
        var verdict = GradeVerdict.Correct;
        for (var i = 0; i < truthElements.Count; i++)
        {
            var element = GradeElement(truthElements[i], givenElements[i]);
            if (element == GradeVerdict.Incorrect)
            {
                return GradeVerdict.Incorrect;
            }

            if (element == GradeVerdict.NeedsPython)
            {
                verdict = GradeVerdict.NeedsPython;
            }
        }

        return verdict;
    }

    /// <summary><c>math_normalize.normalize_answer</c>: strip, drop an enclosing <c>\text{}</c>, then <c>_strip_string</c> (the input where it raises).</summary>
    public static string MathdNormalize(string answer)
    {
        var stripped = PythonText.Strip(answer);
        if (EnclosingText().Match(stripped) is { Success: true } text)
        {
            stripped = PythonText.Strip(text.Groups["text"].Value);
        }

        return HendrycksMathNormalizer.TryStripString(stripped, out var normalized) ? normalized : stripped;
    }

    private static GradeVerdict GradeElement(string truth, string given)
    {
        if (IsFraction(truth) && IsFraction(given))
        {
            // Unreduced fractions must match as written: Python gives sympy no say here.
            return truth == given ? GradeVerdict.Correct : GradeVerdict.Incorrect;
        }

        if (StrIsInt(truth) != StrIsInt(given))
        {
            return GradeVerdict.Incorrect;
        }

        // are_equal_under_sympy returns False without parsing what should_allow_eval refuses.
        if (!ShouldAllowEval($"({truth})-({given})"))
        {
            return GradeVerdict.Incorrect;
        }

        // Two integer literals: sympy's difference is their exact integer difference, zero only when they are equal.
        // Past Python's 4300-digit int/str limit parse_expr raises instead, which Python leaves to its except.
        if (IntegerLiteral().IsMatch(truth) && IntegerLiteral().IsMatch(given) && truth.Length <= 4300 && given.Length <= 4300)
        {
            return BigInteger.Parse(truth, CultureInfo.InvariantCulture) == BigInteger.Parse(given, CultureInfo.InvariantCulture)
                ? GradeVerdict.Correct
                : GradeVerdict.Incorrect;
        }

        return GradeVerdict.NeedsPython;
    }

    /// <summary><c>_normalize</c> on ASCII text; null where it would hand a backslash to pylatexenc.</summary>
    private static string? Normalize(string expr, Prm800kVariant variant)
    {
        if (EnclosingText().Match(expr) is { Success: true } text)
        {
            expr = text.Groups["text"].Value;
        }

        expr = expr.Replace("\\%", "%", StringComparison.Ordinal)
            .Replace("\\$", "$", StringComparison.Ordinal)
            .Replace("$", "", StringComparison.Ordinal)
            .Replace("%", "", StringComparison.Ordinal)
            .Replace(" or ", " , ", StringComparison.Ordinal)
            .Replace(" and ", " , ", StringComparison.Ordinal)
            .Replace("million", "*10^6", StringComparison.Ordinal)
            .Replace("billion", "*10^9", StringComparison.Ordinal)
            .Replace("trillion", "*10^12", StringComparison.Ordinal);
        foreach (var unit in variant == Prm800kVariant.PrimeMath ? PrimeMathUnitPatterns : UnitPatterns)
        {
            expr = unit.Replace(expr, "");
        }

        expr = Degrees().Replace(expr, "");
        if (expr.Length > 0 && expr[0] == '{' && expr[^1] == '}')
        {
            expr = expr[1..^1];
        }

        expr = ThinSpaceComma().Replace(expr, "");
        if (PythonFloat.TryParse(expr, out var number) && PythonFloat.IsNearInteger(number))
        {
            expr = PythonFloat.RoundedIntegerText(number);
        }

        if (expr.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        expr = MinusSpaces().Replace(expr, "-");
        expr = MixedNumber().Replace(expr, "$1+$2");
        if (variant == Prm800kVariant.MathRuler)
        {
            expr = expr.Replace(" ", "", StringComparison.Ordinal).Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal);
        }

        expr = expr.ToLowerInvariant();
        if (StrIsInt(expr))
        {
            // _str_to_int: every comma goes, then int(float(x)) truncates.
            PythonFloat.TryParse(expr.Replace(",", "", StringComparison.Ordinal), out var value);
            expr = PythonFloat.TruncatedIntegerText(value);
        }

        return expr;
    }

    private static bool StrIsInt(string x) =>
        PythonFloat.TryParse(StripProperlyFormattedCommas(x), out var value) && PythonFloat.IsNearInteger(value);

    private static string StripProperlyFormattedCommas(string expr)
    {
        while (true)
        {
            var next = ThousandsComma().Replace(expr, "$1$3$4");
            if (next == expr)
            {
                return next;
            }

            expr = next;
        }
    }

    private static List<string> SplitTuple(string expr)
    {
        expr = StripProperlyFormattedCommas(expr);
        if (expr.Length == 0)
        {
            return [];
        }

        if (expr.Length > 2 && IsTupleChar(expr[0]) && IsTupleChar(expr[^1]) && !expr[1..^1].Any(IsTupleChar))
        {
            return [.. expr[1..^1].Split(',').Select(PythonText.Strip)];
        }

        return [expr];
    }

    private static bool IsTupleChar(char c) => c is '(' or ')' or '[' or ']';

    private static bool ShouldAllowEval(string expr)
    {
        var letters = expr.Replace("sqrt", "", StringComparison.Ordinal).Replace("frac", "", StringComparison.Ordinal)
            .Where(char.IsAsciiLetter).Distinct().Count();
        return letters <= 2
            && !expr.Contains("^{", StringComparison.Ordinal) && !expr.Contains("^(", StringComparison.Ordinal)
            && !RepeatedPower().IsMatch(expr) && !LongPower().IsMatch(expr);
    }

    private static bool IsFraction(string expr) => Fraction().IsMatch(expr);

    private static Regex UnitPattern(string unit) =>
        new(unit + @"(es)?(s)? *(\^[0-9]+)?", RegexOptions.CultureInvariant | RegexOptions.Compiled);

    // Python's ^ and $ without MULTILINE: $ also matches before a final newline, as .NET's does; . excludes \n in both.
    [GeneratedRegex(@"^\\text\{(?<text>.+?)\}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnclosingText();

    [GeneratedRegex(@"\^ *\\circ", RegexOptions.CultureInvariant)]
    private static partial Regex Degrees();

    [GeneratedRegex(@",\\! *", RegexOptions.CultureInvariant)]
    private static partial Regex ThinSpaceComma();

    [GeneratedRegex("- *", RegexOptions.CultureInvariant)]
    private static partial Regex MinusSpaces();

    [GeneratedRegex("([0-9]) +([0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex MixedNumber();

    [GeneratedRegex("([0-9])(,)([0-9]{3})($|[^0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex ThousandsComma();

    [GeneratedRegex(@"\A-?(?:0|[1-9][0-9]*)\z", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerLiteral();

    [GeneratedRegex(@"\^[0-9]+\^", RegexOptions.CultureInvariant)]
    private static partial Regex RepeatedPower();

    [GeneratedRegex(@"\^[0-9][0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex LongPower();

    [GeneratedRegex(@"^-?[0-9]+.?/0*[1-9][0-9]*.?$", RegexOptions.CultureInvariant)]
    private static partial Regex Fraction();
}
