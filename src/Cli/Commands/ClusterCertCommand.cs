using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans cluster-cert new --out cluster.pfx</c>: makes the certificate that puts a grid's Orleans traffic on
/// mutual TLS (<c>VerlOrleans:Cluster:Tls:CertificatePath</c> on every silo, <c>--tls-certificate</c> for the CLI).
/// The file is written owner-read-only; the password, if any, comes from <c>VERLORLEANS_TLS_PASSWORD</c>.
/// </summary>
public static class ClusterCertCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Where to write the .pfx (refused if it exists)", Required = true };
        var days = new Option<int>("--days") { Description = "Days until it expires", DefaultValueFactory = _ => 825 };
        var subject = new Option<string>("--subject") { Description = "Its subject (CN), also the TLS host name both ends use", DefaultValueFactory = _ => "verlorleans-cluster" };
        var create = new Command("new", "Make a self-signed cluster certificate for Orleans TLS between silos and gateway clients.") { output, days, subject };
        create.SetAction(parseResult =>
        {
            var file = parseResult.GetValue(output)!;
            var valid = parseResult.GetValue(days);
            var error = parseResult.InvocationConfiguration.Error;
            if (file.Exists)
            {
                error.WriteLine($"cluster-cert new: {file.FullName} exists; it is not overwritten (every silo and client holding it would be locked out)");
                return 2;
            }

            if (valid is < 1 or > 3650)
            {
                error.WriteLine($"cluster-cert new: --days must be between 1 and 3650, got {valid}");
                return 2;
            }

            using var certificate = ClusterCertificate.Create(parseResult.GetValue(subject)!, valid);
            var password = Environment.GetEnvironmentVariable("VERLORLEANS_TLS_PASSWORD");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(file.FullName, options))
            {
                stream.Write(certificate.Export(X509ContentType.Pkcs12, password));
            }

            parseResult.InvocationConfiguration.Output.WriteLine(
                $"{file.FullName}: {certificate.Subject}, SHA-256 {Convert.ToHexStringLower(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256))}, valid until {certificate.NotAfter:yyyy-MM-dd}");
            error.WriteLine("Give it to every silo (VERLORLEANS__CLUSTER__TLS__CERTIFICATEPATH) and to trusted CLI users (--tls-certificate); keep it as secret as a token.");
            return 0;
        });

        return new Command("cluster-cert", "The certificate for mutual TLS between silos and gateway clients.") { create };
    }
}
