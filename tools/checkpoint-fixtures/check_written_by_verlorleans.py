"""Loads the files VerlOrleans' own torch.save writer produced (tests/Checkpoints/Fixtures/written-by-verlorleans)
with real PyTorch and checks every value against the closed forms the C# side documents
(VerlOrleans.Checkpoints.Synthetic). Writes torch-<version>-check.json next to the files.

    /usr/bin/python3 check_written_by_verlorleans.py DIR          # torch 1.13: plain-zoo.pt
    (Debian 13 chroot) python3 check_written_by_verlorleans.py DIR # torch 2.6: also the DTensor shard set
"""
import glob
import json
import os
import sys

import numpy as np
import torch

DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16, "f64": torch.float64, "i64": torch.int64,
          "i32": torch.int32, "i16": torch.int16, "i8": torch.int8, "u8": torch.uint8, "bool": torch.bool,
          "scalar": torch.float32, "empty": torch.float32}
SHAPES = {"f32": (2, 3), "bf16": (4,), "f16": (3,), "f64": (2,), "i64": (3,), "i32": (2,), "i16": (2,), "i8": (3,),
          "u8": (3,), "bool": (4,), "scalar": (), "empty": (0, 3)}


def zoo_value(t, j, dtype):
    if dtype.is_floating_point:
        return (j + 1) * 0.5 * (t + 1) * (1 if j % 2 == 0 else -1)
    if dtype == torch.uint8:
        return (100 * j) % 256
    if dtype == torch.bool:
        return j % 2 == 0
    return (j - 1) * (t + 3)


def check_zoo(path):
    state = torch.load(path, map_location="cpu")
    assert list(state.keys()) == list(DTYPES.keys()), list(state.keys())
    for t, (name, tensor) in enumerate(state.items()):
        assert tensor.dtype == DTYPES[name], (name, tensor.dtype)
        assert tuple(tensor.shape) == SHAPES[name], (name, tensor.shape)
        flat = tensor.reshape(-1)
        for j in range(flat.numel()):
            assert flat[j].item() == zoo_value(t, j, tensor.dtype), (name, j, flat[j].item())
    return {"file": os.path.basename(path), "tensors": len(state)}


def synthetic_value(t, g):
    x = (g * 2654435761 + (t + 1) * 40503) & 0xFFFFFF
    return np.float32((x - 2 ** 23) / 2 ** 24)


def check_shard_set(folder):
    from torch.distributed.tensor import DTensor, Shard
    files = sorted(glob.glob(os.path.join(folder, "model_world_size_*_rank_*.pt")))
    world = len(files)
    checked = 0
    for rank, path in enumerate(files):
        state = torch.load(path, map_location="cpu", weights_only=False)
        for t, (name, value) in enumerate(state.items()):
            assert isinstance(value, DTensor), (path, name, type(value))
            assert value.placements == (Shard(0),), value.placements
            assert value.device_mesh.mesh.tolist() == list(range(world)), value.device_mesh.mesh
            assert value.device_mesh.mesh_dim_names == ("fsdp",)
            local = value._local_tensor
            chunk = -(-value.shape[0] // world)
            rows = max(0, min(chunk, value.shape[0] - rank * chunk))
            assert local.shape[0] == rows, (name, local.shape, rows)
            inner = int(np.prod(value.shape[1:])) if len(value.shape) > 1 else 1
            first = min(rank * chunk, value.shape[0]) * inner
            expected = np.array([synthetic_value(t, first + j) for j in range(local.numel())], dtype=np.float32)
            assert np.array_equal(local.reshape(-1).numpy(), expected), (path, name)
            checked += 1
    return {"folder": os.path.basename(folder), "ranks": world, "dtensors": checked}


def main():
    folder = sys.argv[1]
    results = {"torch": torch.__version__, "checks": [check_zoo(os.path.join(folder, "plain-zoo.pt"))]}
    if hasattr(torch.distributed, "tensor") or tuple(int(p) for p in torch.__version__.split(".")[:2]) >= (2, 4):
        results["checks"].append(check_shard_set(os.path.join(folder, "synthetic-fsdp2-w3")))
    results["ok"] = True
    major_minor = ".".join(torch.__version__.split(".")[:2])
    with open(os.path.join(folder, f"torch-{major_minor}-check.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
