using VerlOrleans.Inference.Models;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>
/// Golden parity: the TorchSharp decoder against logits and greedy tokens that real PyTorch computed in float32
/// for the committed fixture models (Qwen2 with bf16 weights and tied embeddings, Llama 3 with llama3 RoPE
/// scaling and sharded weights, Qwen3 with q/k norms). Tolerance: 1e-4 max abs on logits; tokens identical.
/// </summary>
public sealed class DecoderParityTests
{
    private const float Tolerance = 1e-4f;

    public static TheoryData<string, string> ModelsAndCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in ReferenceFixture.ModelNames)
        {
            foreach (var c in new[] { "short", "long", "single" })
            {
                data.Add(model, c);
            }
        }

        return data;
    }

    public static TheoryData<string> Models() => new(ReferenceFixture.ModelNames);

    [Theory]
    [MemberData(nameof(ModelsAndCases))]
    public void Prompt_logits_match_pytorch_at_every_position(string model, string caseName)
    {
        var fixture = ReferenceFixture.Load(model);
        var prompt = fixture.Case(caseName).PromptIds;
        using var decoder = DecoderModel.Load(fixture.Folder, new ModelLoadOptions(), maxSequenceLength: 64);
        using var cache = decoder.CreateKvCache(slots: 2, capacity: 64);

        var logits = Run(decoder, cache, new ForwardChunk(1, 0, prompt, LogitsWanted.All));

        var expected = fixture.Rows($"{caseName}.prompt_logits");
        Assert.Equal(prompt.Count, logits.Length);
        for (var position = 0; position < prompt.Count; position++)
        {
            AssertClose(expected[position], logits[position], $"{model}/{caseName} position {position}");
        }
    }

    [Theory]
    [MemberData(nameof(ModelsAndCases))]
    public void Greedy_decoding_through_the_kv_cache_reproduces_pytorch_tokens_and_logits(string model, string caseName)
    {
        var fixture = ReferenceFixture.Load(model);
        var reference = fixture.Case(caseName);
        var expectedLogits = fixture.Rows($"{caseName}.greedy_logits");
        using var decoder = DecoderModel.Load(fixture.Folder, new ModelLoadOptions(), maxSequenceLength: 64);
        using var cache = decoder.CreateKvCache(slots: 3, capacity: 64);

        var tokens = new List<int>();
        var logits = Run(decoder, cache, new ForwardChunk(2, 0, reference.PromptIds))[0];
        for (var step = 0; step < reference.GreedyIds.Count; step++)
        {
            AssertClose(expectedLogits[step], logits, $"{model}/{caseName} step {step}");
            tokens.Add(ArgMax(logits));
            if (step + 1 < reference.GreedyIds.Count)
            {
                logits = Run(decoder, cache, new ForwardChunk(2, reference.PromptIds.Count + step, [tokens[^1]]))[0];
            }
        }

        Assert.Equal(reference.GreedyIds, tokens);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_ragged_batch_matches_pytorchs_left_padded_batch(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        var order = fixture.Header.BatchOrder;
        using var decoder = DecoderModel.Load(fixture.Folder, new ModelLoadOptions(), maxSequenceLength: 64);
        using var cache = decoder.CreateKvCache(slots: order.Count + 1, capacity: 64);

        // Slots in reverse order, one single-token prompt among them: both attention paths in one pass.
        var chunks = order.Select((name, i) => new ForwardChunk(order.Count - i, 0, fixture.Case(name).PromptIds)).ToArray();
        var logits = Run(decoder, cache, chunks);

        var expected = fixture.Rows("batch.last_logits");
        for (var row = 0; row < order.Count; row++)
        {
            AssertClose(expected[row], logits[row], $"{model}/{order[row]} in the batch");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_prompt_prefilled_in_chunks_gives_the_same_logits_as_in_one_pass(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        var prompt = fixture.Case("long").PromptIds;
        using var decoder = DecoderModel.Load(fixture.Folder, new ModelLoadOptions(), maxSequenceLength: 64);

        // Chunks of 3 run the small-step loops with several tokens (non-contiguous products), chunks of 5 the tensor ops.
        foreach (var size in new[] { 3, 5 })
        {
            using var cache = decoder.CreateKvCache(slots: 1, capacity: 64);
            float[] last = [];
            for (var start = 0; start < prompt.Count; start += size)
            {
                var count = Math.Min(size, prompt.Count - start);
                last = Run(decoder, cache, new ForwardChunk(0, start, prompt.Skip(start).Take(count).ToList()))[0];
            }

            AssertClose(fixture.Rows("long.prompt_logits")[^1], last, $"{model} prefilled in chunks of {size}");
        }
    }

    internal static float[][] Run(DecoderModel decoder, KvCache cache, params ForwardChunk[] chunks)
    {
        using var batch = decoder.CreateBatch(chunks, cache);
        using var logits = decoder.Forward(batch, cache) ?? throw new InvalidOperationException("no logits");
        var width = (int)logits.shape[1];
        var values = logits.data<float>().ToArray();
        return Enumerable.Range(0, (int)logits.shape[0]).Select(r => values.AsSpan(r * width, width).ToArray()).ToArray();
    }

    internal static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    internal static void AssertClose(float[] expected, float[] actual, string what, float tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(expected[i] - actual[i]);
            if (!(error <= worst))
            {
                worst = error;
                at = i;
            }
        }

        Assert.True(worst <= tolerance, $"{what}: max abs error {worst:E2} at vocab id {at} (expected {expected[Math.Max(at, 0)]}, got {actual[Math.Max(at, 0)]})");
    }
}
