"""Writes the LoRA (PEFT) and critic (value model) fixtures with real PyTorch 1.13 (Debian 12 python3-torch):

  lora/base                   a tiny Qwen2 Hugging Face folder (f32 safetensors): the base every adapter is for
  lora/other-base             a different tiny Qwen2 (1 layer, MLP 32): "an adapter for another base"
  lora/adapter                PEFT adapter (adapter_config.json as PeftConfig.save_pretrained writes it, sorted,
                              indent 2; adapter_model.safetensors with PEFT's key names), r 4, alpha 8, 7 targets
  lora/adapter-rslora         use_rslora, r 8, alpha 16, rank_pattern/alpha_pattern overrides, q/v only
  lora/adapter-fan-in-fan-out fan_in_fan_out true over Qwen2's nn.Linear: PEFT resets it to False (and warns)
  lora/gpt2-base, gpt2-adapter  GPT-2 Conv1D weights ([in, out]) where fan_in_fan_out transposes the delta
  lora/fsdp-w1                verl actor folder: W=1 plain-tensor shard of a PEFT-wrapped model
                              (base_layer / lora_A.default / lora_B.default keys) + lora_train_meta.json
  lora/fsdp-w1-lora-only      the same model saved with checkpoint.save_lora_only (LoRA keys only), and lora/fsdp-base
  lora/fsdp-w2                the same model as FSDP1 ShardedTensor shards over 2 ranks (gloo) + lora_adapter/ as
                              verl's legacy worker writes it (asdict(LoraConfig), indent 4, keys without .default)
  critic/score-w2             critic shards (AutoModelForTokenClassification: score.weight [1, H] + score.bias, no
                              lm_head), ShardedTensor W=2, config as verl saves it (num_labels 1, architectures kept)
  critic/v-head-w1            TRL AutoModelForCausalLMWithValueHead under FSDP: pretrained_model.* + v_head.summary.*
  *-expected/{f32,bf16}       what a merge must write, computed here by PyTorch with PEFT's arithmetic
                              (delta = transpose(B @ A, fan_in_fan_out) * scaling; W + delta in float32)
  *-expected/reference-logits.safetensors + reference.json
                              logits of the merged f32 model from tools/inference/hf_reference.py ReferenceDecoder

    /usr/bin/python3 generate_lora_critic.py OUT_DIR     (OUT_DIR = tests/Checkpoints/Fixtures/torch-1.13)
"""
import collections
import json
import math
import os
import sys

import torch
import torch.multiprocessing as mp
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "inference"))
import tiny_model as tm  # noqa: E402
from generate_torch113 import import_sharded_tensor  # noqa: E402
from hf_reference import Config, ReferenceDecoder, save_safetensors  # noqa: E402

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
PROMPT = [1, 5, 9, 22, 3, 17, 40, 8, 8, 31]
BASE_NAME = "verlorleans/tiny-qwen2-base"


# ------------------------------------------------------------------------------------------------
# PEFT's module structure, so that state_dict() produces PEFT's key names by itself
# ------------------------------------------------------------------------------------------------

class LoraLinear(nn.Module):
    """peft.tuners.lora.layer.Linear as its state dict shows it: base_layer, then lora_A / lora_B ModuleDicts
    keyed by adapter name (lora_dropout holds no parameters)."""

    def __init__(self, base, r, adapter="default"):
        super().__init__()
        self.base_layer = base
        self.lora_dropout = nn.ModuleDict({adapter: nn.Identity()})
        self.lora_A = nn.ModuleDict({adapter: nn.Linear(base.in_features, r, bias=False)})
        self.lora_B = nn.ModuleDict({adapter: nn.Linear(r, base.out_features, bias=False)})


