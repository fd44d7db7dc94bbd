/**
 * The shop's tools: GrowthBook-compatible bucketing, the randomization of measurement
 * reports, and the estimator that turns many shoppers' reports into totals. They live
 * in a second, smaller wasm module (`dist/tools/`), loaded on first use, so that the
 * module every shopper downloads stays small.
 * @module
 */

import initTools, { bucketing as bucketOp, contribution as contributionOp, estimate as estimateOp, mergeProfiles, report as reportOp } from './tools/shelfwise_tools.js';

import { ModuleLoader, type LazyWasmSource, type WasmSource } from './load.js';
import { ABSENT, BUCKET, FIELD, ITEM, PAIR } from './wire.js';
import type { ContributionReport, Estimate, Learned, MeasurementReport } from './wire.js';

export type { LazyWasmSource, WasmSource } from './load.js';
export type { ContributionReport, Estimate, GroupEstimate, Interval, MeasurementReport, MetricEstimate, Priors } from './wire.js';

const tools = new ModuleLoader(initTools);

/** @internal Whether the tools module is ready to be called synchronously. */
export function toolsLoaded(): boolean {
  return tools.ready;
}

/** Loads the tools module once (`source`: where it is; by default beside its glue). */
export function loadTools(source?: LazyWasmSource): Promise<unknown> {
  return tools.load(source);
}

/** A variation's `[start, end)` share of the hash range. */
export type BucketRange = [number, number];

/** GrowthBook's namespace: `[name, start, end]`. */
export type Namespace = readonly [string, number, number];

/** GrowthBook's deterministic bucketing, by the names its SDKs use. */
export interface Bucketing {
  /** The hash of `value` under `seed` in `[0, 1)`: version 1 or 2; null for other versions. */
  hash(seed: string, value: string, version: number): number | null;
  /** Each variation's range: `weights` (equal when missing or not summing to 1) shortened to `coverage`. */
  getBucketRanges(numVariations: number, coverage?: number, weights?: readonly number[]): BucketRange[];
  /** The variation whose range holds `n`, or -1. */
  chooseVariation(n: number, ranges: readonly (readonly [number, number])[]): number;
  /** Whether the hashing attribute `hashValue` falls in the namespace's share. */
  inNamespace(hashValue: string, namespace: Namespace): boolean;
  /** `count` equal weights summing to 1. */
  getEqualWeights(count: number): number[];
}

/** An experiment, GrowthBook's way: the variation a shopper gets depends only on these and their id. */
export interface SplitOptions {
  /** GrowthBook's `seed` (its experiment key by default). */
  seed: string;
  /** One weight per variation; equal when left out. */
  weights: readonly number[];
  /** Share of shoppers in the experiment, 0 to 1. Default 1. */
  coverage?: number;
  namespace?: Namespace;
  /** 1 or 2 (default). */
  hashVersion?: number;
}

const bucketingApi: Bucketing = {
  hash(seed, value, version) {
    return bucketOp(BUCKET.hash, String(seed) + PAIR + String(value), [version])[0] ?? null;
  },
  getBucketRanges(numVariations, coverage = 1, weights = []) {
    const flat = bucketOp(BUCKET.ranges, '', [numVariations, coverage, ...weights]);
    return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!] as BucketRange);
  },
  chooseVariation(n, ranges) {
    return bucketOp(BUCKET.choose, '', [n, ...ranges.flat()])[0]!;
  },
  inNamespace(hashValue, namespace) {
    return bucketOp(BUCKET.inNamespace, namespace[0] + PAIR + hashValue, [namespace[1], namespace[2]])[0] === 1;
  },
  getEqualWeights(count) {
    return Array.from(bucketOp(BUCKET.equalWeights, '', [count]));
  },
};

/** GrowthBook-compatible bucketing (loads the tools module on first use). */
export async function bucketing(options: { tools?: WasmSource } = {}): Promise<Bucketing> {
  await loadTools(options.tools);
  return bucketingApi;
}

/** @internal The variation of `unit` in a split (-1: not in it); the tools module must be loaded. */
export function assign(unit: string, split: SplitOptions): number {
  const [name, start, end] = split.namespace ?? ['', Number.NaN, Number.NaN];
  const numbers = [split.hashVersion ?? 2, split.coverage ?? 1, start, end, ...split.weights];
  return bucketOp(BUCKET.assign, [split.seed, unit, name].join(PAIR), numbers)[0]!;
}

/** @internal 53 random bits from `crypto.getRandomValues`: a whole number a double holds exactly. */
export function randomSeed(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high! & 0x1fffff) * 2 ** 32 + low!;
}

/** @internal Randomizes what the engine learned into a contribution (the tools module must be loaded). */
export function contributionOf(learned: Learned): ContributionReport {
  const pair = learned.pair ?? ABSENT;
  return JSON.parse(contributionOp(learned.model, Float64Array.from(learned.mean), pair, Float64Array.from(learned.privacy), randomSeed())) as ContributionReport;
}

/** @internal Randomizes counts into a report (the tools module must be loaded). */
export function randomize(
  modules: readonly string[],
  counts: readonly number[],
  epsilon: number,
  revenueStep: number,
  group: string,
): MeasurementReport {
  return JSON.parse(reportOp(modules.join(PAIR), Float64Array.from(counts), epsilon, revenueStep, group, randomSeed())) as MeasurementReport;
}

/**
 * The shop's side of measurement: unbiased totals, per-report means and lifts with 95%
 * confidence intervals from many shoppers' reports (objects or their JSON text), per
 * group. Lifts are against `baseline` (by default `"holdout"` when present). Works in
 * Node and browsers; `shelfwise estimate reports.jsonl` does the same.
 */
export async function estimate(
  reports: readonly (MeasurementReport | string)[],
  options: { baseline?: string; tools?: WasmSource } = {},
): Promise<Estimate> {
  await loadTools(options.tools);
  const packed: string[] = [];
  const numbers: number[] = [];
  for (const entry of reports) {
    let report: Partial<MeasurementReport>;
    try {
      report = (typeof entry === 'string' ? JSON.parse(entry) : entry) as Partial<MeasurementReport>;
    } catch {
      report = {};
    }
    const readable =
      report !== null &&
      typeof report === 'object' &&
      report.format === 'shelfwise-report' &&
      report.version === 1 &&
      typeof report.group === 'string' &&
      typeof report.bits === 'string' &&
      Array.isArray(report.modules) &&
      report.modules.every((m) => typeof m === 'string' && !/[\u0000-\u001f]/.test(m)) &&
      !/[\u0000-\u001f]/.test(report.group);
    // Unreadable reports still count as ignored: an empty layout never matches.
    packed.push(readable ? [report.group, report.bits, report.modules!.join(PAIR)].join(FIELD) : ['', 'x', ''].join(FIELD));
    numbers.push(readable ? Number(report.epsilon) : Number.NaN, readable ? Number(report.revenueStep) : Number.NaN);
  }
  return JSON.parse(estimateOp(packed.join(ITEM), numbers, options.baseline ?? null)) as Estimate;
}

/**
 * @internal Another device's export merged into this browser's (each given by its
 * format, checksum and payload, `PAIR`-joined; `version`: the file's), with the engine's
 * configuration: the merged export's integrity part as JSON. Needs `loadTools()` first.
 */
export function mergeExports(local: string, file: string, version: number, config: Float64Array): string {
  return mergeProfiles(local, file, version, config);
}
