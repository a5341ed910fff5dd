using System.Net;
using System.Net.Sockets;
using Orleans.Configuration;
using StackExchange.Redis;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Silo.Hosting;

/// <summary>
/// Membership, grain state and endpoints for the configured provider: the same grains run on one machine with local
/// files, or as a cluster on Redis or PostgreSQL, by configuration only.
/// </summary>
public static class ClusterProviders
{
    /// <summary>The ADO.NET invariant the AdoNet provider uses (PostgreSQL through Npgsql).</summary>
    public const string PostgresInvariant = "Npgsql";

    public static ISiloBuilder UseGridCluster(this ISiloBuilder silo, ClusterSettings cluster)
    {
        if (cluster.Problem() is { } problem)
        {
            throw new StartupRefusedException(problem);
        }

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = cluster.ProbeTimeout;
            o.NumMissedProbesLimit = cluster.MissedProbesLimit;
            o.IAmAliveTablePublishTimeout = cluster.IAmAlivePeriod;
            o.NumMissedTableIAmAliveLimit = 2;
        });

        switch (cluster.Provider)
        {
            case ClusterSettings.LocalhostProvider:
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                silo.AddGridFileStorage();
                break;
            case ClusterSettings.RedisProvider:
                ConfigureEndpoints(silo, cluster);
                var redis = cluster.ConnectionString!;
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
                foreach (var name in GridSiloBuilderExtensions.StorageNames)
                {
                    silo.AddRedisGrainStorage(name, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
                }

                break;
            case ClusterSettings.AdoNetProvider:
                ConfigureEndpoints(silo, cluster);
                var database = cluster.ConnectionString!;
                silo.Services.AddSingleton(new PostgresSchema(database));
                silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<PostgresSchema>());
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = database;
                });
                foreach (var name in GridSiloBuilderExtensions.StorageNames)
                {
                    silo.AddAdoNetGrainStorage(name, o =>
                    {
                        o.Invariant = PostgresInvariant;
                        o.ConnectionString = database;
                    });
                }

                break;
        }

        return silo;
    }

    private static void ConfigureEndpoints(ISiloBuilder silo, ClusterSettings cluster)
    {
        var advertised = cluster.AdvertisedAddress is { Length: > 0 } name ? Resolve(name) : IPAddress.Loopback;
        silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: cluster.AdvertisedAddress is { Length: > 0 });
    }

    /// <summary>An IP address as given, else the first IPv4 address the name resolves to (a container's service name).</summary>
    private static IPAddress Resolve(string name)
    {
        if (IPAddress.TryParse(name, out var address))
        {
            return address;
        }

        var addresses = Dns.GetHostAddresses(name);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new StartupRefusedException($"{ClusterSettings.SectionName}:AdvertisedAddress '{name}' does not resolve to an address");
    }
}
