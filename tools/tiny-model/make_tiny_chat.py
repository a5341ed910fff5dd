"""Writes tests/Fixtures/tiny-chat: a tiny Qwen2 chat model folder, and its PyTorch reference outputs.

The folder is what a real Qwen2.5-Instruct folder holds, scaled down:
  config.json             Qwen2ForCausalLM, 2 layers, hidden 64, GQA 4:2, tied embeddings, bf16, vocab padded
                          past the tokenizer (as Qwen pads 151665 tokens to 151936 rows)
  generation_config.json  eos_token_id [<|im_end|>, <|endoftext|>], as Qwen2.5-Instruct's
  tokenizer.json          byte-level BPE: all 256 bytes (so any text encodes), merges learned here from a small
                          English/math corpus, the Qwen2 split regex and NFC normalizer, and the chat special tokens
  tokenizer_config.json   Qwen2.5-Instruct's, with its real chat template (tests/Inference/Text/Fixtures/Templates)
  model.safetensors       random weights (make_decoder_fixtures.random_weights), stored as bfloat16

and tests/Fixtures/tiny-chat-actor: the same weights as verl's FSDP checkpoint manager saves them with one rank
(model_world_size_1_rank_0.pt: torch.save of the full state dict, tied lm_head.weight included; fsdp_config.json;
huggingface/ with config and tokenizer, no weights), and writes tests/Fixtures/tiny-chat.reference.json: chat cases rendered with Debian's python3-jinja2 configured as
transformers' apply_chat_template (add_generation_prompt=True), tokenized by this script's own byte-level BPE
(an implementation independent of the C# one), the greedy continuation computed by tools/inference/hf_reference.py
in float32 until an eos id or max_new_tokens, and its decode with special tokens skipped (what verl's
validation decodes). The C# tests check their prompt building, engine and decoding against it.

Usage: /usr/bin/python3 tools/tiny-model/make_tiny_chat.py   (Debian's python3 with python3-torch, python3-jinja2)
"""
import collections
import json
import os
import shutil
import re
import sys
import unicodedata
from collections import Counter

import jinja2
import jinja2.ext
import torch
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "inference"))
from hf_reference import ReferenceDecoder, save_safetensors  # noqa: E402
from make_decoder_fixtures import random_weights  # noqa: E402

OUT = os.path.join(ROOT, "tests", "Fixtures", "tiny-chat")
ACTOR = os.path.join(ROOT, "tests", "Fixtures", "tiny-chat-actor")
REFERENCE = os.path.join(ROOT, "tests", "Fixtures", "tiny-chat.reference.json")
TEMPLATE = os.path.join(ROOT, "tests", "Inference", "Text", "Fixtures", "Templates", "qwen2_5.jinja")

SEED = 21
MERGES = 240
MAX_NEW_TOKENS = 24
MIN_MARGIN = 2e-3
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# Qwen2.5 also has these two added tokens; they are not special (skip_special_tokens keeps them).
ADDED_PLAIN = ["<tool_call>", "</tool_call>"]
SPLIT_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")

# gsm8k test row 0 of verl's published parquet, verbatim (its "’" is U+2019), and other short chats.
GSM8K_ROW0 = ("Janet\u2019s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins "
              "for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per "
              "fresh duck egg. How much in dollars does she make every day at the farmers' market? Let's think step "
              "by step and output the final answer after \"####\".")
CASES = [
    {"name": "gsm8k-row-0", "messages": [{"role": "user", "content": GSM8K_ROW0}]},
    {"name": "system-and-user", "messages": [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "What is 2 + 3? Answer with one number."}]},
    {"name": "multi-turn", "messages": [
        {"role": "user", "content": "Name a prime."},
        {"role": "assistant", "content": "7"},
        {"role": "user", "content": "And an even one? caf\u00e9 \u00fcber \u4f60\u597d"}]},
]

CORPUS = """You are Qwen, created by Alibaba Cloud. You are a helpful assistant.
Let's think step by step and output the final answer after "####".
Let's think step by step and output the final answer within \\boxed{}.
""" + GSM8K_ROW0 + """
A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take?
Josh decides to try flipping a house. He buys a house for $80,000 and then puts in $50,000 in repairs.
James decides to run 3 sprints 3 times a week. He runs 60 meters each sprint. How many total meters does he run a week?
Every day, Wendi feeds each of her chickens three cups of mixed chicken feed, containing seeds, mealworms and vegetables.
The answer is the number of eggs she sells times the price of each egg, so she makes money every day.
There are 15 trees in the grove. Grove workers will plant trees in the grove today. After they are done, there will
be 21 trees. How many trees did the grove workers plant today? They planted 21 - 15 = 6 trees. #### 6
"""


