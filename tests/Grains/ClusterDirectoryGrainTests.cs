using VerlOrleans.Contracts.Cluster;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests;

/// <summary>The cluster directory joins membership with what each silo reports about its devices.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class ClusterDirectoryGrainTests(GridClusterFixture fixture)
{
    private IClusterDirectoryGrain Directory => fixture.Client.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.SingletonKey);

    [Fact]
    public async Task Overview_lists_the_running_silo_with_its_cpu_and_a_working_torch_runtime()
    {
        var overview = await Directory.GetOverviewAsync();

        var silo = Assert.Single(overview.Silos, s => s.Status == "Active");
        Assert.Equal(1, overview.ActiveSiloCount);
        Assert.Equal(fixture.Cluster.Silos[0].SiloAddress.ToParsableString(), silo.SiloAddress);
        Assert.NotNull(silo.Torch);
        Assert.True(silo.Torch.SelfTestPassed, silo.Torch.Error);
        var cpu = Assert.Single(silo.Devices, d => d.Kind == "cpu");
        Assert.Equal("cpu", cpu.Id);
        Assert.Equal(Environment.ProcessorCount, cpu.Cores);
        Assert.True(cpu.TotalMemoryBytes > 0);
        Assert.NotNull(silo.StartedAt);
        Assert.True(silo.Uptime > TimeSpan.Zero);
    }

    [Fact]
    public async Task Uptime_advances_between_two_overviews()
    {
        var first = (await Directory.GetOverviewAsync()).Silos.Single(s => s.Status == "Active");
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        var second = (await Directory.GetOverviewAsync()).Silos.Single(s => s.Status == "Active");

        Assert.True(second.Uptime - first.Uptime >= TimeSpan.FromSeconds(1), $"{first.Uptime} then {second.Uptime}");
    }

    [Fact]
    public async Task Reports_survive_idle_collection_so_the_overview_never_blanks()
    {
        Assert.NotNull((await Directory.GetOverviewAsync()).Silos.Single(s => s.Status == "Active").Torch);

        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.NotNull((await Directory.GetOverviewAsync()).Silos.Single(s => s.Status == "Active").Torch);
    }

    [Fact]
    public async Task A_report_from_a_silo_unknown_to_membership_is_not_shown()
    {
        var stranger = new SiloReport("S10.9.9.9:1:1", "ghost", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, [], new TorchRuntimeInfo("cpu", "0", true, null));
        await Directory.ReportSiloAsync(stranger);

        var overview = await Directory.GetOverviewAsync();

        Assert.DoesNotContain(overview.Silos, s => s.SiloAddress == stranger.SiloAddress || s.HostName == "ghost");
    }

    [Fact]
    public async Task A_second_silo_appears_with_its_own_report()
    {
        var handle = await fixture.Cluster.StartAdditionalSiloAsync();
        try
        {
            var address = handle.SiloAddress.ToParsableString();
            SiloOverview? second = null;
            for (var attempt = 0; attempt < 50 && second?.Torch is null; attempt++)
            {
                second = (await Directory.GetOverviewAsync()).Silos.SingleOrDefault(s => s.SiloAddress == address);
                if (second?.Torch is null)
                {
                    await Task.Delay(200);
                }
            }

            Assert.NotNull(second);
            Assert.Equal("Active", second.Status);
            Assert.NotNull(second.Torch);
            Assert.Contains(second.Devices, d => d.Id == "cpu");
        }
        finally
        {
            await fixture.Cluster.StopSiloAsync(handle);
        }

        var after = await Directory.GetOverviewAsync();
        Assert.Equal(1, after.ActiveSiloCount);
    }
}
