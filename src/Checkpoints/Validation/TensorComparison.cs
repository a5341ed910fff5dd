using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.TorchSave;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>Byte-for-byte comparison of tensors, streamed in bounded chunks.</summary>
internal static class TensorComparison
{
    private const int ChunkBytes = 4 << 20;

    public static bool SameBytes(FileHandleCache handles, TorchTensor a, TorchTensor b)
    {
        if (a.DType != b.DType || !a.Shape.SequenceEqual(b.Shape))
        {
            return false;
        }

        var left = new AssembledTensorReader(Whole(a), handles);
        var right = new AssembledTensorReader(Whole(b), handles);
        return SameStream(left, right);
    }

    public static bool SameStream(ITensorReader left, ITensorReader right)
    {
        var size = (int)Math.Clamp(Math.Max(left.Remaining, right.Remaining), 8, ChunkBytes);
        var x = new byte[size];
        var y = new byte[size];
        while (true)
        {
            var n = left.Read(x);
            var m = right.Read(y);
            if (n != m || !x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, m)))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }
        }
    }

    public static TensorAssembly Whole(TorchTensor tensor) => new("", tensor.DType, tensor.Shape, 0, [tensor], "");
}
