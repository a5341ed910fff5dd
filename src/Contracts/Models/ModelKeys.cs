namespace VerlOrleans.Contracts.Models;

/// <summary>Model grain keys: the weights' content hash and the resident dtype, so equal weights load once.</summary>
public static class ModelKeys
{
    public static string For(string contentHash, string dtype) => $"{contentHash}/{dtype}";
}
