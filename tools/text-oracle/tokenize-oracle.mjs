// Token-id oracle: encodes the shared corpus with @lenml/tokenizers (a transformers.js fork, an implementation
// independent of ours and of Microsoft.ML.Tokenizers) and writes one golden file per tokenizer family:
//   tests/Inference/Text/Fixtures/Tokenizers/<family>/golden.json
// Each case: the text, its ids (add_special_tokens=false), and decodes of the ids and of their first half
// (which can end inside a character) with and without skip_special_tokens.
// Run: npm ci && node tokenize-oracle.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TokenizerLoader } from "@lenml/tokenizers";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "..", "..", "tests", "Inference", "Text", "Fixtures");
const corpus = JSON.parse(readFileSync(join(fixtures, "Corpus", "tokenizer-corpus.json"), "utf8"));

for (const family of ["qwen2_5", "qwen3", "llama3"]) {
  const folder = join(fixtures, "Tokenizers", family);
  const tokenizer = TokenizerLoader.fromPreTrained({
    tokenizerJSON: JSON.parse(gunzipSync(readFileSync(join(folder, "tokenizer.json.gz"))).toString("utf8")),
    tokenizerConfig: JSON.parse(readFileSync(join(folder, "tokenizer_config.json"), "utf8")),
  });
  // The oracle refuses to decode an empty list; transformers returns "".
  const decode = (ids, skip) => (ids.length === 0 ? "" : tokenizer.decode(ids, { skip_special_tokens: skip }));
  const cases = corpus.map((text) => {
    const ids = tokenizer.encode(text, { add_special_tokens: false });
    const half = ids.slice(0, Math.ceil(ids.length / 2));
    return {
      text,
      ids,
      decoded: decode(ids, false),
      decodedSkippingSpecial: decode(ids, true),
      halfIds: half.length,
      halfDecoded: decode(half, false),
    };
  });
  const golden = { oracle: "@lenml/tokenizers 3.7.2", family, cases };
  writeFileSync(join(folder, "golden.json"), JSON.stringify(golden, null, 1) + "\n");
  console.log(`${family}: ${cases.length} cases, ${cases.reduce((n, c) => n + c.ids.length, 0)} ids`);
}
