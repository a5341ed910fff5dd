#!/usr/bin/python3
"""Writes the golden files the Evaluation tests compare against, using verl's own Python functions.

Usage:  /usr/bin/python3 tests/Evaluation/Golden/generate.py VERL_DIR [OUT_DIR]

VERL_DIR is a checkout (or a copy of the needed files) of verl: it must hold
  verl/utils/reward_score/{__init__.py,gsm8k.py,math_reward.py,math_dapo.py}
  verl/trainer/ppo/metric_utils.py   (bootstrap_metric, calc_maj_val, process_validation_metrics)
verl's code is imported from there and run unmodified; nothing of it is copied into this repository.
Needs Python 3 with numpy (Debian 12: /usr/bin/python3 has both). Output is deterministic.

Outputs (OUT_DIR defaults to this script's folder):
  rewards.jsonl      one case per line: inputs + the score/extras verl's default_compute_score returns
  metrics.json       synthetic validation samples + process_validation_metrics results, named as verl names them
  numpy_random.json  numpy streams the C# port must reproduce (legacy MT19937 choice, PCG64 choice without replace)
"""

import importlib.util
import json
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verl_import import load_reward_score  # noqa: E402

# ---------------------------------------------------------------------------------------------------------------
# Loading verl's modules from VERL_DIR without installing verl (its package __init__ pulls in ray, torch, ...).


def load_verl(verl_dir):
    reward_score = load_reward_score(verl_dir)

    metric_path = os.path.join(verl_dir, "verl", "trainer", "ppo", "metric_utils.py")
    spec = importlib.util.spec_from_file_location("verl_metric_utils", metric_path)
    metric_utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(metric_utils)
    return reward_score, metric_utils


# ---------------------------------------------------------------------------------------------------------------
# Reward corpus: tricky responses per scorer. Every expected value is whatever verl's function returns.

GSM8K_TRUTHS = ["72", "10", "0", "-3", "1200", "18", "3.5", "1000000", "5", "42"]

GSM8K_ANSWER_FORMS = [
    "#### {a}", "####{a}", "#### -{a}", "####  {a}", "#### {a}.", "#### {a}.0", "#### ${a}", "#### {a}$",
    "#### {a},", "#### ,{a}", "#### {a}, done", "##### {a}", "### {a}", "#### +{a}", "#### --{a}", "#### {a}\n",
    "#### {a} dollars", "#### {a}%", "####\t{a}", "#### \u00a0{a}", "#### {a}\u200b", "#### \uff17\uff12",
    "The answer is {a}", "\\boxed{{{a}}}", "#### {a}... ", "#### .{a}", "#### {a}..", "#### 1,{a}", "#### {a},000",
    "#### {a}e3", "#### {a}/2", "#### ({a})", "#### **{a}**", "**#### {a}**", "#### {a} #### {a}1",
    "#### {a}1 #### {a}", "####{a} #### x", "#### -0", "#### 0{a}", "#### {a}\r\n",
]

GSM8K_FIXED = [
    "", " ", "####", "#### ", "#### -", "#### .", "#### ,", "#### ,,,", "#### -.", "#### $", "####\n72",
    "72", "-72", "The answer is 72.", "#### 72", "#### 72\n#### 73", "#### 73\n#### 72", "#### 7 2", "#### 72 ",
    "####72####73", "#### 1,200", "#### 1.200", "#### 1,2,0,0", "#### 1,20,0", "#### $1200", "#### -3",
    "#### -3.", "#### 3.5", "#### 3.50", "#### 03.5", "#### ٧٢", "####\u300072", "#### 72\u0301",
    "😀 #### 72 😀", "#### 72😀", "😀" * 200 + "#### 72", "x" * 299 + "#### 72", "#### 72" + "x" * 294,
    "#### 72" + "x" * 293, "#### 72" + "😀" * 293, "#### 72" + "😀" * 294, "a" * 5000 + "#### 10",
    "#### 10" + "a" * 5000, "#### 10 " + "b" * 290 + " #### 11", "\n".join(["#### 1"] * 100),
]


def expand(form, answer):
    return form.replace("{a}", answer).replace("{{", "{").replace("}}", "}")


def templated_cases(truths, forms, prefix):
    """Every answer form filled with every truth, after a short chain of thought (prefix(truth))."""
    return [(prefix(truth) + expand(form, truth), truth) for truth in truths for form in forms]


