using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Silo.Api;

/// <summary>Body of POST /api/checkpoints: a checkpoint folder, or a verl run folder (every step is registered).</summary>
public sealed record RegisterCheckpointRequest(string Path);

/// <summary>Body of POST /api/runs: the run spec and, optionally, the run id to use.</summary>
public sealed record StartRunRequest(RunSpec Spec, string? RunId = null);

/// <summary>Body of POST /api/sweeps: the sweep spec and, optionally, the sweep id to use.</summary>
public sealed record StartSweepRequest(SweepSpec Spec, string? SweepId = null);
