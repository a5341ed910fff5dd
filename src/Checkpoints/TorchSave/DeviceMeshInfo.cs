namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>A DTensor's device mesh: its shape, the global rank at each coordinate (row-major), and dimension names.</summary>
public sealed class DeviceMeshInfo(int[] shape, int[] ranks, string[]? dimNames)
{
    public IReadOnlyList<int> Shape { get; } = shape;

    /// <summary>Global ranks in row-major coordinate order.</summary>
    public IReadOnlyList<int> Ranks { get; } = ranks;

    /// <summary>Names such as <c>("fsdp",)</c> or <c>("ddp", "fsdp")</c>; null when the mesh was unnamed.</summary>
    public IReadOnlyList<string>? DimNames { get; } = dimNames;

    /// <summary>The coordinates of <paramref name="rank"/>, or null when the rank is not in the mesh.</summary>
    public int[]? CoordinatesOf(int rank)
    {
        var index = Array.IndexOf(ranks, rank);
        if (index < 0)
        {
            return null;
        }

        var coordinates = new int[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            coordinates[d] = index % shape[d];
            index /= shape[d];
        }

        return coordinates;
    }

    /// <summary>Same shape, ranks and names.</summary>
    public bool SameAs(DeviceMeshInfo other) =>
        Shape.SequenceEqual(other.Shape) && Ranks.SequenceEqual(other.Ranks)
        && (DimNames ?? []).SequenceEqual(other.DimNames ?? []);

    public override string ToString() =>
        $"mesh [{string.Join(", ", Shape)}]" + (DimNames is null ? string.Empty : $" ({string.Join(", ", DimNames)})");
}