def fixed_cases(texts, truths):
    """Every fixed response against every truth (only two truths for very long responses, to keep the file small)."""
    return [(text, truth) for text in texts for truth in (truths[:2] if len(text) > 1000 else truths)]


def random_cases(rng, alphabet, count, max_pieces, truths):
    """Random concatenations of the pieces a scorer reacts to."""
    return [("".join(rng.choice(alphabet) for _ in range(rng.randint(0, max_pieces))), rng.choice(truths)) for _ in range(count)]


def gsm8k_cases(rng):
    alphabet = list("0123456789#### -.,$\n xa") + ["####", "#### ", "😀", "é", "\u00a0", "\\boxed{", "}"]
    return (templated_cases(GSM8K_TRUTHS, GSM8K_ANSWER_FORMS, lambda t: f"Let's compute step by step.\n{t} apples.\n")
            + fixed_cases(GSM8K_FIXED, ["72", "1200", "10", "-3", "3.5"])
            + random_cases(rng, alphabet, 300, 60, GSM8K_TRUTHS))


MATH_TRUTHS = [
    "2", "\\frac{1}{2}", "\\dfrac{3}{4}", "0.5", "\\sqrt{3}", "2\\sqrt{2}", "10\\%", "(1,2)", "x^2+1", "\\text{(A)}",
    "5 \\text{ cm}", "\\$5", "90^\\circ", "k = 3", "\\left( 3, \\frac{\\pi}{2} \\right)", "3/4", "-\\frac{1}{3}",
    "\\infty", "\\{1,2,3\\}", "12", "1,\\!000", "\\pi", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", ".5", "a=b=c",
    "\\tfrac12", "\\frac12", "\\sqrt3", "", "\\text{Monday}", "-1", "\\$\\$", "x \\in [1,2]", "\\frac{\\sqrt{3}}{2}",
]

MATH_ANSWER_FORMS = [
    "\\boxed{{{a}}}", "\\boxed {a}", "\\boxed {a}$ and more", "$\\boxed{{{a}}}$", "\\fbox{{{a}}}", "\\boxed{{ {a} }}",
    "\\boxed{{{a}}} then \\boxed{{9}}", "\\boxed{{9}} then \\boxed{{{a}}}", "\\boxed{{{a}", "\\boxed{a}", "\\boxed{{{a}}}}}",
    "{{\\boxed{{{a}}}}}", "\\boxed{{\\boxed{{{a}}}}}", "\\boxed{{{a}}}.", "\\boxed{{{a} \\text{ units}}}",
    "\\boxed{{{a}\\%}}", "\\boxed{{\\left({a}\\right)}}", "\\boxed{{{a}^\\circ}}", "\\boxed{{x = {a}}}",
    "\\boxed{{\\dfrac{{{a}}}{{1}}}}", "\\boxed{{{a}}}\n", "The answer is {a}", "\\boxed", "\\boxed{{}}",
    "\\boxed{{\\!{a}}}", "\\boxed{{{a}\\text{ and }{a}}}", "\\boxed{{{a}\n}}", "\\boxed{{\\${a}}}",
]

