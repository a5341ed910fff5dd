"""Trains the demo model for real and writes demo/: a verl run folder (FSDP2, world size 2) and a held-out dataset.

What it does, in order (everything seeded, one CPU thread):
  1. A byte-level BPE tokenizer (tools/tiny-model/make_tiny_chat.py's code: all 256 bytes, Qwen2's split regex, so
     every digit is its own token) with merges learned from the task's own text, a short ChatML chat template.
  2. Two templated GSM8K-style task families: demo/addition (2-digit + 2-digit) and demo/subtraction
     (2-digit - smaller 2-digit; borrowing makes it the later one to learn). Answers look like "23 + 45 = 68 #### 68". The test rows are held out:
     their (family, a, b) pairs never appear in training. Every row's data_source is openai/gsm8k (so verl and
     VerlOrleans score it with gsm8k.compute_score without extra routing); the family is in extra_info.
  3. A tiny Qwen2ForCausalLM in plain torch.nn (Hugging Face parameter names, tied embeddings, RoPE with
     rotate_half, RMSNorm eps 1e-6, SiLU MLP, GQA 4:2), trained with AdamW by teacher forcing on the chat-formatted
     prompt + response, loss on the response tokens (and the closing <|im_end|>) only.
  4. At each saved global step: greedy accuracy on the test rows under verl's gsm8k rule (strict), logged to
     tools/demo/training-log.txt; the full state dict is kept.
  5. Every saved step written as verl's FSDP checkpoint manager writes it: two gloo ranks on 127.0.0.1 build the
     model, load the step's weights, apply FSDP2 fully_shard (each decoder layer, then the root) on a ("fsdp",)
     mesh of 2 and torch.save(model.state_dict()) -> global_step_N/actor/model_world_size_2_rank_R.pt (DTensor
     Shard(0)), plus fsdp_config.json, huggingface/ (config, generation config, tokenizer; no weights) and
     latest_checkpointed_iteration.txt (no optimizer or extra state: checkpoint.save_contents=[model]).
     DEMO_DIR/MANIFEST.json, outside the run folder, lists what each rank saved (keys, shapes, placements, bytes,
     sha256), each step's PyTorch greedy accuracy and its greedy responses to the first dataset rows.
  6. The test rows as JSON in verl's gsm8k parquet layout (tools/demo/write_parquet.mjs turns them into parquet).

Needs PyTorch >= 2.6 (DTensor, fully_shard) and jinja2: Debian 13's python3-torch and python3-jinja2 (see
generate.sh, which runs it in a Debian 13 chroot with USE_LIBUV=0 GLOO_SOCKET_IFNAME=lo MASTER_ADDR=127.0.0.1).

Usage: python3 train_demo.py --out DEMO_DIR --rows ROWS_JSON --log LOG_TXT
       python3 train_demo.py --check-layout demo/MANIFEST.json   (seconds: the committed run's layout, no training)
"""
import argparse
import collections
import copy
import hashlib
import json
import math
import os
import random
import re
import shutil
import sys
import time

import jinja2
import jinja2.ext
import torch
import torch.nn.functional as F
from jinja2.sandbox import ImmutableSandboxedEnvironment
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "tiny-model"))
sys.path.insert(0, os.path.join(ROOT, "tools", "inference"))
from make_tiny_chat import SPECIAL, SPLIT_REGEX, Tokenizer, bytes_to_unicode, learn_merges, render  # noqa: E402

SEED = 20250611
WORLD_SIZE = 2

# ----------------------------------------------------------------------------------------------
# the tasks
# ----------------------------------------------------------------------------------------------

SUFFIX = "Let's think step by step and output the final answer after \"####\"."
NAMES = [("Tom", "he"), ("Sara", "she"), ("Ben", "he"), ("Lily", "she"), ("Max", "he"), ("Emma", "she"),
         ("Sam", "he"), ("Mia", "she")]
OBJECTS = ["apples", "marbles", "books", "stickers", "coins", "cookies", "pencils", "shells"]
FAMILIES = {
    "demo/addition": {
        "op": "+", "a": (10, 99), "b": (10, 99),
        "templates": [
            "{name} has {a} {obj} and buys {b} more. How many {obj} does {p} have now?",
            "{name} has {a} {obj}. {P} finds {b} more. How many {obj} does {p} have now?",
            "There are {a} {obj} in a box. {name} puts in {b} more. How many {obj} are in the box now?",
        ],
    },
    "demo/subtraction": {
        "op": "-", "a": (20, 99), "b": (10, 99),
        "templates": [
            "{name} has {a} {obj} and gives away {b}. How many {obj} does {p} have left?",
            "{name} has {a} {obj}. {P} loses {b} of them. How many {obj} does {p} have left?",
            "There are {a} {obj} in a box. {name} takes out {b}. How many {obj} are in the box now?",
        ],
    },
}


