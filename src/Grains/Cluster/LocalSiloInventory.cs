using System.Diagnostics;
using VerlOrleans.Contracts.Cluster;
using VerlOrleans.Inference.Devices;

namespace VerlOrleans.Grains.Cluster;

/// <summary>
/// This silo's compute devices and TorchSharp runtime state. The self-test runs once (it loads the
/// native library); device memory is re-read on every snapshot because free memory changes.
/// </summary>
public sealed class LocalSiloInventory
{
    private readonly Lazy<TorchRuntimeInfo> _torch = new(() =>
    {
        var result = TorchRuntime.SelfTest(DeviceDiscovery.Discover().Select(d => d.Id));
        return new TorchRuntimeInfo(result.Backend, result.TorchSharpVersion, result.Passed, result.Error);
    });

    /// <summary>When this process started (not when the silo joined): what uptime counts from.</summary>
    public DateTimeOffset StartedAt { get; } = new(Process.GetCurrentProcess().StartTime.ToUniversalTime());

    /// <summary>The TorchSharp self-test result (computed on first use).</summary>
    public TorchRuntimeInfo Torch => _torch.Value;

    /// <summary>Devices with their memory as of now. Empty when the TorchSharp runtime does not work.</summary>
    public IReadOnlyList<ComputeDeviceInfo> Devices()
    {
        if (!Torch.SelfTestPassed)
        {
            return [];
        }

        return DeviceDiscovery.Discover()
            .Select(d => new ComputeDeviceInfo(d.Id, d.Kind, d.Name, d.TotalMemoryBytes, d.FreeMemoryBytes, d.Cores))
            .ToList();
    }
}
