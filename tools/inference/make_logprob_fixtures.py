"""Writes PyTorch's log-probabilities for the committed decoder fixtures: logprobs.reference.json next to each
tests/Inference/Fixtures/Models/<model>/reference.json, and tests/Fixtures/tiny-chat.logprobs.json for the tiny chat
model that the silo tests serve.

For every case the scored sequence is the case's prompt followed by its greedy continuation (as an OpenAI
`echo` + `logprobs` request scores it). Position t > 0 holds, under the model's next-token distribution after
tokens 0..t-1 (torch.log_softmax of hf_reference.py's float32 logits, no temperature):
  logprob   the log-probability of token t,
  rank      1 + the number of vocabulary entries more likely than token t (vLLM's rank),
  top_ids / top_logprobs   the TOP most likely tokens, most likely first.
Position 0 has no distribution (nothing precedes it) and is omitted.

Usage: /usr/bin/python3 tools/inference/make_logprob_fixtures.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_reference import ReferenceDecoder  # noqa: E402

FORMAT = "verlorleans.logprob-reference"
VERSION = 1
TOP = 5
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DECODERS = os.path.join(ROOT, "tests", "Inference", "Fixtures", "Models")
TINY_CHAT = os.path.join(ROOT, "tests", "Fixtures", "tiny-chat")


def score(model, ids):
    with torch.no_grad():
        logits = model.forward(torch.tensor([ids]))[0]                 # [T, V] float32
    logprobs = torch.log_softmax(logits, dim=-1)
    positions = []
    for t in range(1, len(ids)):
        row = logprobs[t - 1]
        chosen = row[ids[t]]
        top = torch.topk(row, TOP)
        positions.append({
            "position": t,
            "token_id": ids[t],
            "logprob": float(chosen),
            "rank": int((row > chosen).sum()) + 1,
            "top_ids": [int(i) for i in top.indices],
            "top_logprobs": [float(v) for v in top.values],
        })
    return positions


def write(path, model_name, cases):
    with open(path, "w") as f:
        json.dump({
            "format": FORMAT, "version": VERSION,
            "producer": "tools/inference/make_logprob_fixtures.py (hf_reference.py float32, torch.log_softmax)",
            "torch_version": torch.__version__, "model": model_name, "top": TOP, "cases": cases,
        }, f, indent=1)
        f.write("\n")


def main():
    torch.set_num_threads(1)
    for name in sorted(os.listdir(DECODERS)):
        folder = os.path.join(DECODERS, name)
        with open(os.path.join(folder, "reference.json")) as f:
            reference = json.load(f)
        model = ReferenceDecoder.from_folder(folder)
        cases = []
        for case in reference["cases"]:
            ids = case["prompt_ids"] + case["greedy_ids"]
            cases.append({"name": case["name"], "prompt_length": len(case["prompt_ids"]), "ids": ids,
                          "positions": score(model, ids)})
        write(os.path.join(folder, "logprobs.reference.json"), name, cases)
        print(f"{name}: {sum(len(c['positions']) for c in cases)} positions")

    with open(os.path.join(ROOT, "tests", "Fixtures", "tiny-chat.reference.json")) as f:
        reference = json.load(f)
    model = ReferenceDecoder.from_folder(TINY_CHAT)
    cases = []
    for case in reference["cases"]:
        ids = case["prompt_ids"] + case["greedy_ids"]
        cases.append({"name": case["name"], "prompt_length": len(case["prompt_ids"]), "ids": ids,
                      "positions": score(model, ids)})
    write(os.path.join(ROOT, "tests", "Fixtures", "tiny-chat.logprobs.json"), "tiny-chat", cases)
    print(f"tiny-chat: {sum(len(c['positions']) for c in cases)} positions")


if __name__ == "__main__":
    main()
