using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>Runs grid commands in-process against a real silo process, each bounded so a hung watch fails its test.</summary>
internal static class GridCli
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary><c>verlorleans ARGS --cluster 127.0.0.1:GATEWAY --cluster-id ID</c>, cancelled (as Ctrl+C would) after <paramref name="timeout"/>.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(SiloProcess silo, string[] args, TimeSpan? timeout = null) =>
        RunAsync(silo, GridMode.Gateway, args, timeout);

    /// <summary>
    /// <c>verlorleans ARGS</c> through the silo's gateway (<c>--cluster</c>, <c>--cluster-id</c>) or its HTTP API
    /// (<c>--api URL</c>), cancelled (as Ctrl+C would) after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(SiloProcess silo, GridMode mode, string[] args, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(4));
        string[] target = mode == GridMode.Gateway
            ? ["--cluster", $"127.0.0.1:{silo.GatewayPort.ToString(CultureInfo.InvariantCulture)}", "--cluster-id", silo.ClusterId]
            : ["--api", ApiAddress(silo)];
        return await CliHarness.RunAsync(CliApp.Build(), [.. args, .. target], limit.Token);
    }

    /// <summary>The silo's HTTP address as <c>--api</c> takes it and messages name it.</summary>
    public static string ApiAddress(SiloProcess silo) => silo.BaseAddress.ToString().TrimEnd('/');

    /// <summary>The last line of a command's stdout (where submit prints the id).</summary>
    public static string LastLine(string output) => output.TrimEnd().Split('\n')[^1].Trim();

    /// <summary>The run's status through the silo's HTTP API: an observer of the test's own, independent of the CLI.</summary>
    public static async Task<RunStatus> HttpStatusAsync(SiloProcess silo, string runId)
    {
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        return (await http.GetFromJsonAsync<RunStatus>($"api/runs/{runId}", Json))!;
    }

    /// <summary>Polls the HTTP API until <paramref name="condition"/> holds for the run.</summary>
    public static async Task<RunStatus> WaitForAsync(SiloProcess silo, string runId, Func<RunStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await HttpStatusAsync(silo, runId);
            if (condition(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId}: condition not met in {timeout}; last {status.State} {status.Progress.SamplesDone}/{status.Progress.SamplesTotal} {status.Error}");
            await Task.Delay(100);
        }
    }
}

/// <summary>How a grid command reaches the silo in a test.</summary>
public enum GridMode
{
    /// <summary>As an Orleans client of its gateway (<c>--cluster</c>).</summary>
    Gateway,

    /// <summary>Through its HTTP API (<c>--api</c>).</summary>
    Http,
}
