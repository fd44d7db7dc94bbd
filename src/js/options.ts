/**
 * Options as the engine reads them: rank options, config and the measurement options of
 * `open`, turned into numbers in the wire contract's order. JS types are checked here;
 * the core checks ranges.
 * @module
 */

import { inputError } from './wasm/shelfwise.js';
import { fields, guarded, optionalTexts } from './input.js';
import { CONFIG_OPTIONS, ITEM, LEARNING_OPTIONS, OUT_OF_STOCK, RANK_OPTIONS, type Priors } from './wire.js';
import type { Experiment, HoldoutOptions, LearningOptions, MeasurementOptions, OpenOptions } from './index.js';
import type { ShopOrder } from './words.js';

/** Products ranked at most at once. */
export const MAX_CANDIDATES = 100_000;

export interface RankRules {
  pin: Map<string, number>;
  boost: Map<string, number>;
}

/**
 * Rank options for the core (which knows the ranges): a bit set of those given, their
 * values, and a slot for `similarTo`; and the shop's per-product rules (`pin`, `boost`,
 * `bury`) as maps by product id.
 */
const SHOP_ORDERS: readonly ShopOrder[] = ['popularity', 'relevance', 'newest', 'editorial'];

/** The checked `shopOrder` of rank options, if any. */
export function shopOrderOf(options: unknown): ShopOrder | undefined {
  const order = (options as { shopOrder?: unknown } | null | undefined)?.shopOrder;
  if (order === undefined) return undefined;
  if (!SHOP_ORDERS.includes(order as ShopOrder)) {
    throw inputError('options', `shopOrder must be one of ${SHOP_ORDERS.map((o) => `"${o}"`).join(', ')}`);
  }
  return order as ShopOrder;
}

export function passRankOptions(options: unknown): [number[], RankRules] {
  const rules: RankRules = { pin: new Map(), boost: new Map() };
  const numbers = [0, ...RANK_OPTIONS.map(() => NaN), NaN];
  if (options === undefined || options === null) return [numbers, rules];
  for (const [name, value] of Object.entries(fields('options', options, 'options'))) {
    if (value === undefined) continue;
    if (name === 'shopOrder') {
      // Words only: the face reads it (`shopOrderOf`), the core never sees it.
      shopOrderOf(options);
      continue;
    }
    if (name === 'pin' || name === 'boost' || name === 'bury') {
      const map = name === 'pin' ? rules.pin : rules.boost;
      for (const [id, number] of Object.entries(fields('options', value, `options.${name}`))) {
        if (typeof number !== 'number') throw inputError('options', `options.${name}["${id}"] must be a number`);
        if (name === 'bury' && !(number >= 0 && number <= 1)) {
          throw inputError('options', `options.bury["${id}"] must be a multiplier from 0 to 1`);
        }
        if (name === 'boost' && !(number >= 1)) {
          throw inputError('options', `options.boost["${id}"] must be a multiplier of 1 or more`);
        }
        if (name === 'pin' && !(Number.isInteger(number) && number >= 0)) {
          throw inputError('options', `options.pin["${id}"] must be a position (a whole number from 0)`);
        }
        map.set(id, number);
      }
      continue;
    }
    const slot = (RANK_OPTIONS as readonly string[]).indexOf(name);
    if (slot < 0) throw inputError('options', `unknown option "${name}"`);
    if (name === 'outOfStock') {
      numbers[slot + 1] = (OUT_OF_STOCK as readonly string[]).indexOf(value as string);
    } else if (typeof value === 'number') {
      numbers[slot + 1] = value;
    } else {
      throw inputError('options', `${name} must be a number`);
    }
    numbers[0] = numbers[0]! | (1 << slot);
  }
  return [numbers, rules];
}


/** A random id for this page's journal (tabs never share one). */
export function tabId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => (b % 36).toString(36)).join('');
}



