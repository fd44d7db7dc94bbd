// The size budget: what a shopper's browser downloads (wasm + wasm-bindgen glue +
// the JS face), gzipped. Fails above the budget. Usage: node pkg-scripts/size.mjs [--json]
import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST } from './toolchain.mjs';

export const BUDGET_BYTES = 60 * 1024;
const FILES = ['wasm/shelfwise_bg.wasm', 'wasm/shelfwise.js', 'index.js'];

const rows = FILES.map((file) => {
  const path = join(DIST, file);
  if (!existsSync(path)) {
    console.error(`size: ${relative(process.cwd(), path)} is missing; run \`npm run build\``);
    process.exit(1);
  }
  const bytes = readFileSync(path);
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const total = rows.reduce((sum, r) => ({ raw: sum.raw + r.raw, gzip: sum.gzip + r.gzip }), { raw: 0, gzip: 0 });

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ files: rows, total, budget: BUDGET_BYTES }));
} else {
  for (const r of rows) console.log(`${r.file.padEnd(24)} ${String(r.raw).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzip`);
  console.log(`${'total'.padEnd(24)} ${String(total.raw).padStart(8)} B  ${String(total.gzip).padStart(7)} B gzip`);
  console.log(`size: ${(total.gzip / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB)`);
}
if (total.gzip > BUDGET_BYTES) {
  console.error(`size: over budget by ${total.gzip - BUDGET_BYTES} bytes`);
  process.exit(1);
}
