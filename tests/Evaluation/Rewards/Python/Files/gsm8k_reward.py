"""verl's gsm8k rule (verl/utils/reward_score/gsm8k.py) as a custom_reward_function file.

Look only at the last 300 characters; "strict" takes the last "#### <number>" with commas and "$" removed,
"flexible" the last number-like run that is not "" or "."; the answer must equal the ground truth string exactly:
score when it does, format_score when it does not, 0 when nothing was found.
"""
import re

_SOLUTION_CLIP_CHARS = 300


def extract_solution(solution_str, method="strict"):
    assert method in ("strict", "flexible")
    if len(solution_str) > _SOLUTION_CLIP_CHARS:
        solution_str = solution_str[-_SOLUTION_CLIP_CHARS:]
    if method == "strict":
        solutions = re.findall(r"#### (\-?[0-9\.\,]+)", solution_str)
        if not solutions:
            return None
        return solutions[-1].replace(",", "").replace("$", "")
    candidates = re.findall(r"(\-?[0-9\.\,]+)", solution_str)
    final_answer = None
    for final_answer in reversed(candidates):
        if final_answer not in ("", "."):
            break
    return final_answer


def compute_score(data_source, solution_str, ground_truth, extra_info=None, method="strict", format_score=0.0, score=1.0):
    answer = extract_solution(solution_str, method=method)
    if answer is None:
        return 0
    return score if answer == ground_truth else format_score
