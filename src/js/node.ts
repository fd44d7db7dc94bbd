/**
 * Node entry (server rendering, tests, tools, the shop's estimator): the same API, with
 * the wasm modules read from the package directory instead of fetched. Storage is in
 * memory under Node.
 * @module
 */

import { readFile } from 'node:fs/promises';
import { Shelfwise as BaseShelfwise, type OpenOptions } from './index.js';
import {
  bucketing as baseBucketing,
  estimate as baseEstimate,
  type Bucketing,
  type Estimate,
  type MeasurementReport,
  type WasmSource,
} from './tools.js';

export * from './index.js';

/** The tools module's bytes, read once. */
let toolsBytes: Promise<Buffer> | undefined;
function tools(): Promise<Buffer> {
  toolsBytes ??= readFile(new URL('./tools/shelfwise_tools_bg.wasm', import.meta.url));
  return toolsBytes;
}

export class Shelfwise extends BaseShelfwise {
  static override async open(options: OpenOptions = {}): Promise<Shelfwise> {
    const wasm = options.wasm ?? (await readFile(new URL('./wasm/shelfwise_bg.wasm', import.meta.url)));
    // Read (once per process) only when experiments, measurement or a merge need it.
    // `open` constructs `this`, so this is a node `Shelfwise`.
    return (await super.open({ ...options, wasm, tools: options.tools ?? tools })) as Shelfwise;
  }
}

/** GrowthBook-compatible bucketing, with the tools module read from the package. */
export async function bucketing(options: { tools?: WasmSource } = {}): Promise<Bucketing> {
  return baseBucketing({ tools: options.tools ?? (await tools()) });
}

/** The shop's estimator over many shoppers' reports, with the tools module read from the package. */
export async function estimate(
  reports: readonly (MeasurementReport | string)[],
  options: { baseline?: string; tools?: WasmSource } = {},
): Promise<Estimate> {
  return baseEstimate(reports, { ...options, tools: options.tools ?? (await tools()) });
}
