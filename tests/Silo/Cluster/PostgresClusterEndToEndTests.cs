using System.Diagnostics;
using Npgsql;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Testing.Servers;
using Xunit.Abstractions;

namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>
/// Two real silo processes clustered on a real PostgreSQL (membership and grain state through Orleans' ADO.NET
/// providers and the schema the silo applies itself). The whole cluster is killed in the middle of a sweep; two new
/// silos on the same database and shared folder resume it to the same results as an uninterrupted sweep.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresClusterEndToEndTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const int Prompts = GridCluster.DemoPrompts;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task A_sweep_interrupted_by_killing_the_whole_cluster_resumes_when_new_silos_start_on_the_same_database()
    {
        await using var cluster = new GridCluster("AdoNet", postgres.ConnectionString);
        await cluster.StartSiloAsync();
        await cluster.StartSiloAsync();
        using (var api = new GridApiClient(cluster.Silos[0].BaseAddress))
        {
            await GridCluster.WaitForActiveSilosAsync(api, 2);
            Log("2 silos active on PostgreSQL");
            await api.StartSweepAsync(new SweepSpec(GridCluster.DemoCheckpoints, GridCluster.DemoSpec(GridCluster.DemoCheckpoints[0]), MaxConcurrentRuns: 2), "restart");
            await GridApiClient.PollAsync(() => api.GetSweepAsync("restart"), s => s.Rows.Any(r => r.State == RunState.Running && r.Fraction > 0.1),
                TimeSpan.FromMinutes(3), "a run under way");
        }

        var before = await Scalar("SELECT count(*) FROM vo_grain_state");
        Log($"killing both silos ({before} grain states in PostgreSQL)");
        foreach (var silo in cluster.Silos.ToList())
        {
            await silo.KillAsync();
        }

        var third = await cluster.StartSiloAsync();
        await cluster.StartSiloAsync();
        using var restarted = new GridApiClient(third.BaseAddress);
        Log("two new silos started");
        var finished = await cluster.DiagnosedAsync("restart", () => GridCluster.WaitForSweepAsync(restarted, "restart", TimeSpan.FromMinutes(5)));
        Log("interrupted sweep finished");
        var runs = await Task.WhenAll(finished.Rows.Select(r => restarted.GetRunAsync(r.RunId)));
        Assert.Contains(runs, r => r.Resumes >= 1);

        await restarted.StartSweepAsync(finished.Spec!, "restart-reference");
        var reference = await GridCluster.WaitForSweepAsync(restarted, "restart-reference", TimeSpan.FromMinutes(5));
        var differing = await SweepResults.AssertCompleteAndEqualAsync(restarted, finished, reference, Prompts);
        Log($"responses differing from the uninterrupted sweep's (batch-shape rounding): {differing.Count} [{string.Join(", ", differing)}]");

        Assert.True(before > 0);
        Assert.True(await Scalar("SELECT count(*) FROM vo_membership WHERE status = 3") >= 2);
        Assert.All(cluster.Silos, s => Assert.False(Directory.Exists(Path.Combine(s.DataDirectory, "grain-state")), "grain state went to local files, not PostgreSQL"));
    }

    private async Task<long> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Log(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,7:F1}s {what}");
}
