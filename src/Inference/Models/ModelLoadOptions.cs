using TorchSharp;
using VerlOrleans.Inference.Devices;

namespace VerlOrleans.Inference.Models;

/// <summary>Where a model's weights live and in which precision they are resident and computed.</summary>
/// <param name="Device">TorchSharp device string: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</param>
/// <param name="DType">"float32", "bfloat16" or "float16"; null picks bfloat16 on CUDA and float32 on CPU
/// (this CPU kind has no bf16 matrix units: bf16 matmul measured ~50x slower than f32).</param>
public sealed record ModelLoadOptions(string Device = "cpu", string? DType = null)
{
    /// <summary>The resolved torch dtype.</summary>
    public torch.ScalarType ScalarType => ParseDType(DType ?? (IsCuda ? "bfloat16" : "float32"));

    /// <summary>True for a CUDA device string.</summary>
    public bool IsCuda => Device.StartsWith("cuda", StringComparison.Ordinal);

    /// <summary>The torch device, after checking that this build can reach it.</summary>
    public torch.Device ResolveDevice()
    {
        if (IsCuda && !TorchRuntime.IsCudaAvailable())
        {
            throw new ArgumentException($"device '{Device}' needs the CUDA build (-p:TorchBackend=cuda) and a visible GPU; this build's backend is '{TorchRuntime.Backend}'");
        }

        if (!IsCuda && Device != "cpu")
        {
            throw new ArgumentException($"device '{Device}' is not one of: cpu, cuda, cuda:N");
        }

        return torch.device(Device);
    }

    /// <summary>Parses a dtype name as written in config.json's <c>torch_dtype</c>.</summary>
    public static torch.ScalarType ParseDType(string name) => name switch
    {
        "float32" or "float" => torch.ScalarType.Float32,
        "bfloat16" => torch.ScalarType.BFloat16,
        "float16" or "half" => torch.ScalarType.Float16,
        _ => throw new ArgumentException($"dtype '{name}' is not one of: float32, bfloat16, float16"),
    };
}
