using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VerlOrleans.Contracts.Runs;

namespace VerlOrleans.Silo.Tests.Auth;

/// <summary>
/// Every API endpoint with no token, a wrong token, a read-only token and an admin token, against a real silo: the first
/// two get 401 problem details, read-only callers read but every write is 403 naming them, admins get past authorization.
/// </summary>
[Collection(SecuredGridCollection.Name)]
public sealed class ApiAuthorizationTests(SecuredGridFixture grid)
{
    public static TheoryData<string> CallNames() => [.. ApiEndpoints.Calls.Select(c => c.ToString())];

    [Fact]
    public void Every_mapped_endpoint_is_tested_and_every_write_needs_admin()
    {
        var mapped = ApiEndpoints.Mapped();
        var tested = ApiEndpoints.Calls.Select(c => (c.Method, c.Pattern)).ToHashSet();
        var untested = mapped.Where(m => !tested.Contains((m.Method, m.Pattern))).Select(m => $"{m.Method} {m.Pattern}").ToList();
        Assert.True(untested.Count == 0, "endpoints without an authorization test: " + string.Join(", ", untested));
        Assert.Equal(tested.Count, mapped.Select(m => (m.Method, m.Pattern)).Distinct().Count());
        foreach (var (method, pattern, policies) in mapped)
        {
            Assert.Contains(Security.GridPolicies.Read, policies);
            Assert.Equal(method != "GET", policies.Contains(Security.GridPolicies.Admin));
        }
    }

    [Theory]
    [MemberData(nameof(CallNames))]
    public async Task Without_a_token_every_endpoint_answers_401_problem_details(string name)
    {
        var call = ApiEndpoints.Calls.Single(c => c.ToString() == name);
        using var http = new HttpClient { BaseAddress = grid.Silo.BaseAddress };
        foreach (var token in new string?[] { null, "vo_not-a-token-this-grid-knows", grid.AliceToken + "x" })
        {
            using var response = await http.SendAsync(call.Request(token));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{call} with token '{token}': {SecuredGridFixture.Describe(response, body)}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal("A token is needed", JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(CallNames))]
    public async Task A_read_only_token_reads_but_every_write_is_403_naming_it(string name)
    {
        var call = ApiEndpoints.Calls.Single(c => c.ToString() == name);
        using var http = new HttpClient { BaseAddress = grid.Silo.BaseAddress };
        using var response = await http.SendAsync(call.Request(grid.BobToken));
        var body = await response.Content.ReadAsStringAsync();
        if (call.Writes)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{call} as bob: {SecuredGridFixture.Describe(response, body)}");
            Assert.Contains("'bob' is read-only", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        else
        {
            AssertPastAuthorization(call, "bob", response, body);
        }
    }

    [Theory]
    [MemberData(nameof(CallNames))]
    public async Task An_admin_token_gets_past_authorization_everywhere(string name)
    {
        var call = ApiEndpoints.Calls.Single(c => c.ToString() == name);
        using var http = new HttpClient { BaseAddress = grid.Silo.BaseAddress };
        using var response = await http.SendAsync(call.Request(grid.AliceToken));
        var body = await response.Content.ReadAsStringAsync();
        AssertPastAuthorization(call, "alice", response, body);
    }

    // Past authorization, each call meets its own answer (unknown ids 404, empty bodies 400, no demo here 404), never a 5xx.
    private static void AssertPastAuthorization(ApiCall call, string caller, HttpResponseMessage response, string body) =>
        Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)response.StatusCode < 500,
            $"{call} as {caller}: {SecuredGridFixture.Describe(response, body)}");

    [Fact]
    public async Task Health_endpoints_answer_without_a_token_and_say_nothing_more()
    {
        using var http = new HttpClient { BaseAddress = grid.Silo.BaseAddress };
        foreach (var path in new[] { "health", "alive" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Each_caller_has_at_most_the_configured_runs_going_and_others_are_not_held_back()
    {
        using var alice = new GridApiClient(grid.Silo.BaseAddress, grid.AliceToken);
        using var carol = new GridApiClient(grid.Silo.BaseAddress, grid.CarolToken);
        var longRun = SecuredGridFixture.Spec(samples: 1000, maxTokens: 256);
        await alice.StartRunAsync(longRun, "alice-long");
        try
        {
            using var second = await alice.Http.PostAsJsonAsync("api/runs", new { spec = SecuredGridFixture.Spec(1, 2), runId = "alice-second" }, GridApiClient.Json);
            var body = await second.Content.ReadAsStringAsync();
            Assert.True(second.StatusCode == HttpStatusCode.TooManyRequests, SecuredGridFixture.Describe(second, body));
            var detail = JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("caller")[0].GetString()!;
            Assert.Contains("'alice' already has 1 runs or sweeps going (alice-long)", detail, StringComparison.Ordinal);
            Assert.Contains("VerlOrleans:Limits:MaxActiveJobsPerCaller", detail, StringComparison.Ordinal);
            // Nothing of the refused run exists.
            using (var missing = await alice.Http.GetAsync("api/runs/alice-second"))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            // Another caller is not held back by alice's run.
            await carol.StartRunAsync(SecuredGridFixture.Spec(1, 2), "carol-short");
            await carol.WaitAsync("carol-short", s => s.State.IsFinished(), TimeSpan.FromMinutes(2));

            // Once alice's run ends, her place is free again.
            using (var cancel = await alice.Http.PostAsync("api/runs/alice-long/cancel", null))
            {
                Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            }

            await alice.WaitAsync("alice-long", s => s.State.IsFinished(), TimeSpan.FromMinutes(2));
            var again = await alice.StartRunAsync(SecuredGridFixture.Spec(1, 2), "alice-second");
            Assert.Equal("alice-second", again.RunId);
            Assert.Equal(RunState.Completed, (await alice.WaitAsync("alice-second", s => s.State.IsFinished(), TimeSpan.FromMinutes(2))).State);
        }
        finally
        {
            await alice.Http.PostAsync("api/runs/alice-long/cancel", null);
        }
    }
}
