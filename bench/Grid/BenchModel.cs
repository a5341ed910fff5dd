using VerlOrleans.Bench.Inference;

namespace VerlOrleans.Bench.Grid;

/// <summary>
/// The model both sides load: Qwen2.5-0.5B's shapes with seeded random bf16 weights (written by the inference
/// benchmark's <see cref="RandomQwenModel"/>), talking through the committed tiny-chat tokenizer and chat template.
/// Its ids stay below the model's vocabulary; the random weights answer with ids the tokenizer lacks, which decode to
/// nothing, so responses run to the token limit and every run does the same amount of work.
/// </summary>
internal static class BenchModel
{
    private static readonly string[] TextFiles = ["tokenizer.json", "tokenizer_config.json", "generation_config.json"];

    public static void EnsureWritten(string folder, int seed)
    {
        RandomQwenModel.EnsureWritten(folder, seed);
        var tinyChat = Path.Combine(GridBenchOptions.RepositoryRoot, "tests", "Fixtures", "tiny-chat");
        foreach (var file in TextFiles)
        {
            File.Copy(Path.Combine(tinyChat, file), Path.Combine(folder, file), overwrite: true);
        }
    }
}
