"""Writes the tiny decoder fixtures of tests/Inference/Fixtures/Models and their reference outputs.

Each fixture is a Hugging Face model folder with random weights (config.json, generation_config.json,
model.safetensors or an index with shards, HF parameter names) plus:
  reference.json         versioned header, prompts, greedy tokens (from hf_reference.py, float32)
  reference.safetensors  "<case>.prompt_logits" [T, V]: logits at every prompt position,
                         "<case>.greedy_logits" [N, V]: the logits each greedy token was chosen from,
                         "batch.last_logits" [B, V]: last-position logits of all cases run as one
                         left-padded batch (HF generate's masks and position ids).

Usage: /usr/bin/python3 tools/inference/make_decoder_fixtures.py [output folder]
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_reference import ReferenceDecoder, save_safetensors  # noqa: E402

FORMAT = "verlorleans.decoder-reference"
VERSION = 1
VOCAB = 256

# Prompt lengths 7, 23 and 1 cover a short, a longer-than-a-block and a single-token prompt.
CASES = {"short": 7, "long": 23, "single": 1}
GREEDY_TOKENS = 12
MIN_MARGIN = 2e-3  # greedy parity must not hinge on float rounding: regenerate with another seed if below

MODELS = {
    # Qwen2.5-0.5B-like: q/k/v bias, tied embeddings, rope_theta 1e6, bf16 weights on disk.
    "qwen2-tiny": {
        "seed": 11, "dtype": torch.bfloat16, "shards": 1,
        "config": {
            "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
            "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
            "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 32768,
            "max_window_layers": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
            "use_sliding_window": False, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
            "vocab_size": VOCAB, "bos_token_id": 250, "eos_token_id": 251, "attention_dropout": 0.0,
            "initializer_range": 0.02, "use_cache": True, "transformers_version": "4.43.1",
        },
        "generation_config": {"bos_token_id": 250, "eos_token_id": [251, 252], "do_sample": False},
    },
    # Llama 3.1-like: no bias, rope_scaling llama3 (all three frequency bands hit at head_dim 16),
    # untied lm_head, GQA 4:1, weights sharded over two files with an index.
    "llama3-tiny": {
        "seed": 12, "dtype": torch.float32, "shards": 2,
        "config": {
            "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
            "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
            "num_attention_heads": 4, "num_key_value_heads": 1, "max_position_embeddings": 131072,
            "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
            "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                             "original_max_position_embeddings": 8192, "rope_type": "llama3"},
            "attention_bias": False, "mlp_bias": False, "tie_word_embeddings": False,
            "torch_dtype": "float32", "vocab_size": VOCAB, "bos_token_id": 250,
            "eos_token_id": [251, 253], "pretraining_tp": 1, "initializer_range": 0.02,
            "transformers_version": "4.43.1",
        },
        "generation_config": None,
    },
    # Qwen3-like: q_norm/k_norm, no bias, explicit head_dim (heads * head_dim != hidden_size), tied.
    "qwen3-tiny": {
        "seed": 13, "dtype": torch.float32, "shards": 1,
        "config": {
            "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_act": "silu",
            "hidden_size": 64, "intermediate_size": 192, "num_hidden_layers": 3,
            "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
            "max_position_embeddings": 40960, "max_window_layers": 3, "rms_norm_eps": 1e-06,
            "rope_theta": 1000000.0, "rope_scaling": None, "sliding_window": None,
            "use_sliding_window": False, "attention_bias": False, "tie_word_embeddings": True,
            "torch_dtype": "float32", "vocab_size": VOCAB, "bos_token_id": 250, "eos_token_id": 251,
            "attention_dropout": 0.0, "transformers_version": "4.51.0",
        },
        "generation_config": {"eos_token_id": [251, 254]},
    },
}


def random_weights(config, generator, dtype):
    """HF parameter names and shapes; scales chosen so logits are spread (clear greedy margins)."""
    c = config
    hidden, inter = c["hidden_size"], c["intermediate_size"]
    heads, kv_heads = c["num_attention_heads"], c["num_key_value_heads"]
    head_dim = c.get("head_dim") or hidden // heads
    qwen2 = c["model_type"] == "qwen2"
    bias = qwen2 or c.get("attention_bias", False)

    def normal(*shape, std):
        return torch.randn(*shape, generator=generator) * std

    def norm_weight(size):
        return 1.0 + normal(size, std=0.1)

    w = {"model.embed_tokens.weight": normal(c["vocab_size"], hidden, std=0.5)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm_weight(hidden)
        w[p + "self_attn.q_proj.weight"] = normal(heads * head_dim, hidden, std=0.15)
        w[p + "self_attn.k_proj.weight"] = normal(kv_heads * head_dim, hidden, std=0.15)
        w[p + "self_attn.v_proj.weight"] = normal(kv_heads * head_dim, hidden, std=0.15)
        if bias:
            w[p + "self_attn.q_proj.bias"] = normal(heads * head_dim, std=0.1)
            w[p + "self_attn.k_proj.bias"] = normal(kv_heads * head_dim, std=0.1)
            w[p + "self_attn.v_proj.bias"] = normal(kv_heads * head_dim, std=0.1)
        w[p + "self_attn.o_proj.weight"] = normal(hidden, heads * head_dim, std=0.15)
        if bias and not qwen2:
            w[p + "self_attn.o_proj.bias"] = normal(hidden, std=0.1)
        if c["model_type"] == "qwen3":
            w[p + "self_attn.q_norm.weight"] = norm_weight(head_dim)
            w[p + "self_attn.k_norm.weight"] = norm_weight(head_dim)
        w[p + "post_attention_layernorm.weight"] = norm_weight(hidden)
        w[p + "mlp.gate_proj.weight"] = normal(inter, hidden, std=0.15)
        w[p + "mlp.up_proj.weight"] = normal(inter, hidden, std=0.15)
        w[p + "mlp.down_proj.weight"] = normal(hidden, inter, std=0.15)
    w["model.norm.weight"] = norm_weight(hidden)
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = normal(c["vocab_size"], hidden, std=0.25)
    # Round-trip through the storage dtype so the reference computes from exactly the stored values.
    return {name: t.to(dtype) for name, t in w.items()}


def write_weights(folder, weights, shards):
    names = list(weights)
    if shards == 1:
        save_safetensors(os.path.join(folder, "model.safetensors"), weights, {"format": "pt"})
        return
    per_shard = (len(names) + shards - 1) // shards
    weight_map = {}
    total = 0
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: weights[n] for n in names[s * per_shard:(s + 1) * per_shard]}
        save_safetensors(os.path.join(folder, file), part, {"format": "pt"})
        for n, t in part.items():
            weight_map[n] = file
            total += t.numel() * t.element_size()
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
        f.write("\n")


def make(root, name, spec):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    generator = torch.Generator().manual_seed(spec["seed"])
    weights = random_weights(spec["config"], generator, spec["dtype"])
    write_weights(folder, weights, spec["shards"])
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(spec["config"], f, indent=2)
        f.write("\n")
    if spec["generation_config"] is not None:
        with open(os.path.join(folder, "generation_config.json"), "w") as f:
            json.dump(spec["generation_config"], f, indent=2)
            f.write("\n")

    model = ReferenceDecoder.from_folder(folder)
    outputs, cases = {}, []
    prompts = {}
    with torch.no_grad():
        for case, length in CASES.items():
            # Prompt tokens avoid the special ids (>= 250) so that no prompt contains an eos.
            prompt = torch.randint(0, 250, (length,), generator=generator).tolist()
            prompts[case] = prompt
            prompt_logits = model.forward(torch.tensor([prompt]))[0]
            tokens, step_logits, margin = model.greedy(prompt, GREEDY_TOKENS)
            if margin < MIN_MARGIN:
                raise SystemExit(f"{name}/{case}: greedy top-2 margin {margin:.2e} is too small; change the seed")
            outputs[f"{case}.prompt_logits"] = prompt_logits
            outputs[f"{case}.greedy_logits"] = step_logits
            cases.append({"name": case, "prompt_ids": prompt, "greedy_ids": tokens,
                          "min_greedy_margin": round(margin, 6)})

        # All cases as one left-padded batch, the way HF generate (and verl's HFRollout) feed them.
        width = max(len(p) for p in prompts.values())
        ids = torch.zeros(len(prompts), width, dtype=torch.long)
        mask = torch.zeros(len(prompts), width, dtype=torch.long)
        for row, prompt in enumerate(prompts.values()):
            ids[row, width - len(prompt):] = torch.tensor(prompt)
            mask[row, width - len(prompt):] = 1
        outputs["batch.last_logits"] = model.forward(ids, mask)[:, -1]

    save_safetensors(os.path.join(folder, "reference.safetensors"), outputs, {"format": "pt"})
    header = {
        "format": FORMAT, "version": VERSION,
        "producer": "tools/inference/make_decoder_fixtures.py (hf_reference.py, float32)",
        "torch_version": torch.__version__, "model": name, "greedy_tokens": GREEDY_TOKENS,
        "cases": cases, "batch_order": list(prompts),
    }
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(header, f, indent=2)
        f.write("\n")
    print(f"{name}: {sum(t.numel() for t in weights.values())} parameters, margins "
          + ", ".join(f"{c['name']} {c['min_greedy_margin']:.3g}" for c in cases))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Inference", "Fixtures", "Models")
    torch.set_num_threads(1)
    for name, spec in MODELS.items():
        make(root, name, spec)


if __name__ == "__main__":
    main()
