using Microsoft.AspNetCore.Components;
using VerlOrleans.Dashboard.Live;

namespace VerlOrleans.Dashboard.Components;

/// <summary>A page that renders from the shared catalog feed and re-renders on every pushed change.</summary>
public abstract class CatalogPage : ComponentBase, IDisposable
{
    [Inject] protected CatalogFeed Feed { get; set; } = null!;

    protected CatalogView Catalog => Feed.Current;

    /// <summary>False until the first snapshot arrived (pages show a progress bar instead of "none yet").</summary>
    protected bool Loaded { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        Feed.Changed += OnFeedChanged;
        await Feed.EnsureStartedAsync();
        Loaded = true;
    }

    /// <summary>Called (on the renderer's thread) before each re-render a feed change causes.</summary>
    protected virtual void OnCatalogChanged()
    {
    }

    private void OnFeedChanged() => _ = InvokeAsync(() =>
    {
        OnCatalogChanged();
        StateHasChanged();
    });

    public void Dispose()
    {
        Feed.Changed -= OnFeedChanged;
        GC.SuppressFinalize(this);
    }
}
