"""VerlOrleans prime_code harness: scores one completion against its test cases, inside the code sandbox.

CodeSandbox.cs starts this with `python3 -I -B -c SOURCE` inside bubblewrap (no network, read-only system folders, a
private /tmp). It reads one JSON request from stdin:
    {"completion": TEXT, "test_cases": JSON-TEXT-OR-OBJECT, "first_timeout": 5, "test_timeout": 10, "max_tests": 10,
     "limits": {"as": BYTES, "nproc": N, "fsize": BYTES, "nofile": N, "cpu": SECONDS}}
and writes one JSON line to the stdout it started with:
    {"score": NUMBER, "passed_all_at_once": BOOL, "tests": [{"index": I, "passed": BOOL, "detail": TEXT}], "reason": TEXT}

The scoring restates verl.utils.reward_score.prime_code (compute_score with continuous=True, as default_compute_score
calls it), utils.check_correctness and testing_util.run_test (Apache-2.0, from the APPS metric): the code is the text
between the last "```python" and the next "```"; all tests run at once in a forked child (alarm 5 s, killed after 6 s);
if any is not True, the first 10 tests run one per child (alarm 10 s, killed after 11 s) and the score is the share
that is True. run_test's comparisons, its source rewriting and its reliability_guard are kept as they are, because
the score depends on them (e.g. `exit()` is None, stdout aliases bound at import write nowhere).
"""

import ast
import contextlib
import faulthandler
import json
import math
import os
import resource
import select
import signal
import sys
import time
import traceback
from io import StringIO
from types import ModuleType
from unittest.mock import mock_open, patch

_OS_FORK = os.fork


def _FORK():
    # Processes a fork bomb left behind are reaped by the sandbox's init a moment after the kill; until then the
    # process limit is reached and fork fails with EAGAIN.
    for _ in range(100):
        try:
            return _OS_FORK()
        except BlockingIOError:
            time.sleep(0.05)
    return _OS_FORK()
_PRELUDE = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\nfrom heapq import *\n"
    "from bisect import *\nfrom copy import *\nfrom math import *\nfrom random import *\nfrom statistics import *\n"
    "from itertools import *\nfrom functools import *\nfrom operator import *\nfrom io import *\nfrom sys import *\n"
    "from json import *\nfrom builtins import *\nfrom typing import *\nimport string\nimport re\nimport datetime\n"
    "import collections\nimport heapq\nimport bisect\nimport copy\nimport math\nimport random\nimport statistics\n"
    "import itertools\nimport functools\nimport operator\nimport io\nimport sys\nimport json\n"
    "sys.setrecursionlimit(6*10**5)\n"
)
DETAIL_CHARS = 300


def truncate(text, length=300):
    return text if len(text) <= length else text[: length // 2] + "...(truncated) ..." + text[-length // 2 :]


def truncate_checked(text, length=300):
    assert isinstance(text, str)
    return truncate(text, length)


def is_int_like(value):
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def all_close(xs, ys):
    # numpy.allclose(rtol=1e-05, atol=1e-08) on two float lists of one length: non-finite pairs must be equal.
    for x, y in zip(xs, ys):
        if math.isfinite(x) and math.isfinite(y):
            if not abs(x - y) <= 1e-08 + 1e-05 * abs(y):
                return False
        elif x != y:
            return False
    return True


class Capturing(list):
    def __enter__(self):
        self._stdout = sys.stdout
        sys.stdout = self._buffer = StringIO()
        self._buffer.close = lambda x: 1
        return self

    def __exit__(self, *args):
        self.append(self._buffer.getvalue())
        del self._buffer
        sys.stdout = self._stdout


def module_from_string(name, code):
    module = ModuleType(name)
    exec(compile(code, "<string>", "exec"), module.__dict__)
    sys.modules[name] = module
    return module


def stdin_program(code):
    # run_test's rewrite: drop a trailing `if __name__ == '__main__':`, indent everything but top-level imports into
    # `def code():`, with stdin/stdout bound at import time.
    try:
        tree = ast.parse(code)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            code = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body)
    except Exception:
        pass
    lines = [x + "\n" if x.startswith("from ") or x.startswith("import ") else "\t" + x + "\n" for x in code.split("\n")]
    out, started = "", False
    for line in lines:
        if line.startswith("\t") and not started:
            out += "stdin = sys.stdin\nstdout = sys.stdout\ndef code():\n" + line
            started = True
        elif started and (line.startswith("from ") or line.startswith("import ")):
            out += "\t" + line
        else:
            out += line
    return out


