using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Demo;
using VerlOrleans.Grains.Demo;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests;

/// <summary>The demo grain on the real test cluster: a grid that already has runs starts no demo, and the demo sweep is a valid sweep over the shipped files, and a silo without them says which is missing.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class DemoGrainTests(GridClusterFixture fixture)
{
    private IDemoGrain Demo => fixture.Client.GetGrain<IDemoGrain>(IDemoGrain.SingletonKey);

    [Fact]
    public async Task A_grid_that_has_seen_a_run_starts_no_demo_now_or_on_any_later_start()
    {
        await GridRuns.CompleteAsync(fixture.Client, $"before-demo-{Guid.NewGuid():N}"[..24], GridRuns.Greedy(TinyChatModel.Folder, samples: 1, maxTokens: 2));

        Assert.Null(await Demo.StartOnFirstRunAsync());
        Assert.Null(await Demo.StartOnFirstRunAsync());
        var sweeps = await fixture.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).ListSweepsAsync();
        Assert.DoesNotContain(sweeps, s => s.SweepId == IDemoGrain.FirstSweepId);
    }

    [Fact]
    public void A_silo_without_the_demo_folder_refuses_naming_the_missing_path()
    {
        using var empty = new TempDirectory("no-demo");

        var refusal = Assert.Throws<FileNotFoundException>(() => DemoSweep.Spec(empty.Path));

        Assert.Contains("the demo is incomplete", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(empty.Path, "verl-run"), refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demo_sweep_covers_the_shipped_run_folder_on_its_own_dataset()
    {
        var spec = DemoSweep.Spec(DemoFiles.Folder);

        Assert.Equal([DemoFiles.RunFolder], spec.Checkpoints);
        Assert.Equal([DemoFiles.Dataset], spec.Template.DataFiles);
        Assert.Empty(VerlOrleans.Contracts.Inputs.SpecValidation.Validate(spec));
    }
}
