"""Writes Megatron-core `dist_ckpt` fixtures (the `torch_dist` backend verl's MegatronCheckpointManager uses) with
real `torch.distributed.checkpoint.save` from PyTorch 2.6 (Debian 13 python3-torch) on gloo process groups.

Megatron-core itself is not packaged, so each rank builds what `GPTModel.sharded_state_dict()` gives on that rank
and converts it exactly as megatron/core/dist_checkpointing/strategies/torch.py
(`sharded_tensor_to_torch_sharded_tensor`) does: one torch `ShardedTensor` per key, made without communication by
`ShardedTensor._init_from_local_shards_and_global_metadata`, holding this rank's chunks (with their global offsets)
and a regular grid of `ShardMetadata` for the whole tensor (chunks of other ranks placed on `(rank + 1) % world`).
Replicas (layer norms across TP, everything across DP) are saved by every rank; DCP's planner keeps one copy.
TE `_extra_state` entries are `ShardedObject`s, i.e. `io.BytesIO` values under `key/shard_<offset>_<shape>`.

Key layout (`TransformerBlock.sharded_state_dict` with homogeneous layers, what GPTModel training saves):
`decoder.layers.<sub>` with a prepended layer axis of size num_layers, each layer one chunk at its global layer
index (so pipeline stages write disjoint layer chunks of the same key); TP splits linear_qkv/linear_fc1/
word_embeddings/output_layer along dim 0 (column/vocab parallel) and linear_proj/linear_fc2 along dim 1 (row
parallel); linear_fc1 is GLU: rank t's gate rows are fragment t and its up rows fragment t + TP of 2*TP
(`apply_swiglu_sharded_factory`), so the global tensor is [gate; up]. Fused QKV rows are grouped per query group:
[q (heads/groups * head_dim), k (head_dim), v (head_dim)] for each group.

Also writes the older per-rank layout `mp_rank_{tp:02d}[_{pp:03d}]/model_optim_rng.pt` (torch.save of
{'args': argparse.Namespace, 'checkpoint_version': 3.0, 'iteration': 1, 'model': local state dict}: local TP shards,
local layer numbers per stage) for the same model, as Megatron-LM's checkpointing.generate_state_dict orders it.

Value models (verl's Megatron critic): verl replaces the last stage's output_layer with
`LinearForLastLayer(hidden_size, 1, bias=False)` (verl/models/mcore/bridge.py make_value_model,
model_initializer.py), a plain torch.nn.Linear, so Megatron's default sharded_state_dict saves `output_layer.weight`
[1, hidden] replicated over TP (no vocab-parallel split); verl's merger maps `output_layer` to `lm_head`, and a
critic's one-row head is what transformers' ...ForTokenClassification calls `score.weight`.

Run inside the Debian 13 chroot (see README.md):
    USE_LIBUV=0 GLOO_SOCKET_IFNAME=lo MASTER_ADDR=127.0.0.1 python3 generate_megatron.py OUT_DIR
"""
import argparse
import enum
import io
import json
import os
import sys
import types

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
import torch.multiprocessing as mp
from torch.distributed._shard.metadata import ShardMetadata
from torch.distributed._shard.sharded_tensor import Shard, ShardedTensor
from torch.distributed._shard.sharded_tensor.metadata import ShardedTensorMetadata, TensorProperties

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_model as tm  # noqa: E402


def megatron_config(tie, layers):
    c = tm.tiny_config(vocab=48, tie=tie, layers=layers)
    c["num_key_value_heads"] = 2  # Megatron needs num_query_groups divisible by TP
    return c


def value_head(config, seed, rows):
    """The critic's LinearForLastLayer weight [rows, hidden] (verl's has rows=1; more rows only for a bad fixture)."""
    generator = torch.Generator().manual_seed(seed + 1000)
    return torch.randn(rows, config["hidden_size"], generator=generator) * 0.5


