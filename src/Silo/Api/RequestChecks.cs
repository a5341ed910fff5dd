using VerlOrleans.Contracts.Inputs;
using VerlOrleans.Contracts.Runs;
using VerlOrleans.Contracts.Sweeps;
using VerlOrleans.Evaluation.Imports;
using VerlOrleans.Grains.Inputs;

namespace VerlOrleans.Silo.Api;

/// <summary>
/// What the API checks about the paths a request names before any grain state changes: inside the roots (else 403),
/// existing (else 400), and a checkpoint the grid can read (else 422 with the discovery message). Field ranges are
/// <see cref="SpecValidation"/>'s.
/// </summary>
public sealed class RequestChecks(PathRoots roots, IGrainFactory grains)
{
    /// <summary>A refusal for a run spec's fields, ranges first, then paths; null when it may start.</summary>
    public async Task<IResult?> RefuseAsync(RunSpec? spec, string prefix = "spec.")
    {
        if (spec is null)
        {
            return ApiProblems.Refused([new FieldError("spec", "is required")]);
        }

        var ranges = SpecValidation.Validate(spec).Select(e => e with { Field = prefix + e.Field }).ToList();
        return ranges.Count > 0 ? ApiProblems.Refused(ranges)
            : spec.Import is { } import ? RefuseImport(import.Path, prefix + "import.path", folder: false)
            : await RefusePathsAsync([(prefix + "checkpoint", spec.Checkpoint)], spec.DataFiles, prefix, spec.RewardPath);
    }

    /// <summary>
    /// A refusal for what an import reads: inside the data roots (else 403), there (else 400), and one of verl's outputs
    /// (else 422 naming why); null when it may start. A run imports a file, a sweep a folder of validation dumps.
    /// </summary>
    public IResult? RefuseImport(string? path, string field, bool folder)
    {
        if (roots.DataFileProblem(path) is { } outside)
        {
            return ApiProblems.Refused([new FieldError(field, outside)], StatusCodes.Status403Forbidden);
        }

        if (folder ? !Directory.Exists(path) : !File.Exists(path))
        {
            return ApiProblems.Refused([new FieldError(field, $"'{path}' does not exist (or is not a {(folder ? "folder" : "file")})")]);
        }

        try
        {
            _ = folder ? ImportSource.ForValidationFolder(path!) : [ImportSource.ForFile(path!)];
            return null;
        }
        catch (ImportFormatException e)
        {
            return ApiProblems.Refused([new FieldError(field, e.Message)], StatusCodes.Status422UnprocessableEntity);
        }
    }

    /// <summary>As <see cref="RefuseAsync(RunSpec?, string)"/> for a sweep: every checkpoint and the template's data files.</summary>
    public async Task<IResult?> RefuseAsync(SweepSpec? spec)
    {
        if (spec is null)
        {
            return ApiProblems.Refused([new FieldError("spec", "is required")]);
        }

        var ranges = SpecValidation.Validate(spec).Select(e => e with { Field = "spec." + e.Field }).ToList();
        if (ranges.Count == 0 && spec.Template.Import is not null)
        {
            return spec.Checkpoints.Select((folder, i) => RefuseImport(folder, $"spec.checkpoints[{i}]", folder: true)).FirstOrDefault(r => r is not null);
        }

        return ranges.Count > 0
            ? ApiProblems.Refused(ranges)
            : await RefusePathsAsync(spec.Checkpoints.Select((c, i) => (Field: $"spec.checkpoints[{i}]", Path: (string?)c)).ToList(), spec.Template.DataFiles, "spec.template.",
                spec.Template.RewardPath);
    }

    /// <summary>A refusal for one checkpoint path (the field named <paramref name="field"/>); null when it is one.</summary>
    public Task<IResult?> RefuseCheckpointAsync(string? path, string field) => RefusePathsAsync([(field, path)], [], "");

    private async Task<IResult?> RefusePathsAsync(
        IReadOnlyList<(string Field, string? Path)> checkpoints, IReadOnlyList<string> dataFiles, string dataPrefix, string? rewardPath = null)
    {
        // The custom reward file is checked as a data file: inside the data roots, and existing.
        var files = dataFiles.Select((f, i) => (Field: $"{dataPrefix}dataFiles[{i}]", Path: f))
            .Concat(rewardPath is null ? [] : [(Field: dataPrefix + "rewardPath", Path: rewardPath)])
            .ToList();
        var outside = checkpoints.Where(c => roots.CheckpointProblem(c.Path) is not null)
            .Select(c => new FieldError(c.Field, roots.CheckpointProblem(c.Path)!))
            .Concat(files.Select(f => (f.Field, Problem: roots.DataFileProblem(f.Path)))
                .Where(d => d.Problem is not null)
                .Select(d => new FieldError(d.Field, d.Problem!)))
            .ToList();
        if (outside.Count > 0)
        {
            return ApiProblems.Refused(outside, StatusCodes.Status403Forbidden);
        }

        var missing = files
            .Where(d => !File.Exists(d.Path))
            .Select(d => new FieldError(d.Field, $"'{d.Path}' does not exist (or is not a file)"))
            .ToList();
        if (missing.Count > 0)
        {
            return ApiProblems.Refused(missing);
        }

        var probe = grains.GetGrain<IInputProbeGrain>(0);
        var unreadable = new List<FieldError>();
        foreach (var (field, path) in checkpoints)
        {
            if ((await probe.ProbeCheckpointAsync(path!)).Error is { } error)
            {
                unreadable.Add(new FieldError(field, error));
            }
        }

        return unreadable.Count > 0 ? ApiProblems.Refused(unreadable, StatusCodes.Status422UnprocessableEntity) : null;
    }
}
