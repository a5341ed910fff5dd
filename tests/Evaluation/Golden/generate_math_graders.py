#!/usr/bin/python3
"""Writes the golden files for the sympy-backed built-in scorers (geometry3k through mathruler, PRIME math), using
verl's and mathruler's own Python functions.

Usage:  /usr/bin/python3 tests/Evaluation/Golden/generate_math_graders.py VERL_DIR MATHRULER_DIR [OUT_DIR]

VERL_DIR must hold verl/utils/reward_score/{__init__.py,geo3k.py,prime_math/{__init__,grader,math_normalize}.py} and
verl/utils/py_functional.py (timeout_limit); MATHRULER_DIR must hold mathruler/{__init__,grader,math_normalize}.py.
README.md names the commits the committed goldens came from. Their code is imported from there and run unmodified;
nothing of it is copied into this repository. Needs sympy and pylatexenc (Debian: python3-sympy python3-pylatexenc)
and numpy. Output is deterministic.

Outputs (OUT_DIR defaults to this script's folder), one case per line: data_source, solution_str, ground_truth and
the score verl's default_compute_score returns:
  geo3k.jsonl       hiyouga/geometry3k (verl's geo3k.compute_score: 0.9 * mathruler grade_answer + 0.1 * format)
  prime_math.jsonl  the six numina_* sources (verl's prime_math.compute_score, float of its first element)
"""

import contextlib
import io
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verl_import import load_reward_score  # noqa: E402

PRIME_SOURCES = [
    "numina_aops_forum",
    "numina_synthetic_math",
    "numina_amc_aime",
    "numina_synthetic_amc",
    "numina_cn_k12",
    "numina_olympiads",
]

# Answers as geometry3k and NuminaMath write them, and the ways a model writes (or miswrites) them.
TRUTHS = [
    "12", "60", "3\\sqrt{3}", "\\frac{4}{3}", "2.5", "8\\sqrt{2}", "21.3", "\\frac{\\sqrt{3}}{2}", "4\\pi", "0.5",
    "1,200", "-3", "(1, 2)", "[0, 1)", "3/4", "7 1/2", "\\text{12}", "50^\\circ", "12 cm", "\\$5", "100\\%", "x=5",
    "\\text{(C)}", "C", "a^2+b^2", "1000", "2\\sqrt{13}", "\\frac{1}{2}", "x^2", "\\infty",
]

CANDIDATES = [
    "12", "12.0", "12.00", "1.2e1", "012", "+12", "12 cm", "12^\\circ", "12 degrees", "\\text{12}", "{12}", "12\\%",
    "\\$12", "1,2", "twelve", "13", "12.0000001", "11.99999999", "12.00000001", "60", "60^{\\circ}", "4/3", "8/6",
    "\\frac43", "\\dfrac{4}{3}", "1.333", "\\frac{4}{3}", "3\\sqrt3", "3 \\sqrt{3}", "3*sqrt(3)", "sqrt(27)", "5.196",
    "\\sqrt{27}", "x", "abc", "pi", "2.50", "5/2", "\\frac{5}{2}", "2 1/2", "8 \\sqrt{2}", "\\sqrt{128}", "21.30",
    "\\frac{\\sqrt3}{2}", "4 \\pi", "4pi", "12.566", "1/2", ".5", "0.50", "1200", "1,200", "1 200", "-3", "- 3",
    "-3.0", "(1,2)", "( 1 , 2 )", "[1,2)", "(2, 1)", "[0,1)", "(0, 1)", "0.75", "\\frac{3}{4}", "6/8", "7.5",
    "15/2", "7+1/2", "50", "50 degree", "12cm", "5", "\\$5.00", "100", "1", "x = 5", "5 or 6", "5 and 6", "(C)",
    "\\text{C}", "c", "b^2+a^2", "a^2 + b^2", "1,000", "1000.0", "10^3", "1 million", "2\\sqrt{13}", "\\sqrt{52}",
    "0.5", "x^2", "x**2", "\\infty", "inf", "", " ", "None", "\\sqrt{}", "\\frac{}{}", "1e400", "nan", "1_000",
    "\\left( 1, 2 \\right)", "\\{1, 2\\}", "\\text{ cm}12", "4\\text{ cm}", "12\\,\\text{cm}", "12 meters",
    "2 hours", "1/0", "0/5", "-0", "3.0e0", "٣", "１２", "12\u00a0", "ẞ", "x^{2}", "x^(2)", "x^23", "2^2^2",
]

