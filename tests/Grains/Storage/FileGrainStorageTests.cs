using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using VerlOrleans.Grains.Storage;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Storage;

/// <summary>Grain state on the local disk: survives reactivation, refuses lost updates, never leaves torn files.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class FileGrainStorageTests(GridClusterFixture fixture)
{
    [Fact]
    public async Task State_survives_deactivation_and_is_read_back_from_disk()
    {
        var key = "/checkpoints/run-a/global_step_100/actor";
        var grain = fixture.Client.GetGrain<INotebookGrain>(key);
        await grain.AppendAsync("first");
        await grain.AppendAsync("ünïcödé ✓");
        await grain.DeactivateAsync();
        await Task.Delay(200);

        Assert.Equal(["first", "ünïcödé ✓"], await grain.ReadAsync());

        var files = Directory.GetFiles(fixture.DataDirectory, "*.state", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.Contains("global_step_100", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(fixture.DataDirectory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Clear_removes_the_file_and_the_next_activation_starts_empty()
    {
        var grain = fixture.Client.GetGrain<INotebookGrain>("to-clear");
        await grain.AppendAsync("x");
        await grain.ClearAsync();
        await grain.DeactivateAsync();
        await Task.Delay(200);

        Assert.Empty(await grain.ReadAsync());
        Assert.DoesNotContain(Directory.GetFiles(fixture.DataDirectory, "*.state", SearchOption.AllDirectories), f => f.Contains("to-clear", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_write_based_on_a_stale_read_is_refused_and_the_newer_state_is_kept()
    {
        using var root = new TempDirectory("file-storage");
        var storage = NewStorage(root.Path);
        var grainId = GrainId.Create("notebook", "conflict");

        var reader1 = new GrainState<NotebookState>();
        var reader2 = new GrainState<NotebookState>();
        await storage.ReadStateAsync("s", grainId, reader1);
        await storage.ReadStateAsync("s", grainId, reader2);

        reader1.State!.Lines.Add("from writer 1");
        await storage.WriteStateAsync("s", grainId, reader1);

        reader2.State!.Lines.Add("from writer 2");
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", grainId, reader2));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("s", grainId, reader2));

        var fresh = new GrainState<NotebookState>();
        await storage.ReadStateAsync("s", grainId, fresh);
        Assert.Equal(["from writer 1"], fresh.State!.Lines);
        Assert.True(fresh.RecordExists);
        Assert.Equal(reader1.ETag, fresh.ETag);
    }

    [Fact]
    public async Task A_corrupted_state_file_fails_with_an_error_naming_the_file()
    {
        using var root = new TempDirectory("file-storage");
        var storage = NewStorage(root.Path);
        var grainId = GrainId.Create("notebook", "corrupt");
        var state = new GrainState<NotebookState>(new NotebookState { Lines = ["ok"] });
        await storage.WriteStateAsync("s", grainId, state);
        var path = storage.PathOf("s", grainId);
        await File.WriteAllBytesAsync(path, [0xff, 0x00, 0x13, 0x37]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => storage.ReadStateAsync("s", grainId, new GrainState<NotebookState>()));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("C:\\windows")]
    [InlineData("")]
    public void Safe_file_names_are_one_harmless_path_segment(string key)
    {
        var name = FileGrainStorage.SafeFileName(key);

        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain('\\', name);
        Assert.NotEqual(".", name);
        Assert.NotEqual("..", name);
        Assert.Equal(name, Path.GetFileName(name));
    }

    [Fact]
    public void Long_keys_are_shortened_but_stay_distinct()
    {
        var a = FileGrainStorage.SafeFileName(new string('a', 500) + "1");
        var b = FileGrainStorage.SafeFileName(new string('a', 500) + "2");

        Assert.True(a.Length < 160, $"{a.Length} characters");
        Assert.NotEqual(a, b);
    }

    private FileGrainStorage NewStorage(string root) => new(
        "test",
        new FileGrainStorageOptions { RootDirectory = root },
        Options.Create(new ClusterOptions { ServiceId = "tests" }),
        fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainStorageSerializer>());
}
