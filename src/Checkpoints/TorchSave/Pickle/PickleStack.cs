namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>The unpickler's value stack with its MARK positions; underflow past a mark is an error, not a crash.</summary>
internal sealed class PickleStack(PickleInput input)
{
    private readonly List<object?> _values = [];
    private readonly List<int> _marks = [];

    public void Push(object? value) => _values.Add(value);

    public void Mark() => _marks.Add(_values.Count);

    public object? Pop()
    {
        var value = Peek();
        _values.RemoveAt(_values.Count - 1);
        return value;
    }

    public object? Peek()
    {
        if (_values.Count == 0 || (_marks.Count > 0 && _marks[^1] == _values.Count))
        {
            throw input.Error("stack underflow");
        }

        return _values[^1];
    }

    /// <summary>Everything above the last MARK, removing it and the mark.</summary>
    public List<object?> PopMark()
    {
        if (_marks.Count == 0)
        {
            throw input.Error("no MARK on the stack");
        }

        var start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _values.GetRange(start, _values.Count - start);
        _values.RemoveRange(start, _values.Count - start);
        return items;
    }

    /// <summary>The one value left at STOP.</summary>
    public object? Final() =>
        _values.Count == 1 && _marks.Count == 0 ? _values[0] : throw input.Error($"STOP with {_values.Count} values on the stack");
}
