using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Tests.Megatron;

/// <summary>A Megatron checkpoint that must be refused: validation names the fault, and a merge writes nothing.</summary>
internal static class MegatronRefusals
{
    /// <summary>Validation fails with <paramref name="code"/>; a merge into <paramref name="workFolder"/> throws and leaves nothing there.</summary>
    public static ValidationIssue RefusedWith(string actor, string code, string workFolder)
    {
        var report = CheckpointValidator.Validate(actor);
        Assert.False(report.IsValid);
        var error = report.Errors.FirstOrDefault(e => e.Code == code);
        Assert.True(error is not null, $"no {code} error in: {string.Join("; ", report.Issues)}");

        var target = Path.Combine(workFolder, "merged");
        Assert.Throws<CheckpointMergeException>(() => CheckpointMerger.Merge(actor, new MergeOptions(target)));
        Assert.False(Directory.Exists(target));
        Assert.DoesNotContain(Directory.EnumerateDirectories(workFolder), d => Path.GetFileName(d).StartsWith('.'));
        return error;
    }
}
