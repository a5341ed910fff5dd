"""A tiny Qwen2-shaped causal LM with Hugging Face parameter names, plus helpers that write the verl
side files (fsdp_config.json, huggingface/) and reference safetensors by hand (no safetensors package).

Shared by the torch 1.13 (Debian 12) and torch 2.6 (Debian 13) fixture generators."""
import json
import os
import struct

import torch
from torch import nn


def tiny_config(vocab=41, tie=False, layers=2):
    return {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "vocab_size": vocab,
        "hidden_size": 16,
        "intermediate_size": 24,
        "num_hidden_layers": layers,
        "num_attention_heads": 4,
        "num_key_value_heads": 1,
        "max_position_embeddings": 64,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "tie_word_embeddings": tie,
        "torch_dtype": "float32",
        "bos_token_id": 1,
        "eos_token_id": 2,
    }


class RMSNorm(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        head_dim = c["hidden_size"] // c["num_attention_heads"]
        kv = c["num_key_value_heads"] * head_dim
        self.q_proj = nn.Linear(c["hidden_size"], c["num_attention_heads"] * head_dim, bias=True)
        self.k_proj = nn.Linear(c["hidden_size"], kv, bias=True)
        self.v_proj = nn.Linear(c["hidden_size"], kv, bias=True)
        self.o_proj = nn.Linear(c["num_attention_heads"] * head_dim, c["hidden_size"], bias=False)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False)


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = Mlp(c)
        self.input_layernorm = RMSNorm(c["hidden_size"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"])


class Body(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"])


class TinyForCausalLM(nn.Module):
    def __init__(self, c, buffers=False):
        super().__init__()
        self.model = Body(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        if c["tie_word_embeddings"]:
            self.lm_head.weight = self.model.embed_tokens.weight
        if buffers:
            # Persistent buffers are never sharded: every rank saves an identical full copy (Gemma-4 style).
            self.model.layers[0].register_buffer("layer_scalar", torch.tensor(0.75))
            self.model.register_buffer("std_scale", torch.arange(16, dtype=torch.float32) / 8)


def build(config, seed, buffers=False, step=0):
    torch.manual_seed(seed)
    model = TinyForCausalLM(config, buffers)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
            p.add_(step * 0.01)
    return model


def full_state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


SAFETENSORS_DTYPES = {
    torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    """safetensors by hand: u64 header length, UTF-8 JSON padded with spaces to 8 bytes, raw little-endian data."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_json(path, value, indent=2):
    with open(path, "w") as f:
        json.dump(value, f, indent=indent)


def write_hf_side_files(folder, config, generation=True, tokenizer=True):
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "config.json"), config)
    if generation:
        write_json(os.path.join(folder, "generation_config.json"), {"bos_token_id": 1, "eos_token_id": 2, "do_sample": True, "temperature": 0.7})
    if tokenizer:
        write_json(os.path.join(folder, "tokenizer_config.json"), {"model_max_length": 64, "eos_token": "<e>", "pad_token": "<e>"})
        vocab = {f"t{i}": i for i in range(config["vocab_size"])}
        write_json(os.path.join(folder, "tokenizer.json"), {"version": "1.0", "model": {"type": "BPE", "vocab": vocab, "merges": []}})


def write_reference(folder, config, state, dtype=None):
    """An HF folder holding the full (unsharded) weights: what a correct merge must reproduce."""
    os.makedirs(folder, exist_ok=True)
    cfg = dict(config)
    tensors = {}
    for k, v in state.items():
        if dtype is not None and v.is_floating_point():
            v = v.to(dtype)
        tensors[k] = v
    if dtype is not None:
        cfg["torch_dtype"] = {torch.bfloat16: "bfloat16", torch.float16: "float16", torch.float32: "float32"}[dtype]
    write_json(os.path.join(folder, "config.json"), cfg)
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors)


def write_verl_side_files(actor, world_size, fsdp_version, config, **hf):
    os.makedirs(actor, exist_ok=True)
    with open(os.path.join(actor, "fsdp_config.json"), "w") as f:
        json.dump({"FSDP_version": fsdp_version, "world_size": world_size}, f, indent=4)
    write_hf_side_files(os.path.join(actor, "huggingface"), config, **hf)
