namespace VerlOrleans.Evaluation.Rewards;

/// <summary>What a native port of a Python grader can say about an answer.</summary>
internal enum GradeVerdict
{
    Correct,
    Incorrect,

    /// <summary>The Python grader would call a library the port does not restate (sympy, pylatexenc): ask it.</summary>
    NeedsPython,
}
