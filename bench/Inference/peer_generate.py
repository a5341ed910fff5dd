"""Peer for the inference benchmark: a plain PyTorch eager generate loop with a KV cache.

Loads the same Hugging Face folder the C# benchmark generated (safetensors, bf16 on disk, float32 compute),
runs transformers-style forwards (tools/inference/hf_reference.py's operations) with a per-layer key/value
cache grown by torch.cat each step (as transformers' DynamicCache does), greedy, and prints one JSON object:
{"threads": T, "decode": [{"batch": B, "prompt": P, "new_tokens": N, "tokens_per_second": x}, ...]}.

Usage: /usr/bin/python3 bench/Inference/peer_generate.py MODEL_DIR THREADS PROMPT NEW_TOKENS BATCH [BATCH ...]
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "inference"))
from hf_reference import Config, load_model_weights, rms_norm, rope_cos_sin, rope_inv_freq, rotate_half  # noqa: E402


class CachedDecoder:
    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            self.c = Config(json.load(f))
        self.w = {n: t.to(torch.float32) for n, t in load_model_weights(folder).items()}
        if self.c.tie_word_embeddings:
            self.w["lm_head.weight"] = self.w["model.embed_tokens.weight"]
        self.inv_freq = rope_inv_freq(self.c)

    def linear(self, x, name, bias):
        out = torch.nn.functional.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias") if bias else None)
        return out

    def forward(self, ids, cache, past):
        """ids [B, T] at positions past..past+T-1; cache: list of (k, v) per layer or None. Returns last logits."""
        c, w = self.c, self.w
        batch, length = ids.shape
        positions = torch.arange(past, past + length).expand(batch, length)
        cos, sin = rope_cos_sin(self.inv_freq, positions)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        h = w["model.embed_tokens.weight"][ids]
        groups = c.num_attention_heads // c.num_key_value_heads
        for i in range(c.num_hidden_layers):
            p = f"model.layers.{i}."
            x = rms_norm(h, w[p + "input_layernorm.weight"], c.rms_norm_eps)
            q = self.linear(x, p + "self_attn.q_proj", c.qkv_bias).view(batch, length, -1, c.head_dim)
            k = self.linear(x, p + "self_attn.k_proj", c.qkv_bias).view(batch, length, -1, c.head_dim)
            v = self.linear(x, p + "self_attn.v_proj", c.qkv_bias).view(batch, length, -1, c.head_dim).transpose(1, 2)
            if c.qk_norm:
                q = rms_norm(q, w[p + "self_attn.q_norm.weight"], c.rms_norm_eps)
                k = rms_norm(k, w[p + "self_attn.k_norm.weight"], c.rms_norm_eps)
            q, k = q.transpose(1, 2), k.transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if cache[i] is not None:
                k = torch.cat([cache[i][0], k], dim=2)
                v = torch.cat([cache[i][1], v], dim=2)
            cache[i] = (k, v)
            keys = k.repeat_interleave(groups, dim=1)
            values = v.repeat_interleave(groups, dim=1)
            # torch 1.13 has no scaled_dot_product_attention: transformers' eager attention.
            scores = torch.matmul(q, keys.transpose(2, 3)) * c.head_dim ** -0.5
            if length > 1:
                total = keys.shape[2]
                causal = torch.ones(length, total, dtype=torch.bool).tril(total - length)
                scores = scores.masked_fill(~causal, torch.finfo(scores.dtype).min)
            attn = torch.matmul(torch.softmax(scores, dim=-1, dtype=torch.float32), values)
            attn = attn.transpose(1, 2).reshape(batch, length, -1)
            h = h + self.linear(attn, p + "self_attn.o_proj", c.o_bias)
            x = rms_norm(h, w[p + "post_attention_layernorm.weight"], c.rms_norm_eps)
            gate = self.linear(x, p + "mlp.gate_proj", False)
            up = self.linear(x, p + "mlp.up_proj", False)
            h = h + self.linear(torch.nn.functional.silu(gate) * up, p + "mlp.down_proj", False)
        h = rms_norm(h[:, -1], w["model.norm.weight"], c.rms_norm_eps)
        return h @ w["lm_head.weight"].t()

    def decode_rate(self, batch, prompt, new_tokens):
        """Greedy generation; returns decode tokens per second (prefill excluded)."""
        ids = torch.randint(0, min(1000, self.c.vocab_size), (batch, prompt), generator=torch.Generator().manual_seed(batch))
        cache = [None] * self.c.num_hidden_layers
        with torch.no_grad():
            token = self.forward(ids, cache, 0).argmax(-1, keepdim=True)
            start = time.perf_counter()
            for step in range(new_tokens - 1):
                token = self.forward(token, cache, prompt + step).argmax(-1, keepdim=True)
            elapsed = time.perf_counter() - start
        return batch * (new_tokens - 1) / elapsed


def main():
    folder, threads, prompt, new_tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    batches = [int(b) for b in sys.argv[5:]]
    torch.set_num_threads(threads)
    model = CachedDecoder(folder)
    results = [{"batch": b, "prompt": prompt, "new_tokens": new_tokens,
                "tokens_per_second": model.decode_rate(b, prompt, new_tokens)} for b in batches]
    print(json.dumps({"threads": threads, "torch": torch.__version__, "decode": results}))


if __name__ == "__main__":
    main()
