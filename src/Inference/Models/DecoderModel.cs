using VerlOrleans.Checkpoints.Safetensors;
using VerlOrleans.Inference.Engine;
using static TorchSharp.torch;

namespace VerlOrleans.Inference.Models;

/// <summary>
/// The decoder forward of Qwen2/Qwen2.5, Llama 3 and Qwen3, as transformers defines it
/// (<c>modeling_qwen2.py</c>, <c>modeling_llama.py</c>, <c>modeling_qwen3.py</c>): embedding, per layer
/// pre-norm attention (GQA, rotate-half RoPE, Qwen3 q/k norms) and a SwiGLU MLP, each added to the residual,
/// then the final RMSNorm and the (possibly tied) lm_head. It runs over a <see cref="ForwardBatch"/> of flattened
/// tokens against a <see cref="KvCache"/>; golden parity with a float32 PyTorch reference is tested.
/// </summary>
public sealed class DecoderModel : IDisposable
{
    private DecoderModel(ModelConfig config, DecoderWeights weights, RotaryEmbedding rope, Device device, ScalarType dtype)
    {
        Config = config;
        Weights = weights;
        Rope = rope;
        Device = device;
        DType = dtype;
    }

    public ModelConfig Config { get; }

    public DecoderWeights Weights { get; }

    public RotaryEmbedding Rope { get; }

    public Device Device { get; }

    /// <summary>Dtype of the resident weights, activations and KV cache (logits are always float32).</summary>
    public ScalarType DType { get; }

    /// <summary>Longest sequence (prompt + generated) this instance can run: its RoPE table's size.</summary>
    public int MaxSequenceLength => Rope.Positions;

