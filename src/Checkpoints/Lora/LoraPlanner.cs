using VerlOrleans.Checkpoints.Layouts;
using VerlOrleans.Checkpoints.Merge;
using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Checkpoints.Validation;

namespace VerlOrleans.Checkpoints.Lora;

/// <summary>
/// Checks LoRA weights against their base before anything is written, and plans the merge: every lora_A/lora_B pair
/// must name a module the base has (with the base's shapes: A [r, in], B [out, r], W [out, in], or W [in, out] for
/// Conv1D), agree on its rank with the configuration, and be one target_modules names; and every base module that
/// target_modules names must have its pair. The plan is the base's tensors in order, targeted weights merged.
/// </summary>
internal static class LoraPlanner
{
    /// <summary>Model types whose projections are transformers' Conv1D ([in, out] weights); PEFT sets fan_in_fan_out for them.</summary>
    private static readonly HashSet<string> Conv1DModelTypes = new(["gpt2", "openai-gpt", "imagegpt", "decision_transformer"], StringComparer.Ordinal);

    /// <summary>
    /// Splits PEFT-named tensors into parameters (renamed to Hugging Face names) and LoRA tensors (keys kept, for
    /// messages); unsupported PEFT tensors and name clashes become errors.
    /// </summary>
    public static (List<PlannedTensor> Parameters, List<PlannedTensor> Lora) Split(IEnumerable<PlannedTensor> tensors, IssueList issues, string file)
    {
        var parameters = new List<PlannedTensor>();
        var lora = new List<PlannedTensor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            var key = PeftKey.Parse(tensor.Name);
            switch (key.Kind)
            {
                case PeftKeyKind.LoraA or PeftKeyKind.LoraB:
                    lora.Add(tensor);
                    break;
                case PeftKeyKind.Unsupported:
                    issues.Error("lora-unsupported", key.Problem!, file, tensor.Name);
                    break;
                default:
                    if (!seen.Add(key.Name))
                    {
                        issues.Error("duplicate-key", $"two keys map to the Hugging Face name '{key.Name}'", file, tensor.Name);
                    }

                    parameters.Add(tensor.WithName(key.Name));
                    break;
            }
        }

