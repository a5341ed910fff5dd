using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// A PEFT adapter folder (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>, or an older
/// <c>adapter_model.bin</c>): on its own, or as verl's legacy worker writes it into <c>actor/lora_adapter/</c>.
/// </summary>
public static class LoraAdapterFolder
{
    public const string SubfolderName = "lora_adapter";

    public static readonly string[] WeightFileNames = ["adapter_model.safetensors", "adapter_model.bin"];

    /// <summary>True when <paramref name="folder"/> itself holds an adapter config and weights.</summary>
    public static bool IsAdapter(string folder) =>
        File.Exists(Path.Combine(folder, LoraAdapterConfig.FileName)) && WeightFileNames.Any(f => File.Exists(Path.Combine(folder, f)));

    /// <summary>The adapter folder of <paramref name="folder"/>: itself, or its <c>lora_adapter/</c>; null when neither holds one.</summary>
    public static string? Find(string folder) =>
        IsAdapter(folder) ? folder : IsAdapter(Path.Combine(folder, SubfolderName)) ? Path.Combine(folder, SubfolderName) : null;

    /// <summary>The actor folder around a <c>lora_adapter/</c> folder, or null for an adapter standing alone.</summary>
    public static string? ActorOf(string adapterFolder) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(adapterFolder)) == SubfolderName ? Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(adapterFolder)) : null;

    /// <summary>The weights file (safetensors preferred).</summary>
    public static string WeightFile(string adapterFolder) =>
        WeightFileNames.Select(f => Path.Combine(adapterFolder, f)).FirstOrDefault(File.Exists)
        ?? throw new CheckpointFormatException(adapterFolder, $"no {string.Join(" or ", WeightFileNames)}");

    /// <summary>The adapter's tensors, named by their keys, reading headers only; throws <see cref="CheckpointFormatException"/> for a malformed file.</summary>
    public static IReadOnlyList<PlannedTensor> OpenTensors(string weightFile)
    {
        if (weightFile.EndsWith(".safetensors", StringComparison.Ordinal))
        {
            return SafetensorsFile.Open(weightFile).Tensors.Values.Select(t => (PlannedTensor)new SafetensorsTensor(t.Name, t, "adapter safetensors")).ToList();
        }

        var tensors = new List<PlannedTensor>();
        foreach (var (key, value) in TorchSaveFile.Open(weightFile).Entries)
        {
            tensors.Add(value is PlainTensorValue plain
                ? new TensorAssembly(key, plain.Tensor.DType, plain.Tensor.Shape, 0, [plain.Tensor], "adapter torch.save")
                : throw new CheckpointFormatException(weightFile, $"'{key}' is a {value.Kind}, not a plain tensor"));
        }

        return tensors;
    }
}
