using System.CommandLine;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Cli.Output;

namespace VerlOrleans.Cli.Commands;

/// <summary><c>verlorleans validate --local-dir DIR [--json] [--lora-base DIR] [--lora-alpha N]</c>: the validation report; exit 0 valid, 1 invalid, 2 unreadable.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var localDir = new Option<string>("--local-dir") { Description = "A verl actor/critic folder (model_world_size_W_rank_R.pt), a LoRA adapter, or a Hugging Face folder.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var scan = new Option<bool>("--scan-non-finite") { Description = "Also read every value and report NaN/Inf per tensor." };
        var lora = new LoraCommandOptions();
        var command = new Command("validate", "Check a checkpoint before merging: ranks, world size, placements, shapes, LoRA against its base, config, tokenizer.") { localDir, json, scan };
        lora.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var report = CheckpointValidator.Validate(parseResult.GetValue(localDir)!, new ValidationOptions(parseResult.GetValue(scan)) { Lora = lora.Read(parseResult) }, cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
            {
                output.WriteLine(CliJson.Serialize(report));
            }
            else
            {
                ReportPrinter.Print(output, report);
            }

            return Task.FromResult(ExitCode(report.Status));
        });
        return command;
    }

    public static int ExitCode(ValidationStatus status) => status switch
    {
        ValidationStatus.Valid => 0,
        ValidationStatus.Invalid => 1,
        _ => 2,
    };
}
