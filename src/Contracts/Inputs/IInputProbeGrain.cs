namespace VerlOrleans.Contracts.Inputs;

/// <summary>
/// Looks at the paths a form or request names before anything starts: is it a checkpoint (and which steps), is it a
/// dataset (and how many rows, which data sources). Reads only; changes no state. A stateless worker on every silo.
/// </summary>
public interface IInputProbeGrain : IGrainWithIntegerKey
{
    Task<CheckpointProbe> ProbeCheckpointAsync(string path);

    Task<DataFileProbe> ProbeDataFileAsync(string path);
}

/// <summary>What a checkpoint path holds.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="Error">Why it is not a usable checkpoint (the discovery message); null when it is one.</param>
/// <param name="Kind">"hugging-face", "verl-shards", "lora-adapter", "megatron-dist-ckpt" or "verl-run".</param>
/// <param name="Checkpoints">The checkpoints it stands for, as people name them (a run folder: one per step).</param>
[GenerateSerializer, Immutable]
public sealed record CheckpointProbe(
    [property: Id(0)] string Path,
    [property: Id(1)] string? Error,
    [property: Id(2)] string? Kind,
    [property: Id(3)] IReadOnlyList<string> Checkpoints)
{
    public bool IsUsable => Error is null;
}

/// <summary>What a dataset file holds.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="Error">Why it cannot be read as a verl dataset; null when it can.</param>
/// <param name="Rows">Rows in the file.</param>
/// <param name="DataSources">The distinct data_source values, with their row counts.</param>
[GenerateSerializer, Immutable]
public sealed record DataFileProbe(
    [property: Id(0)] string Path,
    [property: Id(1)] string? Error,
    [property: Id(2)] long Rows,
    [property: Id(3)] IReadOnlyDictionary<string, long> DataSources)
{
    public bool IsUsable => Error is null;
}
