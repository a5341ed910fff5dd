using System.CommandLine;
using System.Reflection;
using VerlOrleans.Inference.Devices;

namespace VerlOrleans.Cli.Commands;

/// <summary><c>verlorleans version</c>: the tool's version, the runtime, and whether TorchSharp's native backend works here.</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print versions and check that the TorchSharp native backend runs on this machine.");
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            output.WriteLine($"verlorleans {version}");
            output.WriteLine($".NET {Environment.Version}");

            var devices = DeviceDiscovery.Discover();
            var selfTest = TorchRuntime.SelfTest(devices.Select(d => d.Id));
            output.WriteLine($"TorchSharp {selfTest.TorchSharpVersion} ({selfTest.Backend} backend): "
                + (selfTest.Passed ? "self-test passed" : $"self-test FAILED: {selfTest.Error}"));
            foreach (var device in devices)
            {
                output.WriteLine($"device {device.Id}: {device.Name}");
            }

            return selfTest.Passed ? 0 : 1;
        });
        return command;
    }
}
