namespace VerlOrleans.Silo.Hosting;

/// <summary>How this silo joins a cluster (configuration section <c>VerlOrleans:Cluster</c>).</summary>
public sealed class ClusterSettings
{
    /// <summary>Configuration section these settings bind to (kept out of the <c>Orleans:</c> section, which Orleans binds itself).</summary>
    public const string SectionName = "VerlOrleans:Cluster";

    /// <summary>Membership provider: <c>Localhost</c> (embedded default, one machine).</summary>
    public string Provider { get; set; } = "Localhost";

    /// <summary>Orleans cluster id: silos with the same id form one cluster.</summary>
    public string ClusterId { get; set; } = "verlorleans";

    /// <summary>Orleans service id: stable across deployments, part of every persisted state key.</summary>
    public string ServiceId { get; set; } = "verlorleans";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port external clients (the CLI) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;
}
