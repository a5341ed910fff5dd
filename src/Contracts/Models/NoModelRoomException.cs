namespace VerlOrleans.Contracts.Models;

/// <summary>
/// A model could not load because no device of its silo has room for it, even after unloading the idle models: the
/// resident ones are all in use. Nothing was loaded; calling again once they are idle succeeds.
/// </summary>
/// <remarks>Not an <see cref="InsufficientMemoryException"/>: that is an <see cref="OutOfMemoryException"/>, which the grid treats as fatal.</remarks>
[GenerateSerializer]
public sealed class NoModelRoomException : Exception
{
    public NoModelRoomException()
    {
    }

    public NoModelRoomException(string message)
        : base(message)
    {
    }

    public NoModelRoomException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