def to_megatron(config, hf, head=None):
    """The full (TP=1, PP=1) Megatron-core GPT tensors of an HF Qwen2 state dict, per layer for decoder keys.
    With a value head, output_layer is the head instead of lm_head."""
    heads, groups = config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = config["hidden_size"] // heads
    per_group = heads // groups
    top = {"embedding.word_embeddings.weight": hf["model.embed_tokens.weight"],
           "decoder.final_layernorm.weight": hf["model.norm.weight"]}
    if head is not None:
        top["output_layer.weight"] = head
    elif not config["tie_word_embeddings"]:
        top["output_layer.weight"] = hf["lm_head.weight"]
    layers = []
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."

        def fuse(kind):
            q, k, v = (hf[p + f"self_attn.{n}_proj.{kind}"] for n in "qkv")
            parts = []
            for g in range(groups):
                parts += [q[g * per_group * head_dim:(g + 1) * per_group * head_dim], k[g * head_dim:(g + 1) * head_dim], v[g * head_dim:(g + 1) * head_dim]]
            return torch.cat(parts, dim=0)

        layers.append({
            "self_attention.linear_qkv.weight": fuse("weight"),
            "self_attention.linear_qkv.bias": fuse("bias"),
            "self_attention.linear_qkv.layer_norm_weight": hf[p + "input_layernorm.weight"],
            "self_attention.linear_proj.weight": hf[p + "self_attn.o_proj.weight"],
            "mlp.linear_fc1.weight": torch.cat([hf[p + "mlp.gate_proj.weight"], hf[p + "mlp.up_proj.weight"]], dim=0),
            "mlp.linear_fc1.layer_norm_weight": hf[p + "post_attention_layernorm.weight"],
            "mlp.linear_fc2.weight": hf[p + "mlp.down_proj.weight"],
        })
    return top, layers


# How each Megatron parameter is split over TP: dim (of the unprepended tensor), or None when replicated.
TP_DIM = {
    "embedding.word_embeddings.weight": 0, "output_layer.weight": 0, "decoder.final_layernorm.weight": None,
    "self_attention.linear_qkv.weight": 0, "self_attention.linear_qkv.bias": 0,
    "self_attention.linear_qkv.layer_norm_weight": None, "self_attention.linear_proj.weight": 1,
    "mlp.linear_fc1.weight": "glu", "mlp.linear_fc1.layer_norm_weight": None, "mlp.linear_fc2.weight": 1,
}


# A value model's output_layer is a plain nn.Linear: Megatron saves it replicated over TP.
VALUE_TP_DIM = dict(TP_DIM, **{"output_layer.weight": None})


def tp_pieces(name, t, tp, tp_size, dims=TP_DIM):
    """[(local tensor, offsets within the unprepended global tensor)] of TP rank tp (GLU: two pieces)."""
    dim = dims[name]
    if dim is None:
        return [(t, [0] * t.dim())]
    if dim == "glu":
        gate, up = t.chunk(2, dim=0)
        n = gate.shape[0] // tp_size
        return [(gate[tp * n:(tp + 1) * n], [tp * n, 0]), (up[tp * n:(tp + 1) * n], [gate.shape[0] + tp * n, 0])]
    n = t.shape[dim] // tp_size
    offsets = [0] * t.dim()
    offsets[dim] = tp * n
    return [(t.narrow(dim, tp * n, n), offsets)]


def grid(name, shape, tp_size, prepend, dims=TP_DIM):
    """Offsets and sizes of every chunk of the global tensor (a regular grid, as Megatron's axis_fragmentations)."""
    inner = list(shape[prepend:])
    dim = dims[name]
    if dim is None:
        cells = [([0] * len(inner), inner)]
    elif dim == "glu":
        n = inner[0] // (2 * tp_size)
        cells = [([f * n, 0], [n, inner[1]]) for f in range(2 * tp_size)]
    else:
        n = inner[dim] // tp_size
        cells = []
        for f in range(tp_size):
            off = [0] * len(inner)
            off[dim] = f * n
            size = list(inner)
            size[dim] = n
            cells.append((off, size))
    if prepend == 0:
        return cells
    return [([layer] + off, [1] + size) for layer in range(shape[0]) for off, size in cells]


