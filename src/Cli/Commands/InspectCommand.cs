using System.CommandLine;
using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Inspection;
using VerlOrleans.Cli.Output;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans inspect FILE [--json]</c>: the tensors of a .pt or .safetensors file (dtypes, shapes, placements), or the
/// checkpoints in a folder, with the model each holds (language model, value model, LoRA).
/// </summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A .pt (torch.save) or .safetensors file, or a checkpoint folder." };
        var json = new Option<bool>("--json") { Description = "Print as JSON." };
        var command = new Command("inspect", "List a checkpoint file's tensors without reading their data.") { path, json };
        command.SetAction((parseResult, _) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            InspectedCheckpoint inspected;
            try
            {
                inspected = CheckpointInspector.Inspect(parseResult.GetValue(path)!);
            }
            catch (CheckpointFormatException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine(e.Message);
                return Task.FromResult(2);
            }

            if (parseResult.GetValue(json))
            {
                output.WriteLine(CliJson.Serialize(inspected));
                return Task.FromResult(0);
            }

            output.WriteLine($"{inspected.Path}: {inspected.Format}");
            var models = inspected.Models.ToDictionary(m => m.Path, m => m.Description, StringComparer.Ordinal);
            foreach (var checkpoint in inspected.Checkpoints)
            {
                var step = checkpoint.Step is { } s ? $"step {s} " : string.Empty;
                output.WriteLine($"  {step}{checkpoint.Role ?? checkpoint.Kind.ToString()}{(checkpoint.IsLatest ? " (latest)" : string.Empty)}: {checkpoint.Path}");
                if (models.TryGetValue(checkpoint.Path, out var model))
                {
                    output.WriteLine($"    {model}");
                }
            }

            if (inspected.Checkpoints.Count == 0 && inspected.Models.Count == 1)
            {
                output.WriteLine($"  {inspected.Models[0].Description}");
            }

            foreach (var tensor in inspected.Tensors)
            {
                var local = tensor.LocalShape is null ? string.Empty : $" local [{string.Join(", ", tensor.LocalShape)}]";
                var placements = tensor.Placements is null ? string.Empty : $" ({string.Join(", ", tensor.Placements)})";
                var mesh = tensor.Mesh is null ? string.Empty : $" {tensor.Mesh}";
                output.WriteLine($"  {tensor.Name}: {tensor.Kind} {tensor.DType} [{string.Join(", ", tensor.Shape)}]{local}{placements}{mesh}");
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
