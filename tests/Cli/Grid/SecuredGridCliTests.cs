using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>
/// The CLI against a secured real silo: API tokens (admin and read-only) over <c>--api</c>, and the Orleans gateway on
/// mutual TLS with the cluster certificate, which the CLI holds (<c>--tls-certificate</c>) or does not.
/// </summary>
public sealed class SecuredGridCliTests(SecuredGridCliTests.SecuredSilo grid) : IClassFixture<SecuredGridCliTests.SecuredSilo>
{
    [Fact]
    public async Task Over_the_api_a_token_is_needed_a_read_token_reads_and_only_an_admin_token_submits()
    {
        var none = await RunAsync(["runs"], token: null);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains($"runs: the grid at {grid.Api} needs a token", none.Error, StringComparison.Ordinal);

        var wrong = await RunAsync(["runs"], "vo_not-a-token-of-this-grid");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("refused the token", wrong.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("vo_not-a-token-of-this-grid", wrong.Error, StringComparison.Ordinal);

        string[] submit = ["submit", "--checkpoint", TinyChatModel.Folder, "--data", VerlData.Gsm8k, "--max-samples", "2", "--max-response-length", "4",
            "--max-prompt-length", "512", "--truncation", "left"];
        var readSubmit = await RunAsync(submit, grid.ReadToken);
        Assert.Equal(2, readSubmit.ExitCode);
        Assert.Contains("'viewer' is read-only", readSubmit.Error, StringComparison.Ordinal);

        var adminSubmit = await RunAsync(submit, grid.AdminToken);
        Assert.True(adminSubmit.ExitCode == 0, adminSubmit.Error);
        var runId = GridCli.LastLine(adminSubmit.Output);
        var watch = await RunAsync(["watch", runId], grid.ReadToken);
        Assert.True(watch.ExitCode == 0, watch.Error);
        Assert.Contains("val-core/openai/gsm8k/reward/mean@1", watch.Output, StringComparison.Ordinal);
        var runs = await RunAsync(["runs"], grid.ReadToken);
        Assert.Equal(0, runs.ExitCode);
        Assert.Contains(runId, runs.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_answers_only_a_client_holding_the_cluster_certificate()
    {
        var holder = await GatewayAsync(grid.CertificatePath);
        Assert.True(holder.ExitCode == 0, holder.Error);
        Assert.Contains("run(s)", holder.Error, StringComparison.Ordinal);

        var plain = await GatewayAsync(null);
        Assert.Equal(2, plain.ExitCode);
        Assert.Contains("pass the cluster certificate with --tls-certificate", plain.Error, StringComparison.Ordinal);

        var stranger = await GatewayAsync(grid.StrangerCertificatePath);
        Assert.Equal(2, stranger.ExitCode);
        Assert.Contains("no VerlOrleans silo answered", stranger.Error, StringComparison.Ordinal);
        // The silo refused the handshake; it is still up for the certificate's holder.
        Assert.Equal(0, (await GatewayAsync(grid.CertificatePath)).ExitCode);
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, string? token)
    {
        string[] auth = [];
        if (token is not null)
        {
            var file = grid.Temp.Combine($"token-{Guid.NewGuid():N}");
            await File.WriteAllTextAsync(file, token + "\n");
            auth = ["--token-file", file];
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await CliHarness.RunAsync(CliApp.Build(), [.. args, "--api", grid.Api, .. auth], limit.Token);
    }

    private async Task<(int ExitCode, string Output, string Error)> GatewayAsync(string? certificate)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string[] tls = certificate is null ? [] : ["--tls-certificate", certificate];
        return await CliHarness.RunAsync(CliApp.Build(),
            ["runs", "--cluster", $"127.0.0.1:{grid.Silo.GatewayPort.ToString(CultureInfo.InvariantCulture)}", "--cluster-id", grid.Silo.ClusterId, "--connect-timeout", "8", .. tls],
            limit.Token);
    }

    /// <summary>A silo with an admin and a read-only token and its Orleans traffic on TLS with a fresh cluster certificate.</summary>
    public sealed class SecuredSilo : IAsyncLifetime
    {
        public SecuredSilo()
        {
            CertificatePath = Temp.Combine("cluster.pfx");
            StrangerCertificatePath = Temp.Combine("stranger.pfx");
            using (var cluster = ClusterCertificate.Create("verlorleans-test", 2))
            {
                File.WriteAllBytes(CertificatePath, cluster.Export(X509ContentType.Pkcs12));
            }

            using (var stranger = ClusterCertificate.Create("verlorleans-test", 2))
            {
                File.WriteAllBytes(StrangerCertificatePath, stranger.Export(X509ContentType.Pkcs12));
            }

            Silo.Settings["VERLORLEANS__AUTH__TOKENS__0__NAME"] = "ops";
            Silo.Settings["VERLORLEANS__AUTH__TOKENS__0__ROLE"] = GridRoles.Admin;
            Silo.Settings["VERLORLEANS__AUTH__TOKENS__0__HASH"] = ApiTokenHash.Hash(AdminToken);
            Silo.Settings["VERLORLEANS__AUTH__TOKENS__1__NAME"] = "viewer";
            Silo.Settings["VERLORLEANS__AUTH__TOKENS__1__ROLE"] = GridRoles.Read;
            Silo.Settings["VERLORLEANS__AUTH__TOKENS__1__HASH"] = ApiTokenHash.Hash(ReadToken);
            Silo.Settings["VERLORLEANS__CLUSTER__TLS__CERTIFICATEPATH"] = CertificatePath;
        }

        public TempDirectory Temp { get; } = new("secured-cli");

        public SiloProcess Silo { get; } = new();

        public string AdminToken { get; } = ApiTokenHash.NewToken();

        public string ReadToken { get; } = ApiTokenHash.NewToken();

        public string CertificatePath { get; }

        public string StrangerCertificatePath { get; }

        public string Api => GridCli.ApiAddress(Silo);

        public Task InitializeAsync() => Silo.InitializeAsync();

        public async Task DisposeAsync()
        {
            await Silo.DisposeAsync();
            Temp.Dispose();
        }
    }
}
