using System.Net;
using System.Net.Http.Headers;
using System.Text;
using VerlOrleans.Silo.Tests.Auth;

namespace VerlOrleans.Silo.Tests.OpenAi;

/// <summary>
/// <c>/v1</c> under authentication: no token is a 401; a read-only token lists models and generates (the <c>/api</c>
/// group's admin rule for POSTs does not reach <c>/v1</c>).
/// </summary>
public sealed class OpenAiAuthorizationTests(SecuredGridFixture fixture) : IClassFixture<SecuredGridFixture>
{
    [Theory]
    [InlineData("GET", "v1/models")]
    [InlineData("POST", "v1/completions")]
    [InlineData("POST", "v1/chat/completions")]
    public async Task Without_a_token_v1_is_a_401_and_a_read_token_gets_through(string method, string path)
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Silo.BaseAddress };
        using var reader = new HttpClient { BaseAddress = fixture.Silo.BaseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", fixture.BobToken) } };

        using var refused = await anonymous.SendAsync(Request(method, path));
        using var allowed = await reader.SendAsync(Request(method, path));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        // An unknown model: the request reached the endpoint.
        Assert.Equal(method == "GET" ? HttpStatusCode.OK : HttpStatusCode.NotFound, allowed.StatusCode);
        if (method == "POST")
        {
            Assert.Contains("model_not_found", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method == "POST"
            ? new StringContent("""{"model": "nothing-registered", "prompt": "hi", "messages": [{"role": "user", "content": "hi"}]}""".Replace(
                path.Contains("chat", StringComparison.Ordinal) ? "\"prompt\": \"hi\", " : ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]", "", StringComparison.Ordinal), Encoding.UTF8, "application/json")
            : null,
    };
}
