using System.Text.Json;
using VerlOrleans.Checkpoints;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// What the engine needs from a Hugging Face model folder's <c>config.json</c> (and the stop ids of
/// <c>generation_config.json</c>), validated: an unsupported architecture or feature fails here, naming the key,
/// before any weight is read.
/// </summary>
public sealed record ModelConfig
{
    public const string FileName = "config.json";
    public const string GenerationConfigFileName = "generation_config.json";

    /// <summary>The <c>architectures</c> values the engine implements, and the family each maps to.</summary>
    public static IReadOnlyDictionary<string, DecoderFamily> SupportedArchitectures { get; } = new Dictionary<string, DecoderFamily>(StringComparer.Ordinal)
    {
        ["Qwen2ForCausalLM"] = DecoderFamily.Qwen2,
        ["LlamaForCausalLM"] = DecoderFamily.Llama,
        ["Qwen3ForCausalLM"] = DecoderFamily.Qwen3,
    };

    public required string SourcePath { get; init; }
    public required string Architecture { get; init; }
    public required DecoderFamily Family { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int LayerCount { get; init; }
    public required int AttentionHeadCount { get; init; }
    public required int KeyValueHeadCount { get; init; }
    public required int HeadDim { get; init; }
    public required int VocabSize { get; init; }
    public required int MaxPositionEmbeddings { get; init; }
    public required double RmsNormEps { get; init; }
    public required double RopeTheta { get; init; }

    /// <summary>Null for plain RoPE.</summary>
    public Llama3RopeScaling? RopeScaling { get; init; }

    public required bool TieWordEmbeddings { get; init; }

    /// <summary>q_proj, k_proj and v_proj carry a bias (always for Qwen2; <c>attention_bias</c> otherwise).</summary>
    public required bool QkvBias { get; init; }

    /// <summary>o_proj carries a bias (never for Qwen2; <c>attention_bias</c> otherwise).</summary>
    public required bool OutputBias { get; init; }

    /// <summary>Qwen3's per-head RMSNorm of queries and keys.</summary>
    public bool QkNorm => Family == DecoderFamily.Qwen3;

    /// <summary>The checkpoint's <c>torch_dtype</c> ("bfloat16", "float32", ...), when stated.</summary>
    public string? TorchDType { get; init; }

    /// <summary>Tokens that end generation: <c>generation_config.json</c>'s <c>eos_token_id</c>, else config.json's.</summary>
    public required IReadOnlyList<int> EosTokenIds { get; init; }

    /// <summary>Query heads that share one key/value head (grouped-query attention).</summary>
    public int QueryGroupSize => AttentionHeadCount / KeyValueHeadCount;

    /// <summary>Reads <c>config.json</c> (and <c>generation_config.json</c> when present) from a model folder.</summary>
    public static ModelConfig Load(string modelFolder)
    {
        var path = System.IO.Path.Combine(modelFolder, FileName);
        if (!File.Exists(path))
        {
            throw new CheckpointFormatException(path, "no such file: a Hugging Face model folder needs its config.json");
        }

        var config = Parse(ConfigJson.Parse(path));
        var generationPath = System.IO.Path.Combine(modelFolder, GenerationConfigFileName);
        if (File.Exists(generationPath))
        {
            var eos = ConfigJson.Parse(generationPath).IntOrList("eos_token_id", config.VocabSize - 1);
            if (eos.Count > 0)
            {
                config = config with { EosTokenIds = eos };
            }
        }

        return config;
    }

    private static ModelConfig Parse(ConfigJson json)
    {
        var architecture = ReadArchitecture(json);
        var family = SupportedArchitectures[architecture];
        var activation = json.String("hidden_act") ?? "silu";
        if (activation != "silu")
        {
            throw new CheckpointFormatException(json.Path, $"'hidden_act' is '{activation}'; only 'silu' (SwiGLU) is implemented");
        }

        if (json.Bool("use_sliding_window", false))
        {
            throw new CheckpointFormatException(json.Path, "'use_sliding_window' is true; sliding-window attention is not implemented");
        }

        if (json.Bool("mlp_bias", false))
        {
            throw new CheckpointFormatException(json.Path, "'mlp_bias' is true; MLP biases are not implemented");
        }

        var hidden = json.Int("hidden_size", 1, 1 << 16);
        var heads = json.Int("num_attention_heads", 1, 1024);
        var kvHeads = json.Int("num_key_value_heads", 1, 1024, heads);
        if (heads % kvHeads != 0)
        {
            throw new CheckpointFormatException(json.Path, $"'num_attention_heads' ({heads}) is not a multiple of 'num_key_value_heads' ({kvHeads})");
        }

        if (!json.Has("head_dim") && hidden % heads != 0)
        {
            throw new CheckpointFormatException(json.Path, $"'hidden_size' ({hidden}) is not a multiple of 'num_attention_heads' ({heads}) and 'head_dim' is absent");
        }

        var headDim = json.Int("head_dim", 2, 1024, hidden / heads);
        if (headDim % 2 != 0)
        {
            throw new CheckpointFormatException(json.Path, $"'head_dim' is {headDim}; rotary embeddings need an even head size");
        }

        var vocab = json.Int("vocab_size", 1, 1 << 24);
        var attentionBias = json.Bool("attention_bias", false);
        return new ModelConfig
        {
            SourcePath = json.Path,
            Architecture = architecture,
            Family = family,
            HiddenSize = hidden,
            IntermediateSize = json.Int("intermediate_size", 1, 1 << 20),
            LayerCount = json.Int("num_hidden_layers", 1, 1024),
            AttentionHeadCount = heads,
            KeyValueHeadCount = kvHeads,
            HeadDim = headDim,
            VocabSize = vocab,
            MaxPositionEmbeddings = json.Int("max_position_embeddings", 1, 1 << 24),
            RmsNormEps = json.Double("rms_norm_eps", 0, 1),
            RopeTheta = json.Double("rope_theta", 1, 1e12, 10000.0),
            RopeScaling = ReadRopeScaling(json),
            TieWordEmbeddings = json.Bool("tie_word_embeddings", false),
            QkvBias = family == DecoderFamily.Qwen2 || attentionBias,
            OutputBias = family != DecoderFamily.Qwen2 && attentionBias,
            TorchDType = json.String("torch_dtype") ?? json.String("dtype"),
            EosTokenIds = json.IntOrList("eos_token_id", vocab - 1),
        };
    }

    private static string ReadArchitecture(ConfigJson json)
    {
        var supported = string.Join(", ", SupportedArchitectures.Keys);
        if (json.Element("architectures") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
        {
            throw new CheckpointFormatException(json.Path, $"missing 'architectures'; supported: {supported}");
        }

        var names = list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();
        if (names.Count != 1 || !SupportedArchitectures.ContainsKey(names[0]))
        {
            throw new CheckpointFormatException(json.Path, $"unsupported architecture '{string.Join(", ", names)}'; supported: {supported}");
        }

        return names[0];
    }

    private static Llama3RopeScaling? ReadRopeScaling(ConfigJson json)
    {
        if (json.Element("rope_scaling") is not { } scaling)
        {
            return null;
        }

        if (scaling.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(json.Path, $"'rope_scaling' must be an object or null, found {scaling.GetRawText()}");
        }

        var type = scaling.TryGetProperty("rope_type", out var t) || scaling.TryGetProperty("type", out t)
            ? t.ValueKind == JsonValueKind.String ? t.GetString() : t.GetRawText()
            : null;
        if (type == "default")
        {
            return null;
        }

        if (type != "llama3")
        {
            throw new CheckpointFormatException(json.Path, $"'rope_scaling' type '{type}' is not implemented; supported: default, llama3");
        }

        double Field(string name, double min, double max) => scaling.TryGetProperty(name, out var value)
            ? json.Number(value, $"rope_scaling.{name}", min, max)
            : throw new CheckpointFormatException(json.Path, $"'rope_scaling' of type llama3 lacks '{name}'");

        var low = Field("low_freq_factor", 0, 1e6);
        var high = Field("high_freq_factor", 0, 1e6);
        if (high <= low)
        {
            throw new CheckpointFormatException(json.Path, $"'rope_scaling.high_freq_factor' ({high}) must exceed 'low_freq_factor' ({low})");
        }

        return new Llama3RopeScaling(Field("factor", 1e-6, 1e6), low, high, (long)Field("original_max_position_embeddings", 1, 1 << 24));
    }
}
