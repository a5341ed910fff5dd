using System.Globalization;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>Grid commands fail clearly: no silo at the gateway, malformed options (checked before connecting), unknown ids and unreadable checkpoints.</summary>
public sealed class GridCommandErrorsTests
{
    private static string Nowhere => $"127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";

    [Theory]
    [InlineData("runs")]
    [InlineData("watch", "run-1")]
    [InlineData("cancel", "run-1")]
    [InlineData("results", "run-1", "--out", "ignored")]
    public async Task With_no_silo_listening_every_grid_command_fails_at_once_naming_the_gateway(params string[] args)
    {
        var gateway = Nowhere;

        var (exit, _, error) = await CliHarness.RunAsync([.. args, "--cluster", gateway]);

        Assert.Equal(2, exit);
        Assert.Contains($"no VerlOrleans silo answered at {gateway}", error, StringComparison.Ordinal);
        // Refused by the probe, not left to the client's timeout.
        Assert.Contains("ConnectionRefused", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--truncation", "sideways", "truncation 'sideways'")]
    [InlineData("--reward-mode", "vibes", "--reward-mode 'vibes'")]
    [InlineData("--apply-chat-template-kwargs", "[1]", "--apply-chat-template-kwargs must be a JSON object")]
    [InlineData("--route", "gsm8k", "route 'gsm8k' must look like SOURCE=REWARD")]
    [InlineData("--dtype", "int8", "dtype 'int8'")]
    [InlineData("--max-concurrent-runs", "0", "--max-concurrent-runs 0")]
    [InlineData("--id", "a/b", "--id 'a/b'")]
    [InlineData("--cluster", "localhost", "--cluster 'localhost' is not HOST:PORT")]
    public async Task Submit_checks_its_options_before_connecting(string option, string value, string message)
    {
        string[] args = ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, option, value];
        var (exit, output, error) = await CliHarness.RunAsync(option == "--cluster" ? args : [.. args, "--cluster", Nowhere]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("silo", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }
}

/// <summary>Errors that need a silo to answer: ids it does not know, checkpoints it cannot read.</summary>
[Collection(GridSiloCollection.Name)]
public sealed class GridCommandLookupErrorsTests(SiloProcess silo)
{
    [Theory]
    [InlineData("watch")]
    [InlineData("cancel")]
    [InlineData("results")]
    public async Task An_unknown_id_is_a_usage_error_naming_it(string command)
    {
        var (exit, output, error) = await GridCli.RunAsync(silo, command == "results" ? [command, "no-such-run", "--out", Path.GetTempPath()] : [command, "no-such-run"]);

        Assert.Equal(2, exit);
        Assert.Contains($"{command}: no run or sweep 'no-such-run' in the grid at 127.0.0.1:{silo.GatewayPort.ToString(CultureInfo.InvariantCulture)}", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_checkpoint_the_silo_cannot_read_is_refused_before_anything_starts()
    {
        using var temp = new TempDirectory("cli-missing");
        var missing = temp.Combine("no-such-checkpoint");

        var (exit, output, error) = await GridCli.RunAsync(silo, ["submit", "--checkpoint", missing, "--data", VerlData.Gsm8k]);

        Assert.Equal(2, exit);
        Assert.Contains($"--checkpoint {missing}: the grid cannot read it", error, StringComparison.Ordinal);
        Assert.Equal("", output);
        var runs = await GridCli.RunAsync(silo, ["runs", "--json"]);
        Assert.DoesNotContain(missing, runs.Output, StringComparison.Ordinal);
    }
}