def sharded(name, shape, local, rank, world, tp_size, prepend, dims=TP_DIM):
    """A torch ShardedTensor the way Megatron's sharded_tensor_to_torch_sharded_tensor builds it."""
    local_offsets = {tuple(off) for _, off in local}
    shards = [Shard.from_tensor_and_offsets(t.contiguous(), off, rank) for t, off in local]
    metadata = []
    for off, size in grid(name, shape, tp_size, prepend, dims):
        owner = rank if tuple(off) in local_offsets else (rank + 1) % world
        metadata.append(ShardMetadata(off, size, f"rank:{owner}/cpu"))
    dtype = local[0][0].dtype
    props = TensorProperties(dtype=dtype, layout=torch.strided, requires_grad=False, memory_format=torch.contiguous_format, pin_memory=False)
    st_meta = ShardedTensorMetadata(shards_metadata=metadata, size=torch.Size(shape), tensor_properties=props)
    return ShardedTensor._init_from_local_shards_and_global_metadata(shards, sharded_tensor_metadata=st_meta, process_group=None)


def stage_layers(num_layers, pp, pp_size):
    per = num_layers // pp_size
    return list(range(pp * per, (pp + 1) * per))


def worker(rank, spec, port):
    world, tp_size, pp_size = spec["world"], spec["tp"], spec["pp"]
    dist.init_process_group("gloo", rank=rank, world_size=world, init_method=f"tcp://127.0.0.1:{port}")
    try:
        # Megatron's rank order (tp fastest, then dp, pp outermost).
        tp = rank % tp_size
        dp_size = world // (tp_size * pp_size)
        pp = rank // (tp_size * dp_size)
        config = spec["config"]
        hf, head = full_weights(spec)
        dims = VALUE_TP_DIM if head is not None else TP_DIM
        top, layers = to_megatron(config, hf, head)
        first, last = pp == 0, pp == pp_size - 1
        state = {}
        for name, t in top.items():
            if (name.startswith("embedding.") and first) or (not name.startswith("embedding.") and last):
                state[name] = sharded(name, list(t.shape), tp_pieces(name, t, tp, tp_size, dims), rank, world, tp_size, 0, dims)
        mine = stage_layers(config["num_hidden_layers"], pp, pp_size)
        for sub in layers[0]:
            local = []
            for layer in mine:
                for piece, off in tp_pieces(sub, layers[layer][sub], tp, tp_size):
                    local.append((piece.unsqueeze(0), [layer] + off))
            shape = [len(layers)] + list(layers[0][sub].shape)
            state["decoder.layers." + sub] = sharded(sub, shape, local, rank, world, tp_size, 1)
        for layer in mine:
            for module in ("self_attention.linear_qkv", "self_attention.linear_proj", "mlp.linear_fc1", "mlp.linear_fc2"):
                key = f"decoder.layers.{module}._extra_state/shard_{layer}.{tp}_{len(layers)}.{tp_size}"
                state[key] = io.BytesIO(b"\x80\x02N.")  # TE with no FP8 state pickles None
        if spec.get("with_optimizer"):
            # HEAD layout keeps optimizer and RNG state in the same dist_ckpt: a reader must pick the model keys.
            emb = top["embedding.word_embeddings.weight"].float()
            if first:
                state["optimizer.state.exp_avg.embedding.word_embeddings.weight"] = sharded(
                    "embedding.word_embeddings.weight", list(emb.shape), tp_pieces("embedding.word_embeddings.weight", emb * 0 + 0.5, tp, tp_size), rank, world, tp_size, 0)
            state[f"rng_state/shard_{pp}.{tp}_{pp_size}.{tp_size}"] = io.BytesIO(b"\x80\x02}q\x00.")
        dcp.save(state, checkpoint_id=spec["dist_ckpt"])
        if spec.get("legacy"):
            write_legacy(spec, config, top, layers, dims, tp, pp, tp_size, pp_size, dp_size, rank)
        dist.barrier()
    finally:
        dist.destroy_process_group()


def full_weights(spec):
    """The Hugging Face weights in the checkpoint's dtype, and the value head (None for a language model)."""
    config = spec["config"]
    hf = {k: v.to(spec["dtype"]) for k, v in tm.full_state(tm.build(config, seed=spec["seed"])).items()}
    rows = spec.get("value_rows")
    return hf, (value_head(config, spec["seed"], rows).to(spec["dtype"]) if rows else None)


