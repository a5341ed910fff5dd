using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Code;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Rewards.Code;

/// <summary>
/// Hostile programs scored through prime_code cannot reach the host: a fork bomb, a connection to a listener on the
/// host's loopback, writes outside the scratch folder, a memory hog and an infinite loop each score 0 with a reason,
/// within seconds, and leave the test process, its files and the machine's process table as they were.
/// </summary>
[Collection(CodeSandboxCollection.Name)]
public sealed class CodeSandboxHostileTests
{
    // Short alarms keep the test quick; the limits themselves are the defaults.
    private static readonly PrimeCodeReward Reward = new(new CodeSandbox(new CodeSandboxOptions
    {
        FirstPassTimeoutSeconds = 1, TestTimeoutSeconds = 1, CpuSecondsPerProcess = 5, MaxConcurrent = 4,
    }));

    private const string BombName = "vo-forkbomb";

    private static readonly JsonNode OneTest = JsonValue.Create("""{"inputs": ["1\n"], "outputs": ["ok\n"]}""");

    [Fact]
    public async Task A_fork_bomb_is_held_to_its_sandbox_and_killed_at_the_time_limit()
    {
        var (result, elapsed) = await ScoreAsync($"import os, posix\nfd = os.open('/proc/self/comm', os.O_WRONLY)\nos.write(fd, b'{BombName}')\nos.close(fd)\nwhile True:\n    try:\n        posix.fork()\n    except OSError:\n        pass");

        Assert.Equal(0.0, result.Score);
        Assert.Contains("time limit", result.Detail, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"took {elapsed}");
        await AssertNoBombProcessesLeftAsync();
        using var child = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        await child.WaitForExitAsync();
        Assert.Equal(0, child.ExitCode);
    }

    [Fact]
    public async Task A_connection_to_the_host_fails_and_the_listener_sees_nothing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var (result, elapsed) = await ScoreAsync($"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=3)\ns.sendall(b'hello')\nprint('ok')");

        Assert.Equal(0.0, result.Score);
        Assert.Contains("runtime error", result.Detail, StringComparison.Ordinal);
        Assert.Contains("Connection", result.Detail, StringComparison.Ordinal);
        Assert.False(listener.Pending());
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"took {elapsed}");
    }

    [Fact]
    public async Task Writes_outside_the_scratch_folder_never_reach_the_host()
    {
        using var temp = new TempDirectory("code-sandbox-write");
        var victim = temp.Combine("victim.txt");
        File.WriteAllText(victim, "original");
        var planted = Path.Combine(AppContext.BaseDirectory, "planted-by-sandbox.txt");
        var code = $"""
            import os
            for path in [{Py(victim)}, {Py(planted)}, '/usr/planted.txt']:
                try:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, 'w') as f:
                        f.write('pwned')
                except OSError as e:
                    print('refused', path, e)
            print(open({Py(victim)}).read())
            """;

        var (result, _) = await ScoreAsync(code);

        Assert.Equal(0.0, result.Score);
        Assert.Contains("wrong answer", result.Detail, StringComparison.Ordinal);
        Assert.Equal("original", File.ReadAllText(victim));
        Assert.False(File.Exists(planted));
        Assert.False(File.Exists("/usr/planted.txt"));
    }

    [Fact]
    public async Task A_memory_hog_fails_with_a_memory_error()
    {
        var (result, elapsed) = await ScoreAsync("blocks = []\nwhile True:\n    blocks.append(bytearray(512 << 20))");

        Assert.Equal(0.0, result.Score);
        Assert.Contains("MemoryError", result.Detail, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"took {elapsed}");
    }

    [Fact]
    public async Task An_infinite_loop_is_killed_at_the_time_limit()
    {
        var (result, elapsed) = await ScoreAsync("while True:\n    pass");

        Assert.Equal(0.0, result.Score);
        Assert.Contains("test 0: time limit (1 s alarm)", result.Detail, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"took {elapsed}");
    }

    [Fact]
    public async Task Without_a_sandbox_nothing_runs_and_the_error_says_why()
    {
        var reward = new PrimeCodeReward(new CodeSandbox(new CodeSandboxOptions { Bubblewrap = "/nonexistent/bwrap" }));

        var error = await Assert.ThrowsAsync<RewardConfigurationException>(() =>
            reward.ScoreAsync(new RewardRequest("apps", "```python\nprint('ok')\n```", OneTest)));

        Assert.Contains("only inside a bubblewrap sandbox", error.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/bwrap", error.Message, StringComparison.Ordinal);
        Assert.Contains("never run unsandboxed", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(RewardResult Result, TimeSpan Elapsed)> ScoreAsync(string code)
    {
        var stopwatch = Stopwatch.StartNew();
        var outcome = await Reward.ScoreAsync(new RewardRequest("codecontests", $"```python\n{code}\n```", OneTest.DeepClone()));
        Assert.True(outcome.Result is not null, outcome.Error);
        return (outcome.Result, stopwatch.Elapsed);
    }

    private static string Py(string text) => JsonValue.Create(text).ToJsonString();

    /// <summary>No process on the machine carries the name the bomb gave itself (and its children) once its sandbox ended.</summary>
    private static async Task AssertNoBombProcessesLeftAsync()
    {
        for (var attempt = 0; attempt < 50 && BombProcesses() > 0; attempt++)
        {
            // The sandbox's init reaps what the kill left a moment later.
            await Task.Delay(200);
        }

        Assert.Equal(0, BombProcesses());
    }

    private static int BombProcesses() => Directory.EnumerateDirectories("/proc")
        .Where(d => int.TryParse(Path.GetFileName(d), out _))
        .Count(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "comm")).Trim() == BombName;
            }
            catch (IOException)
            {
                return false;
            }
        });
}
