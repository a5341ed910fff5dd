using VerlOrleans.Contracts.Checkpoints;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Checkpoints;

/// <summary>Which folder deleting a checkpoint may delete: only a merge the grid wrote under its models folder that nothing else holds.</summary>
public sealed class CheckpointRemovalTests : IDisposable
{
    private const string Hash = "abc123";
    private readonly TempDirectory _root = new("checkpoint-removal");

    private string Cache => _root.Combine("models");

    [Fact]
    public void A_verl_merge_in_the_cache_named_by_its_hash_may_go()
    {
        var merged = Merge();

        Assert.Equal(merged, CheckpointRemoval.GridWrittenFolder(Shards("/users/run/global_step_1/actor", merged), Cache, []));
    }

    [Fact]
    public void A_hugging_face_folder_is_the_users_even_inside_the_cache()
    {
        var merged = Merge();

        Assert.Null(CheckpointRemoval.GridWrittenFolder(Shards(merged, merged) with { Kind = "hugging-face" }, Cache, []));
        Assert.Null(CheckpointRemoval.GridWrittenFolder(Shards(merged, merged), Cache, []));
    }

    [Fact]
    public void A_model_folder_outside_the_cache_not_named_by_the_hash_or_a_link_is_left_alone()
    {
        var outside = _root.Combine("elsewhere", Hash);
        Directory.CreateDirectory(outside);
        var wrongName = Path.Combine(Cache, "not-the-hash");
        Directory.CreateDirectory(wrongName);
        var link = Path.Combine(Cache, Hash);
        Directory.CreateSymbolicLink(link, outside);

        Assert.Null(CheckpointRemoval.GridWrittenFolder(Shards("/u/actor", outside), Cache, []));
        Assert.Null(CheckpointRemoval.GridWrittenFolder(Shards("/u/actor", wrongName), Cache, []));
        Assert.Null(CheckpointRemoval.GridWrittenFolder(Shards("/u/actor", link), Cache, []));
    }

    [Fact]
    public void A_merge_another_checkpoint_holds_or_may_be_about_to_reuse_stays()
    {
        var merged = Merge();
        var mine = Shards("/u/a/actor", merged);

        Assert.Null(CheckpointRemoval.GridWrittenFolder(mine, Cache, [Shards("/u/b/actor", merged + "/")]));
        Assert.Null(CheckpointRemoval.GridWrittenFolder(mine, Cache, [Shards("/u/c/actor", null) with { State = CheckpointState.Merging, ContentHash = null }]));
        Assert.Equal(merged, CheckpointRemoval.GridWrittenFolder(mine, Cache, [mine, Shards("/u/d/actor", null) with { State = CheckpointState.Invalid }]));
    }

    public void Dispose() => _root.Dispose();

    private string Merge()
    {
        var folder = Path.Combine(Cache, Hash);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static CheckpointStatus Shards(string path, string? modelPath) =>
        new(path, "verl-shards", 1, "actor", CheckpointState.Ready, null, null, modelPath, Hash, null, DateTimeOffset.UnixEpoch);
}