def write_legacy(spec, config, top, layers, dims, tp, pp, tp_size, pp_size, dp_size, rank):
    """Megatron's per-rank torch.save layout: local TP shards, local layer numbers (one file per TP x PP rank)."""
    if rank % (tp_size * dp_size) >= tp_size:
        return  # DP replicas do not save
    local = {}
    first, last = pp == 0, pp == pp_size - 1
    for name, t in top.items():
        if (name.startswith("embedding.") and first) or (not name.startswith("embedding.") and last):
            local[name] = torch.cat([p for p, _ in tp_pieces(name, t, tp, tp_size, dims)], dim=0).clone()
    for i, layer in enumerate(stage_layers(config["num_hidden_layers"], pp, pp_size)):
        for sub, t in layers[layer].items():
            local[f"decoder.layers.{i}.{sub}"] = torch.cat([p for p, _ in tp_pieces(sub, t, tp, tp_size)], dim=0).clone()
            if sub.endswith(".weight") and "layer_norm" not in sub:
                local[f"decoder.layers.{i}.{sub[:-len('.weight')]}._extra_state"] = None
    name = f"mp_rank_{tp:02d}" if pp_size == 1 else f"mp_rank_{tp:02d}_{pp:03d}"
    folder = os.path.join(spec["legacy"], name)
    os.makedirs(folder, exist_ok=True)
    args = megatron_args(config, tp_size, pp_size, dp_size, spec["dtype"])
    torch.save({"args": args, "checkpoint_version": 3.0, "iteration": 1, "model": local}, os.path.join(folder, "model_optim_rng.pt"))


def megatron_enums():
    """megatron.core.transformer.enums.AttnBackend, pickled exactly as Megatron's own (GLOBAL + REDUCE (value,)):
    Megatron-core is not packaged here, so a module of that name is registered for pickle to find the class by."""
    name = "megatron.core.transformer.enums"
    if name not in sys.modules:
        module = types.ModuleType(name)

        class AttnBackend(enum.Enum):
            flash = 1
            fused = 2
            unfused = 3
            local = 4
            auto = 5

        AttnBackend.__module__ = name
        AttnBackend.__qualname__ = "AttnBackend"
        module.AttnBackend = AttnBackend
        parts = name.split(".")
        for i in range(1, len(parts)):  # pickle imports the module, so its parent packages must exist too
            sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
        sys.modules[name] = module
    return sys.modules[name]


def megatron_args(config, tp_size, pp_size, dp_size, dtype):
    """A real argparse.Namespace: Megatron-LM's parse_args (megatron/training/arguments.py) option names and defaults
    for the fields a reader may check, then what validate_args derives (world and data-parallel size, params_dtype,
    padded vocabulary). Megatron torch.saves the whole namespace as 'args' in every rank's file."""
    parser = argparse.ArgumentParser(prog="pretrain_gpt.py")
    parser.add_argument("--num-layers", type=int, default=None)
    parser.add_argument("--hidden-size", type=int, default=None)
    parser.add_argument("--ffn-hidden-size", type=int, default=None)
    parser.add_argument("--num-attention-heads", type=int, default=None)
    parser.add_argument("--group-query-attention", action="store_true")
    parser.add_argument("--num-query-groups", type=int, default=1)
    parser.add_argument("--seq-length", type=int, default=None)
    parser.add_argument("--max-position-embeddings", type=int, default=None)
    parser.add_argument("--position-embedding-type", default="learned_absolute", choices=["learned_absolute", "rope", "none"])
    parser.add_argument("--rotary-base", type=int, default=10000)
    parser.add_argument("--normalization", default="LayerNorm", choices=["LayerNorm", "RMSNorm"])
    parser.add_argument("--norm-epsilon", type=float, default=1e-5)
    parser.add_argument("--swiglu", action="store_true")
    parser.add_argument("--disable-bias-linear", action="store_false", dest="add_bias_linear")
    parser.add_argument("--add-qkv-bias", action="store_true")
    parser.add_argument("--untie-embeddings-and-output-weights", action="store_true")
    parser.add_argument("--tensor-model-parallel-size", type=int, default=1)
    parser.add_argument("--pipeline-model-parallel-size", type=int, default=1)
    parser.add_argument("--sequence-parallel", action="store_true")
    parser.add_argument("--use-distributed-optimizer", action="store_true")
    parser.add_argument("--bf16", action="store_true")
    parser.add_argument("--attention-backend", type=lambda v: megatron_enums().AttnBackend[v], default=megatron_enums().AttnBackend.auto)
    parser.add_argument("--ckpt-format", default="torch_dist", choices=["torch", "torch_dist", "zarr"])
    parser.add_argument("--seed", type=int, default=1234)
    argv = ["--num-layers", str(config["num_hidden_layers"]), "--hidden-size", str(config["hidden_size"]),
            "--ffn-hidden-size", str(config["intermediate_size"]), "--num-attention-heads", str(config["num_attention_heads"]),
            "--group-query-attention", "--num-query-groups", str(config["num_key_value_heads"]),
            "--seq-length", str(config["max_position_embeddings"]), "--max-position-embeddings", str(config["max_position_embeddings"]),
            "--position-embedding-type", "rope", "--rotary-base", str(int(config["rope_theta"])), "--normalization", "RMSNorm",
            "--norm-epsilon", str(config["rms_norm_eps"]), "--swiglu", "--disable-bias-linear", "--add-qkv-bias",
            "--tensor-model-parallel-size", str(tp_size), "--pipeline-model-parallel-size", str(pp_size), "--ckpt-format", "torch"]
    if not config["tie_word_embeddings"]:
        argv.append("--untie-embeddings-and-output-weights")
    if dtype == torch.bfloat16:
        argv.append("--bf16")
    args = parser.parse_args(argv)
    args.world_size = tp_size * pp_size * dp_size
    args.data_parallel_size = dp_size
    args.params_dtype = dtype
    args.padded_vocab_size = config["vocab_size"]
    args.iteration = 1
    return args