    /// <summary>
    /// Loads a Hugging Face model folder. <paramref name="maxSequenceLength"/> bounds the positions served
    /// (default and maximum: the config's <c>max_position_embeddings</c>).
    /// </summary>
    public static DecoderModel Load(string modelFolder, ModelLoadOptions options, int? maxSequenceLength = null)
    {
        var config = ModelConfig.Load(modelFolder);
        var positions = maxSequenceLength ?? config.MaxPositionEmbeddings;
        if (positions < 1 || positions > config.MaxPositionEmbeddings)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSequenceLength), $"{positions} is outside [1, max_position_embeddings = {config.MaxPositionEmbeddings}]");
        }

        var device = options.ResolveDevice();
        var dtype = options.ScalarType;
        var weights = DecoderWeights.Load(config, SafetensorsModel.Open(modelFolder), dtype, device);
        return new DecoderModel(config, weights, new RotaryEmbedding(config, positions, dtype, device), device, dtype);
    }

    /// <summary>A zero-filled KV cache for this model.</summary>
    public KvCache CreateKvCache(int slots, int capacity)
    {
        if (capacity > MaxSequenceLength)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), $"{capacity} positions exceed this model instance's {MaxSequenceLength}");
        }

        return new KvCache(Config.LayerCount, slots, Config.KeyValueHeadCount, capacity, Config.HeadDim, DType, Device);
    }

    /// <summary>A batch over this model's cache geometry.</summary>
    public ForwardBatch CreateBatch(IReadOnlyList<ForwardChunk> chunks, KvCache cache) =>
        new(chunks, Config.QueryGroupSize, cache.Capacity, DType, Device);

    /// <summary>
    /// Runs the batch: writes every token's keys and values into the cache and returns float32 logits
    /// (rows, vocab) for the rows the batch asks for, or null when it asks for none.
    /// </summary>
    public Tensor? Forward(ForwardBatch batch, KvCache cache)
    {
        using var scope = NewDisposeScope();
        var profile = StepProfile.Active;
        var w = Weights;
        var hidden = w.EmbedTokens.index_select(0, batch.TokenIds);                   // (tokens, hidden)
        var angles = Rope.Gather(batch.Positions);                                     // (tokens, 1, head_dim) ×2
        var small = SmallStepKernels.Apply(Device, DType, batch.TokenCount);
        profile?.Mark("embedding and rotary angles");
        var normalized = RmsNorm(hidden, w.Layers[0].InputLayerNorm, small);
        profile?.Mark(Parts.Norms);
        for (var layer = 0; layer < Config.LayerCount; layer++)
        {
            var lw = w.Layers[layer];
            var attention = Attention(layer, lw, normalized, batch, cache, angles, small, profile);
            var projected = lw.OProj.Forward(attention);
            profile?.Mark("product: o_proj");
            (hidden, normalized) = AddThenRmsNorm(hidden, projected, lw.PostAttentionLayerNorm, small);
            profile?.Mark(Parts.Norms);
            var mlp = Mlp(lw, normalized, small, profile);
            if (layer + 1 < Config.LayerCount)
            {
                (hidden, normalized) = AddThenRmsNorm(hidden, mlp, w.Layers[layer + 1].InputLayerNorm, small);
            }
            else
            {
                hidden = hidden + mlp;
            }

            profile?.Mark(Parts.Norms);
        }

        if (batch.LogitRows is null)
        {
            return null;
        }

        var last = RmsNorm(hidden.index_select(0, batch.LogitRows), w.Norm, small);  // (rows, hidden)
        profile?.Mark(Parts.Norms);
        var logits = w.LmHead.Forward(last).to(float32).contiguous().MoveToOuterDisposeScope();
        profile?.Mark("product: lm_head");
        return logits;
    }

    public void Dispose()
    {
        Weights.Dispose();
        Rope.Dispose();
    }

    /// <summary>RMSNorm over the last axis, in float32, cast back before the weight (as transformers does).</summary>
    private Tensor RmsNorm(Tensor x, Tensor weight, bool small)
    {
        if (small)
        {
            return SmallStepKernels.RmsNorm(x, weight, Config.RmsNormEps);
        }

        // The casts are skipped when they would be no-ops: a decode step runs this 2·layers + 1 times.
        var x32 = x.dtype == ScalarType.Float32 ? x : x.to(float32);
        var normalized = x32 * (x32.pow(2).mean([-1], keepdim: true) + Config.RmsNormEps).rsqrt();
        return weight * (DType == ScalarType.Float32 ? normalized : normalized.to(DType));
    }

    /// <summary>The residual add and the next norm: (hidden + delta, RMSNorm(hidden + delta)). A small step adds in place.</summary>
    private (Tensor Hidden, Tensor Normalized) AddThenRmsNorm(Tensor hidden, Tensor delta, Tensor weight, bool small)
    {
        if (small)
        {
            return (hidden, SmallStepKernels.AddThenRmsNorm(hidden, delta, weight, Config.RmsNormEps));
        }

        var sum = hidden + delta;
        return (sum, RmsNorm(sum, weight, small: false));
    }

    private Tensor Mlp(DecoderLayerWeights lw, Tensor x, bool small, StepProfile? profile)
    {
        var gateUp = lw.GateUpProj.Forward(x);                                        // (tokens, 2·intermediate)
        profile?.Mark("product: gate_up_proj");
        var size = Config.IntermediateSize;
        var activated = small
            ? SmallStepKernels.SiluTimesUp(gateUp, size)
            : nn.functional.silu(gateUp.narrow(1, 0, size)) * gateUp.narrow(1, size, size);
        profile?.Mark("silu × up");
        var down = lw.DownProj.Forward(activated);
        profile?.Mark("product: down_proj");
        return down;
    }

    private Tensor Attention(int layer, DecoderLayerWeights lw, Tensor x, ForwardBatch batch, KvCache cache, RotaryAngles angles, bool small,
        StepProfile? profile)
    {
        var c = Config;
        long tokens = batch.TokenCount, heads = c.AttentionHeadCount, kvHeads = c.KeyValueHeadCount, headDim = c.HeadDim;
        var qkv = lw.QkvProj.Forward(x);                                               // (tokens, (heads + 2·kv)·d)
        profile?.Mark("product: qkv_proj");
        var q = qkv.narrow(1, 0, heads * headDim).reshape(tokens, heads, headDim);
        var k = qkv.narrow(1, heads * headDim, kvHeads * headDim).reshape(tokens, kvHeads, headDim);
        var v = qkv.narrow(1, (heads + kvHeads) * headDim, kvHeads * headDim).reshape(tokens, kvHeads, headDim);
        if (small)
        {
            q = SmallStepKernels.Rotate(q, angles, lw.QNorm, c.RmsNormEps);
            k = SmallStepKernels.Rotate(k, angles, lw.KNorm, c.RmsNormEps);
        }
        else
        {
            if (c.QkNorm)
            {
                q = RmsNorm(q, lw.QNorm!, small: false);
                k = RmsNorm(k, lw.KNorm!, small: false);
            }

            q = RotaryEmbedding.Apply(q, angles);
            k = RotaryEmbedding.Apply(k, angles);
        }
        profile?.Mark("rotary (and q/k norms)");
        var (keyCache, valueCache) = cache.Layer(layer);
        var smallCache = small && SmallStepKernels.CanIndex(keyCache);
        if (smallCache)
        {
            SmallStepKernels.WriteKv(keyCache, valueCache, batch.TokenSlots, batch.TokenPositions, k, v);
        }
        else
        {
            cache.Write(layer, batch.Slots, batch.Positions, k, v);
        }

        profile?.Mark("kv cache write");

        // Grouped-query attention without repeating keys: the query heads sharing a kv head are folded into
        // the query axis, (…, kv_heads, group·queries, d), and the masks are built for that folded axis.
        var group = c.QueryGroupSize;
        var outputs = new List<Tensor>(batch.Groups.Count);
        foreach (var g in batch.Groups)
        {
            var queries = q.narrow(0, g.FirstToken, g.TokenCount);                       // (n, heads, d)
            if (g.IsDecode && smallCache)
            {
                outputs.Add(SmallStepKernels.DecodeAttention(queries, keyCache, valueCache, g.Slots.Slots, g.Lengths, group));
                continue;
            }

            var (keys, values) = cache.Read(layer, g.Slots, g.Length);                   // (slots, kv, length, d)
            if (g.IsDecode)
            {
                var folded = queries.view(g.TokenCount, kvHeads, group, headDim);        // one query per slot
                var attended = nn.functional.scaled_dot_product_attention(folded, keys, values, g.Mask);
                outputs.Add(attended.reshape(g.TokenCount, heads * headDim));
            }
            else
            {
                var folded = queries.permute(1, 0, 2).reshape(1, kvHeads, group * g.TokenCount, headDim);
                var attended = nn.functional.scaled_dot_product_attention(folded, keys, values, g.Mask); // (1, kv, group·n, d)
                outputs.Add(attended.view(kvHeads, group, g.TokenCount, headDim).permute(2, 0, 1, 3).reshape(g.TokenCount, heads * headDim));
            }
        }

        var result = outputs.Count == 1 ? outputs[0] : cat(outputs, 0);
        profile?.Mark("attention over the kv cache");
        return result;
    }

    private static class Parts
    {
        public const string Norms = "rms norms and residual adds";
    }
}
