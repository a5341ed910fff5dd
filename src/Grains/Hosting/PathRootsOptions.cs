namespace VerlOrleans.Grains.Hosting;

/// <summary>
/// The folders every path a request names must lie in, after <c>..</c> and symbolic links are resolved
/// (<c>VerlOrleans:Paths</c>). Empty lists mean the embedded default: the user's home folder and the demo folder.
/// </summary>
public sealed class PathRootsOptions
{
    /// <summary>Where checkpoints (Hugging Face folders, verl actor and run folders) may be read from.</summary>
    public List<string> CheckpointRoots { get; set; } = [];

    /// <summary>Where datasets (parquet, JSON, JSONL) may be read from.</summary>
    public List<string> DataRoots { get; set; } = [];
}