# ----------------------------------------------------------------------------------------------
# byte-level BPE, written from the GPT-2 / tokenizers description
# ----------------------------------------------------------------------------------------------

def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map, in GPT-2's order (the order ids are given in)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [(b, chr(c)) for b, c in zip(bs, cs)]


BYTE_TO_CHAR = dict(bytes_to_unicode())
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}

# \p{L} and \p{N} of the Split regex with Python's re: letters are word characters that are neither digits nor
# "_"; numbers are \d (enough for these texts: every number in them is a decimal digit).
_L = r"[^\W\d_]"
_NOT_LN = r"(?:_|[^\w{extra}])"
SPLIT = re.compile(
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)"
    + "|" + _NOT_LN.format(extra=r"\r\n") + "?" + _L + "+"
    + r"|\d"
    + "| ?" + _NOT_LN.format(extra=r"\s") + r"+[\r\n]*"
    + r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def pre_tokenize(text):
    pieces = SPLIT.findall(text)
    assert "".join(pieces) == text, "the split regex must cover the text"
    return ["".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8")) for piece in pieces]


def learn_merges(corpus, count):
    words = Counter(tuple(piece) for piece in pre_tokenize(unicodedata.normalize("NFC", corpus)))
    merges = []
    for _ in range(count):
        pairs = Counter()
        for word, freq in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += freq
        if not pairs:
            break
        best = max(pairs.items(), key=lambda item: (item[1], item[0]))[0]
        merges.append(best)
        merged = {}
        for word, freq in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + freq
        words = merged
    return merges


class Tokenizer:
    def __init__(self, vocab, merges, added):
        self.vocab = vocab
        self.ranks = {pair: rank for rank, pair in enumerate(merges)}
        self.added = added  # content -> id
        self.by_id = {i: t for t, i in vocab.items()} | {i: t for t, i in added.items()}
        self.special_ids = {added[t] for t in SPECIAL}
        self.added_split = re.compile("(" + "|".join(re.escape(t) for t in sorted(added, key=len, reverse=True)) + ")")

    def _bpe(self, piece):
        word = list(piece)
        while len(word) > 1:
            ranked = [(self.ranks.get((a, b)), i) for i, (a, b) in enumerate(zip(word, word[1:]))]
            ranked = [(r, i) for r, i in ranked if r is not None]
            if not ranked:
                break
            _, i = min(ranked)
            word = word[:i] + [word[i] + word[i + 1]] + word[i + 2:]
        return [self.vocab[t] for t in word]

    def encode(self, text):
        """transformers' encode(text, add_special_tokens=False): added tokens split out, NFC, split regex, BPE."""
        ids = []
        for part in self.added_split.split(text):
            if part in self.added:
                ids.append(self.added[part])
            elif part:
                for piece in pre_tokenize(unicodedata.normalize("NFC", part)):
                    ids.extend(self._bpe(piece))
        return ids

    def decode(self, ids, skip_special_tokens):
        out, pending = [], bytearray()
        for i in ids:
            token = self.by_id.get(i)
            if token is None or (skip_special_tokens and i in self.special_ids):
                continue
            if token in self.added:
                out.append(pending.decode("utf-8", errors="replace"))
                pending = bytearray()
                out.append(token)
            else:
                pending.extend(CHAR_TO_BYTE[c] for c in token)
        out.append(pending.decode("utf-8", errors="replace"))
        return "".join(out)


# ----------------------------------------------------------------------------------------------
# the folder
# ----------------------------------------------------------------------------------------------

def write_json(path, value):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def build_tokenizer():
    merges = learn_merges(CORPUS, MERGES)
    vocab = {}
    for _, char in bytes_to_unicode():
        vocab[char] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    added = {}
    for token in SPECIAL + ADDED_PLAIN:
        added[token] = len(vocab) + len(added)
    tokenizer_json = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": added[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": t in SPECIAL} for t in SPECIAL + ADDED_PLAIN],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": SPLIT_REGEX}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }
    with open(TEMPLATE, encoding="utf-8", newline="") as f:
        template = f.read()
    tokenizer_config = {
        "add_bos_token": False, "add_prefix_space": False,
        "added_tokens_decoder": {str(added[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                                 "single_word": False, "special": t in SPECIAL} for t in SPECIAL + ADDED_PLAIN},
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None, "chat_template": template, "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>", "errors": "replace", "model_max_length": 32768, "pad_token": "<|endoftext|>",
        "split_special_tokens": False, "tokenizer_class": "Qwen2Tokenizer", "unk_token": None,
    }
    return Tokenizer(vocab, merges, added), tokenizer_json, tokenizer_config, template


def render(template_source, messages):
    """transformers' apply_chat_template(messages, add_generation_prompt=True, tokenize=False) on python3-jinja2."""
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = lambda x, indent=None: json.dumps(x, ensure_ascii=False, indent=indent)
    return env.from_string(template_source).render(
        messages=messages, tools=None, documents=None, add_generation_prompt=True,
        eos_token="<|im_end|>", pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>", "<|im_end|>"])


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    tokenizer, tokenizer_json, tokenizer_config, template = build_tokenizer()
    size = len(tokenizer.by_id)
    vocab_rows = (size + 63) // 64 * 64
    eos = [tokenizer.added["<|im_end|>"], tokenizer.added["<|endoftext|>"]]
    config = {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
        "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 32768,
        "max_window_layers": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
        "use_sliding_window": False, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
        "vocab_size": vocab_rows, "bos_token_id": eos[1], "eos_token_id": eos[0], "attention_dropout": 0.0,
        "initializer_range": 0.02, "use_cache": True, "transformers_version": "4.43.1",
    }
    generation_config = {"bos_token_id": eos[1], "pad_token_id": eos[1], "eos_token_id": eos, "do_sample": True,
                         "temperature": 0.7, "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.05,
                         "transformers_version": "4.43.1"}
    write_json(os.path.join(OUT, "config.json"), config)
    write_json(os.path.join(OUT, "generation_config.json"), generation_config)
    write_json(os.path.join(OUT, "tokenizer_config.json"), tokenizer_config)
    with open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(tokenizer_json, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")

    weights = random_weights(config, torch.Generator().manual_seed(SEED), torch.bfloat16)
    save_safetensors(os.path.join(OUT, "model.safetensors"), weights, {"format": "pt"})
    write_actor(weights, [config, generation_config, tokenizer_config])
    model = ReferenceDecoder.from_folder(OUT)

    cases = []
    with torch.no_grad():
        for case in CASES:
            text = render(template, case["messages"])
            prompt = tokenizer.encode(text)
            assert tokenizer.decode(prompt, False) == unicodedata.normalize("NFC", text)
            tokens, margin, finish = greedy_until_eos(model, prompt, eos)
            if margin < MIN_MARGIN:
                raise SystemExit(f"{case['name']}: greedy top-2 margin {margin:.2e} is too small; change SEED")
            cases.append({**case, "prompt_text": text, "prompt_ids": prompt, "greedy_ids": tokens,
                          "finish_reason": finish, "response_text": tokenizer.decode(tokens, True),
                          "min_greedy_margin": round(margin, 6)})
    write_json(REFERENCE, {
        "format": "verlorleans.tiny-chat-reference", "version": 1,
        "producer": "tools/tiny-model/make_tiny_chat.py (python3-jinja2 render, own byte-level BPE, hf_reference.py float32)",
        "torch_version": torch.__version__, "jinja2_version": jinja2.__version__,
        "max_new_tokens": MAX_NEW_TOKENS, "eos_token_ids": eos, "tokenizer_size": size, "cases": cases,
    })
    parameters = sum(t.numel() for t in weights.values())
    print(f"tiny-chat: {size} tokens ({len(tokenizer.ranks)} merges), {vocab_rows} vocab rows, {parameters} parameters; "
          + ", ".join(f"{c['name']}: {len(c['prompt_ids'])} prompt ids, {len(c['greedy_ids'])} generated ({c['finish_reason']})" for c in cases))


def write_actor(weights, side_files):
    """A W=1 verl actor folder: FSDP1 with one rank saves plain full tensors, and both keys of tied embeddings."""
    hf = os.path.join(ACTOR, "huggingface")
    os.makedirs(hf, exist_ok=True)
    state = collections.OrderedDict(weights)
    state["lm_head.weight"] = weights["model.embed_tokens.weight"].clone()
    torch.save(state, os.path.join(ACTOR, "model_world_size_1_rank_0.pt"))
    with open(os.path.join(ACTOR, "fsdp_config.json"), "w") as f:
        json.dump({"FSDP_version": 1, "world_size": 1}, f, indent=4)
    for name, value in zip(["config.json", "generation_config.json", "tokenizer_config.json"], side_files):
        write_json(os.path.join(hf, name), value)
    shutil.copyfile(os.path.join(OUT, "tokenizer.json"), os.path.join(hf, "tokenizer.json"))


def greedy_until_eos(model, prompt, eos):
    """hf_reference's greedy decoding, cut after the first eos id (as generation stops there)."""
    tokens, _, margin = model.greedy(prompt, MAX_NEW_TOKENS)
    for at, token in enumerate(tokens):
        if token in eos:
            return tokens[:at + 1], margin, "stop"
    return tokens, margin, "length"


if __name__ == "__main__":
    main()