MATH_FIXED = [
    "", "\\boxed", "\\boxed{", "\\boxed}", "\\boxed{}", "\\boxed{{}", "\\boxed{}}", "\\boxed ", "\\boxed $",
    "\\fbox{2}", "\\fbox", "\\boxed{2} \\fbox{3}", "\\fbox{3} \\boxed{2}", "\\boxed{2} \\boxed 3", "\\boxed 3 \\boxed{2}",
    "\\boxed{\\frac12}", "\\boxed{\\frac1{2}}", "\\boxed{\\frac{1}2}", "\\boxed{\\frac}", "\\boxed{\\frac1}",
    "\\boxed{\\frac\\frac12}", "\\boxed{\\sqrt}", "\\boxed{\\sqrt\\sqrt{2}}", "\\boxed{\\sqrt2}", "\\boxed{\\sqrt{2}}",
    "\\boxed{1/2}", "\\boxed{-1/2}", "\\boxed{01/2}", "\\boxed{1/02}", "\\boxed{+1/2}", "\\boxed{1 / 2}",
    "\\boxed{1/2/3}", "\\boxed{a/b}", "\\boxed{0.5}", "\\boxed{.5}", "\\boxed{ .5}", "\\boxed{\\{.5\\}}",
    "\\boxed{k=3}", "\\boxed{abc=3}", "\\boxed{x=y=3}", "\\boxed{=3}", "\\boxed{3=}", "\\boxed{5 \\text{ cm}}",
    "\\boxed{5 \\text{ cm} \\text{ m}}", "\\boxed{5\\text{cm}}", "\\boxed{10\\%}", "\\boxed{10\\\\%}", "\\boxed{\\$5}",
    "\\boxed{90^{\\circ}}", "\\boxed{\\left(1,2\\right)}", "\\boxed{\\dfrac{1}{2}}", "\\boxed{\\tfrac{1}{2}}",
    "\\boxed{\\text{(A)}}", "\\boxed{(A)}", "\\boxed{\\frac{\\sqrt{3}}{2}}", "\\boxed{\\frac{\\sqrt3}{2}}",
    "\\boxed{2}" + "x" * 5000, "y" * 5000 + "\\boxed{2}", "\\boxed{" + "{" * 50 + "2" + "}" * 50 + "}",
    "\\boxed{😀}", "\\boxed{\\sqrt😀}", "\\boxed{\\frac😀2}", "\\boxed{\\frac2😀}", "\\boxed{😀/2}", "\\boxed{٣/٤}",
    "\\boxed{1_0/2}", "\\boxed{" + "1" * 4301 + "/2}", "\\boxed{" + "1" * 4300 + "/2}", "\\boxed{\u00bd}",
    "\\boxed{2\n}", "\\boxed{\\!2}", "\\boxed{\\\\2}", "\\boxed{\\left\\{1\\right\\}}", "\\boxed{1,\\!000}",
    "\\boxed{\\text{ 5}}", "\\boxed{ 2 }", "\\boxed{2\t}", "\\boxed{2\u00a0}", "\\boxed{ﬁ}", "$\\boxed 2$ $\\boxed 3$",
]


def math_cases(rng):
    truths = ["2", "\\frac{1}{2}", "\\sqrt{2}", "5", "10", "\\text{(A)}", "1000", "1/2", "-\\frac{1}{2}", "😀"]
    alphabet = ["\\boxed", "\\boxed{", "\\boxed ", "\\fbox{", "{", "}", "$", "\\frac", "\\sqrt", "\\text{ ", "1", "2",
                "/", "=", ".", " ", "\n", "\\left", "\\right", "\\%", "^\\circ", "0.5", "😀", "a", "\\!", "\\\\"]
    return (templated_cases(MATH_TRUTHS, MATH_ANSWER_FORMS, lambda t: "We work it out.\n")
            + fixed_cases(MATH_FIXED, truths)
            + random_cases(rng, alphabet, 400, 25, truths + MATH_TRUTHS))


DAPO_TRUTHS = ["34", "\\frac{1}{2}", "1,000", "5", "x^2", "\\sqrt{2}", "\\text{A}", "2 \\text{ units}", "a=5", "0"]

DAPO_ANSWER_FORMS = [
    "Answer: {a}", "answer: {a}", "ANSWER:{a}", "Answer : {a}", "Answer:\t{a}", "Answer:\n{a}", "Answer: ${a}$",
    "Answer: $\\boxed{{{a}}}$", "Answer: \\boxed{{{a}}}", "Answer: x = {a}", "Answer: {a} units", "Answer: {a}.",
    "Answer: {a} dollars", "Answer: \\text{{{a}}}", "Answer: \\textbf{{{a}}}", "Answer: \\overline{{{a}}}",
    "Answer: {a}\nAnswer: 7", "Answer: 7\nAnswer: {a}", "The final Answer: {a}", "Answer:", "Answer: ",
    "Answer: an {a}", "Answer: a {a}", "Answer: {a}^\\circ", "Answer: {a} \\text{{m}}", "Answer: \"{a}\"",
    "Answer\u00a0: {a}", "Answer\u001c: {a}", "Anſwer: {a}", "ANſWER: {a}", "Answer: {a}\\;", "Answer: {a},\\!",
    "\\boxed{{{a}}}", "Answer: $ {a} $ and $ 9 $", "Answer: \\frac{a}2", "Answer: \\sqrt{a}", "Answer: {a}\r",
]

