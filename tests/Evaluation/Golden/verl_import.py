"""Imports verl's reward_score package (and nothing of verl's heavy dependencies) from a verl checkout, for the golden
generators: generate.py and generate_scorers.py run verl's own functions as the oracle, no verl code is vendored."""
import importlib.util
import os
import sys
import types


def load_reward_score(verl_dir):
    """verl.utils.reward_score from VERL_DIR, with verl.utils.import_utils.deprecated stubbed (it pulls in torch)."""
    verl_pkg = types.ModuleType("verl")
    verl_pkg.__path__ = [os.path.join(verl_dir, "verl")]
    utils_pkg = types.ModuleType("verl.utils")
    utils_pkg.__path__ = [os.path.join(verl_dir, "verl", "utils")]
    import_utils = types.ModuleType("verl.utils.import_utils")
    import_utils.deprecated = lambda _replacement=None: (lambda fn: fn)
    sys.modules.update({"verl": verl_pkg, "verl.utils": utils_pkg, "verl.utils.import_utils": import_utils})

    reward_dir = os.path.join(verl_dir, "verl", "utils", "reward_score")
    spec = importlib.util.spec_from_file_location(
        "verl.utils.reward_score", os.path.join(reward_dir, "__init__.py"), submodule_search_locations=[reward_dir]
    )
    reward_score = importlib.util.module_from_spec(spec)
    sys.modules["verl.utils.reward_score"] = reward_score
    spec.loader.exec_module(reward_score)
    return reward_score


def load_prime_code(verl_dir):
    """verl.utils.reward_score.prime_code from VERL_DIR, without running reward_score/__init__.py (prime_code needs only
    its own folder and reward_score/logging_utils.py)."""
    packages = {
        "verl": os.path.join(verl_dir, "verl"),
        "verl.utils": os.path.join(verl_dir, "verl", "utils"),
        "verl.utils.reward_score": os.path.join(verl_dir, "verl", "utils", "reward_score"),
    }
    for name, path in packages.items():
        package = types.ModuleType(name)
        package.__path__ = [path]
        sys.modules[name] = package
    return importlib.import_module("verl.utils.reward_score.prime_code")