def call_with_stdin(method, inputs):
    if isinstance(inputs, list):
        inputs = "\n".join(inputs)
    line_iterator = iter(inputs.split("\n"))

    @patch("builtins.open", mock_open(read_data=inputs))
    @patch("sys.stdin", StringIO(inputs))
    @patch("sys.stdin.readline", lambda *args: next(line_iterator))
    @patch("sys.stdin.readlines", lambda *args: inputs.split("\n"))
    @patch("sys.stdin.read", lambda *args: inputs)
    def inner(_method):
        try:
            return _method()
        except SystemExit:
            pass

    return inner(method)


def stripped_equal(a, b):
    return a.strip() == b.strip()


def custom_compare(output, expected):
    if isinstance(output, list):
        if stripped_equal("\n".join(output), expected):
            return True
        if stripped_equal("\n".join(o.strip() for o in output), expected):
            return True
    return False


def failure(results, code, detail):
    results.append(code)
    return results, detail


def compile_solution(in_outs, code, timeout):
    call_based = in_outs.get("fn_name") is not None
    source = _PRELUDE + (code if call_based else stdin_program(code))
    signal.alarm(timeout)
    try:
        module = module_from_string("tmp_sol", source)
        target = module.Solution() if call_based and "class Solution" in code else module
        signal.alarm(0)
    except Exception as e:
        signal.alarm(0)
        return None, call_based, f"compilation error: {e!r}"
    try:
        return getattr(target, in_outs["fn_name"] if call_based else "code"), call_based, None
    except Exception:
        return None, call_based, f"cannot get function: {sys.exc_info()[1]!r}"


def run_call_based(method, expected, inputs, raw_outputs, timeout):
    signal.alarm(timeout)
    faulthandler.enable()
    try:
        output = method(*inputs)
        shown = truncate(json.dumps(output), 200)
        if isinstance(output, tuple):
            output = list(output)
        result = output == expected
        if isinstance(expected, list) and expected:
            result = result or (output == expected[0])
        try:
            if isinstance(output[0], tuple):
                result = result or ([list(x) for x in output] == expected[0])
        except Exception:
            pass
        if result is not True:
            return result, f"wrong answer: expected {raw_outputs}, got {shown}"
        signal.alarm(0)
    except Exception as e:
        signal.alarm(0)
        faulthandler.disable()
        return -1, f"runtime error: {e!r}"
    faulthandler.disable()
    signal.alarm(0)
    return True, None


def normalize_dict_keys(inputs, in_outs, index):
    # JSON makes dict keys strings; run_test turns them back into ints (assuming a singleton list).
    try:
        if isinstance(inputs[0], dict):
            inputs = [{int(k): v for k, v in inputs[0].items()}]
    except Exception:
        pass
    try:
        if isinstance(in_outs["outputs"][index], dict):
            in_outs["outputs"][index] = [{int(k): v for k, v in in_outs["outputs"][index].items()}]
    except Exception:
        pass
    try:
        if isinstance(in_outs["outputs"][index][0], dict):
            in_outs["outputs"][index] = [{int(k): v for k, v in in_outs["outputs"][index][0].items()}]
    except Exception:
        pass
    return inputs, in_outs["outputs"][index]


def float_match(output, expected):
    try:
        if not all(is_int_like(a) and is_int_like(b) for a, b in zip(output, expected, strict=True)):
            xs, ys = [float(e) for e in output], [float(e) for e in expected]
            if len(xs) == len(ys) and all_close(xs, ys):
                return True
    except Exception:
        pass
    try:
        if isinstance(output[0], list):
            if not all(is_int_like(a) and is_int_like(b) for a, b in zip(output[0], expected, strict=True)):
                xs, ys = [float(e) for e in output[0]], [float(e) for e in expected[0]]
                if len(xs) == len(ys) and all_close(xs, ys):
                    return True
    except Exception:
        pass
    return False