/** Checks what `open` and `openSync` take before anything loads. */
export function checkOpen(options: OpenOptions): ReturnType<typeof passMeasurement> {
  if (options.namespace !== undefined && typeof options.namespace !== 'string') {
    throw inputError('argument', 'namespace must be a string');
  }
  const { respectGpc = true, tcfVendorId } = options.consent ?? {};
  if (typeof respectGpc !== 'boolean') throw inputError('options', 'consent.respectGpc must be a boolean');
  if (tcfVendorId !== undefined && !(Number.isInteger(tcfVendorId) && tcfVendorId >= 1 && tcfVendorId <= 65535)) {
    throw inputError('options', 'consent.tcfVendorId must be a whole number from 1 to 65535');
  }
  const flushDelayMs = options.flushDelayMs ?? 1000;
  if (!(Number.isFinite(flushDelayMs) && flushDelayMs >= 0)) {
    throw inputError('options', 'flushDelayMs must be a non-negative number');
  }
  return guarded('options', () => passMeasurement(options));
}

/** A random id for bucketing, kept in the profile (32 hex digits: 128 bits). */
export function randomUnit(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The holdout, experiments and measurement options, checked (the core checks ranges). */
export function passMeasurement(options: OpenOptions): Required<Pick<OpenOptions, 'experiments'>> & OpenOptions {
  const { unitId, holdout, experiments = [], measurement } = options;
  if (unitId !== undefined && (typeof unitId !== 'string' || unitId === '' || unitId.length > 256)) {
    throw inputError('options', 'unitId must be a string of 1 to 256 characters');
  }
  if (holdout !== undefined) {
    const { percent, seed } = fields('options', holdout, 'holdout') as Partial<HoldoutOptions>;
    if (typeof percent !== 'number' || !(percent >= 0 && percent <= 100)) throw inputError('options', 'holdout.percent must be a number from 0 to 100');
    if (typeof seed !== 'string' || seed === '') throw inputError('options', 'holdout.seed must be a non-empty string');
  }
  if (!Array.isArray(experiments)) throw inputError('options', 'experiments must be an array');
  const keys = new Set<string>();
  experiments.forEach((experiment: Experiment, i) => {
    const name = `experiments[${i}]`;
    const { key, variations, weights, coverage, namespace, hashVersion, seed, modules } = fields('options', experiment, name) as Partial<Experiment>;
    if (typeof key !== 'string' || key === '' || keys.has(key)) throw inputError('options', `${name}.key must be a distinct non-empty string`);
    keys.add(key);
    if (!Array.isArray(variations) || variations.length === 0) throw inputError('options', `${name}.variations must be a non-empty array of rank options`);
    variations.forEach((variation) => passRankOptions(variation));
    if (weights !== undefined && (!Array.isArray(weights) || weights.length !== variations.length || weights.some((w) => typeof w !== 'number'))) {
      throw inputError('options', `${name}.weights must hold one number per variation`);
    }
    if (coverage !== undefined && !(typeof coverage === 'number' && coverage >= 0 && coverage <= 1)) throw inputError('options', `${name}.coverage must be a number from 0 to 1`);
    if (namespace !== undefined && !(Array.isArray(namespace) && typeof namespace[0] === 'string' && typeof namespace[1] === 'number' && typeof namespace[2] === 'number')) {
      throw inputError('options', `${name}.namespace must be [name, start, end]`);
    }
    if (hashVersion !== undefined && hashVersion !== 1 && hashVersion !== 2) throw inputError('options', `${name}.hashVersion must be 1 or 2`);
    if (seed !== undefined && typeof seed !== 'string') throw inputError('options', `${name}.seed must be a string`);
    if (modules !== undefined) optionalTexts('options', modules, `${name}.modules`);
  });
  if (measurement !== undefined) {
    const { modules, epsilon, revenueStep } = fields('options', measurement, 'measurement') as Partial<MeasurementOptions>;
    if (!Array.isArray(modules) || modules.length === 0) throw inputError('options', 'measurement.modules must be a non-empty array of module names');
    optionalTexts('options', modules, 'measurement.modules');
    if (epsilon !== undefined && !(typeof epsilon === 'number' && epsilon > 0 && epsilon <= 10)) throw inputError('options', 'measurement.epsilon must be a number above 0, at most 10');
    if (revenueStep !== undefined && !(typeof revenueStep === 'number' && revenueStep > 0 && Number.isFinite(revenueStep))) {
      throw inputError('options', 'measurement.revenueStep must be a number above 0');
    }
    const { learning } = measurement;
    if (learning !== undefined && learning !== null) {
      for (const [name, value] of Object.entries(fields('options', learning, 'measurement.learning'))) {
        if (!(LEARNING_OPTIONS as readonly string[]).includes(name)) throw inputError('options', `unknown option measurement.learning.${name}`);
        // NaN would read as "the default" in the core.
        if (typeof value !== 'number' || Number.isNaN(value)) throw inputError('options', `measurement.learning.${name} must be a number`);
      }
    }
  }
  return { ...options, experiments };
}

/** Federated learning's privacy as the core's numbers (empty: off; NaN: the core's default); the core checks ranges. */
export function passLearning(learning: LearningOptions | undefined): Float64Array {
  if (learning === undefined || learning === null) return new Float64Array();
  return Float64Array.from(LEARNING_OPTIONS, (name) => learning[name] ?? Number.NaN);
}

/** A priors file's `[bucket, count]` pairs, flat, and its `k`; the core checks ranges. */
export function passPriors(priors: unknown): [Float64Array, number] {
  const { format, version, width, k, buckets } = fields('options', priors, 'priors') as Partial<Priors>;
  if (format !== 'shelfwise-priors' || version !== 1 || width !== 1024) {
    throw inputError('options', 'priors must be a shelfwise-priors file of version 1 and width 1024');
  }
  if (typeof k !== 'number' || !Array.isArray(buckets) || buckets.some((b) => !Array.isArray(b) || b.length !== 2 || b.some((n) => typeof n !== 'number'))) {
    throw inputError('options', 'priors.k must be a number and priors.buckets [bucket, count] pairs');
  }
  return [Float64Array.from(buckets.flat()), k];
}

/** The model's version (`"default"` for the shipped weights or a file without one). */
export function modelVersion(model: unknown): string {
  if (model === undefined || model === null) return 'default';
  const { version = 'default' } = fields('options', model, 'model') as { version?: unknown };
  if (typeof version !== 'string') throw inputError('options', 'model.version must be a string');
  return version;
}


/** Config for the core: a bit set of the options given and their values, then the sensitive lists. */
export function passConfig(config: unknown, model?: unknown): [Float64Array, string, string] {
  const numbers = new Float64Array(CONFIG_OPTIONS.length + 1);
  if ((config === undefined || config === null) && (model === undefined || model === null)) return [numbers, '', ''];
  const { weights, segments, sensitiveCategories, sensitiveFacets, ...rest } =
    config === undefined || config === null ? ({} as Record<string, unknown>) : fields('options', config, 'config');
  const entries = Object.entries(rest);
  for (const [group, value, where] of [
    ['weights', weights, 'config.weights'],
    ['segments', segments, 'config.segments'],
    ['model', model, 'model'],
  ] as const) {
    if (value === undefined || value === null) continue;
    // A model file's version names the weights; it is not one.
    const named = Object.entries(fields('options', value, where)).filter(([k]) => !(group === 'model' && k === 'version'));
    entries.push(...named.map(([k, v]) => [`${group}.${k}`, v] as [string, unknown]));
  }
  // Which options are given, as one 32-bit set (a sum: `1 << 31` is negative in JS).
  let given = 0;
  for (const [name, value] of entries) {
    const index = (CONFIG_OPTIONS as readonly string[]).indexOf(name);
    if (index < 0) {
      throw inputError('options', name.startsWith('model.') ? `unknown model weight "${name.slice(6)}"` : `unknown config option "${name}"`);
    }
    if (typeof value !== 'number') throw inputError('options', `${name.startsWith('model.') ? '' : 'config.'}${name} must be a number`);
    given += 2 ** index;
    numbers[index + 1] = value;
  }
  numbers[0] = given;
  return [
    numbers,
    optionalTexts('options', sensitiveCategories, 'config.sensitiveCategories').join(ITEM),
    optionalTexts('options', sensitiveFacets, 'config.sensitiveFacets').join(ITEM),
  ];
}
