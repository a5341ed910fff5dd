using System.Text;
using System.Text.Json.Nodes;

namespace VerlOrleans.Bench.OpenAi;

/// <summary>
/// What one streaming client saw, in seconds on the round's clock: when it sent its request, when the first
/// server-sent event carrying text arrived, when each text event arrived, when <c>[DONE]</c> came; the usage the
/// stream's last chunk reported; and the text it put together.
/// </summary>
internal sealed record ClientResult(int Index, double Sent, double FirstText, double Done, int PromptTokens, int CompletionTokens, string Text, IReadOnlyList<double> TextEvents)
{
    public double TimeToFirstText => FirstText - Sent;

    public double TokensPerSecond => CompletionTokens / (Done - Sent);
}

/// <summary>
/// N concurrent <c>POST /v1/chat/completions</c> clients with <c>stream: true</c>, as a harness such as lm-eval's
/// <c>local-chat-completions</c> sends them: one distinct prompt each, greedy, a fixed <c>max_tokens</c>, and
/// <c>stream_options.include_usage</c> so the server says how many tokens it generated.
/// </summary>
internal static class StreamingClients
{
    public static Task<ClientResult[]> RunAsync(HttpClient http, string model, Workload workload, int maxTokens, RoundClock clock, int? logprobs = null) =>
        Task.WhenAll(Enumerable.Range(0, workload.Count).Select(i => Task.Run(() => OneAsync(http, model, i, workload.Messages[i], maxTokens, clock, logprobs))));

    private static async Task<ClientResult> OneAsync(HttpClient http, string model, int index, JsonArray messages, int maxTokens, RoundClock clock, int? logprobs)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = messages.DeepClone(),
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        if (logprobs is { } top)
        {
            body["logprobs"] = true;
            body["top_logprobs"] = top;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        var sent = clock.Now;
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"client {index}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var text = new StringBuilder();
        var events = new List<double>();
        int? promptTokens = null, completionTokens = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var now = clock.Now;
            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                return new ClientResult(index, sent, events.Count > 0 ? events[0] : now, now,
                    promptTokens ?? throw new InvalidOperationException($"client {index}: no usage chunk"), completionTokens!.Value, text.ToString(), events);
            }

            var chunk = JsonNode.Parse(data)!;
            if (chunk["error"] is { } error)
            {
                throw new InvalidOperationException($"client {index}: error event {error.ToJsonString()}");
            }

            if (chunk["usage"] is { } usage)
            {
                promptTokens = usage["prompt_tokens"]!.GetValue<int>();
                completionTokens = usage["completion_tokens"]!.GetValue<int>();
            }

            if (chunk["choices"]!.AsArray() is [{ } choice, ..] && choice["delta"]?["content"]?.GetValue<string>() is { Length: > 0 } content)
            {
                events.Add(now);
                text.Append(content);
            }
        }

        throw new InvalidOperationException($"client {index}: the stream ended without [DONE]");
    }
}
