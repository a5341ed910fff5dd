namespace VerlOrleans.Grains.Models;

/// <summary>A model holding memory on one of this silo's devices.</summary>
/// <param name="Key">Model grain key.</param>
/// <param name="Device">TorchSharp device string.</param>
/// <param name="Bytes">Weights plus KV cache.</param>
/// <param name="LastUsed">Last time a request arrived or finished.</param>
/// <param name="Busy">True while requests are in flight (never evicted then).</param>
public sealed record ResidentModel(string Key, string Device, long Bytes, DateTimeOffset LastUsed, bool Busy);
