using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Tests;

/// <summary>Copies a real torch.save file with its data.pkl replaced (valid zip and CRCs), to aim damage at the pickle itself.</summary>
internal static class TorchZipRewriter
{
    public static void RewritePickle(string source, string destination, Func<byte[], byte[]> edit, bool forceZip64 = false)
    {
        using var handle = File.OpenHandle(source);
        var records = ZipDirectoryReader.Read(handle, source);
        using var zip = new TorchZipWriter(destination, forceZip64);
        foreach (var record in records)
        {
            var bytes = new byte[record.Length];
            FileReads.ReadExactly(handle, bytes, record.DataOffset, source);
            zip.AddRecord(record.Name, record.Name.EndsWith("/data.pkl", StringComparison.Ordinal) ? edit(bytes) : bytes);
        }

        zip.Complete();
    }

    /// <summary>Replaces the first occurrence of <paramref name="find"/> (same length) in the pickle.</summary>
    public static Func<byte[], byte[]> Replace(byte[] find, byte[] replacement) => pickle =>
    {
        var at = pickle.AsSpan().IndexOf(find);
        if (at < 0 || find.Length != replacement.Length)
        {
            throw new InvalidOperationException("pattern not found in the pickle");
        }

        var copy = pickle.ToArray();
        replacement.CopyTo(copy, at);
        return copy;
    };

    /// <summary>A torch.save file with the given pickle and raw storage records.</summary>
    public static void WriteRaw(string path, byte[] pickle, params (string Key, byte[] Data)[] storages)
    {
        using var zip = new TorchZipWriter(path);
        zip.AddRecord("archive/data.pkl", pickle);
        foreach (var (key, data) in storages)
        {
            zip.AddRecord($"archive/data/{key}", data);
        }

        zip.AddRecord("archive/version", "3\n"u8);
        zip.Complete();
    }
}
