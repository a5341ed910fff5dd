using TorchSharp;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// A projection <c>y = x Wᵀ + b</c> with the weight in Hugging Face layout (out, in). How the product runs is
/// chosen per device and batch size, because on CPU the obvious call is not the fast one (measured on this
/// machine kind with libtorch 2.10):
/// <list type="bullet">
/// <item>one token (float32): <see cref="CpuMatVec"/>, an AVX2 loop that streams the weight at the machine's read
/// bandwidth where libtorch's matrix-vector product reaches ~19 GB/s, over row blocks run at once by the caller and
/// <see cref="ProductWorkers"/>, each writing its rows and their bias straight into the output;</item>
/// <item>a few tokens: libtorch's product uses one thread (~18-20 GB/s whatever the thread count), so the same
/// row blocks are multiplied at once with <c>addmm_</c> (~32 GB/s on 2 cores over a decode step's weights);</item>
/// <item>more tokens: <c>W.mm(xᵀ)</c> beats <c>F.linear</c> by ~1.5x at 32 tokens;</item>
/// <item>CUDA: <c>F.linear</c> (cuBLAS picks the kernel).</item>
/// </list>
/// </summary>
public sealed class Linear : IDisposable
{
    /// <summary>Up to this many tokens, a CPU product is split by weight rows across cores.</summary>
    public const int RowSplitMaxTokens = 4;

    private readonly Tensor[]? _rowBlocks;     // views of Weight, one per core (CPU only)
    private readonly long[]? _rowBlockStarts;
    private readonly int[]? _rowBlockCounts;
    private readonly ProductWorkers? _workers;
    private readonly bool _vectorLoop;

    public Linear(Tensor weight, Tensor? bias, int parallelism)
    {
        Weight = weight;
        Bias = bias;
        _vectorLoop = CpuMatVec.Accepts(weight) && (bias is null || (bias.dtype == ScalarType.Float32 && bias.is_contiguous()));
        var rows = weight.shape[0];
        if (weight.device_type == DeviceType.CPU && parallelism > 1 && rows >= 256 * parallelism)
        {
            _workers = ProductWorkers.For(parallelism);
            parallelism = _workers.Parallelism;
            _rowBlocks = new Tensor[parallelism];
            _rowBlockStarts = new long[parallelism];
            _rowBlockCounts = new int[parallelism];
            var perBlock = (rows + parallelism - 1) / parallelism;
            for (var i = 0; i < parallelism; i++)
            {
                _rowBlockStarts[i] = i * perBlock;
                _rowBlockCounts[i] = (int)Math.Min(perBlock, rows - i * perBlock);
                _rowBlocks[i] = weight.narrow(0, i * perBlock, Math.Min(perBlock, rows - i * perBlock));
            }
        }
    }

    /// <summary>(out, in).</summary>
    public Tensor Weight { get; }

    /// <summary>(out), or null.</summary>
    public Tensor? Bias { get; }

    public long OutputSize => Weight.shape[0];

    /// <summary>True when small batches run as row blocks on several cores.</summary>
    internal bool SplitsRows => _rowBlocks is not null;

    /// <summary>x (tokens, in) → (tokens, out); the result may be a transposed view.</summary>
    public Tensor Forward(Tensor x)
    {
        Tensor y;
        if (Weight.device_type != DeviceType.CPU)
        {
            return nn.functional.linear(x, Weight, Bias);
        }

        if (_vectorLoop && x.shape[0] == 1 && x.dtype == ScalarType.Float32)
        {
            return VectorLoopProduct(x);                                            // bias included
        }

        if (_rowBlocks is not null && x.shape[0] <= RowSplitMaxTokens && _workers!.ShouldSplit)
        {
            y = RowSplitProduct(x);
        }
        else
        {
            y = Weight.mm(x.t()).t();
        }

        return Bias is null ? y : y.add_(Bias);
    }

    public void Dispose()
    {
        if (_rowBlocks is not null)
        {
            foreach (var block in _rowBlocks)
            {
                block.Dispose();
            }
        }

        Weight.Dispose();
        Bias?.Dispose();
    }

    private Tensor VectorLoopProduct(Tensor x)
    {
        var input = x.is_contiguous() ? x : x.contiguous();                     // (1, in)
        var output = empty(1, OutputSize, dtype: ScalarType.Float32);           // (1, out)
        var bias = Bias;
        if (_rowBlockStarts is null || !_workers!.ShouldSplit)
        {
            CpuMatVec.MultiplyRows(Weight, input, output, bias, 0, (int)OutputSize);
            return output;
        }

        var (starts, counts, weight) = (_rowBlockStarts, _rowBlockCounts!, Weight);
        _workers.Run(i => CpuMatVec.MultiplyRows(weight, input, output, bias, (int)starts[i], counts[i]));
        return output;
    }

    private Tensor RowSplitProduct(Tensor x)
    {
        var blocks = _rowBlocks!;
        var output = empty(OutputSize, x.shape[0], dtype: Weight.dtype);       // (out, tokens)
        var xt = x.t();
        // Views are made here: TorchSharp's dispose scopes are per thread, so the workers create no tensors.
        var slices = new Tensor[blocks.Length];
        for (var i = 0; i < blocks.Length; i++)
        {
            slices[i] = output.narrow(0, _rowBlockStarts![i], blocks[i].shape[0]);
        }

        _workers!.Run(i => slices[i].addmm_(blocks[i], xt, beta: 0, alpha: 1));
        return output.t();
    }
}
