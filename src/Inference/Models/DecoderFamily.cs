namespace VerlOrleans.Inference.Models;

/// <summary>The decoder architectures the engine implements; they differ only in attention biases and q/k norms.</summary>
public enum DecoderFamily
{
    /// <summary>Qwen2 / Qwen2.5 (<c>Qwen2ForCausalLM</c>): q/k/v projections with bias, o_proj without.</summary>
    Qwen2,

    /// <summary>Llama 3 / 3.1 / 3.2 (<c>LlamaForCausalLM</c>): biases only when <c>attention_bias</c> is set; llama3 RoPE scaling.</summary>
    Llama,

    /// <summary>Qwen3 (<c>Qwen3ForCausalLM</c>): RMSNorm on each query and key head before RoPE.</summary>
    Qwen3,
}
