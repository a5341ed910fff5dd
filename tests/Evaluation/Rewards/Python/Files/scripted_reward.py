"""A custom reward for the tests: returns verl-style dicts, and misbehaves when the response asks it to."""
import ctypes
import os
import sys
import time

import answer_helpers  # a module next to this file: PYTHONPATH holds this folder, as for verl users


def compute_score(data_source, solution_str, ground_truth, extra_info=None, bonus=0.0):
    if "RAISE" in solution_str:
        print("about to fail on", solution_str, file=sys.stderr)
        raise ValueError(f"cannot read {solution_str!r}")
    if "HANG" in solution_str:
        print("hanging now", file=sys.stderr, flush=True)
        time.sleep(3600)
    if "EXIT" in solution_str:
        os._exit(3)
    if "SEGV" in solution_str:
        print("segfaulting now", file=sys.stderr, flush=True)
        ctypes.string_at(0)
    if "TEXT" in solution_str:
        return "not a number"
    print("stdout noise must not break the protocol")
    pred = answer_helpers.last_number(solution_str)
    acc = pred == ground_truth
    return {"score": (1.0 if acc else -1.0) + bonus, "acc": acc, "pred": pred or "", "turns": (extra_info or {}).get("num_turns")}


def float_score(data_source, solution_str, ground_truth, extra_info=None):
    return float(answer_helpers.last_number(solution_str) == ground_truth)
