/**
 * `shelfwise/sync`: the package with its wasm module inlined, to open synchronously in
 * a render-blocking script and reorder a server-rendered grid before the first paint:
 *
 * ```html
 * <script type="module" blocking="render" src="/reorder.js"></script>
 * ```
 * ```js
 * // reorder.js
 * import { openSync } from 'shelfwise/sync';
 * openSync({ namespace: 'my-shop' }).reorderGrid(document.querySelector('#grid'), { module: 'grid' });
 * ```
 *
 * The inlined module is about 12 KB (gzipped) more than the binary one: pages that can
 * rank after the first paint should use `shelfwise` (`Shelfwise.open`).
 * @module
 */

import { Shelfwise, type OpenOptions } from './index.js';
import inlined from './wasm/shelfwise_inline.js';

export * from './index.js';

let module: WebAssembly.Module | undefined;

/** Opens synchronously with the inlined module (see `Shelfwise.openSync`). */
export function openSync(options: Omit<OpenOptions, 'wasm'> = {}): Shelfwise {
  // One byte per character: the build writes the module as a Latin-1 string.
  module ??= new WebAssembly.Module(Uint8Array.from(inlined, (c) => c.charCodeAt(0)));
  return Shelfwise.openSync({ ...options, wasm: module });
}
