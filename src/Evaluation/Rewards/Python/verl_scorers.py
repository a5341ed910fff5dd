"""VerlOrleans: verl's own Python scorers for the responses the native ports leave to Python (VerlPythonScorers.cs).

reward_worker.py loads this file like a custom reward file and calls compute_score for each sample; data_source names
the function to run, the other arguments are that function's. The libraries are imported on first use, so a worker
whose interpreter lacks them still starts, and each such sample fails with an error naming what is missing.
"""

import sys

_modules = {}


def _load(name):
    if name not in _modules:
        try:
            if name == "prime_math":
                from verl.utils.reward_score import prime_math as module
            else:
                from mathruler import grader as module
            _modules[name] = (module, None)
        except Exception as error:  # noqa: BLE001 - an import that fails for any reason is reported per sample
            _modules[name] = (None, f"{type(error).__name__}: {error}")
    return _modules[name]


def _require(name, needs):
    module, error = _load(name)
    if module is None:
        raise ModuleNotFoundError(
            f"this response needs {needs}, which the Python reward interpreter {sys.executable} "
            f"(Python {sys.version.split()[0]}) cannot import ({error}); install them there, or configure an "
            "interpreter or virtualenv that has them"
        )
    return module


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    if data_source == "prime_math":
        prime_math = _require("prime_math", "verl's verl.utils.reward_score.prime_math (verl, sympy, pylatexenc)")
        # default_compute_score keeps the first element of prime_math's (is_correct, format, extracted) tuple.
        return float(prime_math.compute_score(solution_str, ground_truth)[0])
    if data_source == "mathruler.grade_answer":
        grader = _require("mathruler", "mathruler's grade_answer (mathruler, sympy, pylatexenc)")
        return 1.0 if grader.grade_answer(solution_str, ground_truth) else 0.0
    raise ValueError(f"verl_scorers.py has no scorer {data_source!r}")
