namespace VerlOrleans.Grains.Demo;

/// <summary>What the demo grain remembers across restarts: whether the first start was handled, and how.</summary>
[GenerateSerializer]
public sealed class DemoGrainState
{
    /// <summary>When the first start was decided; null: never.</summary>
    [Id(0)] public DateTimeOffset? FirstRunHandledAt { get; set; }

    /// <summary>The sweep the first start began; null when the grid already had runs then.</summary>
    [Id(1)] public string? FirstSweepId { get; set; }
}
