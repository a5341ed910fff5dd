using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Grains.Models;
using VerlOrleans.Grains.Runs;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Silo.OpenAi;

/// <summary>
/// A checkpoint ready to generate for the API: its Hugging Face folder, tokenizer and chat template, and the model grain
/// runs on the same weights use (<see cref="ModelKeys.For"/> of its content hash and the runs' default dtype), so API
/// requests join the runs' batches.
/// </summary>
/// <param name="Id">The model id the response names.</param>
/// <param name="ModelKey">The model grain's key.</param>
/// <param name="LoadSpec">Where the weights are and how to hold them.</param>
/// <param name="RequiredBytes">The weights' estimated size, for the placement of a model grain this call activates.</param>
/// <param name="Tokenizer">The folder's tokenizer (shared with runs through <see cref="TokenizerCache"/>).</param>
/// <param name="Template">The folder's chat template.</param>
public sealed record ServedModel(string Id, string ModelKey, ModelLoadSpec LoadSpec, long RequiredBytes, HfTokenizer Tokenizer, ChatTemplate Template)
{
    /// <summary>The dtype API requests load models in: the runs' default, so both share one resident copy.</summary>
    public const string DType = "auto";

    // Content hash -> estimated bytes: the same weights always need the same room, and every request would otherwise
    // parse config.json again on the request path.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Sizes = new(StringComparer.Ordinal);

    /// <summary>How often a checkpoint being validated or merged is looked at again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Prepares <paramref name="checkpoint"/> when it is not ready (validate, merge) and waits for it; a checkpoint that
    /// cannot be prepared is a 422 (invalid) or 409 (failed) in OpenAI's shape, with the grid's reason.
    /// </summary>
    public static async Task<ServedModel> PrepareAsync(
        IGrainFactory grains, string id, CheckpointStatus checkpoint, TokenizerCache tokenizers, ModelEngineFactory engines, CancellationToken cancellationToken)
    {
        if (checkpoint.State != CheckpointState.Ready)
        {
            var grain = grains.GetGrain<ICheckpointGrain>(CheckpointPaths.Normalize(checkpoint.Path));
            checkpoint = await grain.PrepareAsync();
            while (!checkpoint.IsSettled)
            {
                await Task.Delay(PollInterval, cancellationToken);
                checkpoint = await grain.GetStatusAsync();
            }
        }

        if (CheckpointPreparer.ValueModelRefusal(checkpoint) is { } refusal)
        {
            throw new OpenAiError(StatusCodes.Status400BadRequest, $"Model '{id}' is a {refusal}", "invalid_request_error", "model", "value_model");
        }

        if (checkpoint.State == CheckpointState.Invalid)
        {
            var issues = checkpoint.Validation?.Issues.Where(i => i.Severity == "error").Select(i => $"[{i.Code}] {i.Message}") ?? [];
            throw new OpenAiError(StatusCodes.Status422UnprocessableEntity,
                $"The checkpoint of model '{id}' is invalid: {string.Join("; ", issues)}", "invalid_request_error", "model", "checkpoint_invalid");
        }

        if (checkpoint.State != CheckpointState.Ready || checkpoint.ModelPath is null || checkpoint.ContentHash is null)
        {
            throw new OpenAiError(StatusCodes.Status409Conflict,
                $"The checkpoint of model '{id}' could not be prepared: {checkpoint.Error ?? checkpoint.State.ToString()}", "invalid_request_error", "model", "checkpoint_failed");
        }

        var modelPath = checkpoint.ModelPath;
        var hash = checkpoint.ContentHash;
        var (tokenizer, template, bytes) = await Task.Run(() =>
        {
            var (t, c) = tokenizers.Get(modelPath);
            return (t, c, Sizes.GetOrAdd(hash, _ => engines.EstimateBytes(modelPath, "cpu", DType)));
        }, cancellationToken);
        return new ServedModel(id, ModelKeys.For(checkpoint.ContentHash, DType), new ModelLoadSpec(modelPath, DType), bytes, tokenizer, template);
    }
}
