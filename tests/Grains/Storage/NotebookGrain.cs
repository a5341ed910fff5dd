using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Tests.Storage;

/// <summary>State a test grain persists through the grid's file storage.</summary>
[GenerateSerializer]
public sealed class NotebookState
{
    [Id(0)] public List<string> Lines { get; set; } = [];
}

/// <summary>Test-only grain: appends lines to persisted state; can be told to deactivate.</summary>
public interface INotebookGrain : IGrainWithStringKey
{
    Task AppendAsync(string line);
    Task<IReadOnlyList<string>> ReadAsync();
    Task ClearAsync();
    Task DeactivateAsync();
}

public sealed class NotebookGrain(
    [PersistentState("notebook", GridSiloBuilderExtensions.StorageName)] IPersistentState<NotebookState> state) : Grain, INotebookGrain
{
    public async Task AppendAsync(string line)
    {
        state.State.Lines.Add(line);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ReadAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Lines.ToList());

    public Task ClearAsync() => state.ClearStateAsync();

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
