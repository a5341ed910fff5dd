using Microsoft.Win32.SafeHandles;

namespace VerlOrleans.Checkpoints;

/// <summary>Positional reads that fill the whole buffer or fail naming the file (a short read means a truncated file).</summary>
internal static class FileReads
{
    public static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset, string path)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(handle, destination, offset);
            if (read == 0)
            {
                throw new CheckpointFormatException(path, $"unexpected end of file at offset {offset} (truncated file?)");
            }

            destination = destination[read..];
            offset += read;
        }
    }
}
