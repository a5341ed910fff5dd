namespace VerlOrleans.Evaluation.Tests.Rewards;

/// <summary>
/// A test that runs verl's and mathruler's real Python code: it needs VERLORLEANS_VERL_PYTHONPATH (folders holding
/// <c>verl/</c> and <c>mathruler/</c>, as Golden/README.md describes) and sympy and pylatexenc in /usr/bin/python3.
/// verl's code is not in this repository, so CI skips it; a developer with a verl checkout runs it.
/// </summary>
public sealed class VerlPythonFactAttribute : FactAttribute
{
    public const string Variable = "VERLORLEANS_VERL_PYTHONPATH";

    public VerlPythonFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"set {Variable} to folders holding verl/ and mathruler/ to run verl's own scorers";
        }
    }

    public static IList<string> Folders =>
        [.. (Environment.GetEnvironmentVariable(Variable) ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)];
}
