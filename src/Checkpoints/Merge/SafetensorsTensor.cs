using VerlOrleans.Checkpoints.Safetensors;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>A tensor of a safetensors file (a Hugging Face base model, a PEFT adapter), possibly under another name.</summary>
public sealed class SafetensorsTensor(string name, SafetensorsTensorInfo info, string layout = "safetensors")
    : PlannedTensor(name, info.DType, info.Shape.ToArray(), layout)
{
    public SafetensorsTensorInfo Info { get; } = info;

    public override PlannedTensor WithName(string newName) => newName == Name ? this : new SafetensorsTensor(newName, Info, Layout);

    public override ITensorReader Open(FileHandleCache handles) => new Reader(Info, handles);

    private sealed class Reader(SafetensorsTensorInfo info, FileHandleCache handles) : ITensorReader
    {
        private readonly int _itemSize = info.DType.ItemSize();
        private long _done;

        public long Remaining => info.ByteLength - _done;

        public int Read(Span<byte> buffer)
        {
            var take = (int)Math.Min(Remaining, buffer.Length / _itemSize * (long)_itemSize);
            if (take > 0)
            {
                FileReads.ReadExactly(handles.Get(info.FilePath), buffer[..take], info.DataOffset + _done, info.FilePath);
                _done += take;
            }

            return take;
        }
    }
}
