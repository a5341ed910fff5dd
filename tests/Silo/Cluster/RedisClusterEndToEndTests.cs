using System.Diagnostics;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Testing;
using VerlOrleans.Testing.Servers;
using Xunit.Abstractions;

namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>
/// Three real silo processes clustered on a real Redis (membership and grain state), results on one shared folder,
/// one silo without room for models. A sweep survives <c>kill -9</c> of the silo holding a running model, and a run
/// drains and moves when its silo is told to stop; both end with every sample exactly once and the same answers as
/// an uninterrupted run.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RedisClusterEndToEndTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const int Prompts = GridCluster.DemoPrompts;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task A_sweep_completes_on_the_survivors_after_kill_9_of_the_silo_holding_a_running_model()
    {
        await using var cluster = new GridCluster("Redis", redis.ConnectionString);
        var entry = await cluster.StartSiloAsync(GridCluster.NoModelBudget);
        await Task.WhenAll(cluster.StartSiloAsync(), cluster.StartSiloAsync());
        using var api = new GridApiClient(entry.BaseAddress);
        await GridCluster.WaitForActiveSilosAsync(api, 3);
        Log("3 silos active on Redis");

        var spec = new SweepSpec(GridCluster.DemoCheckpoints, GridCluster.DemoSpec(GridCluster.DemoCheckpoints[0]), MaxConcurrentRuns: 4);
        await api.StartSweepAsync(spec, "failover");

        var (victim, model) = await GridApiClient.PollAsync(() => RunningWithModelAsync(api, "failover"), v => v is not null,
            TimeSpan.FromMinutes(3), "a run mid-generation")
            .ContinueWith(t => t.Result!.Value, TaskScheduler.Default);
        var doomed = cluster.Hosting(model.Silo);
        Assert.NotSame(entry, doomed);
        Log($"run {victim.RunId} at {victim.Progress.SamplesDone}/{Prompts}; killing the silo holding its model ({model.Silo})");
        var killed = Stopwatch.StartNew();
        await doomed.KillAsync();

        // What the run had written when its model died (its progress is published every 250 ms): the next sample is new work.
        var resumed = await cluster.DiagnosedAsync(victim.RunId, async () =>
        {
            await Task.Delay(500);
            var atKill = Math.Max(victim.Progress.SamplesDone, (await api.WaitAsync(victim.RunId, _ => true, TimeSpan.FromMinutes(1))).Progress.SamplesDone);
            return await api.WaitAsync(victim.RunId, s => s.Progress.SamplesDone > atKill || s.State.IsFinished(), TimeSpan.FromMinutes(3));
        });
        Log($"progress resumed {killed.Elapsed.TotalSeconds:F1} s after the kill ({resumed.Progress.SamplesDone} samples, on {resumed.Silo})");
        var finished = await cluster.DiagnosedAsync("failover", () => GridCluster.WaitForSweepAsync(api, "failover", TimeSpan.FromMinutes(5)));
        Log($"sweep finished {killed.Elapsed.TotalSeconds:F1} s after the kill");

        // The catalog's model list is soft state: a catalog that died with the silo relearns it as models report.
        var models = await cluster.DiagnosedAsync(model.Key, () => GridApiClient.PollAsync(api.GetModelsAsync,
            list => list.Any(m => m.Key == model.Key && m.State == ModelState.Ready && !doomed.Hosts(m.Silo)), TimeSpan.FromSeconds(40), "the model back on a survivor"));
        Assert.DoesNotContain(models, m => doomed.Hosts(m.Silo));
        Assert.DoesNotContain(models, m => entry.Hosts(m.Silo));
        Assert.True(int.Parse(await redis.CommandAsync("DBSIZE").ContinueWith(t => t.Result.TrimStart(':'), TaskScheduler.Default), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.All(cluster.Silos, s => Assert.False(Directory.Exists(Path.Combine(s.DataDirectory, "grain-state")), "grain state went to local files, not Redis"));

        await api.StartSweepAsync(spec, "failover-reference");
        var reference = await GridCluster.WaitForSweepAsync(api, "failover-reference", TimeSpan.FromMinutes(5));
        var differing = await SweepResults.AssertCompleteAndEqualAsync(api, finished, reference, Prompts);
        Log($"responses differing from the uninterrupted sweep's (batch-shape rounding): {differing.Count} [{string.Join(", ", differing)}]");
    }

    [Fact]
    public async Task A_run_whose_silo_is_stopped_drains_its_calls_in_flight_and_finishes_on_another_silo()
    {
        await using var cluster = new GridCluster("Redis", redis.ConnectionString);
        await Task.WhenAll(cluster.StartSiloAsync(), cluster.StartSiloAsync());
        await cluster.StartSiloAsync();
        using var first = new GridApiClient(cluster.Silos[0].BaseAddress);
        await GridCluster.WaitForActiveSilosAsync(first, 3);

        var spec = GridCluster.DemoSpec(DemoFiles.Actor(DemoFiles.Steps[^1]));
        await first.StartRunAsync(spec, "handoff");
        var running = await first.WaitAsync("handoff", s => s.State == RunState.Running && s.Progress.SamplesDone >= 4 && s.Silo is not null, TimeSpan.FromMinutes(3));
        Assert.True(running.Progress.SamplesDone < Prompts - 40, $"the run was nearly done ({running.Progress.SamplesDone}) before its silo could be stopped");
        var executing = cluster.Hosting(running.Silo);
        using var api = new GridApiClient(cluster.Silos.First(s => s != executing).BaseAddress);
        Log($"run at {running.Progress.SamplesDone}/{Prompts} on {running.Silo}; SIGTERM to that silo");
        var stopping = Stopwatch.StartNew();

        var exitCode = await executing.StopAsync(TimeSpan.FromSeconds(90));
        Log($"stopped silo exited with {exitCode} after {stopping.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(0, exitCode);
        Assert.True(executing.Log.Contains("handed off at", StringComparison.Ordinal), $"the stopped silo did not hand the run off:\n{executing.Log[^Math.Min(6000, executing.Log.Length)..]}");

        var finished = await cluster.DiagnosedAsync("handoff", () => api.WaitAsync("handoff", s => s.State.IsFinished(), TimeSpan.FromMinutes(3)));
        Log($"run finished on {finished.Silo} after {finished.Resumes} resume(s)");
        Assert.Equal(RunState.Completed, finished.State);
        Assert.True(finished.Resumes >= 1, "the run never resumed on another silo");
        Assert.False(executing.Hosts(finished.Silo));

        await api.StartRunAsync(spec, "handoff-reference");
        var reference = await api.WaitAsync("handoff-reference", s => s.State.IsFinished(), TimeSpan.FromMinutes(3));
        var differing = await SweepResults.AssertRunCompleteAndEqualAsync(api, "handoff", "handoff-reference", Prompts);
        Log($"responses differing from the uninterrupted run's (batch-shape rounding): {differing.Count} [{string.Join(", ", differing)}]");
    }

    /// <summary>A run of the sweep that is generating (some samples written, most not) and its model, if there is one now.</summary>
    private static async Task<(RunStatus Run, ModelStatus Model)?> RunningWithModelAsync(GridApiClient api, string sweepId)
    {
        var sweep = await api.GetSweepAsync(sweepId);
        foreach (var row in sweep.Rows.Where(r => r.State == RunState.Running))
        {
            var run = await api.GetRunAsync(row.RunId);
            if (run.State == RunState.Running && run.Progress.SamplesDone is >= 3 and <= Prompts - 40
                && (await api.GetModelsAsync()).FirstOrDefault(m => m.Key == run.ModelKey && m.State == ModelState.Ready) is { Silo: not null } model)
            {
                return (run, model);
            }
        }

        return null;
    }

    private void Log(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,7:F1}s {what}");
}
