using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace VerlOrleans.Silo.Tests.Api;

/// <summary>
/// Random mutations of a valid run request (seeded, so a failure replays): fields removed, retyped, set to extremes,
/// hostile strings and paths, unknown fields added, the JSON cut short. The silo must answer every one with an
/// accepted run or a 4xx problem, never a 500 and never a stack trace.
/// </summary>
public sealed class RunSpecFuzzTests(HostileApiFixture fixture, ITestOutputHelper output) : IClassFixture<HostileApiFixture>
{
    private const int Cases = 400;

    private static readonly HttpStatusCode[] Expected =
    [
        HttpStatusCode.Accepted, HttpStatusCode.BadRequest, HttpStatusCode.Forbidden, HttpStatusCode.Conflict,
        HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnprocessableEntity, HttpStatusCode.TooManyRequests,
        HttpStatusCode.InsufficientStorage,
    ];

    [Fact]
    public async Task No_mutation_of_a_run_request_gets_a_500_or_a_stack_trace()
    {
        // A fixed seed replays a failure; VERLORLEANS_FUZZ_SEED explores others.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("VERLORLEANS_FUZZ_SEED"), out var given) ? given : 20261206;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var statuses = new Dictionary<HttpStatusCode, int>();
        var accepted = new List<string>();
        for (var i = 0; i < Cases; i++)
        {
            var runId = $"fuzz-{i}";
            var body = Mutate(fixture.ValidRequest(runId), random, out var what);
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await fixture.Api.Http.PostAsync("api/runs", content);
            var raw = await response.Content.ReadAsStringAsync();
            var context = $"case {i} ({what}): {(int)response.StatusCode} {raw[..Math.Min(400, raw.Length)]}\nbody: {body[..Math.Min(400, body.Length)]}";

            Assert.True(Expected.Contains(response.StatusCode), context);
            Assert.DoesNotContain("   at ", raw, StringComparison.Ordinal);
            Assert.DoesNotContain(".cs:line", raw, StringComparison.Ordinal);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", context);
            }
            else
            {
                accepted.Add(runId);
            }

            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
        }

        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}: {s.Value}")));
        Assert.True(statuses.Count >= 3, "the mutations should reach several kinds of answer");
        foreach (var runId in accepted)
        {
            await fixture.Api.Http.PostAsync($"api/runs/{runId}/cancel", null);
        }
    }

    private string Mutate(JsonObject request, Random random, out string what)
    {
        var mutations = 1 + random.Next(3);
        var said = new List<string>();
        for (var m = 0; m < mutations; m++)
        {
            var nodes = Nodes(request).ToList();
            if (nodes.Count == 0)
            {
                request["spec"] = Value(random);
                said.Add("spec = a value");
                continue;
            }

            var (parent, key) = nodes[random.Next(nodes.Count)];
            switch (random.Next(5))
            {
                case 0 when parent is JsonObject o:
                    o.Remove((string)key);
                    said.Add($"remove {key}");
                    break;
                case 1:
                    var extra = $"unknown{random.Next(100)}";
                    (parent as JsonObject ?? request)[extra] = Value(random);
                    said.Add($"add {extra}");
                    break;
                default:
                    var value = Value(random);
                    if (parent is JsonObject obj)
                    {
                        obj[(string)key] = value;
                    }
                    else if (parent is JsonArray array)
                    {
                        array[(int)key] = value;
                    }

                    said.Add($"set {key} = {value?.ToJsonString()[..Math.Min(40, value.ToJsonString().Length)] ?? "null"}");
                    break;
            }
        }

        var text = request.ToJsonString();
        if (random.Next(20) == 0)
        {
            text = text[..random.Next(text.Length)];
            said.Add("cut short");
        }

        what = string.Join("; ", said);
        return text;
    }

    /// <summary>Every (parent, key) in the request: object properties by name, array items by index.</summary>
    private static IEnumerable<(JsonNode Parent, object Key)> Nodes(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    yield return (obj, key);
                    if (child is not null)
                    {
                        foreach (var inner in Nodes(child))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (array, i);
                    if (array[i] is { } child)
                    {
                        foreach (var inner in Nodes(child))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
        }
    }

    private JsonNode? Value(Random random) => random.Next(22) switch
    {
        0 => null,
        1 => true,
        2 => "",
        3 => JsonValue.Create(int.MaxValue),
        4 => JsonValue.Create(long.MinValue),
        5 => JsonValue.Create(-1),
        6 => JsonValue.Create(0),
        7 => JsonValue.Create(1e308),
        8 => JsonValue.Create(0.5),
        9 => new string('\u00e9', random.Next(1, 5000)),
        10 => "../../../../etc/passwd",
        11 => "/etc/shadow",
        12 => fixture.Fifo,
        13 => Path.Combine(fixture.DataRoot, "escape.parquet"),
        14 => "a\u0000b",
        15 => new JsonArray("x", 1, null, new JsonObject()),
        16 => new JsonObject { ["nested"] = new JsonArray(new JsonArray(new JsonArray(1))) },
        17 => "left",
        18 => JsonValue.Create(random.Next(-100, 100_000)),
        19 => fixture.Dataset,
        20 => fixture.Model,
        _ => "\ud83d\ude00 \u202e rtl \t tab",
    };
}
