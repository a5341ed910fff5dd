namespace VerlOrleans.Contracts;

/// <summary>How people name checkpoints: verl's <c>.../RUN/global_step_N/actor</c> is <c>RUN/step_N</c>, not "actor".</summary>
public static class CheckpointNames
{
    private const string StepPrefix = "global_step_";

    /// <summary>
    /// <c>RUN/step_N</c> for a folder under <c>global_step_N</c> (the role is added when it is not the actor), the
    /// last folder name otherwise (its parent too when that is only "huggingface"); <paramref name="step"/> is used
    /// when the path has none.
    /// </summary>
    public static string Display(string path, long? step = null)
    {
        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return path;
        }

        for (var i = segments.Length - 1; i >= 0; i--)
        {
            if (segments[i].StartsWith(StepPrefix, StringComparison.Ordinal)
                && long.TryParse(segments[i].AsSpan(StepPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                var run = i > 0 ? segments[i - 1] + "/" : "";
                var role = i + 1 < segments.Length && segments[i + 1] != "actor" ? " (" + string.Join('/', segments[(i + 1)..]) + ")" : "";
                return $"{run}step_{n}{role}";
            }
        }

        var last = segments[^1];
        if (last.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || last.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            // An imported file: a validation dump is <global_step>.jsonl in its run's dump folder.
            var folder = segments.Length > 1 ? segments[^2] + "/" : "";
            var stem = Path.GetFileNameWithoutExtension(last);
            return long.TryParse(stem, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var dumpStep)
                ? $"{folder}step_{dumpStep}"
                : $"{folder}{last}";
        }

        var name = last == "huggingface" && segments.Length > 1 ? $"{segments[^2]}/{last}" : last;
        return step is { } s ? $"{name}/step_{s}" : name;
    }
}
