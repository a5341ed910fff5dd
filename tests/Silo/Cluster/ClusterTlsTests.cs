using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Testing;
using VerlOrleans.Testing.Servers;

namespace VerlOrleans.Silo.Tests.Cluster;

/// <summary>
/// Silo-to-silo traffic on mutual TLS (VerlOrleans:Cluster:Tls) between real silo processes on a real Redis: two silos
/// holding the cluster certificate form a cluster, run a sweep across it, and a silo with another certificate never
/// becomes a member.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTlsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Silos_with_the_cluster_certificate_form_a_cluster_and_a_stranger_never_joins()
    {
        using var certificates = new TempDirectory("cluster-tls");
        var cluster1 = Write(certificates.Combine("cluster.pfx"));
        var stranger = Write(certificates.Combine("stranger.pfx"));
        await using var cluster = new GridCluster("Redis", redis.ConnectionString);
        var tls = new Dictionary<string, string> { ["VERLORLEANS__CLUSTER__TLS__CERTIFICATEPATH"] = cluster1 };
        var first = await cluster.StartSiloAsync(settings: tls);
        var second = await cluster.StartSiloAsync(settings: tls);
        using var api = new GridApiClient(first.BaseAddress);
        await GridCluster.WaitForActiveSilosAsync(api, 2);

        // Grain calls cross the TLS link: a sweep of two checkpoints runs with models on both silos' budgets.
        var spec = new Contracts.Sweeps.SweepSpec(GridCluster.DemoCheckpoints.Take(2).ToList(), GridCluster.DemoSpec(GridCluster.DemoCheckpoints[0]) with { MaxSamples = 8 }, 2);
        await api.StartSweepAsync(spec, "over-tls");
        var sweep = await GridCluster.WaitForSweepAsync(api, "over-tls", TimeSpan.FromMinutes(3));
        Assert.All(sweep.Rows, r => Assert.Equal(Contracts.Runs.RunState.Completed, r.State));

        // A silo with another certificate: its handshakes are refused both ways, so it never becomes Active.
        var intruder = cluster.StartSiloAsync(settings: new Dictionary<string, string> { ["VERLORLEANS__CLUSTER__TLS__CERTIFICATEPATH"] = stranger });
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60) && !intruder.IsCompleted)
        {
            var overview = await api.GetClusterAsync();
            Assert.Equal(2, overview.ActiveSiloCount);
            Assert.True(overview.Silos.Where(s => s.Status == "Active").All(s => first.Hosts(s.SiloAddress) || second.Hosts(s.SiloAddress)),
                string.Join(", ", overview.Silos.Select(s => $"{s.SiloAddress} {s.Status}")));
            await Task.Delay(2000);
        }

        var stranded = cluster.Silos[^1];
        var final = await api.GetClusterAsync();
        Assert.DoesNotContain(final.Silos, s => stranded.Hosts(s.SiloAddress) && s.Status == "Active");
        Assert.Equal(2, final.ActiveSiloCount);
        // Either it gave up (its start failed) or it is still outside, knocking.
        Assert.True(!intruder.IsCompleted || intruder.IsFaulted, $"the stranger started serving:\n{stranded.Log}");
    }

    private static string Write(string path)
    {
        using var certificate = ClusterCertificate.Create("verlorleans-test", 2);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return path;
    }
}
