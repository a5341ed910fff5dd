namespace VerlOrleans.Silo.Hosting;

/// <summary>How this silo joins a cluster (configuration section <c>VerlOrleans:Cluster</c>).</summary>
public sealed class ClusterSettings
{
    /// <summary>Configuration section these settings bind to (kept out of the <c>Orleans:</c> section, which Orleans binds itself).</summary>
    public const string SectionName = "VerlOrleans:Cluster";

    /// <summary>The providers <see cref="Provider"/> may name.</summary>
    public static readonly IReadOnlyList<string> Providers = [LocalhostProvider, RedisProvider, AdoNetProvider];

    public const string LocalhostProvider = "Localhost";
    public const string RedisProvider = "Redis";
    public const string AdoNetProvider = "AdoNet";

    /// <summary>
    /// Membership and grain state: <c>Localhost</c> (embedded default: one machine, state in local files), <c>Redis</c>
    /// or <c>AdoNet</c> (PostgreSQL through Npgsql).
    /// </summary>
    public string Provider { get; set; } = LocalhostProvider;

    /// <summary>
    /// The store of <see cref="Provider"/>: a StackExchange.Redis configuration string (<c>redis:6379</c>) or an Npgsql
    /// connection string (<c>Host=db;Username=orleans;Password=...;Database=verlorleans</c>). Unused for Localhost.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The IP address or DNS name other silos and clients reach this silo on (a container's service name, a host's
    /// LAN address). With it the silo listens on every interface; without it (Localhost) on loopback only. Redis and
    /// AdoNet default to 127.0.0.1, which only forms a cluster of silos on one machine.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Orleans cluster id: silos with the same id form one cluster.</summary>
    public string ClusterId { get; set; } = "verlorleans";

    /// <summary>Orleans service id: stable across deployments, part of every persisted state key.</summary>
    public string ServiceId { get; set; } = "verlorleans";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port external clients (the CLI) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// How long a probe of another silo may go unanswered before it counts as missed. A silo is declared dead after
    /// <see cref="MissedProbesLimit"/> missed probes and votes from two others (or all, when fewer): this sets how fast a
    /// crashed silo's models and runs move to the survivors.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Missed probes before a silo suspects another. With <see cref="ProbeTimeout"/>, Orleans' own defaults: tighter
    /// values fail over faster but can declare a silo dead that was only busy (inference saturating a small machine).
    /// </summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// How often each silo writes "I am alive" to the membership store. A silo that missed two of these counts as dead
    /// to silos joining later, which is what lets a cluster restarted after a crash (every silo killed) start again
    /// within twice this period instead of waiting on silos that will never answer.
    /// </summary>
    public TimeSpan IAmAlivePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Mutual TLS for silo-to-silo and gateway traffic (<c>VerlOrleans:Cluster:Tls</c>): off unless a certificate is named.
    /// </summary>
    public ClusterTlsSettings Tls { get; set; } = new();

    /// <summary>True when other hosts can reach this silo's Orleans ports (an advertised address makes it listen on all).</summary>
    public bool ListensBeyondLoopback => Provider != LocalhostProvider && !string.IsNullOrWhiteSpace(AdvertisedAddress);

    /// <summary>The setting's problem, naming the key, or null when it can start a silo.</summary>
    public string? Problem()
    {
        if (!Providers.Contains(Provider, StringComparer.Ordinal))
        {
            return $"{SectionName}:Provider '{Provider}' is not supported; use one of: {string.Join(", ", Providers)}";
        }

        if (Provider != LocalhostProvider && string.IsNullOrWhiteSpace(ConnectionString))
        {
            return $"{SectionName}:ConnectionString is required for the {Provider} provider";
        }

        if (ProbeTimeout <= TimeSpan.Zero || MissedProbesLimit < 1 || IAmAlivePeriod <= TimeSpan.Zero)
        {
            return $"{SectionName}:ProbeTimeout and IAmAlivePeriod must be positive and {SectionName}:MissedProbesLimit at least 1";
        }

        return null;
    }
}

/// <summary>
/// <c>VerlOrleans:Cluster:Tls</c>: the cluster certificate (PKCS#12, made by <c>verlorleans cluster-cert new</c>) every
/// silo and every gateway client holds; connections presenting any other certificate, or none, are refused.
/// </summary>
public sealed class ClusterTlsSettings
{
    /// <summary>Path of the <c>.pfx</c> file; empty: Orleans traffic is plain TCP.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its password, if it has one (better given as <c>VERLORLEANS__CLUSTER__TLS__CERTIFICATEPASSWORD</c>).</summary>
    public string? CertificatePassword { get; set; }

    public bool IsEnabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
