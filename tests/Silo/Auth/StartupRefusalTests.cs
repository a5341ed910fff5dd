using System.Net;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Auth;

/// <summary>The real silo refuses settings that would expose it open, naming what to set, and starts once tokens are there.</summary>
public sealed class StartupRefusalTests
{
    [Fact]
    public async Task Listening_beyond_loopback_without_tokens_exits_2_naming_the_address_and_the_fix()
    {
        await using var silo = new SiloProcess { ListenOnAnyAddress = true, Direct = true };
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(silo.InitializeAsync);
        Assert.Equal(2, silo.ExitCode);
        Assert.Contains($"it would listen on http://0.0.0.0:{silo.BaseAddress.Port}, which is not loopback, and no API token is configured", refused.Message, StringComparison.Ordinal);
        Assert.Contains("verlorleans token new", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", silo.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_setting_that_holds_a_token_instead_of_its_hash_is_refused_by_name()
    {
        await using var silo = new SiloProcess { Direct = true };
        silo.Settings["VERLORLEANS__AUTH__TOKENS__0__NAME"] = "alice";
        silo.Settings["VERLORLEANS__AUTH__TOKENS__0__ROLE"] = "owner";
        silo.Settings["VERLORLEANS__AUTH__TOKENS__0__HASH"] = ApiTokenHash.NewToken();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(silo.InitializeAsync);
        Assert.Equal(2, silo.ExitCode);
        Assert.Contains("VerlOrleans:Auth:Tokens:0:Hash is not 'sha256:' and 64 lower-case hex digits", refused.Message, StringComparison.Ordinal);
        Assert.Contains("VerlOrleans:Auth:Tokens:0:Role 'owner' is not one of read, admin", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_tokens_it_listens_beyond_loopback_and_asks_every_caller_for_one()
    {
        var token = ApiTokenHash.NewToken();
        await using var silo = new SiloProcess { ListenOnAnyAddress = true, Direct = true };
        silo.Settings["VERLORLEANS__AUTH__TOKENS__0__NAME"] = "ops";
        silo.Settings["VERLORLEANS__AUTH__TOKENS__0__ROLE"] = "read";
        silo.Settings["VERLORLEANS__AUTH__TOKENS__0__HASH"] = ApiTokenHash.Hash(token);
        await silo.InitializeAsync();
        using var anonymous = new HttpClient { BaseAddress = silo.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/runs")).StatusCode);
        using var ops = new GridApiClient(silo.BaseAddress, token);
        Assert.Equal(HttpStatusCode.OK, (await ops.Http.GetAsync("api/runs")).StatusCode);
        // The settings hold the hash; nothing the grid wrote holds the token.
        foreach (var file in Directory.EnumerateFiles(silo.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(token, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }
    }
}
