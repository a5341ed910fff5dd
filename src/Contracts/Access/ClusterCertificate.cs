using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace VerlOrleans.Contracts.Access;

/// <summary>
/// The certificate that puts a grid's Orleans traffic on mutual TLS: every silo and every trusted gateway client (the CLI)
/// holds the same one, and each end accepts the other only if it presents exactly that certificate (pinned by
/// thumbprint), so a self-signed certificate needs no CA, and nobody without the file joins the cluster or calls a grain.
/// </summary>
public static class ClusterCertificate
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>A new self-signed certificate (ECDSA P-256) for both TLS roles, valid for <paramref name="days"/>.</summary>
    public static X509Certificate2 Create(string subject, int days)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthentication), new Oid(ClientAuthentication)], critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(subject);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(days));
    }

    /// <summary>
    /// Loads a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>) with its private key; a certificate without a private key, or an
    /// unreadable file, throws <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static X509Certificate2 Load(string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"{path} is not a PKCS#12 certificate this password opens ({e.Message.Trim()})", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{path} cannot be read: {e.Message}", e);
        }

        return certificate.HasPrivateKey ? certificate : throw new InvalidDataException($"{path} holds no private key: TLS needs the key too");
    }

    /// <summary>True when <paramref name="remote"/> is the cluster certificate itself (same thumbprint) and not expired.</summary>
    public static bool IsClusterCertificate(X509Certificate? remote, X509Certificate2 cluster, DateTimeOffset now) =>
        remote is not null
        && CryptographicOperations.FixedTimeEquals(remote.GetCertHash(HashAlgorithmName.SHA256), cluster.GetCertHash(HashAlgorithmName.SHA256))
        && now >= cluster.NotBefore && now <= cluster.NotAfter;

    /// <summary>The name both ends put in SNI (the certificate's subject).</summary>
    public static string HostName(X509Certificate2 cluster) => cluster.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
}
