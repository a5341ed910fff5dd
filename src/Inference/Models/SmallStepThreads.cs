using TorchSharp;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// Runs a CPU step of a few tokens with libtorch on one thread. Such a step's products are split by rows over
/// <see cref="ProductWorkers"/>; its many small libtorch ops would otherwise wake libtorch's OpenMP workers, which
/// then spin on the cores the product helpers need, so helpers miss their blocks and splitting backs off (measured
/// on 2 cores, Qwen2.5-0.5B at batch 1: 89 ms a step with 2 libtorch threads, 62-67 ms with this). A step of a few
/// tokens has no libtorch op large enough to gain from more threads. libtorch's thread count is process-wide:
/// another engine's step in this process meanwhile also runs on one libtorch thread.
/// </summary>
internal readonly struct SmallStepThreads : IDisposable
{
    private readonly int _restore;

    private SmallStepThreads(int restore) => _restore = restore;

    /// <summary>Limits libtorch to one thread for a step of <paramref name="tokens"/> tokens on <paramref name="device"/> when that helps; dispose to restore.</summary>
    public static SmallStepThreads Enter(Device device, int tokens)
    {
        if (device.type != DeviceType.CPU || tokens > Linear.RowSplitMaxTokens)
        {
            return default;
        }

        var threads = get_num_threads();
        if (threads <= 1)
        {
            return default;
        }

        set_num_threads(1);
        return new SmallStepThreads(threads);
    }

    public void Dispose()
    {
        if (_restore > 1)
        {
            set_num_threads(_restore);
        }
    }
}
