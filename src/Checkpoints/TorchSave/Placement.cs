namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>How a DTensor is laid out along one mesh dimension.</summary>
public abstract record Placement;

/// <summary><c>Shard(dim)</c>: <c>torch.chunk</c> along <paramref name="Dim"/>, one chunk per mesh coordinate (trailing chunks may be empty).</summary>
public sealed record ShardPlacement(int Dim) : Placement
{
    public override string ToString() => $"Shard({Dim})";
}

/// <summary><c>Replicate()</c>: every coordinate holds the whole tensor.</summary>
public sealed record ReplicatePlacement : Placement
{
    public override string ToString() => "Replicate()";
}

/// <summary><c>Partial(reduce_op)</c>: pending reduction; a saved checkpoint should never contain it.</summary>
public sealed record PartialPlacement(string ReduceOp) : Placement
{
    public override string ToString() => $"Partial({ReduceOp})";
}

/// <summary><c>_StridedShard(dim, split_factor)</c>: FSDP+TP interleaved sharding.</summary>
public sealed record StridedShardPlacement(int Dim, long SplitFactor) : Placement
{
    public override string ToString() => $"_StridedShard({Dim}, {SplitFactor})";
}