class LoraModel(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model


class PeftModel(nn.Module):
    """PeftModelForCausalLM: .base_model (LoraModel) .model (the transformers model)."""

    def __init__(self, model):
        super().__init__()
        self.base_model = LoraModel(model)


def module_name_matches(name, targets):
    """peft.tuners.tuners_utils.check_target_module_exists for a list of names."""
    return name in targets or any(name.endswith("." + t) for t in targets)


def pattern_value(pattern, name, default):
    """peft.utils.other.get_pattern_key: the first key k with re.match(rf"(^|.*\\.){k}$", name)."""
    import re
    for key, value in pattern.items():
        if re.match(rf"(^|.*\.){key}$", name):
            return value
    return default


def lora_settings(name, cfg):
    r = pattern_value(cfg.get("rank_pattern", {}), name, cfg["r"])
    alpha = pattern_value(cfg.get("alpha_pattern", {}), name, cfg["lora_alpha"])
    scaling = alpha / math.sqrt(r) if cfg.get("use_rslora") else alpha / r
    return r, alpha, scaling


def wrap_with_lora(model, cfg, seed):
    """Replaces every targeted nn.Linear by a LoraLinear with random A and B (as after training)."""
    generator = torch.Generator().manual_seed(seed)
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            full = f"{name}.{child_name}" if name else child_name
            if isinstance(child, nn.Linear) and child_name != "lm_head" and module_name_matches(full, cfg["target_modules"]):
                r, _, _ = lora_settings(full, cfg)
                wrapped = LoraLinear(child, r)
                with torch.no_grad():
                    wrapped.lora_A["default"].weight.copy_(torch.randn(r, child.in_features, generator=generator) * 0.4)
                    wrapped.lora_B["default"].weight.copy_(torch.randn(child.out_features, r, generator=generator) * 0.4)
                setattr(module, child_name, wrapped)
    return PeftModel(model)


# ------------------------------------------------------------------------------------------------
# PEFT's merge arithmetic (LoraLayer.get_delta_weight + Linear.merge), in float32
# ------------------------------------------------------------------------------------------------

def peft_delta(a, b, scaling, fan_in_fan_out):
    a, b = a.float(), b.float()
    delta = b @ a
    # The C# merge defines the product as this float32 sum over k in ascending order (no FMA); check that it is
    # bit for bit what torch's matmul computes here, so the fixture pins PEFT's real arithmetic.
    ordered = torch.zeros_like(delta)
    for k in range(a.shape[0]):
        ordered = ordered + b[:, k:k + 1] * a[k:k + 1, :]
    assert torch.equal(delta, ordered), "torch's B @ A is not the ordered float32 sum on this machine"
    if fan_in_fan_out:
        delta = delta.T
    scaled = delta * scaling
    assert torch.equal(scaled, delta * torch.tensor(scaling, dtype=torch.float32)), "scaling is not a float32 multiply"
    return scaled


def merge_peft_state(peft_state, cfg, linear_fan_in_fan_out=False):
    """PeftModel.merge_and_unload on a state dict: W + delta for targeted modules, PEFT names stripped."""
    merged = collections.OrderedDict()
    for key, value in peft_state.items():
        if ".lora_A." in key or ".lora_B." in key:
            continue
        name = key[len("base_model.model."):] if key.startswith("base_model.model.") else key
        if ".base_layer." in name:
            module = name.split(".base_layer.")[0]
            name = name.replace(".base_layer.", ".")
            if name.endswith(".weight"):
                prefix = key.split(".base_layer.")[0]
                a = peft_state[prefix + ".lora_A.default.weight"]
                b = peft_state[prefix + ".lora_B.default.weight"]
                _, _, scaling = lora_settings(module, cfg)
                value = value.float() + peft_delta(a, b, scaling, linear_fan_in_fan_out)
        merged[name] = value.detach().clone()
    return merged


# ------------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------------

def peft_adapter_config(r, alpha, targets, **overrides):
    """LoraConfig.to_dict() as PeftConfigMixin.save_pretrained writes it (PEFT 0.15: sort_keys, indent 2)."""
    config = {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": BASE_NAME, "bias": "none",
        "corda_config": None, "eva_config": None, "exclude_modules": None, "fan_in_fan_out": False,
        "inference_mode": True, "init_lora_weights": True, "layer_replication": None, "layers_pattern": None,
        "layers_to_transform": None, "loftq_config": {}, "lora_alpha": alpha, "lora_bias": False,
        "lora_dropout": 0.05, "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
        "peft_type": "LORA", "r": r, "rank_pattern": {}, "revision": None, "target_modules": targets,
        "task_type": "CAUSAL_LM", "trainable_token_indices": None, "use_dora": False, "use_rslora": False,
    }
    config.update(overrides)
    return config


def verl_adapter_config(r, alpha, targets, base_path):
    """verl's legacy worker: asdict(peft_config) with enum values as strings, json.dump(indent=4), field order."""
    return {
        "task_type": "CAUSAL_LM", "peft_type": "LORA", "auto_mapping": None, "base_model_name_or_path": base_path,
        "revision": None, "inference_mode": False, "r": r, "target_modules": targets, "exclude_modules": None,
        "lora_alpha": alpha, "lora_dropout": 0.0, "fan_in_fan_out": False, "bias": "none", "use_rslora": False,
        "modules_to_save": None, "init_lora_weights": True, "layers_to_transform": None, "layers_pattern": None,
        "rank_pattern": {}, "alpha_pattern": {}, "megatron_config": None, "megatron_core": "megatron.core",
        "trainable_token_indices": None, "loftq_config": {}, "eva_config": None, "corda_config": None,
        "use_dora": False, "layer_replication": None, "runtime_config": {"ephemeral_gpu_offload": False},
        "lora_bias": False,
    }


def adapter_tensors(peft_state, keep_default=False):
    """The LoRA tensors of a PEFT state dict under adapter-file names (get_peft_model_state_dict drops .default)."""
    out = collections.OrderedDict()
    for key, value in peft_state.items():
        if ".lora_A." in key or ".lora_B." in key:
            out[key if keep_default else key.replace(".default.", ".")] = value.detach().clone().contiguous()
    return out


def write_adapter(folder, config, tensors, sort_keys=True, indent=2):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=indent, sort_keys=sort_keys)
    save_safetensors(os.path.join(folder, "adapter_model.safetensors"), tensors, metadata={"format": "pt"})


