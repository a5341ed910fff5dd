using VerlOrleans.Dashboard.Components;

namespace VerlOrleans.Dashboard.Tests;

public sealed class DisplayTests
{
    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(24L * 1024 * 1024 * 1024, "24.0 GiB")]
    [InlineData(81559L << 20, "79.6 GiB")]
    public void Bytes_use_binary_units(long bytes, string expected) => Assert.Equal(expected, Display.Bytes(bytes));

    [Fact]
    public void Durations_show_days_only_when_there_are_some()
    {
        Assert.Equal("00:00:59", Display.Duration(TimeSpan.FromSeconds(59)));
        Assert.Equal("3d 04:05:06", Display.Duration(new TimeSpan(3, 4, 5, 6)));
        Assert.Equal("00:00:00", Display.Duration(TimeSpan.FromSeconds(-5)));
    }
}
