using System.Text.Json.Nodes;

namespace VerlOrleans.Checkpoints.Merge;

/// <summary>
/// The config.json of a merged verl critic. verl builds critics with AutoModelForTokenClassification (num_labels 1) but
/// saves the base's config, so <c>architectures</c> still says <c>...ForCausalLM</c> (a causal-LM loader would then tie
/// or invent an lm_head and "generate"). The merged folder says what the weights are: <c>...ForTokenClassification</c>
/// with one label.
/// </summary>
internal static class ValueHeadConfig
{
    public static void Apply(JsonObject config, List<string> notes)
    {
        if (config["architectures"] is JsonArray { Count: > 0 } architectures && architectures[0] is JsonValue first
            && first.TryGetValue<string>(out var name) && name.EndsWith("ForCausalLM", StringComparison.Ordinal))
        {
            var classifier = name[..^"ForCausalLM".Length] + "ForTokenClassification";
            architectures[0] = classifier;
            notes.Add($"value model: config.json architectures {name} -> {classifier} (verl saves a critic with its base's architectures; the weights are a score head, not an lm_head)");
        }

        if (config["id2label"] is null && config["num_labels"] is null)
        {
            config["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
            config["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
            notes.Add("value model: config.json given one label (id2label), as verl's critic has num_labels 1");
        }
    }
}