DAPO_FIXED = [
    "", "Answer", "Answer:", "Answer: \n", "Answer: [INVALID]", "[INVALID]", "Answer: 1,000", "Answer: 1,0,0,0",
    "Answer: ,", "Answer: 1,000.5", "Answer: ①②", "Answer: ²", "Answer: ٣٤", "Answer: 34", "Answer: 3 4",
    "Answer: \\fracab", "Answer: \\frac12", "Answer: \\fracabc", "Answer: \\sqrta", "Answer: \\sqrtab",
    "Answer: \\frac😀x", "Answer: \\sqrt😀", "Answer: \\frac{1}{2}", "Answer: $$", "Answer: $5$$", "Answer: $$5$",
    "Answer: \\boxed{5}}", "Answer: \\boxed{\\boxed{5}}", "Answer: \\text{\\text{5}}", "Answer: 5\\ldots",
    "Answer: 5 \\dots", "Answer: 5 \\text{s}", "Answer: 5\\mathrm{th}", "Answer: {,}5", "Answer: 5 square feet",
    "Answer: 5 sue", "Answer: childrentickets 5", "Answer: mbox{5}", "Answer: \\mbox{5}", "Answer: 5 \\text{and} 6",
    "Answer: 5,\\text{and} 6", "Answer: \\text{m}5", "Answer: 5.$", "Answer: \\$5", "Answer: 5\\ 6",
    "x" * 400 + "Answer: 34", "Answer: 34" + "y" * 300, "Answer: 34" + "y" * 289, "Answer: 34" + "😀" * 290,
    "😀" * 400 + "Answer: 34", "\\boxed{34}" + "z" * 95, "\\boxed{34}" + "z" * 85, "\\boxed{34}", "\\boxed{3}4}",
    "\\boxed{" + "34", "Answer: 34\n\nAnswer:", "Answer:\u3000 34", "Answer:\u000b34", "Answer:\u001f34",
]


def dapo_cases(rng):
    alphabet = ["Answer", "answer", ":", " ", "\n", "$", "\\boxed{", "{", "}", "\\text{", "\\frac", "\\sqrt", "1", "2",
                ",", "=", ".", "units", "an ", "a ", "😀", "\u00a0", "\\!", "\\;"]
    return (templated_cases(DAPO_TRUTHS, DAPO_ANSWER_FORMS, lambda t: "Reasoning...\n")
            + fixed_cases(DAPO_FIXED, ["34", "1000", "1,000", "\\frac{1}{2}", "5", "[INVALID]", "①②", "6"])
            + random_cases(rng, alphabet, 400, 25, DAPO_TRUTHS))


def reward_corpus(reward_score):
    rng = random.Random(20240601)
    from verl.utils.reward_score import gsm8k, math_dapo  # noqa: E402  (submodules of the loaded package)

    records = []

    def add(data_source, solution, truth, kwargs=None):
        if kwargs is None:
            result = reward_score.default_compute_score(data_source, solution, truth)
        elif data_source == "openai/gsm8k":
            result = float(gsm8k.compute_score(solution, truth, **kwargs))
        else:
            result = math_dapo.compute_score(solution, truth, **kwargs)
        record = {"data_source": data_source, "solution_str": solution, "ground_truth": truth}
        if kwargs:
            record["reward_kwargs"] = kwargs
        if isinstance(result, dict):
            record["score"] = result["score"]
            record["extras"] = {k: v for k, v in result.items() if k != "score"}
        else:
            record["score"] = result
        records.append(record)

    for solution, truth in gsm8k_cases(rng):
        add("openai/gsm8k", solution, truth)
    for solution, truth in gsm8k_cases(rng)[::3]:
        add("openai/gsm8k", solution, truth, {"method": "flexible"})
    for solution, truth in gsm8k_cases(rng)[::7]:
        add("openai/gsm8k", solution, truth, {"format_score": 0.1, "score": 2.0})

    math_sources = ["lighteval/MATH", "DigitalLearningGmbH/MATH-lighteval", "HuggingFaceH4/MATH-500"]
    for i, (solution, truth) in enumerate(math_cases(rng)):
        add(math_sources[i % 3], solution, truth)

    dapo_sources = ["math_dapo", "math", "math_dapo_reasoning", "aime2024", "aime", "aime_anything"]
    for i, (solution, truth) in enumerate(dapo_cases(rng)):
        add(dapo_sources[i % len(dapo_sources)], solution, truth)
    for solution, truth in dapo_cases(rng)[::4]:
        add("math_dapo", solution, truth, {"strict_box_verify": True})
    return records