def make(out, name, tp, pp, world, config, seed, dtype, v2, with_optimizer=False, legacy=False, role="actor", value_rows=None, reference=True):
    actor = os.path.join(out, name, "global_step_1", role)
    model = os.path.join(actor, "model") if v2 else actor
    dist_ckpt = os.path.join(model, "dist_ckpt")
    os.makedirs(dist_ckpt, exist_ok=True)
    tm.write_hf_side_files(os.path.join(model, "huggingface"), config)
    tm.write_json(os.path.join(actor, "transformer_config.json"), {
        "num_layers": config["num_hidden_layers"], "hidden_size": config["hidden_size"], "num_attention_heads": config["num_attention_heads"],
        "num_query_groups": config["num_key_value_heads"], "ffn_hidden_size": config["intermediate_size"], "add_qkv_bias": True,
        "tensor_model_parallel_size": tp, "pipeline_model_parallel_size": pp, "gated_linear_unit": True})
    # megatron.core.dist_checkpointing.save writes metadata.json and common.pt next to the DCP files.
    tm.write_json(os.path.join(dist_ckpt, "metadata.json"), {"sharded_backend": "torch_dist", "sharded_backend_version": 1, "common_backend": "torch", "common_backend_version": 1}, indent=None)
    torch.save({}, os.path.join(dist_ckpt, "common.pt"))
    if v2:
        tm.write_json(os.path.join(actor, "ckpt_contents.json"), {
            "schema_version": 2, "framework": "megatron", "role": role, "global_step": 1, "world_size": world,
            "contents": {"model": {"path": "model/dist_ckpt", "format": "megatron_dist_checkpoint", "backend": "dist_checkpointing"},
                         "hf_config": {"path": "model/huggingface", "format": "huggingface"}}})
    with open(os.path.join(out, name, "latest_checkpointed_iteration.txt"), "w") as f:
        f.write("1")
    spec = dict(world=world, tp=tp, pp=pp, config=config, seed=seed, dtype=dtype, dist_ckpt=dist_ckpt, with_optimizer=with_optimizer,
                value_rows=value_rows, legacy=os.path.join(out, name + "-legacy", "global_step_1", role) if legacy else None)
    if legacy:
        tm.write_hf_side_files(os.path.join(spec["legacy"], "huggingface"), config)
    port = 29500 + (abs(hash(name)) % 1000)
    mp.spawn(worker, args=(spec, port), nprocs=world, join=True)
    if reference:
        full, head = full_weights(spec)
        expected = dict(config)
        if head is not None:
            # What transformers saves for the critic's ...ForTokenClassification (num_labels 1): score, no lm_head.
            full.pop("lm_head.weight")
            full["score.weight"] = head
            expected.update(architectures=[config["architectures"][0].replace("ForCausalLM", "ForTokenClassification")],
                            id2label={"0": "LABEL_0"}, label2id={"LABEL_0": 0})
        elif config["tie_word_embeddings"]:
            full.pop("lm_head.weight")
        tm.write_reference(os.path.join(out, name + "-expected"), expected, full)
    print("wrote", actor)


