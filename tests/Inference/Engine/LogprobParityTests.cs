using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Tests.Models;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Engine;

/// <summary>
/// Log-probabilities from the engine on the TorchSharp runner against PyTorch's (tools/inference/make_logprob_fixtures.py:
/// torch.log_softmax of the reference decoder's float32 logits over each fixture's prompt and greedy continuation):
/// within <see cref="Tolerance"/>, same ranks, same top-5 tokens, for prompt positions (echo) and drawn tokens alike,
/// with and without chunked prefill and with other requests in the batch.
/// </summary>
public sealed class LogprobParityTests
{
    /// <summary>The bound; float32 forward passes that differ in summation order stay within ~1e-5 here.</summary>
    private const float Tolerance = 1e-4f;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("qwen2-tiny", null)]
    [InlineData("llama3-tiny", null)]
    [InlineData("qwen3-tiny", null)]
    [InlineData("qwen2-tiny", 5)]
    [InlineData("qwen3-tiny", 4)]
    public async Task Prompt_logprobs_equal_pytorchs(string model, int? maxTokensPerStep)
    {
        var reference = LogprobReference.Load(Path.Combine(ReferenceFixture.FolderOf(model), "logprobs.reference.json"));
        await using var engine = InferenceEngine.Start(ReferenceFixture.FolderOf(model), new TorchRunnerOptions { MaxBatchSize = 4, MaxSequenceLength = 64 },
            new EngineOptions { MaxTokensPerStep = maxTokensPerStep });

        var noise = engine.GenerateAsync(new GenerationRequest([5, 6, 7], new SamplingParams { Temperature = 0.8, Seed = 1, MaxTokens = 20, IgnoreEos = true }));
        var runs = reference.Cases.Select(c => (Case: c, Task: engine.GenerateAsync(new GenerationRequest(c.Ids,
            new SamplingParams { Temperature = 0, MaxTokens = 1, IgnoreEos = true, PromptLogprobs = reference.Top })))).ToList();
        await Task.WhenAll(runs.Select(r => (Task)r.Task).Append(noise)).WaitAsync(Timeout);

        foreach (var (expected, task) in runs)
        {
            var actual = (await task).PromptLogprobs!;
            Assert.Null(actual[0]);
            Assert.Equal(expected.Ids.Count - 1, expected.Positions.Count);
            foreach (var position in expected.Positions)
            {
                AssertMatches(position, actual[position.Position]!, $"{model}/{expected.Name} prompt position {position.Position}");
            }
        }
    }

    [Theory]
    [InlineData("qwen2-tiny")]
    [InlineData("llama3-tiny")]
    [InlineData("qwen3-tiny")]
    public async Task Drawn_tokens_logprobs_equal_pytorchs(string model)
    {
        var reference = LogprobReference.Load(Path.Combine(ReferenceFixture.FolderOf(model), "logprobs.reference.json"));
        await using var engine = InferenceEngine.Start(ReferenceFixture.FolderOf(model), new TorchRunnerOptions { MaxBatchSize = 4, MaxSequenceLength = 64 });

        foreach (var expected in reference.Cases)
        {
            var prompt = expected.Ids.Take(expected.PromptLength).ToList();
            var generated = expected.Ids.Count - expected.PromptLength;
            var output = (await engine.GenerateAsync(new GenerationRequest(prompt,
                new SamplingParams { Temperature = 0, MaxTokens = generated, IgnoreEos = true, Logprobs = reference.Top })).WaitAsync(Timeout)).Sequences[0];

            Assert.Equal(expected.Ids.Skip(expected.PromptLength), output.TokenIds);
            for (var k = 0; k < generated; k++)
            {
                var position = expected.Positions.Single(p => p.Position == expected.PromptLength + k);
                AssertMatches(position, output.Logprobs![k], $"{model}/{expected.Name} drawn token {k}");
                // Greedy: the drawn token is the most likely one.
                Assert.Equal(1, output.Logprobs![k].Rank);
            }
        }
    }

    private static void AssertMatches(LogprobPosition expected, TokenLogprob actual, string where)
    {
        Assert.Equal(expected.TokenId, actual.TokenId);
        Assert.True(Math.Abs(expected.Logprob - actual.Logprob) <= Tolerance, $"{where}: logprob {actual.Logprob} vs PyTorch {expected.Logprob}");
        Assert.True(expected.Rank == actual.Rank, $"{where}: rank {actual.Rank} vs PyTorch {expected.Rank}");
        Assert.Equal(expected.TopIds.Count, actual.Top.Count);
        for (var j = 0; j < expected.TopIds.Count; j++)
        {
            Assert.True(Math.Abs(expected.TopLogprobs[j] - actual.Top[j].Logprob) <= Tolerance, $"{where}: top {j} logprob {actual.Top[j].Logprob} vs PyTorch {expected.TopLogprobs[j]}");
            // Equal ids, unless two alternatives are too close to order (then both orders are right).
            var tied = expected.TopLogprobs.Where((v, i) => i != j && Math.Abs(v - expected.TopLogprobs[j]) <= Tolerance).Any();
            Assert.True(tied || expected.TopIds[j] == actual.Top[j].TokenId, $"{where}: top {j} is token {actual.Top[j].TokenId}, PyTorch's {expected.TopIds[j]}");
        }
    }
}
