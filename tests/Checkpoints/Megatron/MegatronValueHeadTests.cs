using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Megatron;
using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Tests.Megatron;

/// <summary>verl's Megatron value model (<c>--is-value-model</c>): a one-row <c>output_layer</c> is the critic's <c>score</c>.</summary>
public sealed class MegatronValueHeadTests
{
    [Fact]
    public void A_one_row_output_layer_maps_to_score_weight_and_is_detected_as_a_value_model()
    {
        var config = HfModelConfig.Load(Path.Combine(MegatronFixtures.Expected("tp2-pp2"), "config.json"));
        var head = new DcpTensorEntry("output_layer.weight", TensorDType.BF16, [1, 16], []);
        var vocab = new DcpTensorEntry("output_layer.weight", TensorDType.BF16, [48, 16], []);

        var (slices, error) = MegatronNameMap.Map(head, config);

        Assert.Null(error);
        var slice = Assert.Single(slices);
        Assert.Equal("score.weight", slice.Name);
        Assert.Equal("lm_head.weight", Assert.Single(MegatronNameMap.Map(vocab, config).Slices).Name);
        Assert.Equal("score", ValueModel.Detect([(slice.Name, slice.Shape)])!.Kind);
    }
}
