using Microsoft.AspNetCore.Components;

namespace VerlOrleans.Dashboard.Components;

/// <summary>
/// A component showing something read once (a run's manifest, its prompt report): it renders again only when its
/// parent hands it another object, not on each of the parent's live updates, which would otherwise rebuild the whole
/// subtree on the server twice a second per open tab only to find nothing changed.
/// </summary>
public abstract class RendersOnNewInput : ComponentBase
{
    private object? _rendered;
    private bool _changed = true;

    /// <summary>The object the markup shows; compared by reference.</summary>
    protected abstract object? Input { get; }

    protected override void OnParametersSet()
    {
        _changed = !ReferenceEquals(_rendered, Input);
        _rendered = Input;
    }

    protected override bool ShouldRender() => _changed;
}
