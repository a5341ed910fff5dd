#!/usr/bin/python3
"""Writes the golden files for the built-in scorers added after generate.py (Search-R1 QA exact match), using
verl's own Python functions.

Usage:  /usr/bin/python3 tests/Evaluation/Golden/generate_scorers.py VERL_DIR [OUT_DIR]

VERL_DIR must hold verl/utils/reward_score/{__init__.py,search_r1_like_qa_em.py} (a verl checkout, or copies of
those files; README.md names the commits the committed goldens came from). verl's code is imported from there and
run unmodified; nothing of it is copied into this repository. Plain Python 3, no packages. Output is deterministic.

Outputs (OUT_DIR defaults to this script's folder):
  search_r1.jsonl  one case per line: inputs + the score verl's default_compute_score (or, for cases with
                   reward_kwargs, search_r1_like_qa_em.compute_score with those keyword arguments) returns
"""

import contextlib
import io
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verl_import import load_reward_score  # noqa: E402

SEARCH_R1_SOURCES = [
    "searchR1_nq",
    "searchR1_triviaqa",
    "searchR1_popqa",
    "searchR1_hotpotqa",
    "searchR1_2wikimultihopqa",
    "searchR1_musique",
    "searchR1_bamboogle",
]


# ---------------------------------------------------------------------------------------------------------------
# Search-R1 corpus: realistic rollouts (think / search / information / answer) plus the edges of normalize_answer
# (case, punctuation, articles and the \b around them, Python whitespace, Unicode lowercasing incl. final sigma).

QA_TARGETS = [
    ["Paris"],
    ["The Beatles", "Beatles"],
    ["Barack Obama", "Obama", "Barack Hussein Obama II"],
    ["1969"],
    ["an apple a day"],
    ["U.S.A.", "United States"],
    ["Zürich", "Zurich"],
    ["İstanbul"],
    ["ΟΔΥΣΣΕΥΣ"],
    ["naïve art"],
    ["東京"],
    ["don't stop believin'"],
    ["the the"],
    ["A"],
    ["Ⅻ century"],
    ["𐐀pple"],
    ["cafe\u0301"],
    ["Mount Everest", "Everest", "Sagarmatha"],
    ["3.14"],
    [""],
    "Paris",
    "The Who",
]

ANSWER_VARIANTS = [
    "{a}",
    "{A}",
    "{l}",
    "the {a}",
    "The {a}",
    "a {a}",
    "An {a}",
    "  {a}  ",
    "{a}.",
    "{a}!?",
    "\"{a}\"",
    "({a})",
    "{a}\n",
    "\u3000{a}\u00a0",
    "\x1c{a}\x1f",
    "{a}\u200b",
    "theo {a}",
    "{a} the",
    "_the {a}",
    "2the {a}",
    "²the {a}",
    "Ⅻthe {a}",
    "é the {a}",
    "e\u0301the {a}",
    "𝐀the {a}",
    "the's {a}",
    "a-{a}",
    "{a}, the answer",
    "{a}\u2019",
    "{a}\u3002",
    "not {a}",
    "London",
    "",
    " ",
]

RESPONSE_FORMS = [
    "<think>Let me look this up.</think>\n<answer>{x}</answer>",
    "<answer>{x}</answer>",
    "<think>I need to search.</think>\n<search>who is it</search>\n<information>Doc 1 (Title: X) something</information>\n<think>Found it.</think>\n<answer>{x}</answer>",
    "<answer>Rome</answer> then <answer>{x}</answer>",
    "<answer>{x}</answer> then <answer>Rome</answer>",
    "<answer>{x}</answer><answer></answer>",
    "<answer>{x}",
    "{x}</answer>",
    "<Answer>{x}</Answer>",
    "<answer>{x}</answer >",
    "<answer><answer>{x}</answer></answer>",
    "<answer>\n{x}\n</answer>",
    "<answer>first\n</answer>\n<answer>\n{x}</answer>\n",
    "The answer is {x}.",
    "<answer>{x}</answer>" + "</answer>" * 10,
    "<answer>{x}</answer>" + "</answer>" * 9,
    "<answer>" * 11 + "{x}</answer>",
    "<answer>" * 10 + "{x}</answer>",
    "<answer>x</answer>" * 10 + "<answer>{x}</answer>",
    "<answer>x</answer>" * 9 + "<answer>{x}</answer>",
    "<answer>x</answer>" * 12 + "<answer>wrong</answer>",
    "<answer></answer>",
    "",
]