# ---------------------------------------------------------------------------------------------------------------
# Metrics: synthetic validation batches through process_validation_metrics, named with _validate's rule.


def verl_metric_names(data_src2var2metric2val):
    # The naming rule of RayPPOTrainer._validate (verl/trainer/ppo/ray_trainer.py), which lives inline in that
    # 2,000-line method rather than in a function this script could import.
    metric_dict = {}
    for data_source, var2metric2val in data_src2var2metric2val.items():
        core_var = "acc" if "acc" in var2metric2val else "reward"
        for var_name, metric2val in var2metric2val.items():
            n_max = max([int(name.split("@")[-1].split("/")[0]) for name in metric2val.keys()])
            for metric_name, metric_val in metric2val.items():
                if (
                    (var_name == core_var)
                    and any(metric_name.startswith(pfx) for pfx in ["mean", "maj", "best"])
                    and (f"@{n_max}" in metric_name)
                ):
                    metric_sec = "val-core"
                else:
                    metric_sec = "val-aux"
                metric_dict[f"{metric_sec}/{data_source}/{var_name}/{metric_name}"] = float(metric_val)
    return metric_dict


def codex_pass_at_k(n, c, k):
    # Chen et al. 2021 (Codex), the numerically stable unbiased estimator.
    if n - c < k:
        return 1.0
    return 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def pass_at_k_metrics(data_sources, uids, infos):
    # pass@k for every variable whose values are all in {-1, 0, 1} (bools included); a sample passes when > 0.
    groups = {}
    for i, (source, uid) in enumerate(zip(data_sources, uids)):
        groups.setdefault(source, {}).setdefault(uid, []).append(i)
    out = {}
    for source, uid2idx in groups.items():
        per_metric = {}
        for var_name, values in infos.items():
            for uid, idx in uid2idx.items():
                vals = [values[i] for i in idx]
                if isinstance(vals[0], str) or any(float(v) not in (-1.0, 0.0, 1.0) for v in vals):
                    continue
                n = len(vals)
                c = sum(1 for v in vals if float(v) > 0)
                ks = [1]
                k = 2
                while k < n:
                    ks.append(k)
                    k *= 2
                if n > 1:
                    ks.append(n)
                for k in ks:
                    per_metric.setdefault((var_name, k), []).append(codex_pass_at_k(n, c, k))
        for (var_name, k), uid_vals in per_metric.items():
            out[f"val-aux/{source}/{var_name}/pass@{k}"] = float(np.mean(uid_vals))
    return out


