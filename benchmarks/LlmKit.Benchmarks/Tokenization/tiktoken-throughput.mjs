// Measures the npm package tiktoken (OpenAI's Rust tiktoken as WebAssembly) on the benchmark corpus, to compare
// with TokenizerBenchmarks. Usage:
//   npm install --prefix <dir> tiktoken@1.0.22
//   node tiktoken-throughput.mjs <corpus.txt> [<dir>/node_modules]
//   node tiktoken-throughput.mjs --serve <corpus.txt> [<dir>/node_modules]
// Counting in tiktoken means encoding and taking the length (encode_ordinary: special tokens as plain text).
// --serve is how tokenizer-peers-quick drives it (NpmTiktokenProcess): it prints "ready", then for each line naming an
// encoding counts the corpus document by document once and prints "<encoding> <milliseconds> <tokens>"; "quit" ends it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import path from "node:path";

const serve = process.argv[2] === "--serve";
const [corpusPath, modulesDir] = process.argv.slice(serve ? 3 : 2);
const require = createRequire(modulesDir ? path.join(path.resolve(modulesDir), "x.js") : import.meta.url);
const { get_encoding } = require("tiktoken");
const corpus = readFileSync(corpusPath, "utf8");
const documents = corpus.split("\u001e");
const megabytes = Buffer.byteLength(corpus, "utf8") / 1e6;

function countDocuments(encoding) {
  let total = 0;
  for (const document of documents) total += encoding.encode_ordinary(document).length;
  return total;
}

if (serve) {
  const encodings = new Map();
  const version = JSON.parse(readFileSync(path.join(path.dirname(require.resolve("tiktoken")), "package.json"), "utf8")).version;
  console.log(`ready node ${process.version} tiktoken ${version}`);
  for await (const line of createInterface({ input: process.stdin })) {
    const name = line.trim();
    if (name === "quit" || name === "") break;
    if (!encodings.has(name)) encodings.set(name, get_encoding(name));
    const start = process.hrtime.bigint();
    const tokens = countDocuments(encodings.get(name));
    console.log(`${name} ${Number(process.hrtime.bigint() - start) / 1e6} ${tokens}`);
  }
  for (const encoding of encodings.values()) encoding.free();
  process.exit(0);
}

console.log(`corpus: ${megabytes.toFixed(2)} MB UTF-8, ${corpus.length} chars, ${documents.length} documents; node ${process.version}, tiktoken ${JSON.parse(readFileSync(path.join(path.dirname(require.resolve("tiktoken")), "package.json"), "utf8")).version}`);

function measure(name, action) {
  action();
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    action();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  console.log(`${name.padEnd(32)} ${(megabytes / best).toFixed(1).padStart(8)} MB/s  ${(best * 1000).toFixed(1).padStart(8)} ms`);
}

for (const name of ["o200k_base", "cl100k_base"]) {
  const encoding = get_encoding(name);
  const tokens = encoding.encode_ordinary(corpus).length;
  measure(`${name} count whole`, () => encoding.encode_ordinary(corpus).length);
  measure(`${name} count documents`, () => countDocuments(encoding));
  console.log(`  ${name}: ${tokens} tokens`);
  encoding.free();
}
