using VerlOrleans.Inference.Devices;

namespace VerlOrleans.Inference.Tests.Devices;

public sealed class DeviceDiscoveryTests
{
    [Fact]
    public void The_cpu_is_always_listed_with_its_cores_and_memory()
    {
        var cpu = Assert.Single(DeviceDiscovery.Discover(), d => d.Kind == "cpu");

        Assert.Equal("cpu", cpu.Id);
        Assert.Equal(Environment.ProcessorCount, cpu.Cores);
        Assert.True(cpu.TotalMemoryBytes > 0);
        Assert.True(cpu.FreeMemoryBytes is null or > 0);
    }

    [Fact]
    public void Meminfo_is_read_in_bytes()
    {
        const string text = "MemTotal:       24579448 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\nHugePages_Total:       0\n";

        var (total, available) = DeviceDiscovery.ParseMemInfo(text);

        Assert.Equal(24579448L * 1024, total);
        Assert.Equal(20000000L * 1024, available);
    }

    [Fact]
    public void Nvidia_smi_lines_become_cuda_devices_and_malformed_lines_are_skipped()
    {
        const string csv = "0, NVIDIA H100 80GB HBM3, 81559, 80000\n1, NVIDIA H100 80GB HBM3, 81559, n/a\ngarbage\n2, NVIDIA H200, 143771, 140000\n";

        var devices = DeviceDiscovery.ParseNvidiaSmi(csv);

        Assert.Equal(["cuda:0", "cuda:2"], devices.Select(d => d.Id));
        Assert.Equal("NVIDIA H100 80GB HBM3", devices[0].Name);
        Assert.Equal(81559L << 20, devices[0].TotalMemoryBytes);
        Assert.Equal(140000L << 20, devices[1].FreeMemoryBytes);
    }
}
