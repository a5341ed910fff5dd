using Orleans.Placement;

namespace VerlOrleans.Grains.Models.Placement;

/// <summary>Places model grains on a silo with a device that has room for the model.</summary>
[GenerateSerializer, Immutable]
public sealed class DeviceAwarePlacementStrategy : PlacementStrategy
{
    /// <summary>Request-context key under which a caller states the bytes (weights + KV cache) the model needs.</summary>
    public const string RequiredBytesKey = "verlorleans.model-bytes";

    public static DeviceAwarePlacementStrategy Instance { get; } = new();
}

/// <summary>Marks a grain class for <see cref="DeviceAwarePlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class DeviceAwarePlacementAttribute() : PlacementAttribute(DeviceAwarePlacementStrategy.Instance);
