using System.Net;
using System.Net.Http.Json;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests;

/// <summary>
/// A deletion survives the silo: after a kill and a restart on the same data directory, with the run supervisor
/// passing every second and the demo set to start on a fresh grid, the deleted run is still gone and nothing is
/// started in its place (an emptied grid is not a fresh one).
/// </summary>
public sealed class DeleteRestartEndToEndTests : IDisposable
{
    private readonly TempDirectory _data = new("delete-restart");

    [Fact]
    public async Task A_deleted_run_stays_deleted_after_a_restart_and_the_emptied_grid_starts_no_demo()
    {
        var id = $"gone-{Guid.NewGuid():N}";
        string folder;
        await using (var first = SiloProcess.OnDataDirectory(_data.Path))
        {
            await first.InitializeAsync();
            using var api = new GridApiClient(first.BaseAddress);
            await api.StartRunAsync(GridRuns.Greedy(TinyChatModel.Folder, 2, maxTokens: 4), id);
            folder = (await api.WaitAsync(id, s => s.State.IsFinished(), TimeSpan.FromMinutes(2))).ResultsDirectory!;
            Assert.True(Directory.Exists(folder));
            Assert.Equal(HttpStatusCode.NoContent, (await api.Http.DeleteAsync($"api/runs/{id}")).StatusCode);
            await first.KillAsync();
        }

        await using var second = SiloProcess.OnDataDirectory(_data.Path);
        second.Settings["VERLORLEANS__STARTDEMOONFIRSTRUN"] = "true";
        second.Settings["VERLORLEANS__RUNSUPERVISIONINTERVAL"] = "00:00:01";
        await second.InitializeAsync();
        using var client = new GridApiClient(second.BaseAddress);
        await WaitForLogAsync(second, "Not the first start on this data directory");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few supervision passes

        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"api/runs/{id}")).StatusCode);
        Assert.Empty((await client.Http.GetFromJsonAsync<List<RunSummary>>("api/runs", GridApiClient.Json))!);
        Assert.Empty((await client.Http.GetFromJsonAsync<List<SweepSummary>>("api/sweeps", GridApiClient.Json))!);
        Assert.False(Directory.Exists(folder));
        Assert.False(File.Exists(folder + ".lease"));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(_data.Path, "grain-state"), "*", SearchOption.AllDirectories),
            f => Path.GetFileName(f).Contains(id, StringComparison.Ordinal));
        Assert.DoesNotContain("demo sweep demo is running", second.Log, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();

    private static async Task WaitForLogAsync(SiloProcess silo, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!silo.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the silo never logged '{text}':\n{silo.Log}");
            await Task.Delay(100);
        }
    }
}
