"""VerlOrleans reward worker: runs a verl custom_reward_function in a long-lived process.

The grid starts several of these (see PythonRewardPool.cs) and talks to each over its own stdin/stdout.
Every message is a frame: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.

1. host -> worker  {"path": FILE, "name": FUNCTION, "kwargs": {...}}
   worker -> host  {"ok": true, "python": VERSION}  or  {"ok": false, ERROR...} (then the worker exits)
2. host -> worker  {"items": [{"data_source", "solution_str", "ground_truth", "extra_info"}, ...]}
   worker -> host  one frame per item, in order, as soon as it is scored:
                   {"score": NUMBER, "dict": BOOL, "extras": [[KEY, KIND, VALUE], ...]}  or  {ERROR...}
   NUMBER is a JSON number or one of "nan", "inf", "-inf"; KIND is "f" (number), "b" (bool), "s" (string), "n" (None).
   ERROR... is "error": "Type: message", "traceback": TEXT, "printed": what the call wrote to stdout/stderr.
End of input: the worker exits.

The function is called as verl calls it: FUNCTION(data_source=..., solution_str=..., ground_truth=...,
extra_info=..., **kwargs). What it prints goes to stderr (stdout belongs to the protocol) and reads from stdin see end
of file. A fatal signal or SIGUSR1 dumps every thread's Python stack to stderr (faulthandler), which the host attaches
to the sample that was being scored.
"""

import faulthandler
import importlib.util
import json
import math
import os
import signal
import struct
import sys
import traceback

MAX_ERROR_CHARS = 4000
MAX_CAPTURED_CHARS = 2000


def read_frame(stream):
    header = stream.read(4)
    if len(header) < 4:
        return None
    (length,) = struct.unpack(">I", header)
    body = stream.read(length)
    if len(body) < length:
        return None
    return json.loads(body.decode("utf-8"))


def write_frame(stream, message):
    body = json.dumps(message, ensure_ascii=True, allow_nan=False).encode("ascii")
    stream.write(struct.pack(">I", len(body)))
    stream.write(body)
    stream.flush()


def load_function(path, name):
    """Imports FILE as module 'custom_module' (the name verl gives it) and returns FUNCTION from it."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"Reward function file '{path}' not found.")
    spec = importlib.util.spec_from_file_location("custom_module", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["custom_module"] = module
    spec.loader.exec_module(module)
    if not hasattr(module, name):
        raise AttributeError(f"Reward function '{name}' not found in '{path}'.")
    function = getattr(module, name)
    if not callable(function):
        raise TypeError(f"'{name}' in '{path}' is a {type(function).__name__}, not a function.")
    return function


def number(value):
    """A score or numeric extra as JSON: non-finite floats travel as strings."""
    f = float(value)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return f


def score_number(value, what):
    # verl writes the score into a float32 tensor: numbers, bools and NumPy/torch scalars go in, text does not.
    if value is None or isinstance(value, (str, bytes, bytearray)) or not (hasattr(value, "__float__") or hasattr(value, "__index__")):
        raise TypeError(f"{what} is {type(value).__name__} {value!r:.200}; verl needs a number (or a dict with a numeric 'score')")
    return number(value)


def extra(value):
    """(KIND, VALUE) of one dict entry; NumPy/torch scalars are unwrapped, anything else that is not a scalar becomes its str()."""
    if value is None:
        return ["n", None]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, (int, float)):
        try:
            return ["f", number(value)]
        except OverflowError:
            return ["s", str(value)]
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__.split(".")[0] in ("numpy", "torch"):
        try:
            unwrapped = item()
        except (ValueError, RuntimeError):
            unwrapped = None
        if isinstance(unwrapped, (bool, int, float, str)):
            return extra(unwrapped)
    return ["s", str(value)]


class Capture:
    """Passes writes on to the real stderr and keeps the last few for the sample's error."""

    def __init__(self, target):
        self.target = target
        self.text = ""

    def write(self, text):
        self.text = (self.text + text)[-MAX_CAPTURED_CHARS:]
        return self.target.write(text)

    def flush(self):
        self.target.flush()

    def __getattr__(self, name):
        return getattr(self.target, name)


def clip(text):
    return text if len(text) <= MAX_ERROR_CHARS else "..." + text[-MAX_ERROR_CHARS:]


def error_reply(error, captured):
    """{"error": "Type: message", "traceback": ..., "printed": ...}; the traceback starts in the user's code."""
    tb = error.__traceback__.tb_next if error.__traceback__ is not None else None
    message = str(error)
    summary = type(error).__name__ + (": " + message if message else "")
    return {
        "error": clip(summary),
        "traceback": clip("".join(traceback.format_exception(type(error), error, tb)).rstrip()),
        "printed": captured.rstrip(),
    }


def score_one(function, kwargs, item, real_stdout, real_stderr):
    capture = Capture(real_stderr)
    sys.stdout = capture
    sys.stderr = capture
    try:
        result = function(
            data_source=item.get("data_source"),
            solution_str=item.get("solution_str"),
            ground_truth=item.get("ground_truth"),
            extra_info=item.get("extra_info"),
            **kwargs,
        )
        if isinstance(result, dict):
            if "score" not in result:
                raise KeyError(f"the returned dict has no 'score' key (verl reads result['score']); its keys: {list(result)!r:.200}")
            score = score_number(result["score"], "result['score']")
            extras = [[str(key)] + extra(value) for key, value in result.items() if key != "score"]
            return {"score": score, "dict": True, "extras": extras}
        return {"score": score_number(result, "the returned value"), "dict": False, "extras": []}
    except BaseException as error:  # noqa: BLE001 - a reward that raises (even SystemExit) fails its sample only
        return error_reply(error, capture.text)
    finally:
        sys.stdout = real_stdout
        sys.stderr = real_stderr


def main():
    # The protocol keeps private copies of fds 0 and 1; the user's code gets /dev/null and stderr in their place.
    protocol_in = os.fdopen(os.dup(0), "rb", buffering=1 << 16)
    protocol_out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    faulthandler.enable(file=sys.stderr, all_threads=True)
    if hasattr(faulthandler, "register"):
        faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)

    config = read_frame(protocol_in)
    if config is None:
        return 0
    kwargs = config.get("kwargs") or {}
    try:
        function = load_function(config["path"], config["name"])
    except BaseException as error:  # noqa: BLE001 - report why the file does not load, then stop
        write_frame(protocol_out, dict(error_reply(error, ""), ok=False))
        return 1
    write_frame(protocol_out, {"ok": True, "python": sys.version.split()[0]})

    real_stdout, real_stderr = sys.stdout, sys.stderr
    while True:
        message = read_frame(protocol_in)
        if message is None:
            return 0
        for item in message["items"]:
            write_frame(protocol_out, score_one(function, kwargs, item, real_stdout, real_stderr))


if __name__ == "__main__":
    sys.exit(main())
