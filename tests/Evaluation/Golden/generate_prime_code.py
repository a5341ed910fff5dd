#!/usr/bin/python3
"""Writes prime_code.jsonl: problems with test cases, completions, and the score verl's own prime_code gives them.

Usage:  /usr/bin/python3 tests/Evaluation/Golden/generate_prime_code.py VERL_DIR [OUT_DIR]

VERL_DIR must hold verl/utils/reward_score/logging_utils.py and verl/utils/reward_score/prime_code/{__init__,utils,
testing_util}.py (README.md names the commits). verl's code is imported from there and run unmodified, as
default_compute_score runs it for codecontests/apps/codeforces/taco: prime_code.compute_score(solution_str,
ground_truth, continuous=True), scored float(res[0]). It runs the candidate programs on this machine, unsandboxed: every
program below is ours. Needs numpy (Debian 12's python3 has it). Takes about a minute: the time-limit cases wait for
verl's alarms (5 s at once, then 10 s per test).
"""

import contextlib
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verl_import import load_prime_code  # noqa: E402

SOURCES = ["codecontests", "apps", "codeforces", "taco"]


def block(code, prose="Here is my solution."):
    return f"{prose}\n```python\n{code}\n```\nDone."


def stdin_tests(pairs):
    return {"inputs": [i for i, _ in pairs], "outputs": [o for _, o in pairs]}


def call_tests(fn_name, pairs):
    return {"fn_name": fn_name, "inputs": [i for i, _ in pairs], "outputs": [o for _, o in pairs]}


ADD = stdin_tests([("1 2\n", "3\n"), ("10 20\n", "30\n"), ("-5 5\n", "0\n"), ("100 1\n", "101\n")])
ADD_OK = "a, b = map(int, input().split())\nprint(a + b)"
LINES = stdin_tests([("3\n", "1\n2\n3\n"), ("1\n", "1\n"), ("5\n", "1\n2\n3\n4\n5\n")])
FLOATS = stdin_tests([("1 3\n", "0.333333\n"), ("2 3\n", "0.666667\n"), ("1 8\n", "0.125\n")])
PAIRS = stdin_tests([("2\n", "1 2\n"), ("3\n", "1 2 3\n")])
TWELVE = stdin_tests([(f"{n}\n", f"{n * n}\n") for n in range(12)])
SQUARE = "n = int(input())\nprint(n * n)"