def make_problem(rng, source, a=None, b=None):
    family = FAMILIES[source]
    a = rng.randint(*family["a"]) if a is None else a
    # A subtraction never goes below zero: b is drawn below a.
    b = rng.randint(family["b"][0], min(family["b"][1], a - 1) if family["op"] == "-" else family["b"][1]) if b is None else b
    name, pronoun = rng.choice(NAMES)
    template = rng.choice(family["templates"])
    question = template.format(name=name, p=pronoun, P=pronoun.capitalize(), a=a, b=b, obj=rng.choice(OBJECTS))
    result = a + b if family["op"] == "+" else a - b
    answer = f"{a} {family['op']} {b} = {result} #### {result}"
    return {"source": source, "a": a, "b": b, "question": question, "answer": answer, "truth": str(result)}


def prompt_messages(problem):
    # verl's gsm8k preprocessing: the question, one space, the instruction.
    return [{"role": "user", "content": problem["question"] + " " + SUFFIX}]


def test_set(rng, per_family):
    """per_family distinct (a, b) pairs of each family, interleaved (addition, subtraction, ...) so that every
    prefix of the dataset (a sweep's or a test's first rows) holds both families about equally."""
    by_family = []
    for source in FAMILIES:
        seen, rows = set(), []
        while len(seen) < per_family:
            problem = make_problem(rng, source)
            if (problem["a"], problem["b"]) in seen:
                continue
            seen.add((problem["a"], problem["b"]))
            rows.append(problem)
        by_family.append(rows)
    return [problem for group in zip(*by_family) for problem in group]


GSM8K_STRICT = re.compile(r"#### (\-?[0-9\.\,]+)")


def gsm8k_score(response, ground_truth):
    """verl/utils/reward_score/gsm8k.py compute_score, strict: last '#### N' of the last 300 characters."""
    if len(response) > 300:
        response = response[-300:]
    found = GSM8K_STRICT.findall(response)
    if not found:
        return 0.0
    return 1.0 if found[-1].replace(",", "").replace("$", "") == ground_truth else 0.0


# ----------------------------------------------------------------------------------------------
# tokenizer and side files
# ----------------------------------------------------------------------------------------------

# ChatML as Qwen2.5-Instruct writes it, without tools and without the default system prompt.
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


class CachedTokenizer(Tokenizer):
    def __init__(self, *args):
        super().__init__(*args)
        self._cache = {}

    def _bpe(self, piece):
        ids = self._cache.get(piece)
        if ids is None:
            ids = self._cache[piece] = super()._bpe(piece)
        return ids


