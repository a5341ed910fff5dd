namespace VerlOrleans.Evaluation.Rewards;

/// <summary>Which copy of prm800k's grader: they differ in <c>_normalize</c> only.</summary>
internal enum Prm800kVariant
{
    /// <summary>mathruler's <c>grader.py</c> (geometry3k): also drops spaces and braces before comparing.</summary>
    MathRuler,

    /// <summary>verl's <c>prime_math</c>: also strips the unit "liter"; keeps spaces and braces.</summary>
    PrimeMath,
}
