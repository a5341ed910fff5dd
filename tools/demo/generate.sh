#!/usr/bin/env bash
# Regenerates the demo verl run folder and dataset from scratch (demo/verl-run, demo/data/demo_test.parquet,
# tools/demo/training-log.txt): trains the demo model for real in a Debian 13 chroot (python3-torch 2.6, which has
# DTensor and FSDP2; Debian 12's 1.13 has neither), shards every saved step with FSDP2 on two gloo ranks, then
# writes the parquet with node. Needs root; uses Debian's mirrors and the npm registry only. About 11 minutes.
# `generate.sh --check-layout` trains nothing: the script shards fresh weights of the committed model shape the same
# way and checks that every rank file's key set and shapes are the committed ones (seconds).
# See README.md. Tests never run this: they read the committed output.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$repo/tools"
root="${TRIXIE_ROOT:-/work/trixie-root}"   # the chroot; keep it outside the repository
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
packages="python3,python3-torch,python3-numpy,python3-jinja2,libopenblas0-serial"

command -v debootstrap >/dev/null || apt-get install -y debootstrap
command -v npm >/dev/null || apt-get install -y nodejs npm
if [ ! -x "$root/usr/bin/python3" ]; then
  debootstrap --variant=minbase --include="$packages" trixie "$root" "$mirror"
fi
# A chroot made by tools/checkpoint-fixtures/generate.sh lacks jinja2 and OpenBLAS (without it torch falls back to
# the reference BLAS and training is about five times slower).
if ! chroot "$root" dpkg -s python3-jinja2 libopenblas0-serial >/dev/null 2>&1; then
  chroot "$root" apt-get update
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-jinja2 libopenblas0-serial
fi

mounted=()
cleanup() { for m in "${mounted[@]}"; do umount "$m" || true; done; }
trap cleanup EXIT
for m in proc dev dev/shm; do
  if ! mountpoint -q "$root/$m"; then mount --bind "/$m" "$root/$m"; mounted=("$root/$m" "${mounted[@]}"); fi
done

work="$root/gen-demo"
rm -rf "$work" && mkdir -p "$work/tools"
for t in demo tiny-model inference; do mkdir -p "$work/tools/$t" && cp "$tools/$t"/*.py "$work/tools/$t/"; done

if [ "${1:-}" = "--check-layout" ]; then
  cp -r "$repo/demo" "$work/demo"
  chroot "$root" env USE_LIBUV=0 GLOO_SOCKET_IFNAME=lo MASTER_ADDR=127.0.0.1 \
    /usr/bin/python3 /gen-demo/tools/demo/train_demo.py --check-layout /gen-demo/demo/MANIFEST.json
  exit
fi

# 1. Train, evaluate, shard (train_demo.py pins torch to one thread).
chroot "$root" env USE_LIBUV=0 GLOO_SOCKET_IFNAME=lo MASTER_ADDR=127.0.0.1 \
  /usr/bin/python3 /gen-demo/tools/demo/train_demo.py \
  --out /gen-demo/out --rows /gen-demo/demo_test.rows.json --log /gen-demo/training-log.txt --staging /gen-demo/staging
rm -rf "$repo/demo/verl-run"
mkdir -p "$repo/demo/data"
cp -r "$work/out/verl-run" "$repo/demo/verl-run"
cp "$work/out/MANIFEST.json" "$repo/demo/MANIFEST.json"
cp "$work/training-log.txt" "$tools/demo/training-log.txt"

# 2. The held-out test rows as parquet (Apache Arrow's Rust writer), read back by an independent reader.
(cd "$tools/demo" && npm ci --no-audit --no-fund)
node "$tools/demo/write_parquet.mjs" "$work/demo_test.rows.json" "$repo/demo/data/demo_test.parquet" "$repo/demo/MANIFEST.json"
echo "demo regenerated: $(du -sb "$repo/demo" | cut -f1) bytes under $repo/demo"
