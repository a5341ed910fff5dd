using VerlOrleans.Checkpoints.Layouts;

namespace VerlOrleans.Checkpoints.Validation;

/// <summary>Compares tensor shapes with what config.json implies: hidden size, vocabulary, heads, MLP size, layer count.</summary>
internal static class ConfigShapes
{
    public static void Check(HfModelConfig config, IReadOnlyList<(string Name, IReadOnlyList<long> Shape)> tensors, string configPath, IssueList issues)
    {
        long maxLayer = -1;
        foreach (var (name, shape) in tensors)
        {
            if (HfParameterShapes.LayerIndex(name) is { } layer)
            {
                maxLayer = Math.Max(maxLayer, layer);
            }

            var expected = HfParameterShapes.Expected(config, name);
            if (expected is not null && !expected.SequenceEqual(shape))
            {
                issues.Error("config-shape-mismatch", $"shape [{string.Join(", ", shape)}] but config.json implies [{string.Join(", ", expected)}]", configPath, name);
            }
        }

        if (config.NumHiddenLayers is { } layers && maxLayer >= 0 && maxLayer + 1 != layers)
        {
            issues.Error("layer-count-mismatch", $"tensors cover {maxLayer + 1} decoder layers, config.json says num_hidden_layers {layers}", configPath);
        }

        var names = tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        if (config.TieWordEmbeddings && names.Contains("lm_head.weight"))
        {
            issues.Info("tied-lm-head", "tie_word_embeddings is true: lm_head.weight is dropped from the merge when it equals model.embed_tokens.weight", configPath, "lm_head.weight");
        }
        else if (!config.TieWordEmbeddings && !names.Contains("lm_head.weight") && names.Contains("model.embed_tokens.weight") && !names.Contains("score.weight"))
        {
            issues.Warning("lm-head-missing", "tie_word_embeddings is false but there is no lm_head.weight (a critic/value model?)", configPath, "lm_head.weight");
        }
    }
}
