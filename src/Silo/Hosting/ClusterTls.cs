using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Silo.Hosting;

/// <summary>
/// Puts the silo's Orleans connections (to other silos, and from gateway clients) on mutual TLS with the cluster
/// certificate: both ends must present it, so the gateway, which checks no API token, is closed to anyone without it.
/// </summary>
public static partial class ClusterTls
{
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterTlsSettings settings)
    {
        if (!settings.IsEnabled)
        {
            return silo;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = ClusterCertificate.Load(settings.CertificatePath!, settings.CertificatePassword);
        }
        catch (InvalidDataException e)
        {
            throw new StartupRefusedException($"{ClusterSettings.SectionName}:Tls:CertificatePath: {e.Message}");
        }

        if (DateTimeOffset.UtcNow > certificate.NotAfter)
        {
            throw new StartupRefusedException($"{ClusterSettings.SectionName}:Tls:CertificatePath: {settings.CertificatePath} expired on {certificate.NotAfter:yyyy-MM-dd}; make a new one with `verlorleans cluster-cert new`");
        }

        return silo.UseTls(certificate, options => Configure(options, certificate, TimeProvider.System));
    }

    /// <summary>
    /// Says at start, once, when this silo's Orleans ports take plain connections from other hosts: API tokens guard HTTP
    /// only, and whoever reaches the gateway can call every grain.
    /// </summary>
    public static void WarnIfExposed(this WebApplication app)
    {
        var cluster = app.Configuration.GetSection(ClusterSettings.SectionName).Get<ClusterSettings>() ?? new ClusterSettings();
        if (cluster.ListensBeyondLoopback && !cluster.Tls.IsEnabled)
        {
            LogExposed(app.Logger, cluster.SiloPort, cluster.GatewayPort);
        }
    }

    /// <summary>The TLS options of a silo: require the peer's certificate and accept only the cluster's.</summary>
    public static void Configure(TlsOptions options, X509Certificate2 certificate, TimeProvider clock)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Chain errors are expected (the certificate is self-signed); what counts is that it is the cluster's own.
        options.RemoteCertificateValidation = (remote, _, _) => ClusterCertificate.IsClusterCertificate(remote, certificate, clock.GetUtcNow());
        options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = ClusterCertificate.HostName(certificate);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orleans ports {SiloPort} (silos) and {GatewayPort} (gateway) listen on every address without TLS: API tokens do not guard them, and anyone who reaches the gateway can call every grain. Keep them on a private network or firewalled to the silos, or set VerlOrleans:Cluster:Tls:CertificatePath (verlorleans cluster-cert new).")]
    private static partial void LogExposed(ILogger logger, int siloPort, int gatewayPort);
}
