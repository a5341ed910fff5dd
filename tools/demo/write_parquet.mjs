// Test rows (JSON from train_demo.py) -> parquet in the layout of verl's gsm8k test parquet, written by the Apache
// Arrow Rust parquet writer (parquet-wasm): pyarrow is not packaged in Debian 12 or 13, and this writer produces
// the same file structure (optional columns, 3-level list "prompt.list.element", dictionary-encoded snappy pages,
// statistics, the ARROW:schema key). Then reads the file back with hyparquet, an independent reader, and checks
// every value.
// Usage: node write_parquet.mjs ROWS.json OUT.parquet [MANIFEST.json]  (the manifest gets a "dataset" entry)
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { Field, Int64, List, Struct, Table, Utf8, tableToIPC, vectorFromArray } from "apache-arrow";
import { parquetReadObjects } from "hyparquet";
import * as parquet from "parquet-wasm/esm";

const require = createRequire(import.meta.url);
parquet.initSync({ module: fs.readFileSync(require.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm")) });

const [input, output, manifestPath] = process.argv.slice(2);
const rows = JSON.parse(fs.readFileSync(input, "utf8"));
const str = (name) => new Field(name, new Utf8(), true);
// Struct fields in the order verl's published gsm8k parquet has them (extra_info.family is the demo's own).
const promptType = new List(new Field("element", new Struct([str("content"), str("role")]), true));
const rewardType = new Struct([str("ground_truth"), str("style")]);
const extraType = new Struct([str("answer"), str("family"), new Field("index", new Int64(), true), str("question"), str("split")]);
const table = new Table({
  data_source: vectorFromArray(rows.map((r) => r.data_source), new Utf8()),
  prompt: vectorFromArray(rows.map((r) => r.prompt), promptType),
  ability: vectorFromArray(rows.map((r) => r.ability), new Utf8()),
  reward_model: vectorFromArray(rows.map((r) => r.reward_model), rewardType),
  extra_info: vectorFromArray(rows.map((r) => ({ ...r.extra_info, index: BigInt(r.extra_info.index) })), extraType),
});
const properties = new parquet.WriterPropertiesBuilder()
  .setCompression(parquet.Compression.SNAPPY)
  .setMaxRowGroupSize(1000)
  .build();
const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, "stream")), properties);
fs.writeFileSync(output, bytes);

const buffer = fs.readFileSync(output);
const back = await parquetReadObjects({ file: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) });
if (back.length !== rows.length) throw new Error(`read back ${back.length} rows, wrote ${rows.length}`);
const sorted = (v) => (typeof v === "bigint" ? Number(v) : Array.isArray(v) ? v.map(sorted)
  : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
const normal = (value) => JSON.stringify(sorted(value));
rows.forEach((row, i) => {
  if (normal(back[i]) !== normal(row)) throw new Error(`row ${i} reads back as ${normal(back[i])}, wrote ${normal(row)}`);
});
console.log(`wrote ${output}: ${rows.length} rows, ${bytes.length} bytes; hyparquet reads every value back`);
if (manifestPath) {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  manifest.dataset = {
    path: path.relative(path.dirname(manifestPath), output).split(path.sep).join("/"),
    rows: rows.length,
    bytes: buffer.length,
    sha256: crypto.createHash("sha256").update(buffer).digest("hex"),
    data_sources: [...new Set(rows.map((r) => r.data_source))],
    families: Object.fromEntries([...new Set(rows.map((r) => r.extra_info.family))].map((f) => [f, rows.filter((r) => r.extra_info.family === f).length])),
  };
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
}
