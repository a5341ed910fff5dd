namespace VerlOrleans.Contracts.Models;

/// <summary>Whether a model's weights are resident.</summary>
public enum ModelState
{
    Unloaded,
    Loading,
    Ready,
    Failed,
}
