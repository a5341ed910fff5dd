using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// One decoder layer's weights. q/k/v are fused into one projection and gate/up into another (as vLLM does):
/// one product instead of three or two, filled by reading each Hugging Face tensor into its slice.
/// </summary>
public sealed class DecoderLayerWeights : IDisposable
{
    public required Tensor InputLayerNorm { get; init; }

    /// <summary>q_proj ‖ k_proj ‖ v_proj rows: (heads + 2·kv_heads)·head_dim outputs.</summary>
    public required Linear QkvProj { get; init; }

    /// <summary>Qwen3 only: RMSNorm weights over head_dim.</summary>
    public Tensor? QNorm { get; init; }

    public Tensor? KNorm { get; init; }

    public required Linear OProj { get; init; }

    public required Tensor PostAttentionLayerNorm { get; init; }

    /// <summary>gate_proj ‖ up_proj rows: 2·intermediate outputs.</summary>
    public required Linear GateUpProj { get; init; }

    public required Linear DownProj { get; init; }

    public void Dispose()
    {
        InputLayerNorm.Dispose();
        QkvProj.Dispose();
        QNorm?.Dispose();
        KNorm?.Dispose();
        OProj.Dispose();
        PostAttentionLayerNorm.Dispose();
        GateUpProj.Dispose();
        DownProj.Dispose();
    }
}
