using VerlOrleans.Grains.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Runs;

/// <summary>What deleting a run's folder may touch: that folder under the runs folder, never a link's target or anything else.</summary>
public sealed class RunFoldersTests : IDisposable
{
    private readonly TempDirectory _root = new("run-folders");

    [Fact]
    public void A_run_folder_goes_with_what_is_in_it_but_a_link_inside_is_removed_without_following_it()
    {
        var runs = _root.Combine("runs");
        var folder = Path.Combine(runs, "k_run");
        var outside = _root.Combine("users-data");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(folder, "results.jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(outside, "precious.txt"), "keep me");
        Directory.CreateSymbolicLink(Path.Combine(folder, "sub", "link"), outside);
        File.WriteAllText(RunLease.PathFor(folder), "");
        File.WriteAllText(Path.Combine(runs, "k_other.lease"), "");

        Assert.True(RunFolders.Delete(folder, runs));
        RunFolders.DeleteLease(folder);

        Assert.False(Directory.Exists(folder));
        Assert.False(File.Exists(RunLease.PathFor(folder)));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(outside, "precious.txt")));
        Assert.True(File.Exists(Path.Combine(runs, "k_other.lease")));
        Assert.False(RunFolders.Delete(folder, runs));
    }

    [Fact]
    public void A_folder_not_directly_under_the_runs_folder_or_a_link_is_refused_and_left_alone()
    {
        var runs = _root.Combine("runs");
        var elsewhere = _root.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateDirectory(runs);
        var link = Path.Combine(runs, "k_link");
        Directory.CreateSymbolicLink(link, elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "file"), "x");

        Assert.Throws<InvalidOperationException>(() => RunFolders.Delete(elsewhere, runs));
        Assert.Throws<InvalidOperationException>(() => RunFolders.Delete(Path.Combine(runs, "k_a", "nested"), runs));
        Assert.Throws<InvalidOperationException>(() => RunFolders.Delete(Path.Combine(runs, "..", "elsewhere"), runs));
        Assert.Throws<InvalidOperationException>(() => RunFolders.Delete(link, runs));

        Assert.True(File.Exists(Path.Combine(elsewhere, "file")));
        Assert.True(Directory.Exists(link));
    }

    public void Dispose() => _root.Dispose();
}
