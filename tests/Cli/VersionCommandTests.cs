namespace VerlOrleans.Cli.Tests;

public sealed class VersionCommandTests
{
    [Fact]
    public async Task Version_prints_the_tool_version_and_a_passing_torch_self_test()
    {
        var (exit, output, error) = await CliHarness.RunAsync("version");

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.StartsWith("verlorleans 0.", output, StringComparison.Ordinal);
        Assert.Contains("(cpu backend): self-test passed", output, StringComparison.Ordinal);
        Assert.Contains("device cpu:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_version_command()
    {
        var (exit, output, _) = await CliHarness.RunAsync("--help");

        Assert.Equal(0, exit);
        Assert.Contains("verlorleans", output, StringComparison.Ordinal);
        Assert.Contains("version", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_fails_with_a_message()
    {
        var (exit, _, error) = await CliHarness.RunAsync("no-such-command");

        Assert.NotEqual(0, exit);
        Assert.Contains("no-such-command", error, StringComparison.Ordinal);
    }
}
