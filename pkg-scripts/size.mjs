// The size budget, as issue 4 defines it: the wasm module and its wasm-bindgen glue,
// gzipped, at most 60 KB. The JS face (index.js, words.js, tools.js) is printed beside it,
// with the total a shopper's browser downloads, and the tools module (downloaded only
// for experiments, reports and the estimator). Usage: node pkg-scripts/size.mjs [--json]
import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST } from './toolchain.mjs';

export const BUDGET_BYTES = 60 * 1024;
const BUDGETED = ['wasm/shelfwise_bg.wasm', 'wasm/shelfwise.js'];
const FACE = ['index.js', 'words.js', 'tools.js', 'load.js'];
const TOOLS = ['tools/shelfwise_tools_bg.wasm', 'tools/shelfwise_tools.js'];
/** `shelfwise/sync`: the module inlined, instead of the binary, for render-blocking scripts. */
const SYNC = ['wasm/shelfwise_inline.js', 'sync.js'];
const FILES = [...BUDGETED, ...FACE, ...TOOLS, ...SYNC];

const rows = FILES.map((file) => {
  const path = join(DIST, file);
  if (!existsSync(path)) {
    console.error(`size: ${relative(process.cwd(), path)} is missing; run \`npm run build\``);
    process.exit(1);
  }
  const bytes = readFileSync(path);
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const sum = (list) => list.reduce((s, r) => ({ raw: s.raw + r.raw, gzip: s.gzip + r.gzip }), { raw: 0, gzip: 0 });
const budgeted = sum(rows.filter((r) => BUDGETED.includes(r.file)));
const total = sum(rows.filter((r) => BUDGETED.includes(r.file) || FACE.includes(r.file)));
const tools = sum(rows.filter((r) => TOOLS.includes(r.file)));
const sync = sum(rows.filter((r) => SYNC.includes(r.file)));

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ files: rows, wasmAndGlue: budgeted, total, tools, sync, budget: BUDGET_BYTES }));
} else {
  const line = (name, r) => console.log(`${name.padEnd(30)} ${String(r.raw).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzip`);
  for (const r of rows) line(r.file, r);
  line('wasm + glue', budgeted);
  line('total with the face', total);
  line('tools module + glue', tools);
  line('shelfwise/sync (inlined)', sync);
  console.log(`size: wasm + glue ${(budgeted.gzip / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB); with the JS face ${(total.gzip / 1024).toFixed(1)} KB`);
}
if (budgeted.gzip > BUDGET_BYTES) {
  console.error(`size: wasm + glue over budget by ${budgeted.gzip - BUDGET_BYTES} bytes`);
  process.exit(1);
}
