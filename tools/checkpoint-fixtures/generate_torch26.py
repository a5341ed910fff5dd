"""Writes the DTensor fixtures with real PyTorch 2.6 (Debian 13 python3-torch) on gloo process groups:
FSDP1 SHARDED_STATE_DICT with a device mesh, FSDP2 (uneven, padded storages, zero-row shards, replicated
buffers, tied embeddings, Shard(1) placements from verl's shard_placement_fn), and HSDP on 2-D meshes.
Every rank calls torch.save(model.state_dict()) exactly as verl's FSDPCheckpointManager does.

Run inside the Debian 13 chroot (see README.md):
    USE_LIBUV=0 GLOO_SOCKET_IFNAME=lo MASTER_ADDR=127.0.0.1 python3 generate_torch26.py OUT_DIR
"""
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.distributed._composable.fsdp import fully_shard
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP, ShardingStrategy, StateDictType
from torch.distributed.tensor import Shard

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_model as tm  # noqa: E402


def verl_shard_placement(param):
    """verl/utils/fsdp_utils.py::get_shard_placement_fn: the first dim divisible by the fsdp size, else dim 0."""
    size = dist.get_world_size()
    for dim, n in enumerate(param.shape):
        if n % size == 0:
            return Shard(dim)
    return Shard(0)


def worker(rank, spec, port):
    os.environ["MASTER_PORT"] = str(port)
    world = spec["world"]
    dist.init_process_group("gloo", rank=rank, world_size=world, init_method=f"tcp://127.0.0.1:{port}")
    try:
        config = spec["config"]
        model = tm.build(config, seed=spec["seed"], buffers=spec.get("buffers", False), step=spec.get("step", 0))
        kind = spec["kind"]
        if kind == "fsdp1":
            mesh = init_device_mesh("cpu", spec["mesh"], mesh_dim_names=spec["names"])
            strategy = ShardingStrategy.HYBRID_SHARD if len(spec["mesh"]) == 2 else ShardingStrategy.FULL_SHARD
            # device_id=cpu: FSDP1 otherwise insists on an accelerator; the state-dict path is the same.
            model = FSDP(model, device_mesh=mesh, sharding_strategy=strategy, use_orig_params=False, device_id=torch.device("cpu"))
            with FSDP.state_dict_type(model, StateDictType.SHARDED_STATE_DICT):
                state = model.state_dict()
        else:
            mesh = init_device_mesh("cpu", spec["mesh"], mesh_dim_names=spec["names"])
            placement = verl_shard_placement if spec.get("verl_placement") else None
            for layer in model.model.layers:
                fully_shard(layer, mesh=mesh, shard_placement_fn=placement)
            fully_shard(model, mesh=mesh, shard_placement_fn=placement)
            state = model.state_dict()
        actor = spec["actor"]
        torch.save(state, os.path.join(actor, f"model_world_size_{world}_rank_{rank}.pt"))
        dist.barrier()
    finally:
        dist.destroy_process_group()


def make(out, name, kind, world, mesh, names, config, seed, step=0, steps_root=None, **extra):
    actor = os.path.join(out, name) if steps_root is None else os.path.join(out, steps_root, f"global_step_{step}", "actor")
    fsdp_version = 1 if kind == "fsdp1" else 2
    tm.write_verl_side_files(actor, world, fsdp_version, config)
    spec = dict(kind=kind, world=world, mesh=mesh, names=names, config=config, seed=seed, step=step, actor=actor, **extra)
    port = 29500 + (hash(actor) % 1000)
    mp.spawn(worker, args=(spec, port), nprocs=world, join=True)
    # The reference: the same deterministic model, unsharded, written by hand as HF safetensors.
    full = tm.full_state(tm.build(config, seed=seed, buffers=extra.get("buffers", False), step=step))
    if config["tie_word_embeddings"]:
        full.pop("lm_head.weight")
    reference = actor + "-expected" if steps_root is None else os.path.join(out, steps_root + "-expected", f"global_step_{step}")
    tm.write_reference(os.path.join(reference, "f32"), config, full)
    tm.write_reference(os.path.join(reference, "bf16"), config, full, torch.bfloat16)
    print("wrote", actor)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    # FSDP1 (verl's default strategy) always passes device_mesh, so SHARDED_STATE_DICT holds DTensor Shard(0).
    make(out, "fsdp1-w2", "fsdp1", 2, (2,), ("fsdp",), tm.tiny_config(vocab=41), seed=1)
    # FSDP1 HYBRID_SHARD on a ('ddp','fsdp') mesh: placements (Replicate(), Shard(0)).
    make(out, "hsdp-fsdp1-2x2", "fsdp1", 4, (2, 2), ("ddp", "fsdp"), tm.tiny_config(vocab=41), seed=2)
    # FSDP2 with 3 ranks: uneven chunks, padded storages, k_proj.bias [4] -> 2,2,0 rows, buffers, tied embeddings.
    # Written as a verl run folder with two steps.
    for step in (1, 2):
        make(out, None, "fsdp2", 3, (3,), ("fsdp",), tm.tiny_config(vocab=41, tie=True), seed=3, step=step,
             steps_root="fsdp2-run", buffers=True)
    with open(os.path.join(out, "fsdp2-run", "latest_checkpointed_iteration.txt"), "w") as f:
        f.write("2")
    # FSDP2 with verl's legacy shard_placement_fn: vocab 41 is odd, so embed_tokens/lm_head get Shard(1).
    make(out, "fsdp2-shard1-w2", "fsdp2", 2, (2,), ("fsdp",), tm.tiny_config(vocab=41), seed=4, verl_placement=True)
    # FSDP2 HSDP on a 2x2 ('ddp','fsdp') mesh.
    make(out, "hsdp-fsdp2-2x2", "fsdp2", 4, (2, 2), ("ddp", "fsdp"), tm.tiny_config(vocab=41), seed=5)


if __name__ == "__main__":
    main()
