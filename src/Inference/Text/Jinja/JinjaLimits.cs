namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Bounds on one render, so a hostile or broken template cannot hang or exhaust the process: output length
/// (also caps any string or list a template builds), executed steps (statements, loop iterations, calls),
/// macro call depth, and the size of <c>range()</c> (Jinja's sandbox caps it at 100000 too).
/// </summary>
public sealed record JinjaLimits
{
    public int MaxOutputLength { get; init; } = 4_000_000;

    public long MaxSteps { get; init; } = 5_000_000;

    public int MaxCallDepth { get; init; } = 64;

    public int MaxRange { get; init; } = 100_000;

    public static JinjaLimits Default { get; } = new();
}
