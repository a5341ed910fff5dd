using Microsoft.AspNetCore.Components;
using VerlOrleans.Dashboard.Live;

namespace VerlOrleans.Dashboard.Components;

/// <summary>A page that renders from the shared catalog feed and re-renders on its pushed changes, at most twice a second (the last one always).</summary>
public abstract class CatalogPage : ComponentBase, IDisposable
{
    private Throttle? _render;

    [Inject] protected CatalogFeed Feed { get; set; } = null!;

    /// <summary>The most this page re-renders for catalog changes: the catalog pushes up to four a second while runs go, and each render costs the browser too.</summary>
    protected static TimeSpan MinRenderInterval { get; } = TimeSpan.FromMilliseconds(500);

    protected CatalogView Catalog => Feed.Current;

    /// <summary>False until the first snapshot arrived (pages show a progress bar instead of "none yet").</summary>
    protected bool Loaded { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        _render = new Throttle(MinRenderInterval, Render);
        Feed.Changed += OnFeedChanged;
        await Feed.EnsureStartedAsync();
        Loaded = true;
    }

    /// <summary>Called (on the renderer's thread) before each re-render a feed change causes.</summary>
    protected virtual void OnCatalogChanged()
    {
    }

    private void OnFeedChanged() => _render?.Signal();

    private void Render() => _ = InvokeAsync(() =>
    {
        OnCatalogChanged();
        StateHasChanged();
    });

    public void Dispose()
    {
        Feed.Changed -= OnFeedChanged;
        _render?.Dispose();
        GC.SuppressFinalize(this);
    }
}
