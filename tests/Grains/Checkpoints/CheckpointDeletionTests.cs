using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Checkpoints;

/// <summary>
/// Deleting checkpoints on the real in-process cluster: the grid's own merge under models/ goes (unless another
/// registered checkpoint shares it), the user's shards and Hugging Face folders stay byte for byte, the checkpoint
/// leaves the catalog and its model leaves memory; a checkpoint a run in progress uses is refused.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class CheckpointDeletionTests(GridClusterFixture fixture) : IDisposable
{
    // Weights no other test of the cluster merges: the model cache is shared by content.
    private const float OwnScale = 0.6f;
    private const float SharedScale = 0.7f;

    private readonly TempDirectory _inputs = new("checkpoint-deletion");

    private ICatalogGrain Catalog => fixture.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);

    private string ModelsFolder => Path.Combine(fixture.DataDirectory, "models");

    [Fact]
    public async Task A_merged_checkpoint_is_refused_while_a_run_uses_it_then_only_the_grids_merge_goes()
    {
        var actor = VerlRunFolderBuilder.Write(_inputs.Combine("own-run"), steps: 1, firstScale: OwnScale)[0];
        var shards = FolderSnapshot.Take(actor);
        var checkpoint = fixture.Client.GetGrain<ICheckpointGrain>(CheckpointPaths.Normalize(actor));
        var run = fixture.Client.GetGrain<IEvaluationRunGrain>($"on-merge-{Guid.NewGuid():N}");
        await run.StartAsync(GridRuns.Greedy(actor, 400, maxTokens: 64));
        var running = await WaitAsync(run, s => s.State == RunState.Running);
        var ready = await checkpoint.GetStatusAsync();
        Assert.Equal(CheckpointState.Ready, ready.State);
        Assert.Equal(ModelsFolder, Path.GetDirectoryName(ready.ModelPath));

        var refusal = await Assert.ThrowsAsync<InUseException>(checkpoint.DeleteAsync);

        Assert.Contains($"run '{running.RunId}' is running on it; cancel the run first", refusal.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(ready.ModelPath));
        Assert.Contains(await Catalog.ListCheckpointsAsync(), c => c.Path == ready.Path);
        Assert.Contains(await Catalog.ListModelsAsync(), m => m.Key == running.ModelKey);
        var unchanged = await checkpoint.GetStatusAsync();
        Assert.Equal((ready.State, ready.ModelPath, ready.UpdatedAt), (unchanged.State, unchanged.ModelPath, unchanged.UpdatedAt));

        await run.CancelAsync();
        Assert.Equal(RunState.Cancelled, (await GridRuns.WaitFinishedAsync(run)).State);
        var othersBefore = Entries(ModelsFolder).Where(e => e != ready.ModelPath).ToList();
        Assert.True(await checkpoint.DeleteAsync());

        Assert.False(Directory.Exists(ready.ModelPath));
        Assert.Equal(othersBefore, Entries(ModelsFolder));
        FolderSnapshot.AssertSame(shards, FolderSnapshot.Take(actor));
        Assert.DoesNotContain(await Catalog.ListCheckpointsAsync(), c => c.Path == ready.Path);
        Assert.DoesNotContain(await Catalog.ListModelsAsync(), m => m.Key == running.ModelKey);
        Assert.Equal(CheckpointState.Registered, (await checkpoint.GetStatusAsync()).State);
        Assert.Equal(RunState.Cancelled, (await run.GetStatusAsync()).State);
        Assert.False(await checkpoint.DeleteAsync());
    }

    [Fact]
    public async Task A_hugging_face_folder_registered_directly_is_only_unregistered_and_its_model_unloaded()
    {
        var folder = _inputs.Combine("my-hf-model");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(TinyChatModel.Folder))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var before = FolderSnapshot.Take(folder);
        var models = Entries(ModelsFolder);
        var key = Assert.Single(await Catalog.RegisterCheckpointsAsync(folder));
        var run = await GridRuns.CompleteAsync(fixture.Client, $"on-hf-{Guid.NewGuid():N}", GridRuns.Greedy(folder, 2));
        Assert.Contains(await Catalog.ListModelsAsync(), m => m.Key == run.ModelKey);
        Assert.Equal(folder, (await fixture.Client.GetGrain<ICheckpointGrain>(key).GetStatusAsync()).ModelPath);

        Assert.True(await fixture.Client.GetGrain<ICheckpointGrain>(key).DeleteAsync());

        FolderSnapshot.AssertSame(before, FolderSnapshot.Take(folder));
        Assert.Equal(models, Entries(ModelsFolder));
        Assert.DoesNotContain(await Catalog.ListCheckpointsAsync(), c => c.Path == key);
        Assert.DoesNotContain(await Catalog.ListModelsAsync(), m => m.Key == run.ModelKey);
    }

    [Fact]
    public async Task A_merge_two_registered_checkpoints_share_goes_only_with_the_last_of_them()
    {
        var first = VerlRunFolderBuilder.Write(_inputs.Combine("shared-a"), steps: 1, firstScale: SharedScale)[0];
        var second = _inputs.Combine("shared-b-actor");
        CopyFolder(first, second);
        var firstFiles = FolderSnapshot.Take(first);
        var secondFiles = FolderSnapshot.Take(second);
        var a = await PrepareAsync(first);
        var b = await PrepareAsync(second);
        Assert.Equal(a.ModelPath, b.ModelPath);

        Assert.True(await fixture.Client.GetGrain<ICheckpointGrain>(a.Path).DeleteAsync());

        Assert.True(Directory.Exists(b.ModelPath), "the merge still serves the other checkpoint");
        var listed = await Catalog.ListCheckpointsAsync();
        Assert.DoesNotContain(listed, c => c.Path == a.Path);
        Assert.Contains(listed, c => c.Path == b.Path && c.State == CheckpointState.Ready);

        Assert.True(await fixture.Client.GetGrain<ICheckpointGrain>(b.Path).DeleteAsync());

        Assert.False(Directory.Exists(b.ModelPath));
        FolderSnapshot.AssertSame(firstFiles, FolderSnapshot.Take(first));
        FolderSnapshot.AssertSame(secondFiles, FolderSnapshot.Take(second));
    }

    [Fact]
    public async Task An_unknown_checkpoint_is_not_found_and_nothing_is_registered_by_asking()
    {
        var path = _inputs.Combine("never-registered");

        Assert.False(await fixture.Client.GetGrain<ICheckpointGrain>(path).DeleteAsync());
        Assert.DoesNotContain(await Catalog.ListCheckpointsAsync(), c => c.Path == path);
    }

    public void Dispose() => _inputs.Dispose();

    private async Task<CheckpointStatus> PrepareAsync(string folder)
    {
        var key = Assert.Single(await Catalog.RegisterCheckpointsAsync(folder));
        var grain = fixture.Client.GetGrain<ICheckpointGrain>(key);
        await grain.PrepareAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var status = await grain.GetStatusAsync();
            if (status.IsSettled)
            {
                Assert.Equal(CheckpointState.Ready, status.State);
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{folder} did not settle ({status.State})");
            await Task.Delay(50);
        }
    }

    private static List<string> Entries(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetFileSystemEntries(folder).Order(StringComparer.Ordinal)] : [];

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task<RunStatus> WaitAsync(IEvaluationRunGrain run, Func<RunStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (condition(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {status.RunId}: condition not reached ({status.State} {status.Error})");
            await Task.Delay(50);
        }
    }
}
