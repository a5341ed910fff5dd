using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Grains.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Storage;

/// <summary>
/// Reading grain state creates its own objects: it never fills in the shared instance a property starts from
/// (<see cref="RunProgress.None"/>), which every new run's status begins with. Found by deleting a run: the next run
/// started with the deleted run's progress, read from its state just before.
/// </summary>
[Collection(GridClusterCollection.Name)]
public sealed class SharedDefaultsTests(GridClusterFixture fixture)
{
    [Fact]
    public void Reading_run_state_leaves_the_shared_empty_progress_empty()
    {
        var serializer = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainStorageSerializer>();
        var stored = new RunGrainState
        {
            Status = new RunStatus
            {
                RunId = "with-progress",
                Progress = new RunProgress { SamplesDone = 30, SamplesTotal = 30, MeanScores = new Dictionary<string, double> { ["openai/gsm8k"] = 0.5 } },
            },
        };

        var read = serializer.Deserialize<RunGrainState>(serializer.Serialize(stored));

        Assert.Equal(30, read!.Status!.Progress.SamplesDone);
        Assert.Equal(0.5, read.Status.Progress.MeanScores["openai/gsm8k"]);
        Assert.NotSame(RunProgress.None, read.Status.Progress);
        Assert.Equal(0, RunProgress.None.SamplesDone);
        Assert.Equal(0, RunProgress.None.SamplesTotal);
        Assert.Empty(RunProgress.None.MeanScores);
        Assert.Equal(0, new RunStatus { RunId = "fresh" }.Progress.SamplesTotal);
    }
}
