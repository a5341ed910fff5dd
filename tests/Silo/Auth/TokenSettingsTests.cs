using Microsoft.Extensions.Configuration;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Silo.Security;

namespace VerlOrleans.Silo.Tests.Auth;

public sealed class TokenSettingsTests
{
    [Fact]
    public void A_token_is_random_and_matches_only_its_own_hash()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => ApiTokenHash.NewToken()).ToList();
        Assert.Equal(100, tokens.Distinct().Count());
        Assert.All(tokens, t => Assert.Matches("^vo_[A-Za-z0-9_-]{43}$", t));
        var hash = ApiTokenHash.Hash(tokens[0]);
        Assert.True(ApiTokenHash.IsWellFormed(hash));
        Assert.True(ApiTokenHash.Matches(tokens[0], hash));
        Assert.False(ApiTokenHash.Matches(tokens[1], hash));
        Assert.False(ApiTokenHash.Matches(tokens[0] + " ", hash));
        // SHA-256 of "abc" (FIPS 180-2 test vector): the stored form is the standard digest, checkable with sha256sum.
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiTokenHash.Hash("abc"));
    }

    [Theory]
    [InlineData("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a")]
    [InlineData("md5:900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("vo_1G4H8uqL3e4SLDqgNsfEw2bMJUTTF4Yt2uZoRIpiKqo")]
    [InlineData("")]
    public void Only_the_hash_form_is_accepted_in_settings(string stored) => Assert.False(ApiTokenHash.IsWellFormed(stored));

    [Fact]
    public void Settings_problems_name_each_bad_entry()
    {
        var settings = new AuthSettings
        {
            Tokens =
            [
                new ApiTokenSettings { Name = "a", Role = "admin", Hash = ApiTokenHash.Hash("x") },
                new ApiTokenSettings { Name = "a", Role = "read", Hash = ApiTokenHash.Hash("y") },
                new ApiTokenSettings { Name = " ", Role = "root", Hash = "x" },
            ],
        };
        var problems = settings.Problems();
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("VerlOrleans:Auth:Tokens:2:Name is empty", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("VerlOrleans:Auth:Tokens:2:Role 'root'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("VerlOrleans:Auth:Tokens:2:Hash", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("the name 'a' is used 2 times", StringComparison.Ordinal));
        Assert.Empty(new AuthSettings().Problems());
    }

    [Fact]
    public void A_session_is_valid_only_while_its_token_is_configured_with_the_same_name_and_role()
    {
        var alice = new ApiTokenSettings { Name = "alice", Role = GridRoles.Admin, Hash = ApiTokenHash.Hash("t1") };
        var session = ApiTokenAuthenticationHandler.Principal(alice, "cookie");
        Assert.True(ApiTokenAuthenticationHandler.StillValid(session, new AuthSettings { Tokens = [alice] }));
        Assert.False(ApiTokenAuthenticationHandler.StillValid(session, new AuthSettings()));
        Assert.False(ApiTokenAuthenticationHandler.StillValid(session, new AuthSettings { Tokens = [new ApiTokenSettings { Name = "alice", Role = GridRoles.Admin, Hash = ApiTokenHash.Hash("t2") }] }));
        Assert.False(ApiTokenAuthenticationHandler.StillValid(session, new AuthSettings { Tokens = [new ApiTokenSettings { Name = "alice", Role = GridRoles.Read, Hash = alice.Hash }] }));
        Assert.False(ApiTokenAuthenticationHandler.StillValid(session, new AuthSettings { Tokens = [new ApiTokenSettings { Name = "mallory", Role = GridRoles.Admin, Hash = alice.Hash }] }));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.9.9.9:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("https://[::1]:5081", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://10.0.0.7:5080", false)]
    [InlineData("http://gpu-box.lab:5080", false)]
    public void Loopback_is_only_what_no_other_host_can_reach(string url, bool loopback) => Assert.Equal(loopback, ListenAddresses.IsLoopback(url));

    [Fact]
    public void Every_place_Kestrel_reads_addresses_from_is_checked()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:5080;http://localhost:5081",
            ["http_ports"] = "8080",
            ["Kestrel:Endpoints:Public:Url"] = "https://10.1.2.3:443",
        }).Build();
        var urls = ListenAddresses.Read(configuration);
        Assert.Equal(["http://127.0.0.1:5080", "http://localhost:5081", "http://*:8080", "https://10.1.2.3:443"], urls);
        var refused = Assert.Throws<Hosting.StartupRefusedException>(() => ListenAddresses.RefuseOpenOffLoopback(configuration, new AuthSettings()));
        Assert.Contains("http://*:8080, https://10.1.2.3:443", refused.Message, StringComparison.Ordinal);
        ListenAddresses.RefuseOpenOffLoopback(configuration, new AuthSettings { Tokens = [new ApiTokenSettings { Name = "a", Role = "read", Hash = ApiTokenHash.Hash("t") }] });
        Assert.Equal(["http://localhost:5000"], ListenAddresses.Read(new ConfigurationBuilder().Build()));
    }
}
