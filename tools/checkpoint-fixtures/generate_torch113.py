"""Writes the plain-tensor and ShardedTensor fixtures with real PyTorch 1.13 (Debian 12 python3-torch):
a dtype/view zoo (protocols 2, 4 and 5) with its contiguous twin in safetensors, a W=1 verl actor folder,
a legacy folder whose plain tensors are dim-0 shards (no fsdp_config.json, no generation_config.json), and
FSDP1-style ShardedTensor state dicts (W=2, gloo) as older torch wrote them.

    /usr/bin/python3 generate_torch113.py OUT_DIR
"""
import collections
import dataclasses
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_model as tm  # noqa: E402


def import_sharded_tensor():
    """torch 1.13's sharded_tensor.metadata uses a dataclass instance as a field default, which Python 3.11
    rejects. While importing it, turn such defaults into a default_factory returning that same instance;
    class names and modules stay the same, so the pickles are what torch 1.13 writes."""
    original = dataclasses.field

    def tolerant_field(*args, **kwargs):
        default = kwargs.get("default", dataclasses.MISSING)
        if dataclasses.is_dataclass(default) and type(default).__hash__ is None:
            kwargs.pop("default")
            kwargs["default_factory"] = lambda: default
        return original(*args, **kwargs)

    dataclasses.field = tolerant_field
    try:
        from torch.distributed._shard import sharded_tensor
    finally:
        dataclasses.field = original
    return sharded_tensor


def zoo():
    base = torch.arange(12, dtype=torch.float32)
    shared = torch.arange(10, dtype=torch.int64) * -3
    tensors = collections.OrderedDict()
    tensors["f32"] = torch.tensor([[1.5, -2.25, 3.0], [0.1, 1e-30, -0.0]])
    tensors["bf16"] = torch.tensor([1.0, -3.5, 65280.0], dtype=torch.bfloat16)
    tensors["f16"] = torch.tensor([[0.5, -1.0], [65504.0, 6e-8]], dtype=torch.float16)
    tensors["f64"] = torch.tensor([3.141592653589793, -1e300], dtype=torch.float64)
    tensors["i64"] = torch.tensor([-(2 ** 62), 0, 2 ** 40])
    tensors["i32"] = torch.tensor([-7, 2 ** 30], dtype=torch.int32)
    tensors["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    tensors["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    tensors["u8"] = torch.tensor([0, 128, 255], dtype=torch.uint8)
    tensors["bool"] = torch.tensor([True, False, True])
    tensors["scalar"] = torch.tensor(2.5)
    tensors["empty"] = torch.zeros(0, 4)
    tensors["special"] = torch.tensor([float("inf"), float("-inf"), float("nan"), 1.0])
    # Views of one storage: offset, stride, transposition, and a second reference to the same tensor object.
    tensors["base"] = base
    tensors["slice_offset"] = base[2:8]
    tensors["column"] = base.view(3, 4)[:, 1]
    tensors["transposed"] = base.view(3, 4).t()
    tensors["same_object"] = base
    tensors["shared_i64_a"] = shared[1:4]
    tensors["shared_i64_b"] = shared.view(2, 5)[1]
    tensors["parameter"] = torch.nn.Parameter(torch.tensor([[0.25, 0.5]]))
    return tensors


def write_zoo(out):
    tensors = zoo()
    for protocol in (2, 4, 5):
        name = "plain-tensors.pt" if protocol == 2 else f"plain-tensors-protocol{protocol}.pt"
        torch.save(tensors, os.path.join(out, name), pickle_protocol=protocol)
    tm.write_safetensors(os.path.join(out, "plain-tensors.safetensors"), tensors)


def write_w1(out):
    config = tm.tiny_config(vocab=41)
    actor = os.path.join(out, "w1-plain")
    tm.write_verl_side_files(actor, 1, 1, config)
    model = tm.build(config, seed=11)
    # FSDP1 with one rank falls back to NO_SHARD and saves the full state dict (an OrderedDict with _metadata).
    torch.save(model.state_dict(), os.path.join(actor, "model_world_size_1_rank_0.pt"))
    full = tm.full_state(model)
    tm.write_reference(os.path.join(actor + "-expected", "f32"), config, full)
    tm.write_reference(os.path.join(actor + "-expected", "bf16"), config, full, torch.bfloat16)


def write_legacy_plain(out):
    """Plain tensors that are dim-0 shards, plus identical buffers; the layout of pre-2025 checkpoints."""
    config = tm.tiny_config(vocab=41)
    actor = os.path.join(out, "legacy-plain-w2")
    os.makedirs(actor, exist_ok=True)
    tm.write_hf_side_files(os.path.join(actor, "huggingface"), config, generation=False)
    model = tm.build(config, seed=12, buffers=True)
    full = tm.full_state(model)
    buffers = {name for name, _ in model.named_buffers()}
    for rank in range(2):
        state = collections.OrderedDict()
        for key, value in full.items():
            state[key] = value.clone() if key in buffers else torch.chunk(value, 2, dim=0)[rank].clone()
        torch.save(state, os.path.join(actor, f"model_world_size_2_rank_{rank}.pt"))
    tm.write_reference(os.path.join(actor + "-expected", "f32"), config, full)


def sharded_worker(rank, world, actor, port):
    sharded_tensor = import_sharded_tensor()
    from torch.distributed._shard.metadata import ShardMetadata
    dist.init_process_group("gloo", rank=rank, world_size=world, init_method=f"tcp://127.0.0.1:{port}")
    try:
        config = tm.tiny_config(vocab=41)
        model = tm.build(config, seed=13, buffers=True)
        buffers = {name for name, _ in model.named_buffers()}
        state = collections.OrderedDict()
        for key, value in model.state_dict().items():
            if key in buffers:
                state[key] = value.clone()
                continue
            # FSDP1 SHARDED_STATE_DICT without a device mesh: torch.chunk along dim 0, one shard per rank
            # that gets rows (_create_chunk_sharded_tensor), placements "rank:R/cpu".
            chunks = torch.chunk(value, world, dim=0)
            step = chunks[0].size(0)
            local = []
            if rank < len(chunks):
                offsets = [rank * step] + [0] * (value.dim() - 1)
                placement = f"rank:{rank}/cpu"
                local.append(sharded_tensor.Shard(chunks[rank].clone(), ShardMetadata(offsets, list(chunks[rank].shape), placement)))
            state[key] = sharded_tensor.ShardedTensor._init_from_local_shards(local, *value.shape)
        torch.save(state, os.path.join(actor, f"model_world_size_{world}_rank_{rank}.pt"))
        dist.barrier()
    finally:
        dist.destroy_process_group()


def write_sharded_tensor(out):
    config = tm.tiny_config(vocab=41)
    actor = os.path.join(out, "fsdp1-sharded-tensor-w2")
    tm.write_verl_side_files(actor, 2, 1, config)
    mp.spawn(sharded_worker, args=(2, actor, 29611), nprocs=2, join=True)
    full = tm.full_state(tm.build(config, seed=13, buffers=True))
    tm.write_reference(os.path.join(actor + "-expected", "f32"), config, full)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write_zoo(out)
    write_w1(out)
    write_legacy_plain(out)
    write_sharded_tensor(out)
    print("wrote", out)


if __name__ == "__main__":
    main()
