using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace VerlOrleans.Evaluation.Text;

/// <summary>
/// Python's <c>float(str)</c>, <c>round</c> and <c>int</c> on ASCII text, as prm800k-style graders use them to
/// recognise integers. Only ASCII: Python's <c>float</c> also takes other Unicode digits and spaces, which callers
/// must keep away from here (they leave such answers to Python).
/// </summary>
internal static partial class PythonFloat
{
    /// <summary><c>float(text)</c> for ASCII text: false where Python raises <c>ValueError</c>.</summary>
    public static bool TryParse(string text, out double value)
    {
        value = 0;
        var s = PythonText.Strip(text);
        var match = Literal().Match(s);
        if (!match.Success)
        {
            return false;
        }

        var negative = s.StartsWith('-');
        if (match.Groups["special"].Success)
        {
            value = match.Groups["special"].Value.StartsWith("n", StringComparison.OrdinalIgnoreCase)
                ? double.NaN
                : negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        // .NET rounds decimal text correctly (IEEE round-to-nearest) and overflows to infinity, as CPython does.
        value = double.Parse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary><c>abs(x - int(round(x))) &lt;= 1e-7</c>, false where <c>int(round(x))</c> raises (NaN, infinities).</summary>
    public static bool IsNearInteger(double x) =>
        double.IsFinite(x) && Math.Abs(x - Math.Round(x, MidpointRounding.ToEven)) <= 1e-7;

    /// <summary><c>str(int(round(x)))</c> for a finite x (Python rounds half to even).</summary>
    public static string RoundedIntegerText(double x) =>
        new BigInteger(Math.Round(x, MidpointRounding.ToEven)).ToString(CultureInfo.InvariantCulture);

    /// <summary><c>str(int(x))</c> for a finite x (truncates towards zero).</summary>
    public static string TruncatedIntegerText(double x) =>
        new BigInteger(Math.Truncate(x)).ToString(CultureInfo.InvariantCulture);

    // A decimal literal with PEP 515 underscores between digits, or inf/infinity/nan in any case, after strip().
    [GeneratedRegex(
        @"\A[+-]?(?:(?<special>inf|infinity|nan)|(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?)\z",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Literal();
}
