namespace VerlOrleans.Dashboard.Components;

/// <summary>One line of a <see cref="LineChart"/>: points, and how it is drawn.</summary>
/// <param name="Name">Legend entry.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values, one per X.</param>
/// <param name="Hover">Hover text per point (optional).</param>
/// <param name="Provisional">Drawn as open markers without a line (a running value, not a final one).</param>
/// <param name="SecondAxis">Plotted against the right-hand axis.</param>
/// <param name="Group">Series of one group share a colour and a legend toggle.</param>
public sealed record LineSeries(
    string Name,
    IReadOnlyList<double> X,
    IReadOnlyList<double> Y,
    IReadOnlyList<string>? Hover = null,
    bool Provisional = false,
    bool SecondAxis = false,
    string? Group = null);
