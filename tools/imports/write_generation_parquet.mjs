// Rows (JSON from make_import_fixtures.py) -> the parquet main_generation.py writes: the dataset's columns in the
// layout of verl's gsm8k test parquet plus "responses", a list<string> of the n responses per prompt (pandas ->
// pyarrow writes it as a 3-level list, as here). Written by the Apache Arrow Rust writer (parquet-wasm; pyarrow is
// not packaged in Debian), read back with hyparquet, an independent reader, which must give every value back.
// Usage: node write_generation_parquet.mjs ROWS.json OUT.parquet
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { Field, Int64, List, Struct, Table, Utf8, tableToIPC, vectorFromArray } from "apache-arrow";
import { parquetReadObjects } from "hyparquet";
import * as parquet from "parquet-wasm/esm";

const require = createRequire(import.meta.url);
parquet.initSync({ module: fs.readFileSync(require.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm")) });

const [input, output] = process.argv.slice(2);
const rows = JSON.parse(fs.readFileSync(input, "utf8"));
const str = (name) => new Field(name, new Utf8(), true);
const promptType = new List(new Field("element", new Struct([str("content"), str("role")]), true));
const rewardType = new Struct([str("ground_truth"), str("style")]);
const extraType = new Struct([str("answer"), new Field("index", new Int64(), true), str("question"), str("split")]);
const responsesType = new List(new Field("element", new Utf8(), true));
const table = new Table({
  data_source: vectorFromArray(rows.map((r) => r.data_source), new Utf8()),
  prompt: vectorFromArray(rows.map((r) => r.prompt), promptType),
  ability: vectorFromArray(rows.map((r) => r.ability), new Utf8()),
  reward_model: vectorFromArray(rows.map((r) => r.reward_model), rewardType),
  extra_info: vectorFromArray(rows.map((r) => ({ ...r.extra_info, index: BigInt(r.extra_info.index) })), extraType),
  responses: vectorFromArray(rows.map((r) => r.responses), responsesType),
});
const properties = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.SNAPPY).build();
const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, "stream")), properties);
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, bytes);

const buffer = fs.readFileSync(output);
const back = await parquetReadObjects({ file: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) });
const sorted = (v) => (typeof v === "bigint" ? Number(v) : Array.isArray(v) ? v.map(sorted)
  : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
rows.forEach((row, i) => {
  if (JSON.stringify(sorted(back[i])) !== JSON.stringify(sorted(row))) throw new Error(`row ${i} reads back differently`);
});
console.log(`wrote ${output}: ${rows.length} rows, ${bytes.length} bytes; hyparquet reads every value back`);
