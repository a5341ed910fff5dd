using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Models;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Tests.Models;

namespace VerlOrleans.Inference.Tests.Engine;

/// <summary>
/// The whole engine on the real TorchSharp runner and the fixture models: greedy output equals PyTorch's,
/// and neither greedy nor seeded sampling depends on what else shares the batch, how prompts are chunked, or
/// how KV slots are reused and packed.
/// </summary>
public sealed class TorchEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static InferenceEngine Start(string model, int slots = 4, int? maxTokensPerStep = null) =>
        InferenceEngine.Start(ReferenceFixture.FolderOf(model), new TorchRunnerOptions { MaxBatchSize = slots, MaxSequenceLength = 64 },
            new EngineOptions { MaxTokensPerStep = maxTokensPerStep });

    private static GenerationRequest Greedy(IReadOnlyList<int> prompt, int maxTokens, bool captureLogits = false) =>
        new(prompt, new SamplingParams { Temperature = 0, MaxTokens = maxTokens, IgnoreEos = true }) { CaptureLogits = captureLogits };

    private static GenerationRequest Sampled(IReadOnlyList<int> prompt, int maxTokens, long seed, int n = 1) =>
        new(prompt, new SamplingParams { Temperature = 0.9, TopP = 0.95, TopK = 50, Seed = seed, N = n, MaxTokens = maxTokens, IgnoreEos = true });

    [Theory]
    [InlineData("qwen2-tiny")]
    [InlineData("llama3-tiny")]
    [InlineData("qwen3-tiny")]
    public async Task Concurrent_greedy_requests_reproduce_pytorchs_tokens_and_logits(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        await using var engine = Start(model, slots: 3, maxTokensPerStep: 8);        // 23-token prompt: chunked prefill

        var noise = Enumerable.Range(0, 5).Select(i => engine.GenerateAsync(Sampled([i + 1, 7, i + 3], 3 + (4 * i), seed: i))).ToList();
        var cases = fixture.Header.Cases.Select(c => (Case: c, Task: engine.GenerateAsync(Greedy(c.PromptIds, c.GreedyIds.Count, captureLogits: true)))).ToList();
        await Task.WhenAll(noise.Concat(cases.Select(c => c.Task))).WaitAsync(Timeout);

        foreach (var (reference, task) in cases)
        {
            var output = Assert.Single((await task).Sequences);
            Assert.Equal(reference.GreedyIds, output.TokenIds);
            var expected = fixture.Rows($"{reference.Name}.greedy_logits");
            for (var step = 0; step < expected.Length; step++)
            {
                DecoderParityTests.AssertClose(expected[step], output.Logits![step], $"{model}/{reference.Name} step {step} via the engine");
            }
        }

        Assert.True(engine.Metrics.MaxStepCallers >= 1);
        Assert.Equal(0, engine.Metrics.ActiveSequences);
    }

    [Fact]
    public async Task A_seeded_request_gets_the_same_tokens_alone_and_in_a_busy_batch()
    {
        var prompt = new[] { 5, 17, 99, 3, 42, 8 };
        IReadOnlyList<int> alone;
        await using (var engine = Start("qwen3-tiny"))
        {
            alone = (await engine.GenerateAsync(Sampled(prompt, 20, seed: 1234)).WaitAsync(Timeout)).Sequences[0].TokenIds;
        }

        await using (var busy = Start("qwen3-tiny", slots: 3, maxTokensPerStep: 5))
        {
            var others = Enumerable.Range(0, 6).Select(i => busy.GenerateAsync(Sampled(Enumerable.Range(i, 3 + (3 * i)).ToArray(), 5 + (5 * i), seed: i))).ToList();
            await Task.Delay(50);
            var together = busy.GenerateAsync(Sampled(prompt, 20, seed: 1234));
            await Task.WhenAll(others.Append(together)).WaitAsync(Timeout);

            Assert.Equal(alone, (await together).Sequences[0].TokenIds);
        }

        Assert.Equal(20, alone.Count);
    }

    [Fact]
    public async Task N_samples_equal_single_requests_seeded_with_seed_plus_index()
    {
        var prompt = new[] { 11, 12, 13, 14 };
        await using var engine = Start("qwen2-tiny", slots: 4);

        var group = await engine.GenerateAsync(Sampled(prompt, 12, seed: 70, n: 3)).WaitAsync(Timeout);
        var singles = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => engine.GenerateAsync(Sampled(prompt, 12, seed: 70 + i)))).WaitAsync(Timeout);

        Assert.Equal(singles.Select(s => s.Sequences[0].TokenIds), group.Sequences.Select(s => s.TokenIds));
        Assert.True(group.Sequences.Select(s => string.Join(",", s.TokenIds)).Distinct().Count() > 1, "three samples should not all be equal");
    }

    [Fact]
    public async Task Reused_and_repacked_slots_keep_every_sequence_identical_to_its_solo_run()
    {
        var requests = Enumerable.Range(0, 10).Select(i => (Prompt: Enumerable.Range(3 * i, 2 + (i % 4)).ToArray(), Max: 2 + ((i * 7) % 13))).ToList();
        var solo = new List<IReadOnlyList<int>>();
        await using (var engine = Start("llama3-tiny", slots: 1))
        {
            foreach (var (prompt, max) in requests)
            {
                solo.Add((await engine.GenerateAsync(Greedy(prompt, max)).WaitAsync(Timeout)).Sequences[0].TokenIds);
            }
        }

        await using (var engine = Start("llama3-tiny", slots: 3))
        {
            // Mixed lengths finish out of order, so freed slots are refilled by moving the last slot's cache.
            var results = await Task.WhenAll(requests.Select(r => engine.GenerateAsync(Greedy(r.Prompt, r.Max)))).WaitAsync(Timeout);
            Assert.Equal(solo, results.Select(r => r.Sequences[0].TokenIds));
        }
    }

    [Fact]
    public async Task The_kv_memory_budget_limits_the_slots_the_runner_allocates()
    {
        var config = ModelConfig.Load(ReferenceFixture.FolderOf("qwen2-tiny"));
        var perSlot = ModelFootprint.Estimate(config, TorchSharp.torch.ScalarType.Float32).KvCacheBytes(1, 64);
        var options = new TorchRunnerOptions { MaxBatchSize = 8, MaxSequenceLength = 64, MaxKvCacheBytes = (3 * perSlot) + 1 };

        await using var engine = InferenceEngine.Start(ReferenceFixture.FolderOf("qwen2-tiny"), options);
        var info = await engine.Ready.WaitAsync(Timeout);

        Assert.Equal(3, info.Slots);
        Assert.Equal(3 * perSlot, info.KvCacheBytes);
        Assert.Equal(3 * perSlot, TorchModelRunner.Plan(ReferenceFixture.FolderOf("qwen2-tiny"), options).KvCacheBytes);
        Assert.Contains("holds no sequence", Assert.Throws<ArgumentException>(() => TorchModelRunner.Plan(ReferenceFixture.FolderOf("qwen2-tiny"), options with { MaxKvCacheBytes = perSlot - 1 })).Message, StringComparison.Ordinal);
    }
}
