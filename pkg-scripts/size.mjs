// The size budget: everything a shopper's browser downloads for a page that opens,
// tracks and ranks (the wasm module, its wasm-bindgen glue and the JS face), gzipped.
// The hard limit is the figure reached plus at most 2 KB, lowered whenever the figure
// falls, so it cannot silently grow back. The tools module (downloaded only for
// experiments, reports and the estimator) and `shelfwise/sync` are printed beside it.
// Usage: node pkg-scripts/size.mjs [--json]
import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST } from './toolchain.mjs';

// The build's figure plus about 1.6 KB. It rose from 85 KB with issue 15 (truthful
// reasons with their facts, readable labels, the remembered refusal, forgetting what a
// value's products taught, lenient product reading: about 3 KB gzipped together), issue
// 16 (the learned repeat-or-explore model and its 18 weights: about 3.5 KB) and issue 19
// (each device's origin, the peers' snapshots and decision times a profile keeps so
// that merging counts nothing twice, and making an imported profile another device's
// copy: about 3.7 KB; the merge itself is in the tools module, loaded on demand) and
// issue 17 (federated learning on the device: keeping what ranked lists showed, each
// choice's gradient journaled with its event, the learning record and its budget: about
// 6.4 KB; ranking with the shop's private priors: about 2.2 KB; the randomization of
// contributions is in the tools module).
export const BUDGET_BYTES = 106 * 1024;
const WASM = ['wasm/shelfwise_bg.wasm', 'wasm/shelfwise.js'];
const FACE = ['index.js', 'input.js', 'options.js', 'rows.js', 'signals.js', 'wire.js', 'words.js', 'tools.js', 'load.js'];
const BUDGETED = [...WASM, ...FACE];
const TOOLS = ['tools/shelfwise_tools_bg.wasm', 'tools/shelfwise_tools.js'];
/** Encrypted export and import: loaded when a page asks for one. */
const SEALED = ['sealed.js'];
/** `shelfwise/sync`: the module inlined, instead of the binary, for render-blocking scripts. */
const SYNC = ['wasm/shelfwise_inline.js', 'sync.js'];
const FILES = [...WASM, ...FACE, ...TOOLS, ...SEALED, ...SYNC];

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
const wasm = sum(rows.filter((r) => WASM.includes(r.file)));
const budgeted = sum(rows.filter((r) => BUDGETED.includes(r.file)));
const tools = sum(rows.filter((r) => TOOLS.includes(r.file)));
const sync = sum(rows.filter((r) => SYNC.includes(r.file)));
const sealed = sum(rows.filter((r) => SEALED.includes(r.file)));

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ files: rows, wasmAndGlue: wasm, total: budgeted, tools, sealed, sync, budget: BUDGET_BYTES }));
} else {
  const line = (name, r) => console.log(`${name.padEnd(30)} ${String(r.raw).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzip`);
  for (const r of rows) line(r.file, r);
  line('wasm + glue', wasm);
  line('shopper total (the budget)', budgeted);
  line('tools module + glue', tools);
  line('encrypted export (on demand)', sealed);
  line('shelfwise/sync (inlined)', sync);
  console.log(`size: a shopper downloads ${(budgeted.gzip / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB): wasm + glue ${(wasm.gzip / 1024).toFixed(1)} KB, face ${((budgeted.gzip - wasm.gzip) / 1024).toFixed(1)} KB`);
}
if (budgeted.gzip > BUDGET_BYTES) {
  console.error(`size: what a shopper downloads is over budget by ${budgeted.gzip - BUDGET_BYTES} bytes`);
  process.exit(1);
}
