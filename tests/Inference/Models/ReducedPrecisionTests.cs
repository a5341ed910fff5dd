using VerlOrleans.Inference.Models;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Tests.Models;

/// <summary>
/// The resident-dtype path CUDA uses by default (bf16 weights, bf16 compute, float32 logits out), run here on CPU
/// where it is slow but exact to its precision: weights and activations really are bf16, and the logits stay within
/// bf16 rounding of PyTorch's float32 reference.
/// </summary>
public sealed class ReducedPrecisionTests
{
    [Theory]
    [MemberData(nameof(DecoderParityTests.Models), MemberType = typeof(DecoderParityTests))]
    public void A_bfloat16_resident_model_stays_within_bf16_rounding_of_the_float32_reference(string model)
    {
        var fixture = ReferenceFixture.Load(model);
        var prompt = fixture.Case("short").PromptIds;
        using var decoder = DecoderModel.Load(fixture.Folder, new ModelLoadOptions(DType: "bfloat16"), maxSequenceLength: 64);
        using var cache = decoder.CreateKvCache(slots: 1, capacity: 64);

        var logits = DecoderParityTests.Run(decoder, cache, new ForwardChunk(0, 0, prompt, LogitsWanted.All));

        Assert.Equal(ScalarType.BFloat16, decoder.DType);
        Assert.Equal(ScalarType.BFloat16, decoder.Weights.LmHead.Weight.dtype);
        Assert.Equal(ScalarType.BFloat16, decoder.Weights.Layers[0].GateUpProj.Weight.dtype);
        var expected = fixture.Rows("short.prompt_logits");
        for (var position = 0; position < prompt.Count; position++)
        {
            // bf16 keeps 8 significant bits (relative step 2^-8); after the fixtures' layers of bf16 activations the
            // worst logit is 2-3% of the row's largest off (measured); 5% bounds it, deterministically on CPU.
            var scale = expected[position].Max(Math.Abs);
            DecoderParityTests.AssertClose(expected[position], logits[position], $"{model} bf16 position {position}", tolerance: scale * 0.05f);
        }

        // And it is really reduced: float32 would agree to 1e-4.
        var worst = expected.Zip(logits).Max(pair => pair.First.Zip(pair.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.True(worst > 1e-4f, $"bf16 logits agree with float32 to {worst}: the model did not run in bf16");
    }
}
