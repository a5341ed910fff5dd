using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace VerlOrleans.Inference.Devices;

/// <summary>Result of running a real tensor operation on every device of this machine.</summary>
/// <param name="Backend">The build's TorchBackend: "cpu" or "cuda".</param>
/// <param name="TorchSharpVersion">Managed TorchSharp assembly version.</param>
/// <param name="Passed">True when every device computed the expected product.</param>
/// <param name="Error">What went wrong, when something did.</param>
public sealed record TorchSelfTest(string Backend, string TorchSharpVersion, bool Passed, string? Error);

/// <summary>The TorchSharp native runtime as this build wires it (see the TorchBackend build property).</summary>
public static class TorchRuntime
{
    /// <summary>"cpu" or "cuda": which libtorch runtime package this assembly was built against.</summary>
    public static string Backend { get; } =
        typeof(TorchRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";

    /// <summary>Version of the managed TorchSharp assembly.</summary>
    public static string TorchSharpVersion { get; } =
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>True when the CUDA backend is loaded and sees at least one GPU; false on the CPU build.</summary>
    public static bool IsCudaAvailable() => Backend == "cuda" && torch.cuda.is_available();

    /// <summary>
    /// Multiplies a 2x2 matrix by itself on each device and checks the result, which proves the native
    /// library loads (the Debian 12 libstdc++ patch applied) and computes.
    /// </summary>
    public static TorchSelfTest SelfTest(IEnumerable<string> deviceIds)
    {
        try
        {
            foreach (var id in deviceIds)
            {
                using var scope = torch.NewDisposeScope();
                var device = torch.device(id);
                var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2], device: device);
                var product = a.matmul(a).cpu().data<float>().ToArray();
                float[] expected = [7, 10, 15, 22];
                if (!product.SequenceEqual(expected))
                {
                    return new TorchSelfTest(Backend, TorchSharpVersion, false,
                        $"{id}: [[1,2],[3,4]]^2 gave [{string.Join(", ", product)}], expected [7, 10, 15, 22]");
                }
            }

            return new TorchSelfTest(Backend, TorchSharpVersion, true, null);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or InvalidOperationException or ExternalException)
        {
            return new TorchSelfTest(Backend, TorchSharpVersion, false, e.GetBaseException().Message);
        }
    }
}
