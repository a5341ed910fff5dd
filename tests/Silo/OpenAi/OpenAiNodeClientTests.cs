using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.OpenAi;

/// <summary>
/// The real <c>openai</c> npm client (tests/Silo/OpenAi/client, pinned by its package-lock.json) against a silo:
/// models.list, completions, chat completions, a chat stream, and the errors the client raises. Needs node and npm;
/// without them the test fails saying so (the CI image installs both).
/// </summary>
public sealed class OpenAiNodeClientTests(OpenAiSilo fixture) : IClassFixture<OpenAiSilo>
{
    private static readonly string ClientFolder = Path.Combine(RepositoryPaths.Root, "tests", "Silo", "OpenAi", "client");
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool _installed;

    [Fact]
    public async Task The_openai_npm_client_lists_models_completes_chats_streams_and_reads_the_errors()
    {
        await InstallAsync();

        var cases = LogprobReference.TinyChat.Cases;
        var scoredPrompts = new JsonArray(cases.Take(2).Select(c => (JsonNode)new JsonArray(c.Ids.Select(i => (JsonNode)i).ToArray())).ToArray());
        var (exit, output, error) = await RunAsync("node", ["client.mjs", fixture.Silo.BaseAddress.ToString(), "tiny-chat"], TimeSpan.FromMinutes(3),
            ("VERLORLEANS_SCORED_PROMPTS", scoredPrompts.ToJsonString()));

        Assert.True(exit == 0, $"node client.mjs exited with {exit}: {error}");
        var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        Assert.Contains("tiny-chat", result["models"]!.AsArray().Select(m => m!.GetValue<string>()));

        // The same answers as the API gives any HTTP client (greedy, so deterministic).
        var (_, direct) = await fixture.PostAsync("v1/completions", new JsonObject { ["model"] = "tiny-chat", ["prompt"] = "Janet has ducks", ["max_tokens"] = 8, ["temperature"] = 0 });
        Assert.Equal(direct!["choices"]![0]!["text"]!.GetValue<string>(), result["completion"]!["text"]!.GetValue<string>());
        Assert.Equal(direct["usage"]!.ToJsonString(), result["completion"]!["usage"]!.ToJsonString());
        var chat = result["chat"]!;
        Assert.Equal("assistant", chat["role"]!.GetValue<string>());
        Assert.Equal(8, (await fixture.PostAsync("v1/chat/completions", new JsonObject
        {
            ["model"] = "tiny-chat", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Name a prime." }), ["max_tokens"] = 8, ["temperature"] = 0,
        })).Body!["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(chat["content"]!.GetValue<string>(), result["stream"]!["content"]!.GetValue<string>());
        Assert.Equal(chat["finish_reason"]!.GetValue<string>(), result["stream"]!["finish_reason"]!.GetValue<string>());

        Assert.Equal(400, result["refused"]!["status"]!.GetValue<int>());
        Assert.Equal("frequency_penalty", result["refused"]!["param"]!.GetValue<string>());
        Assert.Equal("unsupported_parameter", result["refused"]!["code"]!.GetValue<string>());
        // lm-eval's loglikelihood: the sum of the continuation's logprobs and whether it is greedy, as lm-eval reads them
        // (token_logprobs[ctxlen:-1], top_logprobs for is_greedy), against PyTorch's.
        var scored = result["scored"]!.AsArray();
        Assert.Equal([0, 1], scored.Select(c => c!["index"]!.GetValue<int>()));
        for (var i = 0; i < 2; i++)
        {
            var reference = cases[i];
            var tokenLogprobs = scored[i]!["token_logprobs"]!.AsArray();
            Assert.Equal(reference.Ids.Count + 1, tokenLogprobs.Count);
            Assert.Null(tokenLogprobs[0]);
            var context = reference.PromptLength;
            var continuation = tokenLogprobs.Skip(context).Take(reference.Ids.Count - context).Select(v => v!.GetValue<double>()).ToList();
            Assert.Equal(reference.Positions.Skip(context - 1).Sum(p => (double)p.Logprob), continuation.Sum(), 3e-3);
            var tops = scored[i]!["top_logprobs"]!.AsArray().Skip(context).Take(reference.Ids.Count - context).ToList();
            var isGreedy = continuation.Zip(tops).All(t => t.First == t.Second!.AsObject().Max(e => e.Value!.GetValue<double>()));
            Assert.Equal(reference.Positions.Skip(context - 1).All(p => p.Rank == 1), isGreedy);
        }

        var chatLogprobs = result["chat_logprobs"]!.AsArray();
        Assert.Equal(4, chatLogprobs.Count);
        Assert.All(chatLogprobs, t => Assert.Equal(2, t!["top"]!.GetValue<int>()));

        Assert.Equal(404, result["missing"]!["status"]!.GetValue<int>());
        Assert.Equal("model_not_found", result["missing"]!["code"]!.GetValue<string>());
    }

    /// <summary><c>npm ci</c> in the client folder, once per test run.</summary>
    private static async Task InstallAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (_installed)
            {
                return;
            }

            var (exit, _, error) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            Assert.True(exit == 0, $"npm ci in {ClientFolder} exited with {exit}: {error}");
            _installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string program, string[] arguments, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = ClientFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' is not installed ({e.Message}): this test runs the openai npm client; install node and npm (apt-get install nodejs npm).", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran past {timeout}; stderr: {await error}");
            }

            return (process.ExitCode, await output, await error);
        }
    }
}