def cases():
    yield "correct stdin program in a code block", block(ADD_OK), ADD
    yield "correct program, no code block (the whole completion is the code)", ADD_OK, ADD
    yield "prose and no code block", "The answer is to add the two numbers.", ADD
    yield "fence without the python tag", "```\n" + ADD_OK + "\n```", ADD
    yield "last python block wins", block("print(0)") + "\nBetter:\n" + block(ADD_OK), ADD
    yield "first python block correct, a later one wrong", block(ADD_OK) + block("print(0)"), ADD
    yield "wrong answer on every test", block("a, b = map(int, input().split())\nprint(a * b)"), ADD
    yield "wrong on some tests (continuous)", block("a, b = map(int, input().split())\nprint(abs(a) + b)"), ADD
    yield "runtime error on one test", block("a, b = map(int, input().split())\nprint(a + b + 100 // (a + b))"), ADD
    yield "runtime error everywhere", block("raise ValueError('no')"), ADD
    yield "syntax error", block("def broken(:\n    pass"), ADD
    yield "time limit on one test", block(
        "a, b = map(int, input().split())\nwhile a == 10:\n    pass\nprint(a + b)"), ADD
    yield "trailing spaces and blank lines in output", block("a, b = map(int, input().split())\nprint(a + b, '   ')\nprint()\nprint()"), ADD
    yield "leading spaces in output", block("a, b = map(int, input().split())\nprint('   ', a + b)"), ADD
    yield "two spaces between tokens", block("n = int(input())\nprint('  '.join(str(i) for i in range(1, n + 1)))"), PAIRS
    yield "tokens on separate lines instead of one", block("n = int(input())\nfor i in range(1, n + 1):\n    print(i)"), PAIRS
    yield "lines joined on one line instead of separate", block("n = int(input())\nprint(*range(1, n + 1))"), LINES
    yield "lines with trailing spaces", block("n = int(input())\nfor i in range(1, n + 1):\n    print(i, ' ')"), LINES
    yield "windows line endings", block("n = int(input())\nfor i in range(1, n + 1):\n    print(i, end='\\r\\n')"), LINES
    yield "float output within tolerance", block("a, b = map(int, input().split())\nprint(a / b)"), FLOATS
    yield "float output rounded to 4 places (outside 1e-5)", block("a, b = map(int, input().split())\nprint(round(a / b, 4))"), FLOATS
    yield "float output far off", block("a, b = map(int, input().split())\nprint(b / a)"), FLOATS
    yield "float printed with formatting", block("a, b = map(int, input().split())\nprint('%.6f' % (a / b))"), FLOATS
    yield "integer expected, float printed", block("n = int(input())\nprint(float(n * n))"), TWELVE
    yield "nan and inf", block("s = input()\nprint(s)"), stdin_tests([("nan\n", "nan\n"), ("inf\n", "inf\n")])
    yield "inf matches inf", block("print('inf')"), stdin_tests([("x\n", "inf\n")])
    yield "twelve tests all passing", block(SQUARE), TWELVE
    yield "twelve tests, only the first 10 count", block("n = int(input())\nprint(n * n if n < 5 or n > 9 else 0)"), TWELVE
    yield "twelve tests, failures beyond the tenth", block("n = int(input())\nprint(n * n if n < 10 else 0)"), TWELVE
    yield "main guard", block("def main():\n    a, b = map(int, input().split())\n    print(a + b)\n\nif __name__ == '__main__':\n    main()"), ADD
    yield "main guard with double quotes", block("def main():\n    a, b = map(int, input().split())\n    print(a + b)\n\nif __name__ == \"__main__\":\n    main()"), ADD
    yield "sys.stdin.readline", block("import sys\na, b = map(int, sys.stdin.readline().split())\nprint(a + b)"), ADD
    yield "sys.stdin.read", block("import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)"), ADD
    yield "for line in sys.stdin", block("import sys\nfor line in sys.stdin:\n    a, b = map(int, line.split())\n    print(a + b)"), ADD
    yield "open(0).read()", block("a, b = map(int, open(0).read().split())\nprint(a + b)"), ADD
    yield "from sys import stdin at top level", block("from sys import stdin\na, b = map(int, stdin.readline().split())\nprint(a + b)"), ADD
    yield "input = sys.stdin.readline at top level", block("import sys\ninput = sys.stdin.readline\na, b = map(int, input().split())\nprint(a + b)"), ADD
    yield "sys.stdout.write", block("import sys\na, b = map(int, input().split())\nsys.stdout.write(str(a + b) + '\\n')"), ADD
    yield "stdout alias bound at import", block("import sys\nout = sys.stdout\na, b = map(int, input().split())\nout.write(str(a + b) + '\\n')"), ADD
    yield "exit() after printing", block("a, b = map(int, input().split())\nprint(a + b)\nexit()"), ADD
    yield "sys.exit() after printing", block("import sys\na, b = map(int, input().split())\nprint(a + b)\nsys.exit(0)"), ADD
    yield "os.system is disabled", block("import os\nos.system('true')\na, b = map(int, input().split())\nprint(a + b)"), ADD
    yield "subprocess import is disabled", block("import subprocess\na, b = map(int, input().split())\nprint(a + b)"), ADD
    yield "threading works", block("import threading\nr = []\nt = threading.Thread(target=lambda: r.append(sum(map(int, input().split()))))\nt.start(); t.join()\nprint(r[0])"), ADD
    yield "numpy", block("import numpy as np\nprint(int(np.array(list(map(int, input().split()))).sum()))"), ADD
    yield "unicode output", block("print('héllo wörld ✓')"), stdin_tests([("\n", "héllo wörld ✓\n")])
    yield "global state across tests", block("seen = []\nseen.append(1)\nprint(len(seen))"), stdin_tests([("\n", "1\n"), ("\n", "1\n")])
    yield "inputs given as lists (not text)", block(ADD_OK), {"inputs": [["1 2"]], "outputs": [["3"]]}
    yield "expected output given as a list", block(ADD_OK), {"inputs": ["1 2\n"], "outputs": [["3"]]}
    yield "no tests, code compiles", block(ADD_OK), {"inputs": [], "outputs": []}
    yield "no tests, code does not compile", block("def x(:"), {"inputs": [], "outputs": []}
    yield "test cases are not JSON", block(ADD_OK), "{not json"
    yield "test cases without outputs", block(ADD_OK), {"inputs": ["1 2\n"]}
    yield "more outputs than inputs", block(ADD_OK), {"inputs": ["1 2\n"], "outputs": ["3\n", "4\n"]}
    yield "more inputs than outputs", block(ADD_OK), {"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n"]}
    yield "empty completion", "", ADD
    yield "integer outputs in the test cases", block(ADD_OK), {"inputs": ["1 2\n"], "outputs": [3]}

    yield "call-based correct", block("def add(a, b):\n    return a + b"), call_tests("add", [([1, 2], 3), ([5, 7], 12)])
    yield "call-based wrong", block("def add(a, b):\n    return a - b"), call_tests("add", [([1, 2], 3), ([5, 7], 12)])
    yield "call-based partly right", block("def add(a, b):\n    return a + b if a < 3 else 0"), call_tests("add", [([1, 2], 3), ([5, 7], 12), ([2, 2], 4)])
    yield "call-based missing function", block("def plus(a, b):\n    return a + b"), call_tests("add", [([1, 2], 3)])
    yield "call-based class Solution", block("class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n        for i, n in enumerate(nums):\n            if target - n in seen:\n                return [seen[target - n], i]\n            seen[n] = i"), call_tests("twoSum", [([[2, 7, 11, 15], 9], [0, 1]), ([[3, 2, 4], 6], [1, 2])])
    yield "call-based tuple result vs list", block("def pair(n):\n    return (n, n + 1)"), call_tests("pair", [([1], [1, 2]), ([5], [5, 6])])
    yield "call-based list of tuples", block("def pairs(n):\n    return [(i, i) for i in range(n)]"), call_tests("pairs", [([2], [[[0, 0], [1, 1]]])])
    yield "call-based output wrapped in a list", block("def f(n):\n    return n * 2"), call_tests("f", [([2], [4]), ([3], [6])])
    yield "call-based string vs number", block("def f(n):\n    return str(n * 2)"), call_tests("f", [([2], 4)])
    yield "call-based float exactness", block("def f(a, b):\n    return a + b"), call_tests("f", [([0.1, 0.2], 0.3), ([0.5, 0.25], 0.75)])
    yield "call-based int vs float equal", block("def f(n):\n    return n / 2"), call_tests("f", [([4], 2), ([3], 1.5)])
    yield "call-based bool vs int", block("def f(n):\n    return n > 0"), call_tests("f", [([5], 1), ([-1], 0)])
    yield "call-based set result (not JSON)", block("def f(n):\n    return set(range(n))"), call_tests("f", [([2], [0, 1])])
    yield "call-based runtime error", block("def f(n):\n    return 10 // n"), call_tests("f", [([2], 5), ([0], 0), ([5], 2)])
    yield "call-based dict with integer keys", block("def f(n):\n    return {i: i * i for i in range(n)}"), call_tests("f", [([2], {"0": 0, "1": 1})])
    yield "call-based dict argument", block("def f(d):\n    return sum(d.keys())"), call_tests("f", [([{"1": "a", "2": "b"}], 3)])
    yield "call-based time limit", block("def f(n):\n    while n > 0:\n        pass\n    return n"), call_tests("f", [([0], 0), ([1], 1)])
    yield "call-based LiveCodeBench layout", block("class Solution:\n    def maxOf(self, nums, k):\n        return max(nums) * k"), {"fn_name": "maxOf", "inputs": ["[1, 5, 3]\n2", "[4]\n1"], "outputs": ["10", "4"]}
    yield "call-based LiveCodeBench layout, wrong", block("class Solution:\n    def maxOf(self, nums, k):\n        return min(nums) * k"), {"fn_name": "maxOf", "inputs": ["[1, 5, 3]\n2", "[4]\n1"], "outputs": ["10", "4"]}
    yield "call-based with stdin-style code", block(ADD_OK), call_tests("add", [([1, 2], 3)])
    yield "call-based fn_name null is stdin", block(ADD_OK), {"fn_name": None, "inputs": ["1 2\n"], "outputs": ["3\n"]}
    yield "call-based exit() inside", block("def f(n):\n    exit()"), call_tests("f", [([1], 1)])
    yield "call-based sys.exit inside", block("import sys\ndef f(n):\n    sys.exit(0)"), call_tests("f", [([1], 1), ([2], 2)])


def main():
    verl_dir = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    prime_code = load_prime_code(verl_dir)
    lines = []
    for i, (name, completion, tests) in enumerate(cases()):
        ground_truth = tests if isinstance(tests, str) else json.dumps(tests)
        if name == "call-based dict argument":
            ground_truth = tests  # a ground truth stored as an object, not JSON text
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            res = prime_code.compute_score(completion, ground_truth if isinstance(ground_truth, str) else json.loads(json.dumps(ground_truth)), continuous=True)
        score = float(res[0])
        source = SOURCES[i % len(SOURCES)]
        lines.append(json.dumps({"name": name, "data_source": source, "solution_str": completion, "ground_truth": ground_truth, "score": score}, ensure_ascii=False))
        print(f"{score:.4f}  {name}", file=sys.stderr)
    with open(os.path.join(out_dir, "prime_code.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
