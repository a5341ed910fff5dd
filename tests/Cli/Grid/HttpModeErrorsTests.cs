using System.Globalization;
using System.Net;
using VerlOrleans.Cli.Grid;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Testing;

namespace VerlOrleans.Cli.Tests.Grid;

/// <summary>
/// <c>--api</c> failing clearly without a silo: nothing listening at the URL, malformed options and token files (checked
/// before any request, never echoing a token), and the API's refusals mapped to the gateway path's messages.
/// </summary>
public sealed class HttpModeErrorsTests : IDisposable
{
    private const string Token = "s3cret-token-value";

    private readonly TempDirectory _temp = new("cli-http-errors");

    private static string Nowhere => $"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";

    [Theory]
    [InlineData("runs")]
    [InlineData("watch", "run-1")]
    [InlineData("cancel", "run-1")]
    [InlineData("results", "run-1", "--out", "ignored")]
    [InlineData("demo")]
    [InlineData("submit", "--checkpoint", "ignored", "--data", "ignored.parquet")]
    public async Task With_nothing_at_the_api_every_grid_command_fails_at_once_naming_the_url(params string[] args)
    {
        var api = Nowhere;

        var (exit, output, error) = await CliHarness.RunAsync([.. args, "--api", api]);

        Assert.Equal(2, exit);
        Assert.StartsWith($"{args[0]}: no VerlOrleans silo answered at {api} (ConnectionRefused", error, StringComparison.Ordinal);
        Assert.Contains("dotnet run --project src/Silo", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_token_file_is_read_and_its_token_never_printed()
    {
        var file = _temp.Combine("token");
        await File.WriteAllTextAsync(file, Token + "\n");
        var api = Nowhere;

        var (exit, _, error) = await CliHarness.RunAsync(["runs", "--api", api, "--token-file", file]);

        // The token was accepted (a malformed one stops before any request): the failure is the missing silo.
        Assert.Equal(2, exit);
        Assert.Contains($"no VerlOrleans silo answered at {api}", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--api", "ftp://grid:5080", "runs: --api 'ftp://grid:5080' is not an http:// or https:// URL")]
    [InlineData("--api", "grid:5080", "is not an http:// or https:// URL")]
    [InlineData("--api", "http://127.0.0.1:5080/?x=1", "is not an http:// or https:// URL")]
    [InlineData("--cluster", "127.0.0.1:30000", "runs: --api and --cluster are two ways to the grid: give one")]
    [InlineData("--token-file", "missing", "runs: --token-file ")]
    [InlineData("--token-file", "empty", "is empty")]
    [InlineData("--token-file", "two-lines", "holds spaces, line breaks or non-ASCII characters")]
    public async Task Malformed_api_options_are_usage_errors_before_any_request(string option, string value, string message)
    {
        await File.WriteAllTextAsync(_temp.Combine("empty"), " \n");
        await File.WriteAllTextAsync(_temp.Combine("two-lines"), Token + "\nsecond line\n");
        var argument = option == "--token-file" ? _temp.Combine(value) : value;
        string[] api = option == "--api" ? [] : ["--api", Nowhere];

        var (exit, output, error) = await CliHarness.RunAsync(["runs", .. api, option, argument]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("silo answered", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_token_file_without_api_is_refused_since_a_gateway_takes_no_token()
    {
        var file = _temp.Combine("token");
        await File.WriteAllTextAsync(file, Token);

        var (exit, _, error) = await CliHarness.RunAsync(["runs", "--cluster", "127.0.0.1:1", "--token-file", file]);

        Assert.Equal(2, exit);
        Assert.Equal("runs: --token-file goes with --api URL (the HTTP API); a gateway takes no token", error.TrimEnd());
    }

    [Fact]
    public async Task The_environment_names_the_api_and_the_token_unless_the_command_line_names_a_gateway()
    {
        var api = Nowhere;
        var gateway = $"127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";
        var environment = new Dictionary<string, string> { ["VERLORLEANS_API"] = api, ["VERLORLEANS_TOKEN"] = Token };

        var overHttp = await RunProcessAsync(environment, "runs");
        var overGateway = await RunProcessAsync(environment, "runs", "--cluster", gateway);
        var badToken = await RunProcessAsync(new Dictionary<string, string> { ["VERLORLEANS_API"] = api, ["VERLORLEANS_TOKEN"] = "two words" }, "runs");

        Assert.Equal(2, overHttp.ExitCode);
        Assert.StartsWith($"runs: no VerlOrleans silo answered at {api} (", overHttp.Error, StringComparison.Ordinal);
        Assert.Equal(2, overGateway.ExitCode);
        Assert.StartsWith($"runs: no VerlOrleans silo answered at {gateway} (cluster", overGateway.Error, StringComparison.Ordinal);
        Assert.Equal(2, badToken.ExitCode);
        Assert.Equal("runs: the token from VERLORLEANS_TOKEN holds spaces, line breaks or non-ASCII characters, which no bearer token has", badToken.Error.TrimEnd());
        Assert.DoesNotContain(Token, overHttp.Error + overGateway.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "the grid at http://grid:5080 needs a token (VERLORLEANS_TOKEN or --token-file)")]
    [InlineData(true, "the grid at http://grid:5080 refused the token (VERLORLEANS_TOKEN or --token-file)")]
    public void A_401_says_whether_a_token_was_sent(bool tokenGiven, string message)
    {
        var error = Map(HttpStatusCode.Unauthorized, "", tokenGiven);

        Assert.Equal(message, Assert.IsType<GridInputException>(error).Message);
    }

    [Fact]
    public void A_403_without_fields_is_the_servers_reason()
    {
        var error = Map(HttpStatusCode.Forbidden, """{"title":"Forbidden","status":403,"detail":"starting a run needs an admin token"}""");

        Assert.Equal("starting a run needs an admin token", Assert.IsType<GridInputException>(error).Message);
        Assert.Contains("admin token", Assert.IsType<GridInputException>(Map(HttpStatusCode.Forbidden, "")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    public void Field_refusals_name_the_fields_as_the_spec_does(HttpStatusCode status)
    {
        var error = Map(status, """{"status":400,"errors":{"spec.sampling.temperature":["must be between 0 and 10, got 11"],"spec.dataFiles[1]":["is empty","again"]}}""");

        var refused = Assert.IsType<RequestRefusedException>(error);
        Assert.Equal((int)status, refused.Status);
        Assert.Equal(
            [new FieldError("sampling.temperature", "must be between 0 and 10, got 11"), new FieldError("dataFiles[1]", "is empty"), new FieldError("dataFiles[1]", "again")],
            refused.Errors);
    }

    [Fact]
    public void Conflicts_client_errors_and_server_errors_keep_their_exit_codes()
    {
        Assert.Equal("run 'x' already exists with different settings",
            Assert.IsType<InvalidOperationException>(Map(HttpStatusCode.Conflict, """{"detail":"run 'x' already exists with different settings"}""")).Message);
        Assert.Equal(new FieldError("request", "The body is not JSON"),
            Assert.Single(Assert.IsType<RequestRefusedException>(Map(HttpStatusCode.BadRequest, """{"detail":"The body is not JSON"}""")).Errors));
        Assert.Contains("413", Assert.IsType<GridInputException>(Map(HttpStatusCode.RequestEntityTooLarge, "")).Message, StringComparison.Ordinal);
        Assert.Contains("redirects", Assert.IsType<GridInputException>(Map(HttpStatusCode.TemporaryRedirect, "")).Message, StringComparison.Ordinal);

        var failed = Assert.IsType<HttpRequestException>(Map(HttpStatusCode.InternalServerError, """{"detail":"logged under correlation id abc123"}"""));
        Assert.Equal("the grid at http://grid:5080 answered POST /api/runs with 500 Internal Server Error: logged under correlation id abc123", failed.Message);
        var proxy = Assert.IsType<HttpRequestException>(Map(HttpStatusCode.BadGateway, "<html>bad gateway</html>"));
        Assert.DoesNotContain("<html>", proxy.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>The built CLI as its own process (environment variables are process-wide: in-process tests would share them).</summary>
    private static async Task<(int ExitCode, string Error)> RunProcessAsync(Dictionary<string, string> environment, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "verlorleans.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var output = process.StandardOutput.ReadToEndAsync(limit.Token);
        var error = process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        await output;
        return (process.ExitCode, await error);
    }

    private static Exception Map(HttpStatusCode status, string body, bool tokenGiven = false) =>
        HttpGridProblems.ToException(status, new HttpResponseMessage(status).ReasonPhrase, body, "POST /api/runs", "http://grid:5080", tokenGiven, "spec.");
}