def write_expected(folder, config, merged, logits=True):
    tm.write_reference(os.path.join(folder, "f32"), config, merged)
    tm.write_reference(os.path.join(folder, "bf16"), config, merged, torch.bfloat16)
    if logits:
        decoder = ReferenceDecoder(Config(config), {k: v.float() for k, v in merged.items()})
        with torch.no_grad():
            values = decoder.forward(torch.tensor([PROMPT]))[0]
        save_safetensors(os.path.join(folder, "reference-logits.safetensors"), {"logits": values.contiguous()})
        with open(os.path.join(folder, "reference.json"), "w") as f:
            json.dump({"format": "verlorleans.lora-logits", "version": 1, "prompt_ids": PROMPT,
                       "producer": f"tools/inference/hf_reference.py ReferenceDecoder, torch {torch.__version__}, float32"}, f, indent=2)


def base_model(seed=21, **overrides):
    config = tm.tiny_config(vocab=41)
    config.update(overrides)
    return config, tm.build(config, seed=seed)


# ------------------------------------------------------------------------------------------------
# fixtures
# ------------------------------------------------------------------------------------------------

def write_bases(out):
    config, model = base_model()
    folder = os.path.join(out, "base")
    tm.write_hf_side_files(folder, config)
    tm.write_safetensors(os.path.join(folder, "model.safetensors"), tm.full_state(model))
    other_config, other = base_model(seed=22, num_hidden_layers=1, intermediate_size=32)
    folder = os.path.join(out, "other-base")
    tm.write_hf_side_files(folder, other_config)
    tm.write_safetensors(os.path.join(folder, "model.safetensors"), tm.full_state(other))
    return config


def write_standalone_adapter(out, name, cfg, seed, linear_fan_in_fan_out=False):
    """A PEFT adapter folder over lora/base, and the merged weights PEFT would produce."""
    config, model = base_model()
    peft = wrap_with_lora(model, cfg, seed)
    state = peft.state_dict()
    write_adapter(os.path.join(out, name), cfg, adapter_tensors(state))
    write_expected(os.path.join(out, name + "-expected"), config, merge_peft_state(state, cfg, linear_fan_in_fan_out))


