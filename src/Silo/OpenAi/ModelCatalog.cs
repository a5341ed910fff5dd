using System.Text.Json.Nodes;
using VerlOrleans.Contracts;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// The registered checkpoints as OpenAI models. Each has a readable id, its <see cref="CheckpointNames"/> display form
/// (<c>my-run/step_100</c>); where two checkpoints share one, both go by their absolute path instead. A model is also
/// found by its absolute checkpoint path or its content hash, whatever its id.
/// </summary>
public sealed class ModelCatalog(IGrainFactory grains)
{
    /// <summary>What <c>object</c> and <c>owned_by</c> say of every model.</summary>
    public const string Owner = "verlorleans";

    /// <summary>Every registered checkpoint with its model id, in the catalog's order.</summary>
    public async Task<IReadOnlyList<(string Id, CheckpointStatus Checkpoint)>> ListAsync()
    {
        var checkpoints = await grains.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).ListCheckpointsAsync();
        var aliases = checkpoints.Select(c => CheckpointNames.Display(c.Path, c.Step)).ToList();
        var taken = aliases.GroupBy(a => a, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return checkpoints.Select((c, i) => (taken.Contains(aliases[i]) ? c.Path : aliases[i], c)).ToList();
    }

    /// <summary>The checkpoint <paramref name="model"/> names, or a 404 in OpenAI's shape that says how to list models.</summary>
    public async Task<(string Id, CheckpointStatus Checkpoint)> ResolveAsync(string model)
    {
        var models = await ListAsync();
        var path = Path.IsPathRooted(model) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(model)) : null;
        foreach (var entry in models)
        {
            if (entry.Id == model || entry.Checkpoint.Path == path || entry.Checkpoint.ContentHash == model)
            {
                return entry;
            }
        }

        throw new OpenAiError(StatusCodes.Status404NotFound,
            $"The model '{model}' does not exist: GET /v1/models lists the checkpoints this grid serves (by id or absolute path); "
            + "an admin registers more with POST /api/checkpoints {\"path\": ...}.",
            "not_found_error", "model", "model_not_found");
    }

    /// <summary>One entry of <c>GET /v1/models</c>.</summary>
    public static JsonObject ToJson(string id, CheckpointStatus checkpoint) => new()
    {
        ["id"] = id,
        ["object"] = "model",
        ["created"] = checkpoint.UpdatedAt.ToUnixTimeSeconds(),
        ["owned_by"] = Owner,
        ["verlorleans.path"] = checkpoint.Path,
        ["verlorleans.content_hash"] = checkpoint.ContentHash,
        ["verlorleans.state"] = checkpoint.State.ToString(),
        ["verlorleans.step"] = checkpoint.Step,
    };
}
