// The size budget, as issue 4 defines it: the wasm module and its wasm-bindgen glue,
// gzipped, at most 60 KB. The JS face (index.js, words.js) is printed beside it, with the total a
// shopper's browser downloads. Usage: node pkg-scripts/size.mjs [--json]
import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST } from './toolchain.mjs';

export const BUDGET_BYTES = 60 * 1024;
const BUDGETED = ['wasm/shelfwise_bg.wasm', 'wasm/shelfwise.js'];
const FILES = [...BUDGETED, 'index.js', 'words.js'];

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
const total = sum(rows);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ files: rows, wasmAndGlue: budgeted, total, budget: BUDGET_BYTES }));
} else {
  const line = (name, r) => console.log(`${name.padEnd(24)} ${String(r.raw).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzip`);
  for (const r of rows) line(r.file, r);
  line('wasm + glue', budgeted);
  line('total with the face', total);
  console.log(`size: wasm + glue ${(budgeted.gzip / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB); with the JS face ${(total.gzip / 1024).toFixed(1)} KB`);
}
if (budgeted.gzip > BUDGET_BYTES) {
  console.error(`size: wasm + glue over budget by ${budgeted.gzip - BUDGET_BYTES} bytes`);
  process.exit(1);
}
