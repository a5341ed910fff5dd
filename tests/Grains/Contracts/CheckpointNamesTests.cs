using VerlOrleans.Contracts;

namespace VerlOrleans.Grains.Tests.Contracts;

/// <summary>Checkpoints are listed as people name them: the run folder and the step, not "actor".</summary>
public sealed class CheckpointNamesTests
{
    [Theory]
    [InlineData("/ckpts/gsm8k_grpo/global_step_100/actor", null, "gsm8k_grpo/step_100")]
    [InlineData("/ckpts/gsm8k_grpo/global_step_100/actor/", null, "gsm8k_grpo/step_100")]
    [InlineData("/ckpts/gsm8k_grpo/global_step_20/critic", null, "gsm8k_grpo/step_20 (critic)")]
    [InlineData("/ckpts/gsm8k_grpo/global_step_20/actor/huggingface", null, "gsm8k_grpo/step_20")]
    [InlineData("/models/Qwen2.5-0.5B-Instruct", null, "Qwen2.5-0.5B-Instruct")]
    [InlineData("/models/Qwen2.5-0.5B-Instruct", 7L, "Qwen2.5-0.5B-Instruct/step_7")]
    [InlineData("/ckpts/run/global_step_x/actor", null, "actor")]
    [InlineData("global_step_5", null, "step_5")]
    public void Names(string path, long? step, string expected) => Assert.Equal(expected, CheckpointNames.Display(path, step));
}
