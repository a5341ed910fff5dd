"""Writes the import fixtures in verl's exact output formats, scored by verl's own functions.

    /usr/bin/python3 tools/imports/make_import_fixtures.py VERL_DIR tests/Evaluation/Imports/Fixtures
    node tools/imports/write_generation_parquet.mjs tests/Evaluation/Imports/Fixtures/generation_rows.json \
        tests/Evaluation/Imports/Fixtures/generation/gsm8k_responses.parquet

VERL_DIR needs verl/utils/reward_score/gsm8k.py and verl/trainer/ppo/metric_utils.py (process_validation_metrics,
bootstrap_metric, calc_maj_val); they are imported from there and run unmodified, nothing of verl is committed. The
fixtures were generated from gsm8k.py @ 092781d (no 300-character clip) and metric_utils.py @ 01bd7e8.

What it writes:
- val_dumps/{0,40,80}.jsonl: trainer.validation_data_dir as RayPPOTrainer._dump_generations writes it (one
  json.dumps(entry, ensure_ascii=False) per sample; input, output, gts, score, step, then the reward extras whose
  list has one value per sample: "reward"). Six gsm8k prompts, n = 2 (verl repeats each prompt, interleaved); more
  answers are right at later steps. At step 80 one response is over 300 characters with its "#### 72" early: this
  verl's gsm8k scores it 1.0, the grid's (verl's later 300-character clip) 0.0 - a real disagreement between verl
  versions, which an import must report.
- val_dumps_expected.json: per step, verl's metrics over the stored scores (process_validation_metrics grouped by
  prompt, named as RayPPOTrainer._validate names them) for data source openai/gsm8k.
- custom_dump/120.jsonl + custom_dump_expected.json: a dump scored by a user's own dict-returning reward (score,
  acc, pred; n = 4) for a data source no built-in reward routes: the import keeps verl's scores; expected metrics
  from verl's function, maj@k included.
- bad_dump/7.jsonl: valid lines around malformed ones (bad JSON, a string score, no output, a list extra, invalid
  UTF-8, a blank line).
- generation_rows.json (-> generation/gsm8k_responses.parquet by the node script): main_generation's output, the
  gsm8k rows plus a "responses" list of n = 3 strings; generation_expected.json: verl's gsm8k score of every
  response and main_eval.py's test_score (the mean over rows of each row's mean score).
"""
import importlib.util
import json
import os
import sys


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def verl_metric_names(data_src2var2metric2val):
    # RayPPOTrainer._validate's naming rule, restated (it is inline in that method).
    metric_dict = {}
    for data_source, var2metric2val in data_src2var2metric2val.items():
        core_var = "acc" if "acc" in var2metric2val else "reward"
        for var_name, metric2val in var2metric2val.items():
            n_max = max([int(name.split("@")[-1].split("/")[0]) for name in metric2val.keys()])
            for metric_name, metric_val in metric2val.items():
                core = var_name == core_var and any(metric_name.startswith(p) for p in ["mean", "maj", "best"]) and f"@{n_max}" in metric_name
                metric_dict[f"{'val-core' if core else 'val-aux'}/{data_source}/{var_name}/{metric_name}"] = float(metric_val)
    return metric_dict


def dump(path, step, inputs, outputs, gts, scores, reward_extra_infos_dict):
    # RayPPOTrainer._dump_generations, restated: same keys, order and json.dumps arguments.
    n = len(inputs)
    base_data = {"input": inputs, "output": outputs, "gts": gts, "score": scores, "step": [step] * n}
    for k, v in reward_extra_infos_dict.items():
        if len(v) == n:
            base_data[k] = v
    lines = [json.dumps({k: v[i] for k, v in base_data.items()}, ensure_ascii=False) for i in range(n)]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


QWEN = "system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\nuser\n{q} Let's think step by step and output the final answer after \"####\".\nassistant\n"
PROBLEMS = [
    ("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?", "72"),
    ("Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?", "10"),
    ("Betty is saving money for a new wallet which costs $100. How much more money does Betty need?", "5"),
    ("Julie is reading a 120-page book. Yesterday, she was able to read 12 pages. How many pages should she read?", "42"),
    ("James writes a 3-page letter to 2 different friends twice a week. How many pages does he write a year?", "624"),
    ("Mark has a garden with flowers — café owners buy them (日本語 too). How many flowers are there?", "35"),
]


def answer(gt, right, i):
    return f"Let me work it out step by step. The answer is {gt}.\n#### {gt}" if right else f"I think it is {int(gt) + i + 1}.\n#### {int(gt) + i + 1}"