def write_gpt2(out):
    """Conv1D layers store weight as [in, out]; PEFT keeps fan_in_fan_out True for them and transposes B @ A."""
    hidden, layers = 8, 1
    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": hidden, "n_layer": layers,
              "n_head": 2, "n_positions": 16, "vocab_size": 11, "torch_dtype": "float32"}
    g = torch.Generator().manual_seed(31)
    base = collections.OrderedDict()
    base["transformer.wte.weight"] = torch.randn(11, hidden, generator=g)
    for i in range(layers):
        p = f"transformer.h.{i}."
        base[p + "attn.c_attn.weight"] = torch.randn(hidden, 3 * hidden, generator=g)   # Conv1D(nf=3H, nx=H)
        base[p + "attn.c_attn.bias"] = torch.randn(3 * hidden, generator=g)
        base[p + "attn.c_proj.weight"] = torch.randn(hidden, hidden, generator=g)
        base[p + "mlp.c_fc.weight"] = torch.randn(hidden, 4 * hidden, generator=g)
    folder = os.path.join(out, "gpt2-base")
    os.makedirs(folder, exist_ok=True)
    tm.write_json(os.path.join(folder, "config.json"), config)
    tm.write_safetensors(os.path.join(folder, "model.safetensors"), base)

    r, alpha = 2, 6
    cfg = peft_adapter_config(r, alpha, ["c_attn", "c_fc"], fan_in_fan_out=True, base_model_name_or_path="gpt2")
    adapter = collections.OrderedDict()
    merged = collections.OrderedDict()
    for key, weight in base.items():
        module = key[: -len(".weight")]
        if key.endswith(".weight") and module_name_matches(module, cfg["target_modules"]):
            a = torch.randn(r, weight.shape[0], generator=g) * 0.5    # A: [r, in]; Conv1D in = weight.shape[0]
            b = torch.randn(weight.shape[1], r, generator=g) * 0.5    # B: [out, r]
            adapter[f"base_model.model.{module}.lora_A.weight"] = a
            adapter[f"base_model.model.{module}.lora_B.weight"] = b
            merged[key] = weight + peft_delta(a, b, alpha / r, True)
        else:
            merged[key] = weight.clone()
    write_adapter(os.path.join(out, "gpt2-adapter"), cfg, adapter)
    tm.write_reference(os.path.join(out, "gpt2-adapter-expected", "f32"), config, merged)


def peft_shard_model(seed):
    config, model = base_model(seed=23)
    cfg = verl_adapter_config(4, 8, list(ALL_LINEAR), "/models/tiny-qwen2")
    return config, cfg, wrap_with_lora(model, cfg, seed)


def write_fsdp_w1(out):
    """FSDP1 at W=1 falls back to NO_SHARD: the PEFT-wrapped model's full state dict, plain tensors. Also the same
    model saved with checkpoint.save_lora_only (PR #7061: only keys containing "lora_"), and its base as a Hugging
    Face folder, which such a shard needs."""
    config, cfg, peft = peft_shard_model(seed=41)
    actor = os.path.join(out, "fsdp-w1")
    tm.write_verl_side_files(actor, 1, 1, config)
    state = peft.state_dict()
    torch.save(state, os.path.join(actor, "model_world_size_1_rank_0.pt"))
    tm.write_json(os.path.join(actor, "lora_train_meta.json"), {"r": 4, "lora_alpha": 8, "task_type": "CAUSAL_LM"})
    write_expected(os.path.join(out, "fsdp-w1-expected"), config, merge_peft_state(state, cfg))

    lora_only = os.path.join(out, "fsdp-w1-lora-only")
    tm.write_verl_side_files(lora_only, 1, 1, config)
    torch.save(collections.OrderedDict((k, v) for k, v in state.items() if "lora_" in k), os.path.join(lora_only, "model_world_size_1_rank_0.pt"))
    tm.write_json(os.path.join(lora_only, "lora_train_meta.json"), {"r": 4, "lora_alpha": 8, "task_type": "CAUSAL_LM"})
    base = os.path.join(out, "fsdp-base")
    tm.write_hf_side_files(base, config)
    tm.write_safetensors(os.path.join(base, "model.safetensors"), tm.full_state(base_model(seed=23)[1]))


def sharded_state(state, world, rank, sharded_tensor):
    """FSDP1 SHARDED_STATE_DICT without a device mesh: ShardedTensors of torch.chunk(dim 0) slices."""
    from torch.distributed._shard.metadata import ShardMetadata
    out = collections.OrderedDict()
    for key, value in state.items():
        chunks = torch.chunk(value, world, dim=0)
        step = chunks[0].size(0)
        local = []
        if rank < len(chunks):
            offsets = [rank * step] + [0] * (value.dim() - 1)
            local.append(sharded_tensor.Shard(chunks[rank].clone(), ShardMetadata(offsets, list(chunks[rank].shape), f"rank:{rank}/cpu")))
        out[key] = sharded_tensor.ShardedTensor._init_from_local_shards(local, *value.shape)
    return out


def sharded_worker(rank, world, folder, port, which):
    import torch.distributed as dist
    sharded_tensor = import_sharded_tensor()
    dist.init_process_group("gloo", rank=rank, world_size=world, init_method=f"tcp://127.0.0.1:{port}")
    try:
        state = peft_shard_model(seed=42)[2].state_dict() if which == "lora" else critic_model().state_dict()
        torch.save(sharded_state(state, world, rank, sharded_tensor), os.path.join(folder, f"model_world_size_{world}_rank_{rank}.pt"))
        dist.barrier()
    finally:
        dist.destroy_process_group()


