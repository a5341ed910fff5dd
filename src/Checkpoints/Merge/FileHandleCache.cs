using Microsoft.Win32.SafeHandles;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>Read handles of the shard files, opened once each and closed together.</summary>
public sealed class FileHandleCache : IDisposable
{
    private readonly Dictionary<string, SafeFileHandle> _handles = new(StringComparer.Ordinal);

    public SafeFileHandle Get(string path)
    {
        if (!_handles.TryGetValue(path, out var handle))
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            _handles.Add(path, handle);
        }

        return handle;
    }

    public void Dispose()
    {
        foreach (var handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
    }
}