def metric_batches():
    rng = random.Random(7)
    batches = []

    def batch(name, rows):
        # rows: (data_source, uid, {var: value})
        batches.append({"name": name, "samples": [{"data_source": s, "uid": u, **v} for s, u, v in rows]})

    rows = []
    for q in range(40):
        rows.append(("openai/gsm8k", f"q{q}", {"reward": float(rng.random() < 0.6)}))
    batch("gsm8k_n1_legacy", rows)

    rows = []
    for q in range(30):
        score = float(rng.random() < 0.5)
        rows.append(("openai/gsm8k", f"g{q}", {"reward": score, "acc": score}))
    batch("gsm8k_n1_reward_loop", rows)

    def dapo_rows(source, prefix, n_prompts, n):
        out = []
        for q in range(n_prompts):
            truth_rate = rng.random()
            for _ in range(n):
                pred = rng.choice(["34", "35", "[INVALID]", "1/2", "é"])
                acc = rng.random() < truth_rate
                score = 1.0 if acc else -1.0
                out.append((source, f"{prefix}{q}", {"reward": score, "score": score, "acc": acc, "pred": pred}))
        return out

    batch("math_dapo_n4", dapo_rows("math_dapo", "d", 12, 4))
    batch("aime_n16", dapo_rows("aime2024", "a", 5, 16))
    batch("mixed_n5_n3_n2", dapo_rows("math_dapo", "m", 6, 5) + dapo_rows("aime2025", "b", 4, 3)
          + dapo_rows("math", "c", 3, 2))

    rows = []
    for q in range(9):
        n = [2, 4, 3][q % 3]
        for _ in range(n):
            rows.append(("lighteval/MATH", f"v{q}", {"reward": rng.choice([0.0, 1.0])}))
    batch("uneven_n_same_source", rows)

    rows = []
    for q in range(8):
        for _ in range(8):
            rows.append(("custom/continuous", f"c{q}", {"reward": rng.gauss(0.3, 1.7), "len": float(rng.randint(1, 900))}))
    batch("continuous_n8", rows)

    rows = []
    for q in range(6):
        for k in range(6):
            pred = ["a", "b", "c"][(q + k) % 3] if q % 2 else ["x", "y"][k % 2]
            rows.append(("ties", f"t{q}", {"reward": float(k % 2), "acc": bool(k % 3 == 0), "pred": pred}))
    batch("maj_ties_n6", rows)

    rows = []
    sources = ["openai/gsm8k", "lighteval/MATH", "math_dapo"]
    order = []
    for q in range(10):
        for _ in range(7):
            order.append((sources[q % 3], f"i{q}"))
    rng.shuffle(order)
    for source, uid in order:
        acc = rng.random() < 0.4
        rows.append((source, uid, {"reward": 1.0 if acc else 0.0, "acc": acc, "pred": rng.choice(["1", "2", "3"])}))
    batch("interleaved_sources_n7", rows)

    rows = [("single", "only", {"reward": 1.0}), ("single", "only", {"reward": 0.0})]
    batch("single_uid_n2", rows)
    return batches


def metrics_golden(metric_utils):
    out = []
    for b in metric_batches():
        samples = b["samples"]
        data_sources = [s["data_source"] for s in samples]
        uids = [s["uid"] for s in samples]
        var_names = [k for k in samples[0] if k not in ("data_source", "uid")]
        infos = {v: [s[v] for s in samples] for v in var_names}
        result = metric_utils.process_validation_metrics(data_sources, uids, infos)
        out.append({
            "name": b["name"],
            "samples": samples,
            "expected": verl_metric_names(result),
            "expected_pass_at_k": pass_at_k_metrics(data_sources, uids, infos),
        })
    return out


# ---------------------------------------------------------------------------------------------------------------
# numpy random streams


def numpy_streams():
    legacy = []
    for n, k in [(1, 4), (2, 4), (3, 2), (5, 4), (7, 8), (16, 16), (100, 3), (1000, 1)]:
        np.random.seed(42)
        idx = np.random.choice(n, size=(1000, k), replace=True)
        legacy.append({"n": n, "k": k, "indices": idx.ravel().tolist()})
    choices = []
    for total, size, seed in [(10, 3, 0), (1319, 100, 42), (5000, 4999, 1), (5000, 1, 2**40 + 5), (20000, 100, 7),
                              (20000, 500, 7), (100000, 1000, 5), (100000, 3000, 123), (12000, 11999, 9), (3, 2, 0)]:
        rng = np.random.default_rng(seed)
        choices.append({"total": total, "size": size, "seed": seed,
                        "indices": rng.choice(total, size=size, replace=False).tolist()})
    return {"numpy": np.__version__, "legacy_choice": legacy, "generator_choice": choices}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    verl_dir = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    reward_score, metric_utils = load_verl(verl_dir)

    import io
    import contextlib

    with contextlib.redirect_stdout(io.StringIO()):  # math_reward prints the exceptions it swallows
        rewards = reward_corpus(reward_score)
    with open(os.path.join(out_dir, "rewards.jsonl"), "w", encoding="utf-8") as f:
        for r in rewards:
            f.write(json.dumps(r, ensure_ascii=True) + "\n")
    with open(os.path.join(out_dir, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": metrics_golden(metric_utils)}, f, ensure_ascii=True, indent=1)
        f.write("\n")
    with open(os.path.join(out_dir, "numpy_random.json"), "w", encoding="utf-8") as f:
        json.dump(numpy_streams(), f, separators=(",", ":"))
        f.write("\n")
    counts = {}
    for r in rewards:
        counts[r["data_source"]] = counts.get(r["data_source"], 0) + 1
    print(f"rewards.jsonl: {len(rewards)} cases {counts}")


if __name__ == "__main__":
    main()