def build_tokenizer(merge_count, vocab_rows):
    rng = random.Random(SEED + 1)
    corpus = []
    for _ in range(300):
        for source in FAMILIES:
            problem = make_problem(rng, source)
            corpus.append(prompt_messages(problem)[0]["content"])
            corpus.append(problem["answer"])
    corpus.append("user assistant system")
    merges = learn_merges("\n".join(corpus), merge_count)
    vocab = {}
    for _, char in bytes_to_unicode():
        vocab[char] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    added = {token: len(vocab) + i for i, token in enumerate(SPECIAL)}
    size = len(vocab) + len(added)
    assert size <= vocab_rows, f"{size} tokens do not fit {vocab_rows} rows"
    tokenizer_json = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": added[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for t in SPECIAL],
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
    tokenizer_config = {
        "add_bos_token": False, "add_prefix_space": False,
        "added_tokens_decoder": {str(added[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                                 "single_word": False, "special": True} for t in SPECIAL},
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None, "chat_template": CHAT_TEMPLATE, "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>", "errors": "replace", "model_max_length": 2048, "pad_token": "<|endoftext|>",
        "split_special_tokens": False, "tokenizer_class": "Qwen2Tokenizer", "unk_token": None,
    }
    return CachedTokenizer(vocab, merges, added), tokenizer_json, tokenizer_config


def model_config(args, tokenizer):
    eos = [tokenizer.added["<|im_end|>"], tokenizer.added["<|endoftext|>"]]
    return {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
        "hidden_size": args.hidden, "intermediate_size": args.intermediate, "num_hidden_layers": args.layers,
        "num_attention_heads": args.heads, "num_key_value_heads": args.kv_heads, "max_position_embeddings": 2048,
        "max_window_layers": args.layers, "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "sliding_window": None,
        "use_sliding_window": False, "tie_word_embeddings": True, "torch_dtype": "float32",
        "vocab_size": args.vocab_rows, "bos_token_id": eos[1], "eos_token_id": eos[0], "attention_dropout": 0.0,
        "initializer_range": 0.02, "use_cache": True, "transformers_version": "4.51.3",
    }


def generation_config(tokenizer):
    eos = [tokenizer.added["<|im_end|>"], tokenizer.added["<|endoftext|>"]]
    return {"bos_token_id": eos[1], "pad_token_id": eos[1], "eos_token_id": eos, "do_sample": True,
            "temperature": 0.7, "top_p": 0.8, "top_k": 20, "transformers_version": "4.51.3"}


def write_json(path, value, indent=2):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(value, f, indent=indent, ensure_ascii=False)
        f.write("\n")


# ----------------------------------------------------------------------------------------------
# the model: Qwen2ForCausalLM's parameters and forward (transformers' modeling_qwen2.py), plain torch.nn
# ----------------------------------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads = c["num_attention_heads"], c["num_key_value_heads"]
        self.head_dim = c["hidden_size"] // self.heads
        self.q_proj = nn.Linear(c["hidden_size"], self.heads * self.head_dim, bias=True)
        self.k_proj = nn.Linear(c["hidden_size"], self.kv_heads * self.head_dim, bias=True)
        self.v_proj = nn.Linear(c["hidden_size"], self.kv_heads * self.head_dim, bias=True)
        self.o_proj = nn.Linear(self.heads * self.head_dim, c["hidden_size"], bias=False)

    def forward(self, x, cos, sin, mask):
        batch, length, _ = x.shape
        q = self.q_proj(x).view(batch, length, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(batch, length, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(batch, length, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        groups = self.heads // self.kv_heads
        k = k.repeat_interleave(groups, dim=1)  # transformers' repeat_kv
        v = v.repeat_interleave(groups, dim=1)
        if mask is None:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.o_proj(out.transpose(1, 2).reshape(batch, length, -1))


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = Mlp(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, h, cos, sin, mask):
        h = h + self.self_attn(self.input_layernorm(h), cos, sin, mask)
        return h + self.mlp(self.post_attention_layernorm(h))


class Body(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class Qwen2ForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.model = Body(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        self.lm_head.weight = self.model.embed_tokens.weight  # tie_word_embeddings
        head_dim = c["hidden_size"] // c["num_attention_heads"]
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)  # not in state dicts, as in transformers

    def init_weights(self, generator):
        std = self.config["initializer_range"]
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("layernorm.weight") or name == "model.norm.weight":
                    p.fill_(1.0)
                elif name.endswith(".bias"):
                    p.zero_()
                else:
                    p.copy_(torch.randn(p.shape, generator=generator) * std)

    def forward(self, input_ids, attention_mask=None):
        """Right-padded training batches: attention_mask None (causal). Left-padded generation: a 0/1 mask."""
        batch, length = input_ids.shape
        if attention_mask is None:
            position_ids = torch.arange(length)[None, :].expand(batch, length)
            mask = None
        else:
            position_ids = attention_mask.long().cumsum(-1) - 1
            position_ids = position_ids.masked_fill(attention_mask == 0, 1)
            causal = torch.tril(torch.ones(length, length, dtype=torch.bool))
            mask = causal[None, None] & attention_mask.bool()[:, None, None, :]
        freqs = position_ids[..., None].float() * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        h = self.model.embed_tokens(input_ids)
        for layer in self.model.layers:
            h = layer(h, cos, sin, mask)
        return self.lm_head(self.model.norm(h))


# ----------------------------------------------------------------------------------------------
# training and greedy evaluation
# ----------------------------------------------------------------------------------------------

class Encoder:
    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        # make_tiny_chat.render's environment (transformers' apply_chat_template), compiled once.
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
        self.template = env.from_string(CHAT_TEMPLATE)
        self.im_end = tokenizer.added["<|im_end|>"]
        self.pad = tokenizer.added["<|endoftext|>"]
        self.eos = {self.im_end, self.pad}

    def prompt(self, problem):
        # What verl's dataset feeds the rollout: apply_chat_template(add_generation_prompt=True), then encode.
        return self.tokenizer.encode(self.render(prompt_messages(problem)))

    def render(self, messages):
        return self.template.render(messages=messages, tools=None, documents=None, add_generation_prompt=True,
                                    eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                    additional_special_tokens=["<|im_start|>", "<|im_end|>"])

    def response(self, problem):
        return self.tokenizer.encode(problem["answer"]) + [self.im_end]


def training_batch(encoder, problems):
    sequences, targets = [], []
    for problem in problems:
        prompt, response = encoder.prompt(problem), encoder.response(problem)
        ids = prompt + response
        sequences.append(ids[:-1])
        targets.append([-100] * (len(prompt) - 1) + response)  # loss on the response tokens only
    length = max(len(s) for s in sequences)
    inputs = torch.full((len(sequences), length), encoder.pad, dtype=torch.long)
    labels = torch.full((len(sequences), length), -100, dtype=torch.long)
    for i, (s, t) in enumerate(zip(sequences, targets)):
        inputs[i, :len(s)] = torch.tensor(s)
        labels[i, :len(t)] = torch.tensor(t)
    return inputs, labels


@torch.no_grad()
def greedy(model, encoder, prompts, max_new_tokens, batch_size=64):
    """Greedy decoding of left-padded batches (HF generate's masks and positions), stopping at an eos id."""
    model.eval()
    outputs = [None] * len(prompts)
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        length = max(len(prompts[i]) for i in chunk)
        ids = torch.full((len(chunk), length), encoder.pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), length), dtype=torch.long)
        for row, i in enumerate(chunk):
            ids[row, length - len(prompts[i]):] = torch.tensor(prompts[i])
            mask[row, length - len(prompts[i]):] = 1
        generated = [[] for _ in chunk]
        done = [False] * len(chunk)
        for _ in range(max_new_tokens):
            next_ids = model(ids, mask)[:, -1].argmax(-1)
            for row, token in enumerate(next_ids.tolist()):
                if not done[row]:
                    generated[row].append(token)
                    done[row] = token in encoder.eos
            if all(done):
                break
            ids = torch.cat([ids, next_ids[:, None]], dim=1)
            mask = torch.cat([mask, torch.ones((len(chunk), 1), dtype=torch.long)], dim=1)
        for row, i in enumerate(chunk):
            outputs[i] = generated[row]
    model.train()
    return outputs


def evaluate(model, encoder, problems, prompts, max_new_tokens):
    outputs = greedy(model, encoder, prompts, max_new_tokens)
    scores = collections.defaultdict(list)
    samples = []
    for problem, tokens in zip(problems, outputs):
        text = encoder.tokenizer.decode(tokens, skip_special_tokens=True)
        score = gsm8k_score(text, problem["truth"])
        scores[problem["source"]].append(score)
        samples.append((problem["source"], text, score))
    accuracy = {source: sum(v) / len(v) for source, v in scores.items()}
    accuracy["all"] = sum(sum(v) for v in scores.values()) / sum(len(v) for v in scores.values())
    return accuracy, samples


def lr_at(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def train(args, config, encoder, test_rows, log):
    torch.manual_seed(SEED)
    model = Qwen2ForCausalLM(config)
    model.init_weights(torch.Generator().manual_seed(SEED))
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98))
    held_out = {(r["source"], r["a"], r["b"]) for r in test_rows}
    test_prompts = [encoder.prompt(r) for r in test_rows]
    rng = random.Random(SEED + 2)
    sources = list(FAMILIES)
    saves = sorted(args.save_steps)
    states, results = {}, []
    losses = collections.deque(maxlen=50)
    started = time.time()
    eval_seconds = 0.0
    for step in range(1, saves[-1] + 1):
        problems = []
        while len(problems) < args.batch_size:
            problem = make_problem(rng, sources[len(problems) % len(sources)])
            if (problem["source"], problem["a"], problem["b"]) not in held_out:
                problems.append(problem)
        inputs, labels = training_batch(encoder, problems)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step - 1, saves[-1], args.lr, args.warmup)
        logits = model(inputs)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1), ignore_index=-100)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        if step in saves or (args.eval_every and step % args.eval_every == 0):
            t0 = time.time()
            accuracy, samples = evaluate(model, encoder, test_rows, test_prompts, args.max_new_tokens)
            eval_seconds += time.time() - t0
            train_seconds = time.time() - started - eval_seconds
            mean_loss = sum(losses) / len(losses)
            line = (f"step {step:5d}  loss {loss.item():.4f} (mean of last {len(losses)}: {mean_loss:.4f})  "
                    + "  ".join(f"{s} {accuracy[s]:.3f}" for s in list(FAMILIES) + ["all"])
                    + f"  train {train_seconds:.0f}s{'  SAVED' if step in saves else ''}")
            print(line, flush=True)
            log.append(line)
            if step in saves:
                states[step] = collections.OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
                # What the grid evaluates by default: the merge writes bfloat16 (verl's merger default), the CPU
                # engine computes in float32 from those rounded weights.
                t0 = time.time()
                rounded = copy.deepcopy(model)
                with torch.no_grad():
                    for p in rounded.parameters():
                        p.copy_(p.to(torch.bfloat16).to(torch.float32))
                accuracy_bf16, samples_bf16 = evaluate(rounded, encoder, test_rows, test_prompts, args.max_new_tokens)
                eval_seconds += time.time() - t0
                line = (f"step {step:5d}  weights rounded to bfloat16:  "
                        + "  ".join(f"{s} {accuracy_bf16[s]:.3f}" for s in list(FAMILIES) + ["all"]))
                print(line, flush=True)
                log.append(line)
                results.append({"step": step, "loss": loss.item(), "mean_loss": mean_loss, "accuracy": accuracy,
                                "accuracy_bf16": accuracy_bf16,
                                "first_responses_bf16": [text for _, text, _ in samples_bf16[:args.reference_rows]],
                                "train_seconds": round(train_seconds, 1),
                                "samples": [s for s in samples[:: max(1, len(samples) // 4)]],
                                "first_responses": [text for _, text, _ in samples[:args.reference_rows]],
                                "failures": [s for s in samples if s[2] == 0.0]})
    total_train = time.time() - started - eval_seconds
    return model, states, results, total_train, eval_seconds


# ----------------------------------------------------------------------------------------------
# verl's FSDP2 checkpoint, written by two gloo ranks
# ----------------------------------------------------------------------------------------------

def shard_worker(rank, config, steps, staging, run_dir, port):
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import DTensor
    try:
        from torch.distributed.fsdp import fully_shard
    except ImportError:  # torch 2.6 keeps it under _composable
        from torch.distributed._composable.fsdp import fully_shard

    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD_SIZE, init_method=f"tcp://127.0.0.1:{port}")
    try:
        manifest = {}
        for step in steps:
            model = Qwen2ForCausalLM(config)
            model.load_state_dict(torch.load(os.path.join(staging, f"full_{step}.pt")))
            mesh = init_device_mesh("cpu", (WORLD_SIZE,), mesh_dim_names=("fsdp",))
            for layer in model.model.layers:  # verl's apply_fsdp2: the decoder layers, then the root
                fully_shard(layer, mesh=mesh)
            fully_shard(model, mesh=mesh)
            state = model.state_dict()
            actor = os.path.join(run_dir, f"global_step_{step}", "actor")
            torch.save(state, os.path.join(actor, f"model_world_size_{WORLD_SIZE}_rank_{rank}.pt"))
            entries = []
            for key, value in state.items():
                entry = {"key": key, "dtype": str(value.dtype).replace("torch.", ""), "global_shape": list(value.shape)}
                if isinstance(value, DTensor):
                    entry["type"] = "DTensor"
                    entry["local_shape"] = list(value.to_local().shape)
                    entry["placements"] = [repr(p) for p in value.placements]
                else:
                    entry["type"] = "Tensor"
                    entry["local_shape"] = list(value.shape)
                entries.append(entry)
            manifest[str(step)] = entries
            dist.barrier()
        write_json(os.path.join(staging, f"manifest_rank_{rank}.json"), manifest)
    finally:
        dist.destroy_process_group()


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def shard_steps(args, config, tokenizer_json, tokenizer_config, gen_config, states, run_dir, staging):
    """Writes run_dir as verl does for every step in states; returns what each rank saved, per step."""
    import torch.multiprocessing as mp

    os.makedirs(staging, exist_ok=True)
    steps = sorted(states)
    for step in steps:
        actor = os.path.join(run_dir, f"global_step_{step}", "actor")
        hf = os.path.join(actor, "huggingface")
        os.makedirs(hf)
        write_json(os.path.join(actor, "fsdp_config.json"), {"FSDP_version": 2, "world_size": WORLD_SIZE}, indent=4)
        write_json(os.path.join(hf, "config.json"), config)
        write_json(os.path.join(hf, "generation_config.json"), gen_config)
        write_json(os.path.join(hf, "tokenizer_config.json"), tokenizer_config)
        with open(os.path.join(hf, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
            json.dump(tokenizer_json, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        torch.save(states[step], os.path.join(staging, f"full_{step}.pt"))
    mp.spawn(shard_worker, args=(config, steps, staging, run_dir, args.port), nprocs=WORLD_SIZE, join=True)
    with open(os.path.join(run_dir, "latest_checkpointed_iteration.txt"), "w") as f:
        f.write(str(steps[-1]))  # verl writes str(global_steps), no newline
    return [json.load(open(os.path.join(staging, f"manifest_rank_{r}.json"))) for r in range(WORLD_SIZE)]


def write_run(args, config, tokenizer_json, tokenizer_config, gen_config, states, results):
    run_dir = os.path.join(args.out, "verl-run")
    if os.path.exists(run_dir):
        shutil.rmtree(run_dir)
    staging = os.path.join(args.staging, "shard")
    steps = sorted(states)
    per_rank = shard_steps(args, config, tokenizer_json, tokenizer_config, gen_config, states, run_dir, staging)
    by_step = {r["step"]: r for r in results}
    manifest = {
        "format": "verlorleans.demo-run-manifest", "version": 1,
        "producer": f"tools/demo/train_demo.py (torch {torch.__version__}, FSDP2 fully_shard, gloo, world size {WORLD_SIZE})",
        "world_size": WORLD_SIZE, "fsdp_version": 2, "latest_step": steps[-1],
        "accuracy": "greedy (argmax) decoding through the chat template, at most "
                    f"{args.max_new_tokens} new tokens, stop at <|im_end|> or <|endoftext|>, scored with verl's gsm8k "
                    "compute_score (strict: the last '#### N'); 'all' is the mean over every row of the dataset",
        "pytorch_greedy_first_rows": f"the decoded greedy responses to the dataset's first {args.reference_rows} rows",
        "bf16_weights": "the same with every weight rounded to bfloat16 and computed in float32: what the grid "
                        "evaluates after its default (bfloat16) merge on a CPU",
        "model": {k: config[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers",
                                          "num_attention_heads", "num_key_value_heads", "vocab_size", "torch_dtype")},
        "steps": [],
    }
    for step in steps:
        actor = os.path.join(run_dir, f"global_step_{step}", "actor")
        ranks = []
        for rank in range(WORLD_SIZE):
            name = f"model_world_size_{WORLD_SIZE}_rank_{rank}.pt"
            path = os.path.join(actor, name)
            ranks.append({"rank": rank, "file": name, "bytes": os.path.getsize(path), "sha256": sha256(path),
                          "tensors": per_rank[rank][str(step)]})
        r = by_step[step]
        manifest["steps"].append({"step": step, "path": f"verl-run/global_step_{step}/actor",
                                  "bytes": sum(r_["bytes"] for r_ in ranks),
                                  "pytorch_greedy_accuracy": {k: round(v, 4) for k, v in r["accuracy"].items()},
                                  "train_loss_mean_last_50": round(r["mean_loss"], 4),
                                  "pytorch_greedy_accuracy_bf16_weights": {k: round(v, 4) for k, v in r["accuracy_bf16"].items()},
                                  "pytorch_greedy_first_rows": r["first_responses"],
                                  "pytorch_greedy_first_rows_bf16_weights": r["first_responses_bf16"],
                                  # the full (unsharded) weights a merge must reproduce: sha256 of each tensor's
                                  # little-endian float32 bytes in row-major order
                                  "full_tensor_sha256": {k: hashlib.sha256(v.contiguous().numpy().tobytes()).hexdigest()
                                                         for k, v in states[step].items()},
                                  "ranks": ranks})
    # Outside the run folder, which holds only what verl itself writes.
    write_json(os.path.join(args.out, "MANIFEST.json"), manifest)
    shutil.rmtree(staging)
    return run_dir


DATA_SOURCE = "openai/gsm8k"  # verl routes it to gsm8k.compute_score; the family goes in extra_info


def check_layout(args, config, tokenizer_json, tokenizer_config, gen_config, manifest_path):
    """Without training: shards a freshly initialised model at every step the manifest lists, exactly as the real
    run was sharded, and checks that the manifest lists, for every rank file, the key sets, dtypes, global and local
    shapes and placements this script saves, and that the committed side files and tracker are byte for byte what
    it writes. (That the committed rank files hold what the manifest lists is checked by the C# tests,
    tests/Checkpoints/Demo/DemoRunFolderTests.cs, with their sha256.)"""
    import tempfile

    demo = os.path.dirname(os.path.abspath(manifest_path))
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    model = Qwen2ForCausalLM(config)
    model.init_weights(torch.Generator().manual_seed(SEED))
    state = collections.OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
    steps = [entry["step"] for entry in manifest["steps"]]
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        run_dir = os.path.join(scratch, "verl-run")
        per_rank = shard_steps(args, config, tokenizer_json, tokenizer_config, gen_config, {s: state for s in steps},
                               run_dir, os.path.join(scratch, "staging"))
        committed_run = os.path.join(demo, "verl-run")
        for entry in manifest["steps"]:
            step = entry["step"]
            for rank in range(WORLD_SIZE):
                committed = entry["ranks"][rank]["tensors"]
                if committed != per_rank[rank][str(step)]:
                    problems.append(f"step {step} rank {rank}: tensor layout differs from what this script saves")
            actor = os.path.join("global_step_" + str(step), "actor")
            for side in ["fsdp_config.json", "huggingface/config.json", "huggingface/generation_config.json",
                         "huggingface/tokenizer_config.json", "huggingface/tokenizer.json"]:
                with open(os.path.join(run_dir, actor, side), "rb") as a, open(os.path.join(committed_run, actor, side), "rb") as b:
                    if a.read() != b.read():
                        problems.append(f"step {step}: {side} differs")
        with open(os.path.join(run_dir, "latest_checkpointed_iteration.txt")) as a, \
                open(os.path.join(committed_run, "latest_checkpointed_iteration.txt")) as b:
            if a.read() != b.read():
                problems.append("latest_checkpointed_iteration.txt differs")
    for problem in problems:
        print(problem)
    print(f"layout check of {len(steps)} steps x {WORLD_SIZE} ranks: " + ("FAILED" if problems else "ok"))
    return not problems


def dataset_rows(test_rows):
    """verl's examples/data_preprocess/gsm8k.py row layout (struct fields in the order that file's parquet has),
    plus extra_info.family (demo/addition or demo/subtraction)."""
    rows = []
    for index, problem in enumerate(test_rows):
        rows.append({
            "data_source": DATA_SOURCE,
            "prompt": [{"content": prompt_messages(problem)[0]["content"], "role": "user"}],
            "ability": "math",
            "reward_model": {"ground_truth": problem["truth"], "style": "rule"},
            "extra_info": {"answer": problem["answer"], "family": problem["source"], "index": index,
                           "question": problem["question"], "split": "test"},
        })
    return rows


def check_against_reference(model, config, encoder, test_rows, staging):
    """The trained module's logits against tools/inference/hf_reference.py (the project's transformers oracle)."""
    from hf_reference import Config, ReferenceDecoder
    weights = {k: v for k, v in model.state_dict().items() if k != "lm_head.weight"}
    reference = ReferenceDecoder(Config(config), weights)
    prompts = [encoder.prompt(r) for r in test_rows[:4]] + [encoder.prompt(r) for r in test_rows[-4:]]
    length = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), length), encoder.pad, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, p in enumerate(prompts):
        ids[row, length - len(p):] = torch.tensor(p)
        mask[row, length - len(p):] = 1
    with torch.no_grad():
        ours = model(ids, mask)
        theirs = reference.forward(ids, mask)
    valid = mask.bool()
    difference = (ours - theirs).abs()[valid].max().item()
    assert difference < 1e-3, f"logits differ from hf_reference by {difference}"
    return difference


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="the demo folder (verl-run/ and MANIFEST.json are written under it)")
    parser.add_argument("--rows", help="where the test rows go as JSON (for write_parquet.mjs)")
    parser.add_argument("--log")
    parser.add_argument("--check-layout", metavar="MANIFEST", help="no training: check that the committed run next to "
                        "MANIFEST has the key sets, shapes, placements and side files this script writes")
    parser.add_argument("--staging", default="/tmp/demo-staging")
    parser.add_argument("--hidden", type=int, default=96)
    parser.add_argument("--intermediate", type=int, default=192)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--kv-heads", type=int, default=2)
    parser.add_argument("--vocab-rows", type=int, default=384)
    parser.add_argument("--merges", type=int, default=120)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--warmup", type=int, default=100)
    # verl saves every trainer.save_freq steps and at the last one: save_freq 400 over 3200 steps.
    parser.add_argument("--save-steps", type=int, nargs="+", default=[400, 800, 1200, 1600, 2000, 2400, 2800, 3200])
    parser.add_argument("--eval-every", type=int, default=400)
    parser.add_argument("--reference-rows", type=int, default=32)
    parser.add_argument("--test-per-family", type=int, default=128)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--port", type=int, default=29611)
    parser.add_argument("--no-shards", action="store_true", help="train and log only (for tuning)")
    args = parser.parse_args()
    if not args.check_layout and not (args.out and args.rows and args.log):
        parser.error("--out, --rows and --log are required (unless --check-layout)")

    if args.check_layout:  # the committed run's model shape, whatever the defaults are now
        with open(args.check_layout, encoding="utf-8") as f:
            shape = json.load(f)["model"]
        args.hidden, args.intermediate, args.layers = shape["hidden_size"], shape["intermediate_size"], shape["num_hidden_layers"]
        args.heads, args.kv_heads, args.vocab_rows = shape["num_attention_heads"], shape["num_key_value_heads"], shape["vocab_size"]

    torch.set_num_threads(1)
    started = time.time()
    tokenizer, tokenizer_json, tokenizer_config = build_tokenizer(args.merges, args.vocab_rows)
    config = model_config(args, tokenizer)
    gen_config = generation_config(tokenizer)
    if args.check_layout:
        sys.exit(0 if check_layout(args, config, tokenizer_json, tokenizer_config, gen_config, args.check_layout) else 1)
    encoder = Encoder(tokenizer)
    test_rows = test_set(random.Random(SEED + 3), args.test_per_family)
    for r in test_rows:  # the compiled template renders as make_tiny_chat.render (apply_chat_template) does
        assert encoder.render(prompt_messages(r)) == render(CHAT_TEMPLATE, prompt_messages(r))
    prompt_lengths = [len(encoder.prompt(r)) for r in test_rows]
    response_lengths = [len(encoder.response(r)) for r in test_rows]
    parameters = sum(p.numel() for p in Qwen2ForCausalLM(config).parameters())
    log = [
        "tools/demo/train_demo.py: training log (PyTorch greedy accuracy on demo/data/demo_test.parquet, verl gsm8k strict rule)",
        f"torch {torch.__version__}, 1 thread; seed {SEED}",
        f"model: Qwen2ForCausalLM hidden {args.hidden}, intermediate {args.intermediate}, layers {args.layers}, "
        f"heads {args.heads}, kv heads {args.kv_heads}, vocab rows {args.vocab_rows} ({len(tokenizer.by_id)} tokens, "
        f"{len(tokenizer.ranks)} merges), tied embeddings, float32; {parameters} parameters",
        f"training: AdamW lr {args.lr} (warmup {args.warmup}, cosine to 10%), betas (0.9, 0.98), weight decay "
        f"{args.weight_decay}, batch {args.batch_size} (half per family), fresh problems every step, test pairs held out",
        f"test set: {args.test_per_family} rows per family; prompt tokens {min(prompt_lengths)}-{max(prompt_lengths)}, "
        f"response tokens (with <|im_end|>) {min(response_lengths)}-{max(response_lengths)}; greedy up to {args.max_new_tokens} new tokens",
    ]
    for line in log:
        print(line, flush=True)
    model, states, results, train_seconds, eval_seconds = train(args, config, encoder, test_rows, log)
    difference = check_against_reference(model, config, encoder, test_rows, args.staging)
    log.append(f"training wall-clock {train_seconds:.0f}s ({sorted(states)[-1]} steps), greedy evaluations {eval_seconds:.0f}s")
    log.append(f"final model vs tools/inference/hf_reference.py: max |logit difference| {difference:.2e}")
    for r in results:
        for source, text, score in r["samples"]:
            log.append(f"sample at step {r['step']} [{source}] score {score:.0f}: {text!r}")
    last = results[-1]
    for source in FAMILIES:
        failures = [text for s, text, _ in last["failures"] if s == source]
        log.append(f"step {last['step']} [{source}]: {len(failures)} wrong, e.g. " + "; ".join(repr(t) for t in failures[:8]))
    if not args.no_shards:
        os.makedirs(args.out, exist_ok=True)
        write_run(args, config, tokenizer_json, tokenizer_config, gen_config, states, results)
        write_json(args.rows, dataset_rows(test_rows))
    log.append(f"total script time {time.time() - started:.0f}s")
    with open(args.log, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(log) + "\n")
    print(log[-1])


if __name__ == "__main__":
    main()