        return (parameters, lora);
    }

    /// <summary>The merge plan, or null when a check failed (each failure is an error in <paramref name="issues"/>).</summary>
    public static List<PlannedTensor>? Plan(
        IReadOnlyList<PlannedTensor> baseTensors, IReadOnlyList<PlannedTensor> loraTensors, LoraSettings settings, HfModelConfig? config, IssueList issues, string adapterFile)
    {
        var errorsBefore = issues.ErrorCount;
        var pairs = Pair(loraTensors, issues, adapterFile);
        var byName = baseTensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var merged = new Dictionary<string, PlannedTensor>(StringComparer.Ordinal);
        var warnedLayout = false;
        foreach (var (module, (a, b)) in pairs)
        {
            if (a is null || b is null)
            {
                var present = (a ?? b)!;
                issues.Error("lora-pair-incomplete", $"module '{module}' has lora_{(a is null ? "B" : "A")} but no lora_{(a is null ? "A" : "B")}", adapterFile, present.Name);
                continue;
            }

            var weightName = module + ".weight";
            if (!byName.TryGetValue(weightName, out var weight))
            {
                issues.Error("lora-target-missing", $"LoRA weights for module '{module}', which the base model does not have (no '{weightName}'): an adapter for another base?", adapterFile, a.Name);
                continue;
            }

            if (settings.Targets is { } targets && (!targets.Matches(module) || settings.Exclude?.Matches(module) == true))
            {
                issues.Error("lora-not-targeted", $"module '{module}' has LoRA weights, but target_modules {targets.Text}{(settings.Exclude is { } ex ? $" (exclude_modules {ex.Text})" : string.Empty)} does not name it", adapterFile, a.Name);
                continue;
            }

            if (Check(module, weight, a, b, settings, issues, adapterFile) is not { } rank)
            {
                continue;
            }

            var conv1D = config?.ModelType is { } type && Conv1DModelTypes.Contains(type) ? true
                : config is not null && HfParameterShapes.Expected(config, weightName) is not null ? false
                : (bool?)null;
            var transpose = conv1D ?? settings.FanInFanOut;
            if (conv1D is { } isConv1D && isConv1D != settings.FanInFanOut && !warnedLayout)
            {
                warnedLayout = true;
                issues.Warning("lora-fan-in-fan-out", isConv1D
                    ? $"fan_in_fan_out is false but '{module}' is a Conv1D layer ([in, out] weights): PEFT sets it to True for Conv1D, and so does this merge (the update is transposed)"
                    : $"fan_in_fan_out is true but '{module}' is a torch.nn.Linear layer: PEFT sets it to False for nn.Linear (\"Setting fan_in_fan_out to False\"), and so does this merge (no transposition)",
                    adapterFile);
            }

            var expected = transpose ? new[] { a.Shape[1], b.Shape[0] } : [b.Shape[0], a.Shape[1]];
            if (!weight.Shape.SequenceEqual(expected))
            {
                issues.Error("lora-shape-mismatch",
                    $"lora_B {Shape(b.Shape)} · lora_A {Shape(a.Shape)} is a {Shape(expected)} update{(transpose ? " once transposed (fan_in_fan_out)" : string.Empty)}, but the base's '{weightName}' is {Shape(weight.Shape)}: an adapter for another base?",
                    adapterFile, a.Name);
                continue;
            }

            merged[weightName] = new LoraMergedTensor(weightName, weight, a, b, settings.ScaleFor(module, rank), transpose);
        }

        if (settings.Targets is { AllLinear: false } named && !settings.RestrictsLayers)
        {
            foreach (var tensor in baseTensors.Where(t => t.Shape.Length == 2 && t.Name.EndsWith(".weight", StringComparison.Ordinal)))
            {
                var module = tensor.Name[..^".weight".Length];
                if (named.Matches(module) && settings.Exclude?.Matches(module) != true && !pairs.ContainsKey(module))
                {
                    issues.Error("lora-target-without-weights",
                        $"target_modules {named.Text} names the base's module '{module}', but there is no lora_A/lora_B for it: an adapter for another base?", adapterFile, tensor.Name);
                }
            }
        }

        if (pairs.Count == 0)
        {
            issues.Error("lora-empty", "no lora_A/lora_B weights", adapterFile);
        }

        if (issues.ErrorCount > errorsBefore)
        {
            return null;
        }

        var scales = merged.Values.Cast<LoraMergedTensor>().Select(m => $"r {m.Rank} x {LoraSettings.Text(m.Scale)}").Distinct(StringComparer.Ordinal).ToList();
        var modules = pairs.Keys.Select(m => m[(m.LastIndexOf('.') + 1)..]).Distinct(StringComparer.Ordinal).ToList();
        issues.Info("lora",
            $"LoRA on {pairs.Count} modules ({string.Join(", ", modules)}), lora_alpha {LoraSettings.Text(settings.Alpha)} from {settings.AlphaSource}{(settings.UseRslora ? ", use_rslora (alpha/sqrt(r))" : string.Empty)}: "
            + $"merged as W + scale·B·A in float32 ({string.Join("; ", scales)})", adapterFile);
        return baseTensors.Select(t => merged.TryGetValue(t.Name, out var m) ? m : t).ToList();
    }

    private static SortedDictionary<string, (PlannedTensor? A, PlannedTensor? B)> Pair(IReadOnlyList<PlannedTensor> loraTensors, IssueList issues, string file)
    {
        var pairs = new SortedDictionary<string, (PlannedTensor? A, PlannedTensor? B)>(StringComparer.Ordinal);
        var adapters = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tensor in loraTensors)
        {
            var key = PeftKey.Parse(tensor.Name);
            adapters.Add(key.Adapter ?? "default");
            var (a, b) = pairs.GetValueOrDefault(key.Module);
            if ((key.Kind == PeftKeyKind.LoraA ? a : b) is not null)
            {
                issues.Error("duplicate-key", $"module '{key.Module}' has two lora_{(key.Kind == PeftKeyKind.LoraA ? "A" : "B")} tensors", file, tensor.Name);
                continue;
            }

            pairs[key.Module] = key.Kind == PeftKeyKind.LoraA ? (tensor, b) : (a, tensor);
        }

        if (adapters.Count > 1)
        {
            issues.Error("lora-several-adapters", $"the weights hold several adapters ({string.Join(", ", adapters)}); this merge applies one", file);
        }

        return pairs;
    }

    /// <summary>Rank and dtype checks; the pair's rank, or null after an error.</summary>
    private static int? Check(string module, PlannedTensor weight, PlannedTensor a, PlannedTensor b, LoraSettings settings, IssueList issues, string file)
    {
        if (a.Shape.Length != 2 || b.Shape.Length != 2 || weight.Shape.Length != 2)
        {
            issues.Error("lora-shape-mismatch", $"lora_A {Shape(a.Shape)}, lora_B {Shape(b.Shape)} and the base weight {Shape(weight.Shape)} must all be 2-D", file, a.Name);
            return null;
        }

        if (!a.DType.IsFloatingPoint() || !b.DType.IsFloatingPoint() || !weight.DType.IsFloatingPoint())
        {
            issues.Error("lora-dtype", $"lora_A is {a.DType}, lora_B {b.DType}, the base weight {weight.DType}: all must be floating point", file, a.Name);
            return null;
        }

        if (a.Shape[0] != b.Shape[1] || a.Shape[0] == 0)
        {
            issues.Error("lora-rank-mismatch", $"lora_A {Shape(a.Shape)} has rank {a.Shape[0]} but lora_B {Shape(b.Shape)} has rank {b.Shape[1]}", file, a.Name);
            return null;
        }

        var rank = (int)a.Shape[0];
        if (settings.RankFor(module) is { } configured && configured != rank)
        {
            issues.Error("lora-rank-mismatch", $"lora_A {Shape(a.Shape)} has rank {rank}, but {settings.RankSource ?? "the adapter config"} says r {configured} for '{module}'", file, a.Name);
            return null;
        }

        return rank;
    }

    private static string Shape(IReadOnlyList<long> shape) => $"[{string.Join(", ", shape)}]";
}
