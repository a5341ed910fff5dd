"""Reports what a reward worker's process sees: its environment, folder and stdin."""
import json
import os
import sys


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    with open("written_by_reward.txt", "w") as f:
        f.write("a file in the worker's own folder")
    return {
        "score": 1.0,
        "environment": json.dumps(sorted(os.environ)),
        "home": os.environ.get("HOME", ""),
        "cwd": os.getcwd(),
        "pythonpath": os.environ.get("PYTHONPATH", ""),
        "stdin": sys.stdin.read(),
        "interpreter": sys.executable,
    }
