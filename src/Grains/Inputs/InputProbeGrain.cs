using Orleans.Concurrency;
using VerlOrleans.Checkpoints;
using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Evaluation.Datasets;

namespace VerlOrleans.Grains.Inputs;

/// <summary>
/// Answers "what is at this path?" for the new-evaluation form and the API: checkpoint discovery and a read of the
/// dataset's rows, with the libraries' own messages when a path is neither. Reads only; runs on any silo.
/// </summary>
[StatelessWorker]
public sealed class InputProbeGrain(PathRoots roots) : Grain, IInputProbeGrain
{
    public Task<CheckpointProbe> ProbeCheckpointAsync(string path) => Task.Run(() =>
    {
        if (roots.CheckpointProblem(path) is { } outside)
        {
            return new CheckpointProbe(path, outside, null, []);
        }

        try
        {
            var found = CheckpointDiscovery.Discover(path);
            var kind = found.Kind switch
            {
                CheckpointKind.HuggingFace => "hugging-face",
                CheckpointKind.VerlShardSet => "verl-shards",
                CheckpointKind.LoraAdapter => "lora-adapter",
                CheckpointKind.MegatronDistCkpt => "megatron-dist-ckpt",
                _ => "verl-run",
            };
            return new CheckpointProbe(path, null, kind, found.Checkpoints.Select(c => CheckpointNames.Display(c.Path, c.Step)).ToList());
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new CheckpointProbe(path, e.Message, null, []);
        }
    });

    public async Task<DataFileProbe> ProbeDataFileAsync(string path)
    {
        if (roots.DataFileProblem(path) is { } outside)
        {
            return new DataFileProbe(path, outside, 0, new Dictionary<string, long>());
        }

        try
        {
            return await Task.Run(async () =>
            {
                var dataset = await VerlDataset.OpenAsync([path]);
                var sources = new SortedDictionary<string, long>(StringComparer.Ordinal);
                await foreach (var row in dataset.ReadAsync())
                {
                    sources[row.MetricsDataSource] = sources.GetValueOrDefault(row.MetricsDataSource) + 1;
                }

                return new DataFileProbe(path, null, dataset.TotalRows, new Dictionary<string, long>(sources, StringComparer.Ordinal));
            });
        }
        catch (Exception e) when (e is DatasetFormatException or IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or InvalidDataException)
        {
            return new DataFileProbe(path, e.Message, 0, new Dictionary<string, long>());
        }
    }
}
