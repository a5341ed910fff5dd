namespace VerlOrleans.Grains.Storage;

/// <summary>Where <see cref="FileGrainStorage"/> keeps grain state.</summary>
public sealed class FileGrainStorageOptions
{
    /// <summary>Root folder; state lives under <c>{RootDirectory}/{serviceId}/{stateName}/{grainType}/</c>.</summary>
    public string RootDirectory { get; set; } = string.Empty;
}
