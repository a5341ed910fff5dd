namespace VerlOrleans.Contracts.Cluster;

/// <summary>
/// What the silo's TorchSharp runtime reported at start-up: which native backend is loaded and
/// whether a real tensor operation ran on it. A silo whose self-test failed cannot host models.
/// </summary>
/// <param name="Backend">"cpu" or "cuda" (the build's TorchBackend).</param>
/// <param name="TorchSharpVersion">Version of the managed TorchSharp assembly.</param>
/// <param name="SelfTestPassed">True when a matrix product on every device gave the expected value.</param>
/// <param name="Error">Why the runtime is unusable, when it is.</param>
[GenerateSerializer, Immutable]
public sealed record TorchRuntimeInfo(
    [property: Id(0)] string Backend,
    [property: Id(1)] string TorchSharpVersion,
    [property: Id(2)] bool SelfTestPassed,
    [property: Id(3)] string? Error);
