using System.CommandLine;
using VerlOrleans.Checkpoints.Lora;

namespace VerlOrleans.Cli.Commands;

/// <summary><c>--lora-base DIR</c> and <c>--lora-alpha N</c>, shared by validate and merge.</summary>
internal sealed class LoraCommandOptions
{
    public Option<string?> Base { get; } = new("--lora-base")
    {
        Description = "LoRA: the base model's Hugging Face folder (default: the adapter's base_model_name_or_path, locally or in the Hugging Face cache, else the actor's huggingface/ weights).",
    };

    public Option<double?> Alpha { get; } = new("--lora-alpha")
    {
        Description = "LoRA: lora_alpha, overriding lora_train_meta.json and adapter_config.json (verl's merger writes 0 there: a known bug).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Base);
        command.Options.Add(Alpha);
    }

    public LoraOptions Read(ParseResult parseResult) => new(parseResult.GetValue(Base), parseResult.GetValue(Alpha));
}