def write_fsdp_w2(out):
    config, cfg, peft = peft_shard_model(seed=42)
    actor = os.path.join(out, "fsdp-w2")
    tm.write_verl_side_files(actor, 2, 1, config)
    mp.spawn(sharded_worker, args=(2, actor, 29631, "lora"), nprocs=2, join=True)
    state = peft.state_dict()
    # verl's legacy worker: lora_adapter/ from layered_summon_lora_params, keys without ".default"
    write_adapter(os.path.join(actor, "lora_adapter"), cfg, adapter_tensors(state), sort_keys=False, indent=4)
    write_expected(os.path.join(out, "fsdp-w2-expected"), config, merge_peft_state(state, cfg))


class TokenClassifier(nn.Module):
    """Qwen2ForTokenClassification: model + score = nn.Linear(hidden, num_labels) (with bias)."""

    def __init__(self, config):
        super().__init__()
        self.model = tm.TinyForCausalLM(config).model
        self.score = nn.Linear(config["hidden_size"], 1)


def critic_config():
    config = tm.tiny_config(vocab=41)
    # verl's critic: num_labels = 1 and classifier_dropout = 0 on the base config; architectures stay ...ForCausalLM
    config.update({"id2label": {"0": "LABEL_0"}, "label2id": {"LABEL_0": 0}, "classifier_dropout": 0.0})
    return config


def critic_model():
    torch.manual_seed(51)
    model = TokenClassifier(critic_config())
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
    return model


def write_critics(out):
    folder = os.path.join(out, "score-w2")
    tm.write_verl_side_files(folder, 2, 1, critic_config())
    mp.spawn(sharded_worker, args=(2, folder, 29632, "critic"), nprocs=2, join=True)
    tm.write_reference(os.path.join(out, "score-w2-expected", "f32"), critic_config(), tm.full_state(critic_model()))

    class ValueHead(nn.Module):
        def __init__(self, hidden):
            super().__init__()
            self.dropout = nn.Identity()
            self.summary = nn.Linear(hidden, 1)

    class WithValueHead(nn.Module):
        """trl AutoModelForCausalLMWithValueHead as FSDP's state_dict walks it (its own state_dict override is not used)."""

        def __init__(self, config):
            super().__init__()
            self.pretrained_model = tm.TinyForCausalLM(config)
            self.v_head = ValueHead(config["hidden_size"])

    config = tm.tiny_config(vocab=41)
    torch.manual_seed(52)
    model = WithValueHead(config)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
    folder = os.path.join(out, "v-head-w1")
    tm.write_verl_side_files(folder, 1, 1, config)
    torch.save(model.state_dict(), os.path.join(folder, "model_world_size_1_rank_0.pt"))
    merged = collections.OrderedDict((k[len("pretrained_model."):] if k.startswith("pretrained_model.") else k, v.detach().clone())
                                     for k, v in model.state_dict().items())
    tm.write_reference(os.path.join(out, "v-head-w1-expected", "f32"), config, merged)


def main():
    out = sys.argv[1]
    lora = os.path.join(out, "lora")
    critic = os.path.join(out, "critic")
    os.makedirs(lora, exist_ok=True)
    os.makedirs(critic, exist_ok=True)
    write_bases(lora)
    write_standalone_adapter(lora, "adapter", peft_adapter_config(4, 8, sorted(ALL_LINEAR)), seed=61)
    write_standalone_adapter(lora, "adapter-rslora", peft_adapter_config(
        8, 16, ["q_proj", "v_proj"], use_rslora=True,
        rank_pattern={"layers.1.self_attn.v_proj": 2}, alpha_pattern={"q_proj": 32}), seed=62)
    # PEFT's dispatch_default: "fan_in_fan_out is set to True but the target module is torch.nn.Linear. Setting
    # fan_in_fan_out to False." The merge is then the plain one.
    write_standalone_adapter(lora, "adapter-fan-in-fan-out", peft_adapter_config(4, 4, ["q_proj", "o_proj"], fan_in_fan_out=True), seed=63)
    write_gpt2(lora)
    write_fsdp_w1(lora)
    write_fsdp_w2(lora)
    write_critics(critic)
    print("wrote", lora, critic)


if __name__ == "__main__":
    main()