def compare_stdout(printed, in_outs, index):
    """run_test's cascade for standard-input problems: stripped text, then lines, then floats, then sets of words."""
    output = printed.splitlines()
    if custom_compare(output, in_outs["outputs"][index]):
        return True
    result = False
    try:
        expected = in_outs["outputs"][index]
        result = output == [expected]
        if isinstance(expected, list):
            result = result or (output == expected)
            if isinstance(output[0], str):
                result = result or ([e.strip() for e in output] == expected)
    except Exception:
        pass
    if result is True:
        return True
    expected = in_outs["outputs"][index]
    if isinstance(expected, list):
        for i, item in enumerate(expected):
            expected[i] = [x.strip() for x in item.split("\n") if x]
    else:
        in_outs["outputs"][index] = [x.strip() for x in expected.split("\n") if len(x)]
    expected = in_outs["outputs"][index]
    try:
        result = output == [expected] or (isinstance(expected, list) and output == expected)
    except Exception:
        pass
    if result is True:
        return True
    output = [x for x in output if len(x)]
    try:
        result = output == [expected] or (isinstance(expected, list) and output == expected)
    except Exception:
        pass
    result = result or float_match(output, expected)
    if result is True:
        return True
    if isinstance(expected, list):
        for i, item in enumerate(expected):
            expected[i] = set(item.split())
    else:
        in_outs["outputs"][index] = set(expected.split())
    try:
        return output == in_outs["outputs"][index]
    except Exception:
        return None


def run_test(in_outs, code, timeout):
    """Mirrors testing_util.run_test: a list of per-test results (True, False, -1 runtime error, -2 compile error)
    that stops at the first failure, and why it stopped."""
    reliability_guard()
    results = []
    method, call_based, error = compile_solution(in_outs, code, timeout)
    if error is not None:
        return failure(results, -2, error)
    for index, inputs in enumerate(in_outs["inputs"]):
        raw_outputs = in_outs["outputs"][index]
        if call_based:
            if isinstance(inputs, str):
                # LiveCodeBench layout: one JSON value per line; the expected output is JSON text.
                inputs = [json.loads(line) for line in inputs.split("\n")]
                in_outs["outputs"][index] = json.loads(in_outs["outputs"][index])
                raw_outputs = truncate_checked(raw_outputs, 200)
            else:
                raw_outputs = truncate_checked(json.dumps(raw_outputs), 200)
        else:
            # truncatefn asserts str: a stdin test whose input or output is not text fails the whole check.
            truncate_checked(inputs)
            raw_outputs = truncate_checked(raw_outputs, 200)
        inputs, expected = normalize_dict_keys(inputs, in_outs, index)
        if call_based:
            result, detail = run_call_based(method, expected, inputs, raw_outputs, timeout)
            results.append(result)
            if result is not True:
                return results, detail
            continue
        faulthandler.enable()
        if isinstance(inputs, list):
            inputs = "\n".join(inputs)
        if isinstance(in_outs["outputs"][index], list):
            in_outs["outputs"][index] = "\n".join(in_outs["outputs"][index])
        signal.alarm(timeout)
        with Capturing() as printed:
            try:
                call_with_stdin(method, inputs)
                signal.alarm(0)
            except Exception as e:
                signal.alarm(0)
                return failure(results, -1, f"runtime error: {e!r}")
            signal.alarm(0)
        result = compare_stdout(printed[0], in_outs, index)
        if result is None:
            # testing_util `continue`s here without recording the test.
            continue
        results.append(result)
        if result is not True:
            return results, f"wrong answer: expected {raw_outputs!r}, got {truncate(printed[0], 200)!r}"
    return results, None


def reliability_guard():
    faulthandler.disable()
    import builtins
    import shutil
    import subprocess

    builtins.exit = None
    builtins.quit = None
    builtins.help = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ["kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"]:
        setattr(os, name, None)
    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    for name in ["ipdb", "joblib", "resource", "psutil", "tkinter", "subprocess", "ctypes"]:
        sys.modules[name] = None


def encode_result(value):
    # Only `is True` counts for the score; -1 (runtime error) and -2 (compile error) are kept for the reason.
    if value is True:
        return True
    return value if type(value) is int and value in (-1, -2) else False


def child_main(write_fd, in_outs, code, timeout):
    os.setsid()
    sys.stdin = open(os.devnull)
    devnull = open(os.devnull, "w")
    sys.stdout = sys.stderr = devnull
    try:
        results, detail = run_test(in_outs, code, timeout)
        payload = {"results": [encode_result(r) for r in results], "detail": detail and truncate(str(detail), 1000)}
    except Exception as e:
        payload = {"results": [-1 for i in range(len(in_outs["inputs"]))], "detail": f"check failed: {e!r}"}
    os.write(write_fd, json.dumps(payload).encode())


class NoReport(Exception):
    pass


