namespace VerlOrleans.Contracts.Models;

/// <summary>
/// A generate call lost because its model left memory while the call ran (unloaded, evicted, or its silo stopping).
/// Nothing of the call was returned, so calling again is safe: the model loads again where there is room.
/// </summary>
[GenerateSerializer]
public sealed class ModelUnloadedException : Exception
{
    public ModelUnloadedException()
    {
    }

    public ModelUnloadedException(string message)
        : base(message)
    {
    }

    public ModelUnloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
