namespace VerlOrleans.Inference.Devices;

/// <summary>A device TorchSharp can place tensors on, with the memory a model budget can use.</summary>
/// <param name="Id">TorchSharp device string: <c>cpu</c> or <c>cuda:N</c>.</param>
/// <param name="Kind">"cpu" or "cuda".</param>
/// <param name="Name">CPU model name or GPU name.</param>
/// <param name="TotalMemoryBytes">Host RAM (CPU) or device memory (GPU).</param>
/// <param name="FreeMemoryBytes">Available memory now, when the platform tells.</param>
/// <param name="Cores">Logical CPU cores, when known.</param>
public sealed record ComputeDevice(string Id, string Kind, string Name, long TotalMemoryBytes, long? FreeMemoryBytes, int? Cores);