def check_correctness(in_outs, code, timeout):
    """utils.check_correctness: the tests in a forked child, killed (with its process group) after timeout + 1 s.
    A child that died without reporting (alarm, crash, os._exit, SystemExit) raises NoReport."""
    read_fd, write_fd = os.pipe()
    pid = _FORK()
    if pid == 0:
        os.close(read_fd)
        try:
            child_main(write_fd, in_outs, code, timeout)
        finally:
            os._exit(0)
    os.close(write_fd)
    deadline, data, status = time.monotonic() + timeout + 1, b"", None
    while status is None:
        ready, _, _ = select.select([read_fd], [], [], 0.02)
        if ready:
            chunk = os.read(read_fd, 65536)
            data += chunk
        done, code_or_status = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code_or_status
        elif time.monotonic() > deadline:
            kill_group(pid)
            status = -1
    while select.select([read_fd], [], [], 0)[0]:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(read_fd)
    kill_group(pid)
    try:
        payload = json.loads(data)
        return payload["results"], [payload["detail"]], payload["detail"]
    except Exception:
        pass
    if status == -1:
        why = f"no result within {timeout + 1} s: killed"
    elif os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        why = f"time limit ({timeout} s alarm)" if sig == signal.SIGALRM else f"killed by signal {signal.Signals(sig).name}"
    else:
        why = f"exited with code {os.WEXITSTATUS(status)} before reporting"
    # verl's parent finds the dead child's pipe at end of file: poll() is true and recv() raises EOFError. The first
    # pass swallows that; in the per-test pass it makes the whole sample score 0.
    raise NoReport(why)


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def compute_score(completion, test_cases, first_timeout, test_timeout, max_tests):
    """prime_code.compute_score(completion, test_cases, continuous=True), with the per-test outcomes it saw."""
    solution = completion.split("```python")[-1].split("```")[0]
    tests = []
    try:
        try:
            if not isinstance(test_cases, dict):
                test_cases = json.loads(test_cases)
        except Exception:
            pass
        try:
            res, metadata, _ = check_correctness(test_cases, solution, first_timeout)
            metadata = dict(enumerate(metadata))[0]
            if all(map(lambda x: x is True, res)):
                return 1.0, True, tests, f"passed all {len(res)} tests at once"
        except Exception:
            pass
        inputs, outputs = test_cases["inputs"], test_cases["outputs"]
        cases = []
        for i in range(len(inputs)):
            case = {"inputs": [inputs[i]], "outputs": [outputs[i]]}
            if "fn_name" in test_cases:
                case["fn_name"] = test_cases["fn_name"]
            cases.append(case)
        results = []
        for index, case in enumerate(cases):
            try:
                res, _, detail = check_correctness(case, solution, test_timeout)
            except NoReport as e:
                return 0.0, False, tests, (f"test {index}: {e} (verl scores the whole sample 0 when a test's process "
                                           "ends without reporting)")
            results.extend(res)
            tests.append({"index": index, "passed": bool(res) and all(r is True for r in res), "detail": detail})
            if index >= max_tests - 1:
                break
        count = len(results) if results else 1
        score = sum(1 for r in results if r is True) / count
        return score, False, tests, summarize(score, tests)
    except Exception as e:
        return 0.0, False, tests, f"test cases unusable: {e!r}"


def summarize(score, tests):
    passed = sum(1 for t in tests if t["passed"])
    first = next((t for t in tests if not t["passed"]), None)
    text = f"passed {passed} of {len(tests)} tests run one by one"
    if first is not None:
        text += f"; test {first['index']}: {first['detail'] or 'failed'}"
    return text


def apply_limits(limits):
    for name, key in [("RLIMIT_AS", "as"), ("RLIMIT_NPROC", "nproc"), ("RLIMIT_FSIZE", "fsize"),
                      ("RLIMIT_NOFILE", "nofile"), ("RLIMIT_CPU", "cpu")]:
        if limits.get(key):
            resource.setrlimit(getattr(resource, name), (limits[key], limits[key]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main():
    request = json.loads(sys.stdin.buffer.read())
    report = os.fdopen(os.dup(1), "w")
    # The candidate's own writes to fd 1/2 must not reach the host's protocol stream.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)
    apply_limits(request.get("limits", {}))
    if "numpy" in request["completion"]:
        # verl's testing_util imports numpy before reliability_guard disables what numpy's first import needs, so a
        # candidate's `import numpy` works there; importing it costs 0.1 s, so only for code that mentions it.
        with contextlib.suppress(ImportError):
            import numpy  # noqa: F401
    score, at_once, tests, reason = compute_score(
        request["completion"], request["test_cases"], request.get("first_timeout", 5), request.get("test_timeout", 10),
        request.get("max_tests", 10))
    report.write(json.dumps({"score": score, "passed_all_at_once": at_once, "tests": tests, "reason": reason}) + "\n")
    report.flush()


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        traceback.print_exc()
        sys.exit(3)
