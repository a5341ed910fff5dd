using System.CommandLine;
using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;
using VerlOrleans.Cli.Output;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans merge --local-dir DIR --target-dir OUT [--dtype bf16|fp16|fp32|keep] [--max-shard-size 5GB] [--verify-against HF_DIR]
/// [--lora-base DIR] [--lora-alpha N]</c>: validate, stream-merge (LoRA weights folded in) into a Hugging Face folder, publish
/// it only when complete.
/// </summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var localDir = new Option<string>("--local-dir") { Description = "The verl actor/critic folder (global_step_N/actor), or a LoRA adapter folder.", Required = true };
        var targetDir = new Option<string>("--target-dir") { Description = "The Hugging Face folder to create (must not exist or be empty).", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "Output type of floating-point tensors: bf16 (default), fp16, fp32 or keep.", DefaultValueFactory = _ => "bf16" };
        var maxShardSize = new Option<string>("--max-shard-size") { Description = "Largest safetensors file, like save_pretrained (5GB = 5*10^9 bytes).", DefaultValueFactory = _ => "5GB" };
        var verifyAgainst = new Option<string?>("--verify-against") { Description = "A reference Hugging Face folder the merge must match (keys, shapes, dtypes, values)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var lora = new LoraCommandOptions();
        var command = new Command("merge", "Merge verl FSDP shards (or a LoRA adapter over its base) into Hugging Face safetensors, tensor by tensor.") { localDir, targetDir, dtype, maxShardSize, verifyAgainst, json };
        lora.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            TensorDType? outputType;
            switch (parseResult.GetValue(dtype))
            {
                case "bf16" or "bfloat16": outputType = TensorDType.BF16; break;
                case "fp16" or "float16": outputType = TensorDType.F16; break;
                case "fp32" or "float32": outputType = TensorDType.F32; break;
                case "keep": outputType = null; break;
                case var other:
                    error.WriteLine($"--dtype '{other}' is not one of bf16, fp16, fp32, keep");
                    return Task.FromResult(2);
            }

            if (!ByteSize.TryParse(parseResult.GetValue(maxShardSize)!, out var maxBytes))
            {
                error.WriteLine($"--max-shard-size '{parseResult.GetValue(maxShardSize)}' is not a size such as 5GB, 500MB or 2GiB");
                return Task.FromResult(2);
            }

            var options = new MergeOptions(parseResult.GetValue(targetDir)!) { DType = outputType, MaxShardBytes = maxBytes, VerifyAgainst = parseResult.GetValue(verifyAgainst), Lora = lora.Read(parseResult) };
            try
            {
                var result = CheckpointMerger.Merge(parseResult.GetValue(localDir)!, options, null, cancellationToken);
                if (parseResult.GetValue(json))
                {
                    output.WriteLine(CliJson.Serialize(result));
                }
                else
                {
                    output.WriteLine($"merged {result.TensorCount} tensors ({result.TotalBytes:N0} bytes) into {result.TargetDir} in {result.Elapsed.TotalSeconds:F1} s");
                    output.WriteLine($"content hash: {result.ContentHash}");
                    output.WriteLine($"files: {string.Join(", ", result.Files)}");
                    foreach (var key in result.DroppedKeys)
                    {
                        output.WriteLine($"dropped {key} (tied to the embedding)");
                    }

                    foreach (var note in result.Notes.Concat(result.Validation.Issues.Where(i => i.Severity == IssueSeverity.Warning).Select(i => i.ToString())))
                    {
                        output.WriteLine($"warning: {note}");
                    }

                    if (result.Verification is { } verification)
                    {
                        output.WriteLine($"verified against {verification.Reference}: {(verification.Passed ? "passed" : "FAILED")}");
                    }
                }

                return Task.FromResult(0);
            }
            catch (CheckpointMergeException e)
            {
                if (e.Validation is { } report && parseResult.GetValue(json) is false)
                {
                    ReportPrinter.Print(error, report);
                }

                error.WriteLine(e.Message);
                return Task.FromResult(e.Validation?.Status == ValidationStatus.Unreadable ? 2 : 1);
            }
            catch (CheckpointFormatException e)
            {
                error.WriteLine($"not merged: {e.Message}");
                return Task.FromResult(2);
            }
        });
        return command;
    }
}
