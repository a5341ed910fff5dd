#!/usr/bin/python3
"""Chat-template oracle: renders every template of Fixtures/Templates/templates.json with every conversation
of Fixtures/Chat/conversations.json using Debian's python3-jinja2 configured exactly as transformers'
apply_chat_template configures it (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols,
the {% generation %} tag, tojson = json.dumps(ensure_ascii=False, ...), raise_exception, strftime_now), and
writes Fixtures/Chat/golden.json. strftime_now reads a fixed clock (2025-01-15 09:30:05) so goldens are stable.
Run with Debian's interpreter: /usr/bin/python3 render-oracle.py"""
import json
import os
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime(2025, 1, 15, 9, 30, 5)


class AssistantTracker(Extension):
    """transformers' {% generation %} block, without the token-mask bookkeeping (it only renders the body)."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "..", "tests", "Inference", "Text", "Fixtures")
with open(os.path.join(fixtures, "Templates", "templates.json"), encoding="utf-8") as f:
    templates = json.load(f)
with open(os.path.join(fixtures, "Chat", "conversations.json"), encoding="utf-8") as f:
    conversations = json.load(f)

golden = []
for template in templates:
    with open(os.path.join(fixtures, "Templates", template["file"]), encoding="utf-8", newline="") as f:
        compiled = env.from_string(f.read())
    for conversation in conversations:
        if "only" in template and conversation["name"] not in template["only"]:
            continue
        variables = dict(conversation.get("variables", {}))
        tools = variables.pop("tools", None)
        documents = variables.pop("documents", None)
        kwargs = {**template["special_tokens"], **variables}
        case = {"template": template["name"], "conversation": conversation["name"]}
        try:
            case["output"] = compiled.render(
                messages=conversation["messages"], tools=tools, documents=documents,
                add_generation_prompt=conversation["add_generation_prompt"], **kwargs)
        except jinja2.exceptions.TemplateError as e:
            if type(e) is jinja2.exceptions.TemplateError:
                case["raised"] = str(e)
            else:
                case["error"] = f"{type(e).__name__}: {e}"
        except Exception as e:  # the template failed in Python itself (TypeError and the like)
            case["error"] = f"{type(e).__name__}: {e}"
        golden.append(case)

with open(os.path.join(fixtures, "Chat", "golden.json"), "w", encoding="utf-8", newline="\n") as f:
    json.dump({"oracle": f"python3-jinja2 {jinja2.__version__} configured as transformers", "cases": golden}, f, ensure_ascii=False, indent=1)
    f.write("\n")
outputs = sum(1 for c in golden if "output" in c)
print(f"{len(golden)} renders: {outputs} outputs, {len(golden) - outputs} errors")