def main():
    verl_dir, out = sys.argv[1], sys.argv[2]
    gsm8k = load(os.path.join(verl_dir, "verl/utils/reward_score/gsm8k.py"), "verl_gsm8k")
    metric_utils = load(os.path.join(verl_dir, "verl/trainer/ppo/metric_utils.py"), "verl_metric_utils")
    os.makedirs(os.path.join(out, "val_dumps"), exist_ok=True)
    expected = {}
    # Which (prompt, sample) are answered right at each step: the run improves.
    right_at = {0: {(0, 0), (1, 1), (4, 0)}, 40: {(0, 0), (0, 1), (1, 0), (2, 1), (4, 0), (5, 0)},
                80: {(0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1), (5, 0), (5, 1)}}
    for step, right in right_at.items():
        inputs, outputs, gts, uids = [], [], [], []
        for p, (question, gt) in enumerate(PROBLEMS):
            for s in range(2):
                inputs.append(QWEN.format(q=question))
                outputs.append(answer(gt, (p, s) in right, s))
                gts.append(gt)
                uids.append(f"uid-{p}")
        if step == 80:
            # Over 300 characters, "#### 72" early and no later "####": scored 1.0 here, 0.0 with the clip.
            outputs[0] = "First 48 + 24.\n#### 72\n" + "Checking the arithmetic once more to be sure of every step. " * 6
        scores = [float(gsm8k.compute_score(o, g)) for o, g in zip(outputs, gts)]
        dump(os.path.join(out, "val_dumps", f"{step}.jsonl"), step, inputs, outputs, gts, scores, {"reward": scores})
        result = metric_utils.process_validation_metrics(["openai/gsm8k"] * len(scores), uids, {"reward": scores})
        expected[str(step)] = verl_metric_names(result)
    with open(os.path.join(out, "val_dumps_expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)

    # A user's own reward: dicts with score/acc/pred, n = 4, ties in the votes.
    os.makedirs(os.path.join(out, "custom_dump"), exist_ok=True)
    inputs, outputs, gts, uids, extras = [], [], [], [], {"reward": [], "score": [], "acc": [], "pred": []}
    preds = [["7", "7", "8", "7"], ["x", "y", "x", "y"], ["12", "12", "12", "12"]]
    for p, votes in enumerate(preds):
        for s, pred in enumerate(votes):
            inputs.append(f"user\nPuzzle {p}: what is the word for «{p}»?\nassistant\n")
            outputs.append(f"<think>…</think> answer: {pred}")
            gts.append({"target": ["7", "x", "13"][p]})
            uids.append(f"p{p}")
            acc = pred == ["7", "x", "13"][p]
            score = 1.0 if acc else -0.5
            extras["reward"].append(score)
            extras["score"].append(score)
            extras["acc"].append(acc)
            extras["pred"].append(pred)
    dump(os.path.join(out, "custom_dump", "120.jsonl"), 120, inputs, outputs, gts, extras["reward"], extras)
    result = metric_utils.process_validation_metrics(["my_puzzles"] * len(inputs), uids, extras)
    with open(os.path.join(out, "custom_dump_expected.json"), "w") as f:
        json.dump(verl_metric_names(result), f, indent=1, sort_keys=True)

    # Malformed lines among good ones (the good ones copy step 0's first three samples).
    os.makedirs(os.path.join(out, "bad_dump"), exist_ok=True)
    with open(os.path.join(out, "val_dumps", "0.jsonl"), "rb") as f:
        good = f.read().split(b"\n")
    bad = [good[0], b'{"input": "x", "output": ', b'{"input": "x", "output": "y", "gts": "1", "score": "high", "step": 7}',
           b'{"input": "x", "gts": "1", "score": 1.0, "step": 7}', good[1], b"",
           b'{"input": "x", "output": "y", "gts": "1", "score": 0.0, "step": 7, "tokens": [1, 2]}',
           b'{"input": "x", "output": "\xff\xfe", "gts": "1", "score": 0.0, "step": 7}', good[2]]
    with open(os.path.join(out, "bad_dump", "7.jsonl"), "wb") as f:
        f.write(b"\n".join(bad).replace(b'"step": 0', b'"step": 7') + b"\n")

    # main_generation output: gsm8k rows with n = 3 responses each.
    rows, per_sample, row_means = [], [], []
    for p, (question, gt) in enumerate(PROBLEMS[:4]):
        responses = [answer(gt, (p + s) % 2 == 0, s) for s in range(3)]
        rows.append({
            "data_source": "openai/gsm8k",
            "prompt": [{"content": question + " Let's think step by step and output the final answer after \"####\".", "role": "user"}],
            "ability": "math",
            "reward_model": {"ground_truth": gt, "style": "rule"},
            "extra_info": {"answer": f"... #### {gt}", "index": p, "question": question, "split": "test"},
            "responses": responses,
        })
        scores = [float(gsm8k.compute_score(r, gt)) for r in responses]
        per_sample.append(scores)
        row_means.append(sum(scores) / len(scores))
    with open(os.path.join(out, "generation_rows.json"), "w") as f:
        json.dump(rows, f, ensure_ascii=False, indent=1)
    with open(os.path.join(out, "generation_expected.json"), "w") as f:
        json.dump({"scores": per_sample, "test_score/openai/gsm8k": sum(row_means) / len(row_means)}, f, indent=1)


if __name__ == "__main__":
    main()