class _Forbidden:
    """Pickles as a call to os.system: a reader must refuse the global by name, never run it."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def write_bad_metadata(out):
    """Tampered copies of tp2-dp2-tied's .metadata (real pickles of the real Metadata object)."""
    import copy
    import pickle
    source = os.path.join(out, "tp2-dp2-tied", "global_step_1", "actor", "model", "dist_ckpt", ".metadata")
    with open(source, "rb") as f:
        metadata = pickle.load(f)
    bad = os.path.join(out, "bad-metadata")
    os.makedirs(bad, exist_ok=True)
    missing = copy.deepcopy(metadata)
    chunks = missing.state_dict_metadata["decoder.layers.self_attention.linear_proj.weight"].chunks
    chunks.pop(1)  # layer 0's second TP chunk is no longer described: a gap in the coverage
    with open(os.path.join(bad, "missing-chunk.metadata"), "wb") as f:
        pickle.dump(missing, f)
    forbidden = copy.deepcopy(metadata)
    forbidden.planner_data = {"x": _Forbidden()}
    with open(os.path.join(bad, "forbidden-global.metadata"), "wb") as f:
        pickle.dump(forbidden, f)


PROMPT = [1, 5, 9, 22, 3, 17, 40, 8, 8, 31]


def write_logits(out, name, seed, config):
    """Logits of the reference weights (float32) by tools/inference/hf_reference.py ReferenceDecoder, as for LoRA."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "inference"))
    from hf_reference import Config, ReferenceDecoder, save_safetensors
    weights = {k: v.float() for k, v in tm.full_state(tm.build(config, seed=seed)).items()}
    decoder = ReferenceDecoder(Config(config), weights)
    with torch.no_grad():
        values = decoder.forward(torch.tensor([PROMPT]))[0]
    folder = os.path.join(out, name + "-expected")
    save_safetensors(os.path.join(folder, "reference-logits.safetensors"), {"logits": values.contiguous()})
    tm.write_json(os.path.join(folder, "reference.json"), {"format": "verlorleans.lora-logits", "version": 1, "prompt_ids": PROMPT,
                                                            "producer": f"tools/inference/hf_reference.py ReferenceDecoder, torch {torch.__version__}, float32"})


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    # TP=2 x PP=2 on 4 ranks, bf16, untied, HEAD layout (actor/dist_ckpt + actor/huggingface, optimizer keys inside).
    make(out, "tp2-pp2", 2, 2, 4, megatron_config(tie=False, layers=4), seed=11, dtype=torch.bfloat16, v2=False, with_optimizer=True, legacy=True)
    # TP=2 x DP=2 (PP=1) on 4 ranks, float32, tied embeddings, layout v2 (actor/model/{dist_ckpt,huggingface}, ckpt_contents.json).
    make(out, "tp2-dp2-tied", 2, 1, 4, megatron_config(tie=True, layers=2), seed=12, dtype=torch.float32, v2=True)
    # verl's Megatron critic (value model): TP=2 x PP=2, bf16, HEAD layout under critic/; output_layer [1, hidden].
    make(out, "critic-tp2-pp2", 2, 2, 4, megatron_config(tie=False, layers=2), seed=13, dtype=torch.bfloat16, v2=False, role="critic", value_rows=1)
    # A critic folder whose output_layer has 2 rows: neither verl's value head nor the vocabulary (must be refused).
    make(os.path.join(out, "bad-critic"), "two-row-head", 1, 1, 1, megatron_config(tie=False, layers=1), seed=14, dtype=torch.bfloat16, v2=False,
         role="critic", value_rows=2, reference=False)
    write_bad_metadata(out)
    write_logits(out, "tp2-dp2-tied", 12, megatron_config(tie=True, layers=2))


if __name__ == "__main__":
    main()
