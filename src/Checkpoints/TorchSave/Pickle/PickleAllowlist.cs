namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>Which fixed set of globals a pickle may name: each file kind gets only the classes it needs.</summary>
public enum PickleAllowlist
{
    /// <summary>A torch.save <c>data.pkl</c>: tensors, storages, DTensor and ShardedTensor records (<see cref="TorchGlobals"/>).</summary>
    TorchSave,

    /// <summary>
    /// A <c>torch.distributed.checkpoint</c> <c>.metadata</c> file: the metadata dataclasses, <c>torch.Size</c>,
    /// dtypes and <c>torch.strided</c> only (<see cref="DistributedCheckpointGlobals"/>).
    /// </summary>
    DistributedCheckpointMetadata,

    /// <summary>
    /// A Megatron per-rank <c>model_optim_rng.pt</c>: the torch.save list plus the inert records Megatron keeps beside
    /// the model (saved <c>args</c>, RNG state, TE extra state) (<see cref="MegatronLegacyGlobals"/>).
    /// </summary>
    MegatronLegacy,
}
