namespace VerlOrleans.Inference.Tests.Text.ChatTemplates;

/// <summary>The clock the render oracle uses for <c>strftime_now</c>: 2025-01-15 09:30:05, in UTC.</summary>
internal sealed class FixedClock : TimeProvider
{
    public static FixedClock OracleTime { get; } = new();

    public override DateTimeOffset GetUtcNow() => new(2025, 1, 15, 9, 30, 5, TimeSpan.Zero);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