def first_target(target):
    return target if isinstance(target, str) else target[0]


def search_r1_corpus(reward_score):
    from verl.utils.reward_score import search_r1_like_qa_em

    random.seed(0)
    cases = []

    def add(data_source, solution, ground_truth, kwargs=None):
        if kwargs is None:
            res = reward_score.default_compute_score(data_source, solution, ground_truth)
        else:
            res = float(search_r1_like_qa_em.compute_score(solution, ground_truth, **kwargs))
        case = {"data_source": data_source, "solution_str": solution, "ground_truth": ground_truth, "score": res}
        if kwargs is not None:
            case["reward_kwargs"] = kwargs
        cases.append(case)

    i = 0
    for target in QA_TARGETS:
        answer = first_target(target)
        ground_truth = {"target": target}
        for variant in ANSWER_VARIANTS:
            x = variant.format(a=answer, A=answer.upper(), l=answer.lower())
            for form in (RESPONSE_FORMS[0], RESPONSE_FORMS[2]):
                add(SEARCH_R1_SOURCES[i % len(SEARCH_R1_SOURCES)], form.replace("{x}", x), ground_truth)
                i += 1
        for form in RESPONSE_FORMS:
            add(SEARCH_R1_SOURCES[i % len(SEARCH_R1_SOURCES)], form.replace("{x}", answer), ground_truth)
            i += 1

    # Greek capital sigma next to cased / case-ignorable characters: Python lowercases it to final sigma or not.
    for word in ["ΟΔΥΣΣΕΥΣ", "ΣΑ", "ΑΣ", "Σ", "ΑΣ.", "ΑΣ'Α", "Α'Σ", "ΑΣ\u0301", "ΑΣ\u0301Β", "1Σ", "ΑΣ1", "ΑΣ Β", "ΑΣ-Β", "ὈΔΥΣΣΕΎΣ"]:
        lower_final = word.lower()
        for truth in [word, lower_final, lower_final.replace("ς", "σ"), lower_final.replace("σ", "ς")]:
            add(SEARCH_R1_SOURCES[i % len(SEARCH_R1_SOURCES)], f"<answer>{word}</answer>", {"target": [truth]})
            i += 1

    # Random mixes of the characters normalize_answer cares about.
    alphabet = list("aAnNtThHeE .,!'\"-_") + ["\u00a0", "\u3000", "\x1c", "\n", "İ", "Σ", "ß", "é", "\u0301", "𝐀", "²", "Ⅻ", "_", "€", "“", "”"]
    rng = random.Random(1234)
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        other = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        truth = rng.choice([text, text.upper(), text.lower(), other, "the " + text, text + " an"])
        add(SEARCH_R1_SOURCES[i % len(SEARCH_R1_SOURCES)], f"<think>t</think><answer>{text}</answer>", {"target": [other, truth]})
        i += 1

    # Keyword arguments of compute_score itself (default_compute_score passes none).
    for kwargs in [{"format_score": 0.1, "score": 2.0}, {"format_score": 0.25}, {"score": 3.0}]:
        for form in ["<answer>Paris</answer>", "<answer>Rome</answer>", "no tags", "<answer>Paris</answer>" + "</answer>" * 10]:
            add("searchR1_nq", form, {"target": ["Paris"]}, kwargs)
    return cases


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    verl_dir = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    reward_score = load_reward_score(verl_dir)

    with contextlib.redirect_stdout(io.StringIO()):  # compute_score prints one sample in 64
        cases = search_r1_corpus(reward_score)
    with open(os.path.join(out_dir, "search_r1.jsonl"), "w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=True) + "\n")
    scores = {}
    for case in cases:
        scores[case["score"]] = scores.get(case["score"], 0) + 1
    print(f"search_r1.jsonl: {len(cases)} cases, scores {dict(sorted(scores.items()))}")


if __name__ == "__main__":
    main()
