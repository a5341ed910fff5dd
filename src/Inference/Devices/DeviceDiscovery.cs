using System.Diagnostics;
using System.Globalization;
using TorchSharp;

namespace VerlOrleans.Inference.Devices;

/// <summary>Finds the compute devices of this machine: always the CPU, plus CUDA GPUs when the CUDA backend sees them.</summary>
public static class DeviceDiscovery
{
    /// <summary>Lists the CPU and every CUDA device, with their memory.</summary>
    public static IReadOnlyList<ComputeDevice> Discover()
    {
        var devices = new List<ComputeDevice> { DescribeCpu() };
        if (TorchRuntime.IsCudaAvailable())
        {
            var gpus = QueryNvidiaSmi();
            var count = torch.cuda.device_count();
            for (var i = 0; i < count; i++)
            {
                var gpu = gpus.FirstOrDefault(g => g.Id == $"cuda:{i}");
                devices.Add(gpu ?? new ComputeDevice($"cuda:{i}", "cuda", "CUDA device", 0, null, null));
            }
        }

        return devices;
    }

    /// <summary>The host CPU: model name from /proc/cpuinfo, memory from /proc/meminfo where present.</summary>
    public static ComputeDevice DescribeCpu()
    {
        var name = ReadCpuModelName() ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        var (total, available) = ReadMemInfo();
        total ??= GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return new ComputeDevice("cpu", "cpu", name, total.Value, available, Environment.ProcessorCount);
    }

    /// <summary>Parses /proc/meminfo text: MemTotal and MemAvailable, in bytes.</summary>
    public static (long? Total, long? Available) ParseMemInfo(string text)
    {
        long? total = null, available = null;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(':', 2);
            if (parts.Length != 2)
            {
                continue;
            }

            var value = parts[1].Trim();
            if (!value.EndsWith(" kB", StringComparison.Ordinal)
                || !long.TryParse(value[..^3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
            {
                continue;
            }

            switch (parts[0].Trim())
            {
                case "MemTotal": total = kib * 1024; break;
                case "MemAvailable": available = kib * 1024; break;
            }
        }

        return (total, available);
    }

    /// <summary>
    /// Parses <c>nvidia-smi --query-gpu=index,name,memory.total,memory.free --format=csv,noheader,nounits</c>
    /// output (MiB values) into devices. Malformed lines are skipped.
    /// </summary>
    public static IReadOnlyList<ComputeDevice> ParseNvidiaSmi(string csv)
    {
        var devices = new List<ComputeDevice>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length != 4
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var totalMib)
                || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var freeMib))
            {
                continue;
            }

            devices.Add(new ComputeDevice($"cuda:{index}", "cuda", fields[1], totalMib << 20, freeMib << 20, null));
        }

        return devices;
    }

    private static IReadOnlyList<ComputeDevice> QueryNvidiaSmi()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=index,name,memory.total,memory.free --format=csv,noheader,nounits")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return [];
            }

            var output = process.StandardOutput.ReadToEnd();
            return process.WaitForExit(10_000) && process.ExitCode == 0 ? ParseNvidiaSmi(output) : [];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No nvidia-smi on PATH: the devices are still usable, only their memory is unknown.
            return [];
        }
    }

    private static string? ReadCpuModelName()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
        {
            return null;
        }

        return File.ReadLines(cpuInfo)
            .Where(line => line.StartsWith("model name", StringComparison.Ordinal))
            .Select(line => line.Split(':', 2)[1].Trim())
            .FirstOrDefault();
    }

    private static (long? Total, long? Available) ReadMemInfo()
    {
        const string memInfo = "/proc/meminfo";
        return File.Exists(memInfo) ? ParseMemInfo(File.ReadAllText(memInfo)) : (null, null);
    }
}
