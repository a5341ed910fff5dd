using System.Net;
using System.Text.RegularExpressions;
using VerlOrleans.Contracts.Access;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Auth;

/// <summary>
/// A real silo with three API tokens (alice and carol admin, bob read-only), made the way a deployment makes them
/// (only their SHA-256 in its settings), one run or sweep per caller at a time, and no demo folder.
/// </summary>
public sealed partial class SecuredGridFixture : IAsyncLifetime
{
    public SecuredGridFixture()
    {
        Silo = new SiloProcess();
        var tokens = new[] { ("alice", GridRoles.Admin, AliceToken), ("bob", GridRoles.Read, BobToken), ("carol", GridRoles.Admin, CarolToken) };
        for (var i = 0; i < tokens.Length; i++)
        {
            var (name, role, token) = tokens[i];
            Silo.Settings[$"VERLORLEANS__AUTH__TOKENS__{i}__NAME"] = name;
            Silo.Settings[$"VERLORLEANS__AUTH__TOKENS__{i}__ROLE"] = role;
            Silo.Settings[$"VERLORLEANS__AUTH__TOKENS__{i}__HASH"] = ApiTokenHash.Hash(token);
        }

        Silo.Settings["VERLORLEANS__LIMITS__MAXACTIVEJOBSPERCALLER"] = "1";
        Silo.Settings["VERLORLEANS__DEMODIRECTORY"] = Path.Combine(Silo.DataDirectory, "no-demo-here");
    }

    public string AliceToken { get; } = ApiTokenHash.NewToken();

    public string BobToken { get; } = ApiTokenHash.NewToken();

    public string CarolToken { get; } = ApiTokenHash.NewToken();

    public SiloProcess Silo { get; }

    public Task InitializeAsync() => Silo.InitializeAsync();

    public Task DisposeAsync() => Silo.DisposeAsync();

    /// <summary>A run on the tiny model over verl's gsm8k: <paramref name="samples"/> prompts of up to <paramref name="maxTokens"/> tokens.</summary>
    public static RunSpec Spec(int samples, int maxTokens) => new()
    {
        Checkpoint = TinyChatModel.Folder,
        DataFiles = [Path.Combine(RepositoryPaths.SharedFolder ?? throw new InvalidOperationException("../shared is missing"), "data", "verl-data", "gsm8k_test.parquet")],
        MaxSamples = samples,
        Sampling = new SamplingSettings { Temperature = 0, MaxTokens = maxTokens },
        Prompt = new PromptSettings { MaxPromptLength = 512, Truncation = "left" },
    };

    /// <summary>An HTTP client holding a dashboard session signed in with <paramref name="token"/> through the sign-in form.</summary>
    public async Task<HttpClient> SignInAsync(string token)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = Silo.BaseAddress,
        };
        using var response = await PostSignInAsync(client, token, "/runs");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/runs", response.Headers.Location?.OriginalString);
        return client;
    }

    /// <summary>Posts the sign-in form as a browser does (the page's antiforgery field included); the answer is a redirect.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string token, string returnUrl) =>
        await client.PostAsync("auth/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = Antiforgery(await client.GetStringAsync("login")),
        }));

    /// <summary>The antiforgery field of a page's form.</summary>
    public static string Antiforgery(string html)
    {
        var field = AntiforgeryField().Match(html);
        Assert.True(field.Success, "the page has no antiforgery field");
        return WebUtility.HtmlDecode(field.Groups[1].Value);
    }

    /// <summary>Status, redirect target and the start of the body, for assertion messages.</summary>
    public static string Describe(HttpResponseMessage response, string body) =>
        $"{(int)response.StatusCode} {response.Headers.Location}: {body[..Math.Min(body.Length, 300)]}";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

[CollectionDefinition(Name)]
public sealed class SecuredGridCollection : ICollectionFixture<SecuredGridFixture>
{
    public const string Name = "secured grid";
}