GEO_FORMS = [
    "<think>The radius is given, so we compute.</think> The answer is \\boxed{{{x}}}.",
    "<think>t</think>\\boxed{{{x}}}",
    "\\boxed{{{x}}}",
    "<think>t</think> so {x}",
    "<think>t</think> \\boxed{{1}} then \\boxed{{{x}}}",
    "<think>t \\boxed{{{x}}}</think> done",
    "<think>t</think> \\boxed{{{x}",
    "<think>t</think> \\boxed {{{x}}}",
    "<think>t</think>\n\n\\boxed{{\\boxed{{{x}}}}}",
    "<THINK>t</THINK> \\boxed{{{x}}}",
    "<think>t</think>\\fbox{{{x}}}",
]

PRIME_FORMS = [
    "The answer is {x}",
    "Step 1: set up.\nStep 2: solve.\nThe final answer is $\\boxed{{{x}}}$.",
    "answer: {x}",
    "{x} is the answer",
    "so x = {x}",
    "We get {x}. Done",
    "Therefore the answers are {x}",
    "{x}",
    "\\fbox{{{x}}}",
    "The ANSWER IS {x}\n",
    "İ: answer is {x}",
    "It must be {x}",
    "\\boxed{{ {x} }} is wrong, the answer is 5",
    "Thus: {x}\n",
]


def corpus(reward_score, data_sources, forms, seed, candidates_per_truth):
    """Each truth against itself and candidates_per_truth of CANDIDATES (all of them when None), in random forms."""
    rng = random.Random(seed)
    cases = []

    def add(solution, ground_truth):
        source = data_sources[len(cases) % len(data_sources)]
        score = reward_score.default_compute_score(source, solution, ground_truth)
        cases.append({"data_source": source, "solution_str": solution, "ground_truth": ground_truth, "score": score})

    for truth in TRUTHS:
        chosen = CANDIDATES if candidates_per_truth is None else rng.sample(CANDIDATES, candidates_per_truth)
        for candidate in [truth] + chosen:
            add(rng.choice(forms).format(x=candidate), truth)
    for form in forms:
        for truth in TRUTHS[:6]:
            add(form.format(x=truth), truth)

    # Random mixes of the characters the normalisers and the answer matchers react to.
    pieces = ["1", "2", "12", "0", ".", ",", "/", "-", " ", "x", "=", "^", "{", "}", "(", ")", "[", "]", "\\frac", "\\sqrt",
              "\\text{", "\\%", "%", "$", "\\$", "cm", "degree", "s", "\\circ", "\\!", "is ", "answer: ", "\\boxed{", "e", "_",
              "\n", "\t", "\x1c", "million", " and ", " or ", "pi", "inf"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        truth = rng.choice([rng.choice(TRUTHS), "".join(rng.choice(pieces[:16]) for _ in range(rng.randint(1, 5)))])
        add(rng.choice(forms).format(x=text), truth)
    return cases


def write(out_dir, name, cases):
    with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=True) + "\n")
    scores = {}
    for case in cases:
        scores[case["score"]] = scores.get(case["score"], 0) + 1
    print(f"{name}: {len(cases)} cases, scores {dict(sorted(scores.items()))}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    verl_dir, mathruler_dir = sys.argv[1], sys.argv[2]
    out_dir = sys.argv[3] if len(sys.argv) > 3 else os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.abspath(mathruler_dir))
    reward_score = load_reward_score(verl_dir)

    with contextlib.redirect_stdout(io.StringIO()):
        geo3k = corpus(reward_score, ["hiyouga/geometry3k"], GEO_FORMS, 3, None)
    write(out_dir, "geo3k.jsonl", geo3k)
    # prime_math forks a process for each sympy step (verl's timeout_limit), so it gets a sample of the candidates.
    with contextlib.redirect_stdout(io.StringIO()):  # prime_math prints sympy errors and timeouts
        prime = corpus(reward_score, PRIME_SOURCES, PRIME_FORMS, 7, 36)
    write(out_dir, "prime_math.jsonl", prime)


if __name__ == "__main__":
    main()
