using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Checkpoints;

/// <summary>Checkpoint grains validate and merge real verl shard sets (written by torch 2.6) into the model cache.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class CheckpointGrainTests(GridClusterFixture fixture) : IDisposable
{
    private readonly TempDirectory _inputs = new("checkpoint-grain");

    [Fact]
    public async Task A_verl_shard_set_is_validated_merged_into_the_cache_and_named_by_its_content()
    {
        var folder = CheckpointFixtures.CopyTo(_inputs, "torch-2.6/fsdp1-w2");
        var grain = fixture.Client.GetGrain<ICheckpointGrain>(folder);

        var first = await grain.PrepareAsync();
        var ready = await WaitSettledAsync(grain);

        Assert.Equal("verl-shards", first.Kind);
        Assert.Equal(CheckpointState.Ready, ready.State);
        Assert.True(ready.Validation!.IsValid);
        Assert.Equal(2, ready.Validation.WorldSize);
        Assert.StartsWith(Path.Combine(fixture.DataDirectory, "models"), ready.ModelPath, StringComparison.Ordinal);
        Assert.Equal(ready.ContentHash, Path.GetFileName(ready.ModelPath));
        var expected = ModelContentHash.Compute(SafetensorsModel.Open(CheckpointFixtures.Source("torch-2.6/fsdp1-w2-expected/bf16")));
        Assert.Equal(expected, ready.ContentHash);
        Assert.True(File.Exists(Path.Combine(ready.ModelPath!, "config.json")));
        Assert.True(File.Exists(Path.Combine(ready.ModelPath!, "tokenizer.json")));
    }

    [Fact]
    public async Task A_lora_actor_folder_is_merged_over_the_base_in_its_huggingface_folder()
    {
        var actor = _inputs.Combine("lora-run", "global_step_2", "actor");
        CheckpointFixtures.Copy(CheckpointFixtures.Source("torch-1.13/lora/adapter"), Path.Combine(actor, "lora_adapter"));
        CheckpointFixtures.Copy(CheckpointFixtures.Source("torch-1.13/lora/base"), Path.Combine(actor, "huggingface"));
        var grain = fixture.Client.GetGrain<ICheckpointGrain>(actor);

        var first = await grain.PrepareAsync();
        var ready = await WaitSettledAsync(grain);

        Assert.Equal(("lora-adapter", 2L, "actor"), (first.Kind, first.Step!.Value, first.Role));
        Assert.Equal(CheckpointState.Ready, ready.State);
        Assert.Equal(ModelContentHash.Compute(SafetensorsModel.Open(CheckpointFixtures.Source("torch-1.13/lora/adapter-expected/bf16"))), ready.ContentHash);
        Assert.Contains(ready.Validation!.Issues, i => i.Code == "lora");
    }

    [Fact]
    public async Task A_ready_checkpoint_is_not_merged_again_even_after_its_grain_is_deactivated()
    {
        var folder = CheckpointFixtures.CopyTo(_inputs, "torch-2.6/fsdp2-shard1-w2");
        var grain = fixture.Client.GetGrain<ICheckpointGrain>(folder);
        await grain.PrepareAsync();
        var ready = await WaitSettledAsync(grain);
        Assert.Equal(CheckpointState.Ready, ready.State);

        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var again = await grain.PrepareAsync();

        Assert.Equal(CheckpointState.Ready, again.State);
        Assert.Equal(ready.UpdatedAt, again.UpdatedAt);
        Assert.Equal(ready.ModelPath, again.ModelPath);
    }

    [Fact]
    public async Task A_shard_set_with_a_missing_rank_is_invalid_and_the_report_names_the_problem()
    {
        var folder = CheckpointFixtures.CopyTo(_inputs, "torch-2.6/fsdp1-w2");
        File.Delete(Path.Combine(folder, "model_world_size_2_rank_1.pt"));
        var grain = fixture.Client.GetGrain<ICheckpointGrain>(folder);

        await grain.PrepareAsync();
        var settled = await WaitSettledAsync(grain);

        Assert.Equal(CheckpointState.Invalid, settled.State);
        Assert.Null(settled.ModelPath);
        var issue = Assert.Single(settled.Validation!.Issues, i => i.Severity == "error");
        Assert.Contains("rank 1", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_a_verl_run_folder_registers_every_step()
    {
        var run = CheckpointFixtures.CopyTo(_inputs, "torch-2.6/fsdp2-run");
        var catalog = fixture.Client.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey);

        var keys = await catalog.RegisterCheckpointsAsync(run + "/");

        Assert.Equal([Path.Combine(run, "global_step_1", "actor"), Path.Combine(run, "global_step_2", "actor")], keys);
        var listed = (await catalog.ListCheckpointsAsync()).Where(c => keys.Contains(c.Path)).OrderBy(c => c.Step).ToList();
        Assert.Equal([1L, 2L], listed.Select(c => c.Step!.Value));
        Assert.All(listed, c => Assert.Equal("actor", c.Role));
    }

    public void Dispose() => _inputs.Dispose();

    private static async Task<CheckpointStatus> WaitSettledAsync(ICheckpointGrain grain)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var status = await grain.GetStatusAsync();
            if (status.IsSettled || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(50);
        }
    }
}
