#!/usr/bin/python3
"""Writes tests/Inference/Text/Fixtures/Corpus/tokenizer-corpus.json: the texts every tokenizer family is
checked on. Escapes keep this script ASCII so what it means is visible in review."""
import json
import os

corpus = [
    "",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?",
    "Let's think step by step and output the final answer after \"####\".",
    "#### 72",
    "I'm sure you've seen they'll say it's what we'd do; THEY'RE, WE'VE, I'M, 'S",
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01\u4eca\u5929\u5929\u6c14\u5f88\u597d\u3002",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3068\u30ab\u30bf\u30ab\u30ca\u3001\u3072\u3089\u304c\u306a\u3002",
    "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4.",
    "\u0627\u0644\u0633\u0644\u0627\u0645 \u0639\u0644\u064a\u0643\u0645",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0394\u03b9\u03ba\u03b1\u03b9\u03bf\u03c3\u03cd\u03bd\u03b7.",
    "\U0001F600\U0001F601 \U0001F44D\U0001F3FD \U0001F469\u200D\U0001F4BB \U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",
    "\U0001F1EF\U0001F1F5\U0001F1FA\U0001F1F8 \U0001F3F3\uFE0F\u200D\U0001F308 \u2764\uFE0F \u270C\U0001F3FF",
    "\U0001D400\U0001D401\U0001D402 bold math, \U00020000\U00020001 CJK ext B, \U00010330\U00010331 Gothic, \U0001D7D9\U0001D7DA math digits",
    "x\U0001D400y 7\U0001D7D9 \U0001D400\U0001D7D9\U0001F600",
    "0123456789 1234567 12345678901234567890 3.14159 -42 +7 1e10 0x1F",
    "2024-01-31 12:34:56, 31/12/1999, 1st 2nd 3rd 4th, $1,234.56, 50%",
    "def f(x):\n    return x ** 2  # square\n\nprint(f(3))\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }\n\tif (x != y) return -1;",
    "    leading spaces and trailing   ",
    "a  b   c    d\t\te\n\nf\n\n\ng",
    "line one\r\nline two\r\n\r\nline three\rline four",
    "   \n  \n\t \u3000 \u00a0 end",
    "caf\u00e9 cafe\u0301 na\u00efve nai\u0308ve \u212b A\u030a \u1e9b\u0323",
    "\u0915\u094d\u0937\u093f \u0928\u092e\u0938\u094d\u0924\u0947 \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    "<think>\nreasoning here\n</think>\n\nThe answer is 4.<|im_end|>",
    "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"\u6771\u4eac\"}}\n</tool_call>",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    "<|endoftext|><|im_end|>text<|im_start|><|eot_id|><|end_of_text|>",
    "<|im_start <|im_end|x |im_end|> <im_end>",
    "Solve $x^2 + 3x - 4 = 0$. \\boxed{\\frac{1}{2}} \\sqrt{3} \u221a2 \u2264 \u2265 \u2260 \u00b1 \u00d7 \u00f7 \u03c0",
    "\"quoted\" 'single' `back` \u201csmart\u201d \u2018quotes\u2019 \u00abguillemets\u00bb",
    "https://example.com/path?query=1&b=2#frag user@example.com",
    "   ",
    "\n",
    "\t",
    "a",
    "!!!???...,,,;;;:::",
    "\u00e9\u00e8\u00ea\u00eb \u00fc\u00f6\u00e4 \u00df \u0153 \u00e6 \u00f8 \u00e5",
    "\u0000\u0001\u0002 control \u007f\u0085",
    "\u200b\u200c\u200d\u2060\ufeff zero width",
    "\uff21\uff22\uff23\uff11\uff12\uff13 fullwidth",
    "mixed\u4e2d\u6587English\u6df7\u5408123\u6570\u5b57",
    "The answer is: 18 dollars. #### 18\n\nJanet\u2019s ducks lay 16 eggs per day.",
    "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'VE 'M 'LL 'D",
    # Words that Llama 3's vocabulary holds whole but its merges would split (its ignore_merges flag).
    "C\u00f4ng vi\u1ec7c nhi\u1ec1u \u0111i\u1ec1u Vi\u1ec7t Nam, jeho gelmektedir kitaplardan \u0445\u0430\u0440\u0430\u043a\u0442\u0435\u0440",
]

# A long text: stresses the pre-tokenizer on one piece of 'many words'.
corpus.append(" ".join(["token"] * 200) + "\n" + "\u4e2d" * 300 + "9" * 40)

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "tests", "Inference", "Text", "Fixtures", "Corpus", "tokenizer-corpus.json")
with open(out, "w", encoding="utf-8", newline="\n") as f:
    json.dump(corpus, f, ensure_ascii=True, indent=1)
    f.write("\n")
print(f"{len(corpus)} texts -> {os.path.normpath(out)}")
