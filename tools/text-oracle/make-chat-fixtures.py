#!/usr/bin/python3
"""Writes tests/Inference/Text/Fixtures/Chat/conversations.json: the message fixtures every chat template is
rendered with (by render-oracle.py and by the C# tests). Escapes keep this script ASCII."""
import json
import os

weather_tool = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city (\u5929\u6c17\u4e88\u5831)",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. \u6771\u4eac"},
                "unit": {"type": "string", "enum": ["\u00b0C", "\u00b0F"]},
                "days": {"type": "integer", "minimum": 1},
            },
            "required": ["city"],
        },
    },
}
search_tool = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web. Quotes \"like this\" and a backslash \\ survive.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}
weather_call = {
    "id": "call12345",
    "type": "function",
    "function": {
        "name": "get_weather",
        "arguments": {"city": "\u6771\u4eac", "unit": "\u00b0C", "days": 3, "detail": True, "ratio": 0.5, "tags": ["\U0001F324", "b"], "none": None},
    },
}

conversations = [
    {"name": "user_only", "add_generation_prompt": True, "messages": [{"role": "user", "content": "What is 2+2?"}]},
    {"name": "system_and_user", "add_generation_prompt": True, "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Solve x + 1 = 3."}]},
    {"name": "multi_turn", "add_generation_prompt": True, "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi!"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Tell me a joke."}]},
    {"name": "final_assistant_turn", "add_generation_prompt": False, "messages": [
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."}]},
    {"name": "gsm8k_prompt", "add_generation_prompt": True, "messages": [
        {"role": "user", "content": "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May? Let's think step by step and output the final answer after \"####\"."}]},
    {"name": "whitespace_content", "add_generation_prompt": True, "messages": [
        {"role": "system", "content": "  \n\tSystem with spaces.\n\n"},
        {"role": "user", "content": "\n  Line one\r\nLine two\t \n"}]},
    {"name": "unicode_content", "add_generation_prompt": True, "messages": [
        {"role": "user", "content": "\u4f60\u597d \U0001F44B\U0001F3FD caf\u00e9 \U0001D400 'single' \"double\" back\\slash {{ not a tag }} {% neither %}"}]},
    {"name": "tool_call_round_trip", "add_generation_prompt": False, "variables": {"tools": [weather_tool, search_tool]}, "messages": [
        {"role": "system", "content": "You can call tools."},
        {"role": "user", "content": "\u6771\u4eac\u306e\u5929\u6c17\u306f\uff1f"},
        {"role": "assistant", "content": "", "tool_calls": [weather_call]},
        {"role": "tool", "tool_call_id": "call12345", "content": "{\"temp\": 21.5, \"sky\": \"\u6674\u308c\"}"},
        {"role": "assistant", "content": "\u6771\u4eac\u306f\u6674\u308c\u3067\u3059 \u2600"}]},
    {"name": "tool_call_pending", "add_generation_prompt": True, "variables": {"tools": [weather_tool]}, "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call98765", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call98765", "content": "sunny"}]},
    {"name": "tools_without_system", "add_generation_prompt": True, "variables": {"tools": [search_tool]}, "messages": [
        {"role": "user", "content": "Find the verl paper."}]},
    {"name": "assistant_with_think", "add_generation_prompt": True, "messages": [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "<think>\nSimple arithmetic.\n</think>\n\nThe answer is 4."},
        {"role": "user", "content": "And 3+3?"}]},
    {"name": "last_assistant_with_think", "add_generation_prompt": False, "messages": [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "<think>\nSimple arithmetic.\n</think>\n\nThe answer is 4."}]},
    {"name": "reasoning_content", "add_generation_prompt": False, "messages": [
        {"role": "user", "content": "Why?"},
        {"role": "assistant", "reasoning_content": "\nBecause reasons.\n", "content": "\nIt depends."}]},
    {"name": "enable_thinking_false", "add_generation_prompt": True, "variables": {"enable_thinking": False}, "messages": [
        {"role": "user", "content": "Quick question."}]},
    {"name": "enable_thinking_true", "add_generation_prompt": True, "variables": {"enable_thinking": True}, "messages": [
        {"role": "user", "content": "Quick question."}]},
    {"name": "llama_tools_in_system", "add_generation_prompt": True, "variables": {"tools": [weather_tool], "tools_in_user_message": False, "date_string": "01 Jan 2025"}, "messages": [
        {"role": "system", "content": "You are a bot."},
        {"role": "user", "content": "Weather?"}]},
    {"name": "builtin_tools", "add_generation_prompt": True, "variables": {"builtin_tools": ["brave_search", "wolfram_alpha", "code_interpreter"]}, "messages": [
        {"role": "user", "content": "Search for verl."},
        {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "brave_search", "arguments": {"query": "verl RL"}}}]},
        {"role": "ipython", "content": {"results": ["a", "b"]}}]},
    {"name": "content_parts", "add_generation_prompt": True, "messages": [
        {"role": "system", "content": [{"type": "text", "text": "System part."}]},
        {"role": "user", "content": [{"type": "text", "text": "Describe this:"}, {"type": "image"}, {"type": "text", "text": " please "}]}]},
    {"name": "roles_not_alternating", "add_generation_prompt": True, "messages": [
        {"role": "user", "content": "One."},
        {"role": "user", "content": "Two."}]},
    {"name": "system_only", "add_generation_prompt": True, "messages": [{"role": "system", "content": "Only a system prompt."}]},
    {"name": "empty_messages", "add_generation_prompt": True, "messages": []},
    {"name": "parallel_tool_calls", "add_generation_prompt": True, "variables": {"tools": [weather_tool]}, "messages": [
        {"role": "user", "content": "Weather in Tokyo and Paris?"},
        {"role": "assistant", "content": "Checking both.", "tool_calls": [
            weather_call,
            {"id": "call54321", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "n": 1e20, "f": 1.0, "z": -0.0, "big": 12345678901234, "tiny": 1e-7}}}]},
        {"role": "tool", "tool_call_id": "call12345", "content": "cloudy"},
        {"role": "tool", "tool_call_id": "call54321", "content": "rain"}]},
    {"name": "feature_probe", "add_generation_prompt": True, "variables": {"items": {"b": 2, "a": [1, 2.5, None, True, "x"]}, "n": 7}, "messages": [
        {"role": "user", "content": "  Probe \u00e9 \U0001D400 text  "}]},
]

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "tests", "Inference", "Text", "Fixtures", "Chat", "conversations.json")
with open(out, "w", encoding="utf-8", newline="\n") as f:
    json.dump(conversations, f, ensure_ascii=True, indent=1)
    f.write("\n")
print(f"{len(conversations)} conversations -> {os.path.normpath(out)}")
