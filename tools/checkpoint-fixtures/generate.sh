#!/usr/bin/env bash
# Regenerates tests/Checkpoints/Fixtures with real PyTorch: torch 1.13 from Debian 12 (/usr/bin/python3,
# apt python3-torch) and torch 2.6 from a Debian 13 chroot (debootstrap, python3-torch). Needs root.
# Tests never run this: they read the committed output. See README.md.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
fixtures="$repo/tests/Checkpoints/Fixtures"
tools="$repo/tools/checkpoint-fixtures"
root="${TRIXIE_ROOT:-/work/trixie-root}"
# The first mirror on a line that is not a comment (a commented snapshot URL must not win).
mirror="$(grep -hvE '^[[:space:]]*#' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?' | head -n1 || true)"

dpkg -s python3-torch >/dev/null 2>&1 || apt-get install -y python3-torch python3-numpy
command -v debootstrap >/dev/null || apt-get install -y debootstrap
if [ ! -x "$root/usr/bin/python3" ]; then
  debootstrap --variant=minbase --include=python3,python3-torch,python3-numpy trixie "$root" "${mirror:-http://deb.debian.org/debian}"
fi

mounted=()
cleanup() { for m in "${mounted[@]}"; do umount "$m" || true; done; }
trap cleanup EXIT
for m in proc dev dev/shm; do
  if ! mountpoint -q "$root/$m"; then mount --bind "/$m" "$root/$m"; mounted=("$root/$m" "${mounted[@]}"); fi
done

in_chroot() { chroot "$root" env USE_LIBUV=0 GLOO_SOCKET_IFNAME=lo MASTER_ADDR=127.0.0.1 /usr/bin/python3 "$@"; }
rm -rf "$root/gen" && mkdir -p "$root/gen" && cp "$tools"/*.py "$root/gen/"
# generate_megatron.py imports ../inference/hf_reference.py (the reference logits).
mkdir -p "$root/inference" && cp "$repo/tools/inference/hf_reference.py" "$root/inference/"

# 1. Files written by real torch.save.
rm -rf "$fixtures/torch-1.13" "$fixtures/torch-2.6" "$root/gen/out"
/usr/bin/python3 "$tools/generate_torch113.py" "$fixtures/torch-1.13"
/usr/bin/python3 "$tools/generate_lora_critic.py" "$fixtures/torch-1.13"
in_chroot /gen/generate_torch26.py /gen/out
cp -r "$root/gen/out" "$fixtures/torch-2.6"
rm -rf "$fixtures/megatron" "$root/gen/megatron"
in_chroot /gen/generate_megatron.py /gen/megatron
cp -r "$root/gen/megatron" "$fixtures/megatron"

# 2. Files written by our own torch.save writer, loaded and value-checked by both torch versions.
ours="$fixtures/written-by-verlorleans"
rm -rf "$ours" "$root/gen/ours"
dotnet run -c Release --project "$repo/bench/Checkpoints" -- write-interop-fixtures "$ours"
/usr/bin/python3 "$tools/check_written_by_verlorleans.py" "$ours"
cp -r "$ours" "$root/gen/ours"
in_chroot /gen/check_written_by_verlorleans.py /gen/ours
cp "$root/gen/ours/torch-2.6-check.json" "$ours/"
echo "fixtures regenerated under $fixtures ($(du -sb "$fixtures" | cut -f1) bytes)"
