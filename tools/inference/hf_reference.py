"""Reference forward of the decoders VerlOrleans serves (Qwen2/Qwen2.5, Llama 3, Qwen3), in plain PyTorch.

It follows Hugging Face transformers' modeling_qwen2.py, modeling_llama.py, modeling_qwen3.py and
modeling_rope_utils.py (default and llama3 RoPE) operation by operation, in float32, without a KV cache:
every call recomputes the whole sequence, so it is an oracle that shares nothing with the C# engine's
cache, batching or masking code. `transformers` itself is not installable here (no PyPI), hence this file.

Also holds a minimal safetensors reader/writer (header JSON + raw little-endian bytes), since the
`safetensors` package is not installable either.

Runs on Debian 12's python3-torch 1.13.1: call /usr/bin/python3.
"""
import json
import math
import os
import struct

import torch

SUPPORTED_ARCHITECTURES = {
    "Qwen2ForCausalLM": "qwen2",
    "LlamaForCausalLM": "llama",
    "Qwen3ForCausalLM": "qwen3",
}

_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}
_NAMES = {v: k for k, v in _DTYPES.items()}


# ----------------------------------------------------------------------------------------------
# safetensors by hand
# ----------------------------------------------------------------------------------------------

def save_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} in the order given; header padded with spaces to 8-byte alignment (as HF does)."""
    header = {}
    offset = 0
    blobs = []
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous().cpu()
        if tensor.dtype == torch.bfloat16:
            data = tensor.view(torch.int16).numpy().tobytes()
        else:
            data = tensor.numpy().tobytes()
        header[name] = {"dtype": _NAMES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path):
    """Reads one .safetensors file into {name: tensor} (bf16 stays bf16)."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = bytearray(data[begin:end])
        dtype = _DTYPES[entry["dtype"]]
        if dtype == torch.bfloat16:
            flat = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
        else:
            flat = torch.frombuffer(raw, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"])
    return tensors


def load_model_weights(folder):
    """All weights of an HF folder: model.safetensors.index.json with shards, or model.safetensors."""
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
    else:
        shards = ["model.safetensors"]
    weights = {}
    for shard in shards:
        weights.update(load_safetensors(os.path.join(folder, shard)))
    return weights


# ----------------------------------------------------------------------------------------------
# the model, as transformers computes it
# ----------------------------------------------------------------------------------------------

class Config:
    """The config.json fields the three architectures read, with transformers' defaults."""

    def __init__(self, raw):
        arch = raw["architectures"][0]
        if arch not in SUPPORTED_ARCHITECTURES:
            raise ValueError(f"unsupported architecture {arch}")
        self.family = SUPPORTED_ARCHITECTURES[arch]
        self.hidden_size = raw["hidden_size"]
        self.intermediate_size = raw["intermediate_size"]
        self.num_hidden_layers = raw["num_hidden_layers"]
        self.num_attention_heads = raw["num_attention_heads"]
        self.num_key_value_heads = raw.get("num_key_value_heads", self.num_attention_heads)
        self.head_dim = raw.get("head_dim") or self.hidden_size // self.num_attention_heads
        self.rms_norm_eps = raw["rms_norm_eps"]
        self.rope_theta = raw.get("rope_theta", 10000.0)
        self.rope_scaling = raw.get("rope_scaling")
        self.vocab_size = raw["vocab_size"]
        self.tie_word_embeddings = raw.get("tie_word_embeddings", False)
        # Qwen2 always has q/k/v bias and no o_proj bias; Llama and Qwen3 use attention_bias for all four.
        if self.family == "qwen2":
            self.qkv_bias, self.o_bias = True, False
        else:
            bias = raw.get("attention_bias", False)
            self.qkv_bias, self.o_bias = bias, bias
        self.qk_norm = self.family == "qwen3"


def rope_inv_freq(config):
    """modeling_rope_utils: _compute_default_rope_parameters and _compute_llama3_parameters."""
    dim = config.head_dim
    base = config.rope_theta
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim))
    scaling = config.rope_scaling
    if scaling is None or scaling.get("rope_type", scaling.get("type")) == "default":
        return inv_freq
    if scaling.get("rope_type", scaling.get("type")) != "llama3":
        raise ValueError(f"unsupported rope_scaling {scaling}")
    factor = scaling["factor"]
    low_freq_factor = scaling["low_freq_factor"]
    high_freq_factor = scaling["high_freq_factor"]
    old_context_len = scaling["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def rms_norm(x, weight, eps):
    input_dtype = x.dtype
    x = x.to(torch.float32)
    variance = x.pow(2).mean(-1, keepdim=True)
    x = x * torch.rsqrt(variance + eps)
    return weight * x.to(input_dtype)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(inv_freq, position_ids):
    """Qwen2RotaryEmbedding.forward: position_ids [B, T] -> cos, sin [B, T, head_dim] (float32)."""
    inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
    position_ids_expanded = position_ids[:, None, :].float()
    freqs = (inv_freq_expanded @ position_ids_expanded).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def linear(x, weights, name, bias):
    out = x @ weights[name + ".weight"].t()
    if bias:
        out = out + weights[name + ".bias"]
    return out


class ReferenceDecoder:
    """A *ForCausalLM with float32 weights; forward(ids, mask) returns logits for every position."""

    def __init__(self, config, weights):
        self.config = config
        self.w = {name: t.to(torch.float32) for name, t in weights.items()}
        if config.tie_word_embeddings:
            self.w["lm_head.weight"] = self.w["model.embed_tokens.weight"]
        self.inv_freq = rope_inv_freq(config)

    @staticmethod
    def from_folder(folder):
        with open(os.path.join(folder, "config.json")) as f:
            config = Config(json.load(f))
        return ReferenceDecoder(config, load_model_weights(folder))

    def forward(self, input_ids, attention_mask=None):
        """input_ids [B, T]; attention_mask [B, T] (1 = token, 0 = left padding) as in HF generate."""
        c, w = self.config, self.w
        batch, length = input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        # HF generate: position_ids = cumsum(mask) - 1, padding positions set to 1.
        position_ids = attention_mask.long().cumsum(-1) - 1
        position_ids.masked_fill_(attention_mask == 0, 1)
        # 4-D additive mask: causal and key padding, min float where masked (masking_utils / eager path).
        causal = torch.tril(torch.ones(length, length, dtype=torch.bool))
        allowed = causal[None, None, :, :] & attention_mask.bool()[:, None, None, :]
        mask = torch.zeros(batch, 1, length, length)
        mask.masked_fill_(~allowed, torch.finfo(torch.float32).min)

        cos, sin = rope_cos_sin(self.inv_freq, position_ids)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        h = w["model.embed_tokens.weight"][input_ids]
        groups = c.num_attention_heads // c.num_key_value_heads
        for i in range(c.num_hidden_layers):
            p = f"model.layers.{i}."
            residual = h
            x = rms_norm(h, w[p + "input_layernorm.weight"], c.rms_norm_eps)
            q = linear(x, w, p + "self_attn.q_proj", c.qkv_bias).view(batch, length, -1, c.head_dim)
            k = linear(x, w, p + "self_attn.k_proj", c.qkv_bias).view(batch, length, -1, c.head_dim)
            v = linear(x, w, p + "self_attn.v_proj", c.qkv_bias).view(batch, length, -1, c.head_dim)
            if c.qk_norm:
                q = rms_norm(q, w[p + "self_attn.q_norm.weight"], c.rms_norm_eps)
                k = rms_norm(k, w[p + "self_attn.k_norm.weight"], c.rms_norm_eps)
            q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            # repeat_kv + eager_attention_forward
            k = k[:, :, None].expand(batch, c.num_key_value_heads, groups, length, c.head_dim).reshape(batch, -1, length, c.head_dim)
            v = v[:, :, None].expand(batch, c.num_key_value_heads, groups, length, c.head_dim).reshape(batch, -1, length, c.head_dim)
            scores = torch.matmul(q, k.transpose(2, 3)) * c.head_dim ** -0.5 + mask
            probs = torch.softmax(scores, dim=-1, dtype=torch.float32)
            attn = torch.matmul(probs, v).transpose(1, 2).reshape(batch, length, -1)
            h = residual + linear(attn, w, p + "self_attn.o_proj", c.o_bias)
            residual = h
            x = rms_norm(h, w[p + "post_attention_layernorm.weight"], c.rms_norm_eps)
            gate = linear(x, w, p + "mlp.gate_proj", False)
            up = linear(x, w, p + "mlp.up_proj", False)
            h = residual + linear(torch.nn.functional.silu(gate) * up, w, p + "mlp.down_proj", False)
        h = rms_norm(h, w["model.norm.weight"], c.rms_norm_eps)
        return h @ w["lm_head.weight"].t()

    def greedy(self, prompt_ids, max_new_tokens):
        """Greedy decoding by full recomputation; returns (tokens, logits per step [N, V], smallest top-2 margin)."""
        ids = list(prompt_ids)
        tokens, step_logits, margin = [], [], float("inf")
        for _ in range(max_new_tokens):
            logits = self.forward(torch.tensor([ids]))[0, -1]
            top = torch.topk(logits, 2).values
            margin = min(margin, float(top[0] - top[1]))
            token = int(torch.argmax(logits))
            tokens.append(token)
            step_logits.append(logits)
            ids.append(token)
        return tokens, torch.stack(step_logits), margin
