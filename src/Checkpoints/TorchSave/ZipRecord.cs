namespace VerlOrleans.Checkpoints.TorchSave;

/// <summary>One stored (uncompressed) record of a torch.save zip: where its bytes start in the file and how many there are.</summary>
/// <param name="Name">Full record name, e.g. <c>model_world_size_2_rank_0/data/3</c>.</param>
/// <param name="DataOffset">Absolute file offset of the first data byte (computed from the local header).</param>
/// <param name="Length">Number of data bytes.</param>
/// <param name="Crc32">CRC-32 the central directory declares for the data.</param>
public sealed record ZipRecord(string Name, long DataOffset, long Length, uint Crc32);
