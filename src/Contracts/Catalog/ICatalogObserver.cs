namespace VerlOrleans.Contracts.Catalog;

/// <summary>Receives the catalog's changes, batched (never more than a few updates a second).</summary>
public interface ICatalogObserver : IGrainObserver
{
    Task OnCatalogChangedAsync(CatalogUpdate update);
}
