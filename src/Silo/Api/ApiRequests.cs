using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;

namespace VerlOrleans.Silo.Api;

/// <summary>Body of POST /api/checkpoints: a checkpoint folder, or a verl run folder (every step is registered).</summary>
public sealed record RegisterCheckpointRequest(string Path);

/// <summary>Body of POST /api/runs: the run spec and, optionally, the run id to use.</summary>
public sealed record StartRunRequest(RunSpec Spec, string? RunId = null);

/// <summary>Body of POST /api/sweeps: the sweep spec and, optionally, the sweep id to use.</summary>
public sealed record StartSweepRequest(SweepSpec Spec, string? SweepId = null);

/// <summary>Ids the grid makes up: sortable by time, unique enough to never collide in practice.</summary>
public static class GridIds
{
    public static string New(string prefix, TimeProvider clock) =>
        $"{prefix}-{clock.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";

    /// <summary>Ids become file names and URL segments: letters, digits, '-', '_' and '.' only.</summary>
    public static bool IsValid(string id) =>
        id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && id is not "." and not "..";
}
