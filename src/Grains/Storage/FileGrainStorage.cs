using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace VerlOrleans.Grains.Storage;

/// <summary>
/// Grain state on the local disk: one file per grain and state name, serialized with the silo's
/// <see cref="IGrainStorageSerializer"/>. Writes go to a temporary file that is renamed over the old
/// one, so a crash leaves either the previous or the new state, never a torn file. The ETag is a
/// hash of the stored bytes: a write whose ETag no longer matches the file (another activation wrote
/// in between) fails with <see cref="InconsistentStateException"/> instead of overwriting it.
/// </summary>
public sealed class FileGrainStorage(string name, FileGrainStorageOptions options, IOptions<ClusterOptions> cluster, IGrainStorageSerializer serializer)
    : IGrainStorage
{
    private const string Extension = ".state";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var bytes = await ReadIfExistsAsync(path);
        if (bytes is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        try
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(bytes));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"grain state file '{path}' ({bytes.Length} bytes) cannot be read as {typeof(T).Name}: {e.Message}", e);
        }

        grainState.ETag = ETagOf(bytes);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        await EnsureUnchangedAsync(path, grainState.ETag, "write", grainId);

        var bytes = serializer.Serialize(grainState.State).ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                await stream.WriteAsync(bytes);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        grainState.ETag = ETagOf(bytes);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        await EnsureUnchangedAsync(path, grainState.ETag, "clear", grainId);
        File.Delete(path);
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>The file that holds one grain's state. Keys (checkpoint paths, run ids) are escaped into one safe file name.</summary>
    public string PathOf(string stateName, GrainId grainId) => Path.Combine(
        options.RootDirectory,
        SafeFileName(cluster.Value.ServiceId),
        SafeFileName(stateName),
        SafeFileName(grainId.Type.ToString() ?? "grain"),
        SafeFileName(grainId.Key.ToString() ?? string.Empty) + Extension);

    /// <summary>
    /// Escapes any text into a single path segment: URI escaping removes separators, a prefix keeps
    /// "." and ".." from being special, and long names are shortened with a hash so they stay unique.
    /// </summary>
    public static string SafeFileName(string text)
    {
        var escaped = "k_" + Uri.EscapeDataString(text);
        if (escaped.Length <= 150)
        {
            return escaped;
        }

        var hash = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..32].ToLowerInvariant();
        return escaped[..100] + "_" + hash;
    }

    private async Task EnsureUnchangedAsync(string path, string? expectedETag, string operation, GrainId grainId)
    {
        var current = await ReadIfExistsAsync(path);
        var currentETag = current is null ? null : ETagOf(current);
        if (currentETag != expectedETag)
        {
            throw new InconsistentStateException(
                $"{name}: cannot {operation} state of {grainId}: the stored state changed since it was read ('{path}')",
                storedEtag: currentETag ?? "none",
                currentEtag: expectedETag ?? "none");
        }
    }

    private static async Task<byte[]?> ReadIfExistsAsync(string path)
    {
        try
        {
            return await File.ReadAllBytesAsync(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static string ETagOf(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes))[..32];
}
