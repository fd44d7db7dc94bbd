/**
 * Node entry (server rendering, tests, tools): the same API, with the wasm module read
 * from the package directory instead of fetched. Storage is in memory under Node.
 * @module
 */

import { readFile } from 'node:fs/promises';
import { Shelfwise as BaseShelfwise, type OpenOptions } from './index.js';

export * from './index.js';

export class Shelfwise extends BaseShelfwise {
  static override async open(options: OpenOptions = {}): Promise<Shelfwise> {
    const wasm = options.wasm ?? (await readFile(new URL('./wasm/shelfwise_bg.wasm', import.meta.url)));
    // `open` constructs `this`, so this is a node `Shelfwise`.
    return (await super.open({ ...options, wasm })) as Shelfwise;
  }
}
