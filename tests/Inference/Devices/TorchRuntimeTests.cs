using TorchSharp;
using VerlOrleans.Inference.Devices;

namespace VerlOrleans.Inference.Tests.Devices;

/// <summary>The TorchSharp native backend loads and computes inside the test host (Debian 12 patch applied at build).</summary>
public sealed class TorchRuntimeTests
{
    [Fact]
    public void A_real_tensor_product_runs_in_the_test_host()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);     // [[0,1,2],[3,4,5]]
        var product = a.matmul(a.t());                                    // (2, 2)

        Assert.Equal(new long[] { 2, 2 }, product.shape);
        Assert.Equal(new float[] { 5, 14, 14, 50 }, product.data<float>().ToArray());
    }

    [Fact]
    public void Self_test_passes_on_every_discovered_device()
    {
        var devices = DeviceDiscovery.Discover();
        var result = TorchRuntime.SelfTest(devices.Select(d => d.Id));

        Assert.True(result.Passed, result.Error);
        Assert.Equal("cpu", TorchRuntime.Backend);
        Assert.StartsWith("0.107", result.TorchSharpVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void Self_test_reports_an_unknown_device_instead_of_throwing()
    {
        var result = TorchRuntime.SelfTest(["cuda:7"]);

        Assert.False(result.Passed);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }
}
