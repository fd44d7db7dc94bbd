/**
 * Shelfwise: on-device, consent-gated personalization for online shops.
 *
 * ```ts
 * import { Shelfwise } from 'shelfwise';
 * const shelf = await Shelfwise.open({ namespace: 'my-shop' });
 * shelf.grantConsent();                       // from your consent banner
 * shelf.track({ type: 'view', product: { id: 42, category: 'laptops', brand: 'Apple', price: 1299 } });
 * const ranked = shelf.rank(products, { strength: 0.5 });
 * ```
 *
 * This module is the thin JS face over the wasm engine: it loads the module, supplies the
 * clock and listens to browser events. Everything it decides is decided in Rust.
 * @module
 */

import init, { Engine, initSync, inputError } from './wasm/shelfwise.js';
import type * as Types from './types.js';
import { assign, contributionOf, loadTools, mergeExports, randomSeed, randomize, toolsLoaded, type MeasurementReport, type Namespace } from './tools.js';
import { ModuleLoader, type LazyWasmSource, type WasmSource } from './load.js';
import { ENGLISH, readable, type Labels, type OfferReason, type ShopOrder, type Words } from './words.js';
import {
  fields,
  guarded,
  isShelfwiseError,
  noOtherFields,
  optionalNumber,
  optionalText,
} from './input.js';
import { RowEncoder } from './rows.js';
import type { CartLine, ConsentState, ContributionReport, DueProduct, Insights, Learned, LearnedInterest, ModelWeight, Priors, ProfileSummary as CoreSummary, ShelfwiseWarning, SizeSuggestion } from './wire.js';
import { ConsentModeReader, tcfSignal, type TcfApi, type TcfSignal } from './signals.js';
import { MAX_CANDIDATES, checkOpen, modelVersion, passConfig, passLearning, passMeasurement, passPriors, passRankOptions, randomUnit, shopOrderOf, tabId } from './options.js';
import {
  ABSENT,
  DEVICES,
  ITEM,
  OFFER_FITS,
  OFFER_KINDS,
  OP,
  PAIR,
  RANKED_STRIDE,
  REASON_CODES,
  ROW_STRIDE,
  SEGMENTS,
  SLOT_ITEM_STRIDE,
  type OpResults,
} from './wire.js';

export { ENGLISH, humanize, readable, type Labels, type OfferReason, type ShopOrder, type Words, type WhyContext } from './words.js';
export {
  bucketing,
  estimate,
  type Bucketing,
  type BucketRange,
  type ContributionReport,
  type Estimate,
  type GroupEstimate,
  type Interval,
  type MeasurementReport,
  type MetricEstimate,
  type Namespace,
  type Priors,
} from './tools.js';

export type {
  ConsentSource,
  ConsentStatus,
  ErrorCode,
  EventType,
  Facet,
  ProductAttributes,
  PurchaseEvent,
  ReasonCode,
  Segment,
  Purpose,
  SearchEvent,
  RankOptions,
  ShelfwiseConfig,
  StatedEvent,
  StorageMode,
  TrackEvent,
} from './types.js';

export type { LazyWasmSource, WasmSource } from './load.js';
export type { CartLine, ConsentState, DueProduct, Insights, LearnedInterest, ModelWeight, Purchased, ShelfwiseWarning, SizeSuggestion } from './wire.js';

/** One learned interest, with its value in plain words (the shop's words). */
export interface Interest extends LearnedInterest {
  /** The value in plain words: `"Shoes › Running"`, `"Prices 25-50 EUR"`, `"Style: minimal"`. */
  label: string;
}

/** What Shelfwise knows about this shopper, in the form the shopper may see, interests labelled. */
export interface ProfileSummary extends Omit<CoreSummary, 'interests'> {
  /** Up to 5 per facet, strongest first. */
  interests: Interest[];
}

/** How Shelfwise reads the page's consent signals. */
export interface ConsentOptions {
  /** Global Privacy Control denies consent unless the shopper grants it in the shop. Default true. */
  respectGpc?: boolean;
  /** The shop's IAB TCF vendor id (1 to 65535); without it TCF is read as publisher consent. */
  tcfVendorId?: number;
  /** Listen to an IAB TCF v2 CMP through `window.__tcfapi`. Default true. */
  tcf?: boolean;
  /** Read `navigator.globalPrivacyControl`. Default true. */
  gpc?: boolean;
  /** Read Google Consent Mode commands from `window.dataLayer`. Default true. */
  consentMode?: boolean;
}

export interface OpenOptions {
  /**
   * Separates shops (or sites) that share an origin: 1 to 64 of `A-Z a-z 0-9 - _ .`.
   * Default `"default"`.
   */
  namespace?: string;
  /** Events are written at most this long after `track` (and at once on `pagehide`). Default 1000. */
  flushDelayMs?: number;
  /** Tuning: half-life, retention, weights, sensitive categories and facets (README: "Configuration"). */
  config?: Types.ShelfwiseConfig;
  /**
   * The ranking model's weights, as `shelfwise fit` prints them from the shop's own logs
   * (any subset; the others keep the shipped defaults). Each is a number from -100 to
   * 100; an unknown name or a bad weight throws `invalid_options` (README: "Ranking model").
   */
  model?: ModelFile;
  /** Consent signals: GPC, IAB TCF, Google Consent Mode (all read by default). */
  consent?: ConsentOptions;
  /**
   * The shop's private priors, as its aggregation of contributions publishes them
   * (README: "Shop side"): products new to the shopper that shoppers with the same
   * interests look at rise by the model's `prior` weight. A malformed file throws
   * `invalid_options`.
   */
  priors?: Priors;
  /** Wasm module source; default: `shelfwise_bg.wasm` next to the package's glue. */
  wasm?: WasmSource;
  /** Clock in milliseconds since the epoch; default `Date.now`. For tests and replays. */
  now?: () => number;
  /** Shopper-facing words (interest labels, "why?" reasons) in the shop's language; default English. */
  words?: Partial<Words>;
  /**
   * The shop's names for facet values, shown instead of slugs:
   * `{ category: { 'mobile-accessories': 'Phone accessories' }, brand: { hm: 'H&M' } }`.
   * Without one a slug is made readable (`mobile-accessories` → "Mobile accessories").
   */
  labels?: Labels;
  /**
   * Throw `invalid_product` for a list with a product that cannot be read, as during
   * development. By default (false) such a product keeps the shop's position without
   * personal signals, and a `warning` event (`product_unread`) says which and why.
   * Either way numeric strings (`price: "12.99"`), numeric categories and brands, a
   * single tag as a string and lower-case currencies are read as shops mean them.
   */
  strict?: boolean;
  /**
   * The shopper's id for bucketing (holdout, experiments): e.g. the attribute the shop's
   * GrowthBook hashes, so each shopper lands in the same group everywhere. By default a
   * random id Shelfwise keeps in the profile (with consent, erased with it).
   */
  unitId?: string;
  /** A share of shoppers who see the shop's order while their profile still learns, so lift can be measured. */
  holdout?: HoldoutOptions;
  /** Experiments comparing rank options (GrowthBook's bucketing: the same shopper, the same variation). */
  experiments?: readonly Experiment[];
  /** Local measurement: the modules counted (with the `measurement` purpose) and how reports are randomized. */
  measurement?: MeasurementOptions;
  /**
   * The tools module (experiments, reports, merging profiles); default:
   * `shelfwise_tools_bg.wasm` beside its glue. A function is called only when the
   * module is first needed.
   */
  tools?: LazyWasmSource;
}

/** `percent` (0 to 100) of shoppers, chosen by `seed` (GrowthBook's hash, version 2). */
export interface HoldoutOptions {
  percent: number;
  seed: string;
}

/** An experiment: rank options per variation, assigned GrowthBook's way. */
export interface Experiment {
  /** Names the experiment in `assignment` and report groups; the hash seed unless `seed` is given. */
  key: string;
  /** Rank options per variation (variation 0 is usually the control, `{}`). */
  variations: readonly Types.RankOptions[];
  /** One weight per variation; equal when left out. */
  weights?: readonly number[];
  /** Share of shoppers in the experiment, 0 to 1. Default 1. */
  coverage?: number;
  namespace?: Namespace;
  /** 1 or 2 (default). */
  hashVersion?: 1 | 2;
  seed?: string;
  /** The modules (`rank`'s `module` option) it applies to; all when left out. */
  modules?: readonly string[];
}

/** What local measurement counts and how its reports are randomized (README: "Measurement"). */
export interface MeasurementOptions {
  /** The modules counted (1 to 16 names): what `rank`, `fillSlots` and `track` name in `module`. */
  modules: readonly string[];
  /** Randomized response per report bit (above 0, at most 10). Default ln 3 ≈ 1.0986: a bit is kept 3 times in 4. */
  epsilon?: number;
  /** Revenue is reported in steps of this much (the shop's currency), up to 4 steps. Default 25. */
  revenueStep?: number;
  /**
   * Federated learning (README: "Shop side"): the device learns from the products its
   * shopper chooses from ranked lists and `measurement.contribute()` makes private
   * reports of it. Off unless given.
   */
  learning?: LearningOptions;
}

/** A contribution's privacy and the device's budget (README: "Shop side"). */
export interface LearningOptions {
  /** ε of the model update (one weight by randomized response), above 0, at most 10. Default 2. */
  modelEpsilon?: number;
  /** ε of the facet-pair sketch (Optimized Unary Encoding), above 0, at most 10. Default 2. */
  sketchEpsilon?: number;
  /** Each weight's update is clipped to [-clip, clip] (0.01 to 100). Default 0.1. */
  clip?: number;
  /** At most `perPeriod` contributions (1 to 10) per `periodDays` (1 to 365). Default one per 7 days. */
  periodDays?: number;
  perPeriod?: number;
}

/** A model file, as `shelfwise fit` and the shop's aggregation write it: weights by name, and its version. */
export type ModelFile = Readonly<Partial<Record<ModelWeight, number>>> & {
  /** Names the weights, so a contribution says which model it was computed against. Default `"default"`. */
  readonly version?: string;
};

/** The privacy budget of federated learning on this device. */
export interface LearningBudget {
  /** The ε spent on contributions in the last 365 days. */
  epsilonSpent: number;
  /** Contributions this device can still make this period. */
  contributionsLeft: number;
}

/** The shopper's groups: their bucketing id, whether they are in the holdout, and each experiment's variation (null: not in it). */
export interface Assignment {
  unitId: string | null;
  holdout: boolean;
  experiments: Record<string, number | null>;
}

/** A card of a server-rendered grid, as `reorderGrid` ranks it: its attributes and its element. */
export type GridCard = Types.ProductAttributes & { element: Element };

/** Rank options with the module the list is shown in (counted for measurement, matched by experiments). */
export type ModuleRankOptions = Types.RankOptions & { module?: string };

/** A shop-defined offer: what it is, what it promotes, and when it may be shown. */
export interface Offer extends SlotItem {
  /** What kind of offer: each fits some shoppers more (README: "Offers"). */
  kind: 'free_shipping' | 'percent_off' | 'loyalty_bonus' | 'early_access';
}

/** The offer chosen for this shopper, and why. */
export interface OfferChoice<T> {
  offer: T | null;
  reason: OfferReason | null;
  readonly why: string | null;
}

/** One product of a ranked list: the caller's own object, its score, reason and input index. */
export interface Ranked<T> {
  product: T;
  /** Final score; higher ranks first (0 or more; boosts can take it above 1). */
  score: number;
  /** Position of the product in the list given to `rank`. */
  index: number;
  /** What placed it here most, e.g. `"viewed"`, `"interest"`, `"pinned"`. */
  reason: Types.ReasonCode;
  /**
   * The reason in the shopper's words ("You often look at Apple"), computed on the
   * device. It names only what the shopper did or said (`about`), never the product's
   * own attributes.
   */
  readonly why: string;
  /** For `interest`, `stated` and `shared_interest` reasons: the shopper's interest or statement it is about; else null. */
  readonly about: ReasonFact | null;
}

/** A fact from the shopper's profile that a reason is about. */
export interface ReasonFact {
  facet: Types.Facet;
  /** The value as the profile holds it (`electronics/laptops`), and in the shop's words. */
  value: string;
  label: string;
  /** How many of the shopper's actions taught it (0 for a statement alone). */
  evidence: number;
}


/** Where and when the page is shown. */
export interface SlotContext {
  /** Local hour 0–23 and weekday 0 (Sunday) to 6. */
  hour: number;
  weekday: number;
  device: (typeof DEVICES)[number];
  /** BCP 47 tag, e.g. `de-AT`. */
  locale: string;
}

/**
 * The slots of this page an item may fill, as bits: 0 for any; an item whose slots are
 * all elsewhere gets a bit no slot has (at most 31 slots fill).
 */
function slotMask(allowed: unknown, slots: readonly string[], name: string): number {
  if (allowed === undefined || allowed === null) return 0;
  if (!Array.isArray(allowed) || allowed.some((slot) => typeof slot !== 'string')) {
    throw inputError('products', `${name}.slots must be an array of slot names`);
  }
  const bits = allowed.reduce((mask: number, slot: string) => {
    const index = slots.indexOf(slot);
    return index < 0 || index > 30 ? mask : mask | (1 << index);
  }, 0);
  return bits === 0 ? 2 ** 31 : bits;
}

/** The page's context: local time from the clock, the device class from the viewport, the browser's language. */
function pageContext(now: number): SlotContext {
  const date = new Date(now);
  let device: SlotContext['device'] = 'desktop';
  if (typeof window !== 'undefined' && typeof window.matchMedia === 'function') {
    if (window.matchMedia('(max-width: 640px)').matches) device = 'mobile';
    else if (window.matchMedia('(max-width: 1024px)').matches) device = 'tablet';
  }
  const locale = typeof navigator !== 'undefined' && typeof navigator.language === 'string' ? navigator.language : 'en';
  return { hour: date.getHours(), weekday: date.getDay(), device, locale };
}

/** When a slot item may be shown; every condition left out allows anything. */
export interface SlotConditions {
  /** Local hours [from, to), 0–24; `to < from` spans midnight. */
  hours?: readonly [number, number];
  weekdays?: readonly number[];
  from?: Date | number | string;
  until?: Date | number | string;
  devices?: readonly SlotContext['device'][];
  segments?: readonly Types.Segment[];
  /** Locale prefixes: `de` matches `de` and `de-AT`. */
  locales?: readonly string[];
}

/** A banner, collection or offer for the homepage's slots. */
export interface SlotItem {
  id: string | number;
  category?: string | null;
  brand?: string | null;
  tags?: readonly string[] | null;
  facets?: Readonly<Record<string, string | readonly string[]>> | null;
  /** The shop's priority (any scale, higher first); else its position counts. */
  priority?: number;
  /** Slot names it may fill; all when left out. */
  slots?: readonly string[];
  /** Shown only where nothing else qualifies. */
  fallback?: boolean;
  when?: SlotConditions;
  /** At most this many impressions a day (UTC) for this shopper. */
  capPerDay?: number;
}

/** Options of `fillSlots`: the page's context (read by default), impression counting, and rank options (with the `module` measured). */
export interface FillSlotsOptions extends ModuleRankOptions {
  context?: Partial<SlotContext>;
  countImpressions?: boolean;
}

/** One slot and the item chosen for it (or null), with why. */
export interface SlotChoice<T> {
  slot: string;
  item: T | null;
  reason: Types.ReasonCode | null;
  readonly why: string | null;
  /** The shopper's interest or statement the reason is about (see `Ranked.about`). */
  readonly about?: ReasonFact | null;
}

/** A shop's autocomplete suggestion: its text and what it leads to (for ranking). */
export interface Suggestion {
  text: string;
  category?: string;
  brand?: string;
  /** The shop's own score (any scale, higher first); else its position counts. */
  score?: number;
}

/** Options of `autocomplete`: how many recent searches lead, how many completions in all, and rank options. */
export interface AutocompleteOptions extends ModuleRankOptions {
  recent?: number;
  limit?: number;
}

/** One completion: its text, whether it is the shopper's own recent search or the shop's suggestion, and why. */
export interface Completion {
  text: string;
  source: 'recent' | 'shop';
  reason: Types.ReasonCode | 'recent_search';
}

export { isShelfwiseError, type ShelfwiseError } from './input.js';

/** Events a `Shelfwise` instance dispatches. */
export type ShelfwiseEventType = 'consentchange' | 'profilechange' | 'storagechange' | 'warning';

/** Every key Shelfwise writes: the profile's (`shelfwise:`) and the refusal record's (`shelfwise-consent:`). */
const STORAGE_PREFIX = 'shelfwise';
const COMPACT_SETTLE_MS = 300;

/** Runs one of the engine's small operations, typed by what the contract says it returns. */
function run<K extends keyof typeof OP>(engine: Engine, op: K, now: () => number, text = '', number = Number.NaN): OpResults[K] {
  return engine.command(OP[op], text, number, now()) as OpResults[K];
}

const engineModule = new ModuleLoader(init);

/** Each engine's configuration numbers, as it was made with them (the tools module merges with them). */
const engineConfig = new WeakMap<Engine, Float64Array>();

/**
 * The shopper's preference center: what Shelfwise knows, and the shopper's controls over
 * it. Get it as `shelf.profile`.
 */
export class ProfileCenter {
  readonly #shelf: Shelfwise;
  readonly #engine: Engine;
  readonly #now: () => number;
  readonly #reasons: Reasons;
  readonly #config: Float64Array;
  readonly #tools: LazyWasmSource | undefined;

  /** @internal */
  constructor(shelf: Shelfwise, engine: Engine, now: () => number, reasons: Reasons, config: Float64Array, tools: LazyWasmSource | undefined) {
    this.#shelf = shelf;
    this.#engine = engine;
    this.#now = now;
    this.#reasons = reasons;
    this.#config = config;
    this.#tools = tools;
  }

  /** What Shelfwise knows about the shopper: interests (labelled in plain words) with their strength and evidence. */
  summary(): ProfileSummary {
    // A read: it writes nothing (the engine's profile already holds unwritten events).
    const summary = JSON.parse(run(this.#engine, 'summary', this.#now)) as ProfileSummary;
    for (const interest of summary.interests) {
      interest.label = this.#reasons.label(interest.facet, interest.value, summary.currency);
    }
    return summary;
  }

  /**
   * Forgets one interest, e.g. `forget('brand', 'Acme')`, in every tab, with what the
   * same products taught through their other values (forgetting Apple also takes back
   * the iPhones' part of `smartphones` and `#apple`, and drops them from the recently
   * viewed). Returns whether it was known.
   */
  forget(facet: Types.Facet, value: string): boolean {
    if (typeof facet !== 'string' || typeof value !== 'string') {
      throw inputError('argument', 'forget takes a facet and a value, both strings');
    }
    this.#shelf.flush();
    const known = run(this.#engine, 'forget', this.#now, facet + PAIR + value);
    this.#shelf.dispatchEvent(new Event('profilechange'));
    return known;
  }

  /**
   * Records what the shopper says about a facet value (a quiz answer, a "more like
   * this"): weight -1 to 1, default 1; 0 takes it back. It counts at once in ranking.
   */
  setPreference(facet: Types.Facet, value: string, weight = 1): void {
    if (typeof facet !== 'string' || typeof value !== 'string' || typeof weight !== 'number') {
      throw inputError('argument', 'setPreference takes a facet, a value and a numeric weight');
    }
    this.#shelf.flush();
    run(this.#engine, 'preference', this.#now, facet + PAIR + value, weight);
    this.#shelf.dispatchEvent(new Event('profilechange'));
  }

  /**
   * "Not interested": a product, or a facet value, is ranked last from now on. The
   * summary lists them (`hiddenProducts`, and `stated` with weight -1) so the preference
   * center can show them and `undoNotInterested` can take them back.
   */
  notInterested(target: { product: Types.ProductAttributes } | { facet: Types.Facet; value: string }): void {
    this.#dismiss(target, true);
  }

  /** Takes a "not interested" back: the product or value ranks on its merits again. */
  undoNotInterested(target: { product: Types.ProductAttributes } | { facet: Types.Facet; value: string }): void {
    this.#dismiss(target, false);
  }

  #dismiss(target: { product: Types.ProductAttributes } | { facet: Types.Facet; value: string }, dismissed: boolean): void {
    const fieldsOf = fields('argument', target, 'target');
    if ('product' in fieldsOf) {
      const id = fields('argument', fieldsOf.product, 'product').id;
      if (typeof id !== 'string' && !(typeof id === 'number' && Number.isSafeInteger(id) && id >= 0)) {
        throw inputError('argument', 'product.id must be a string or a non-negative whole number');
      }
      this.#shelf.flush();
      run(this.#engine, 'hide', this.#now, String(id), dismissed ? 1 : 0);
      this.#shelf.dispatchEvent(new Event('profilechange'));
    } else {
      this.setPreference(fieldsOf.facet as Types.Facet, fieldsOf.value as string, dismissed ? -1 : 0);
    }
  }

  /**
   * The profile as a versioned, checksummed JSON document (schema in the README). With
   * `{ passphrase }`, a promise of the same encrypted with it (PBKDF2-SHA-256, 600,000
   * iterations, AES-GCM-256; README: "Encrypted export"), for the shopper to carry to
   * another device; the encryption code loads only then.
   */
  export(): string;
  export(options: { passphrase: string }): Promise<string>;
  export(options?: { passphrase?: string }): string | Promise<string> {
    const passphrase = options === undefined ? undefined : fields('argument', options, 'options').passphrase;
    if (passphrase === undefined) return this.#plainExport();
    // What is encrypted is taken now: later events belong to the next export.
    const plain = JSON.stringify(this.#integrity());
    return import('./sealed.js').then(({ seal }) => seal(plain, passphrase as string));
  }

  /**
   * What an import checks, as the core writes it: format, version, checksum, payload.
   * The first export names this device among those a profile is merged across.
   */
  #integrity(): { format: unknown; version: unknown; checksum: unknown; payload: unknown } {
    return JSON.parse(run(this.#engine, 'export', this.#now)) as { format: unknown; version: unknown; checksum: unknown; payload: unknown };
  }

  #plainExport(): string {
    // A read, like `summary()`, but for the device's name, once. The readable parts are
    // added here, in the file's documented order.
    const { format, version, checksum, payload } = this.#integrity();
    const exportedAt = new Date(this.#now()).toISOString();
    const consent: unknown = JSON.parse(run(this.#engine, 'consent', this.#now));
    const { interests, ...rest } = this.summary();
    // Interests as stored, without the display labels the shop's words add.
    const summary = { ...rest, interests: interests.map(({ label: _, ...interest }) => interest) };
    return JSON.stringify({ format, version, exportedAt, consent, checksum, payload, summary });
  }

  /**
   * Brings in an export: by default it replaces what this browser knows. With
   * `mode: 'merge'` it is combined with it (affinities summed, lists interleaved by
   * time, the latest decision winning; merging the same file again changes nothing), in
   * the tools module, loaded then: the call returns a promise. An encrypted export needs
   * `{ passphrase }`, and then the call returns a promise too. Throws (or rejects with)
   * `invalid_import` for a file that is not a Shelfwise export or was edited,
   * `passphrase_required`, `wrong_passphrase`, `tampered_export`, `truncated_export`,
   * and `consent_required` without consent; nothing changes then.
   */
  import(json: string, options?: { mode?: 'replace' }): void;
  import(json: string, options: { mode?: ImportMode; passphrase?: string }): Promise<void>;
  import(json: string, options?: { mode?: ImportMode; passphrase?: string }): void | Promise<void> {
    if (typeof json !== 'string') throw inputError('import', 'import takes the JSON text of an export');
    const { mode = 'replace', passphrase } = options === undefined ? {} : fields('argument', options, 'options');
    if (mode !== 'replace' && mode !== 'merge') throw inputError('argument', 'mode must be "replace" or "merge"');
    if (passphrase === undefined && isEncryptedExport(json)) {
      throw inputError('passphrase', 'this export is encrypted: pass { passphrase }');
    }
    if (passphrase === undefined && mode === 'replace') return this.#install(json, 'replace');
    return (async () => {
      const plain = passphrase !== undefined && isEncryptedExport(json) ? await (await import('./sealed.js')).unseal(json, passphrase as string) : json;
      if (mode === 'merge') await loadTools(this.#tools);
      this.#install(plain, mode);
    })();
  }

  /** Imports an export's JSON text: as it is, or merged into this browser's profile first. */
  #install(json: string, mode: ImportMode): void {
    let file: Record<string, unknown>;
    try {
      file = fields('import', JSON.parse(json), 'the file');
    } catch (error) {
      if (isShelfwiseError(error)) throw error;
      throw inputError('import', 'the file is not JSON');
    }
    const parts = (of: Record<string, unknown>) =>
      [of.format, of.checksum, of.payload].map((part) => (typeof part === 'string' ? part : ABSENT)).join(PAIR);
    let version = typeof file.version === 'number' ? file.version : Number.NaN;
    this.#shelf.flush();
    let text = parts(file);
    if (mode === 'merge') {
      // This browser's profile as it is now (the first export names this device), the
      // file merged into it by the tools module, then imported in its place.
      const local = this.#integrity();
      const merged = JSON.parse(mergeExports(parts(local), text, version, this.#config)) as Record<string, unknown>;
      text = parts(merged);
      version = merged.version as number;
    }
    run(this.#engine, 'import', this.#now, text, version);
    this.#shelf.dispatchEvent(new Event('profilechange'));
  }

  /** Forgets everything learned, in every tab, keeping the consent decision. */
  erase(): void {
    run(this.#engine, 'erase', this.#now);
    this.#shelf.dispatchEvent(new Event('profilechange'));
  }
}

/** How `profile.import` brings a file in: replacing what this browser knows, or merged with it. */
export type ImportMode = 'replace' | 'merge';

/** Whether `text` is (the start of) a passphrase-encrypted export: it needs `{ passphrase }` to import. */
export function isEncryptedExport(text: string): boolean {
  return /^\s*\{\s*"format"\s*:\s*"shelfwise-export-encrypted"/.test(text);
}

/**
 * Words reasons from the profile's facts (one per instance): the fact a reason is about
 * is read from the engine only when asked, so ranking pays nothing for explanations.
 */
class Reasons {
  constructor(
    readonly engine: Engine,
    readonly now: () => number,
    readonly words: Words,
    readonly labels: Labels,
    /** The profile's currency, for price band labels (read only when a band is worded). */
    readonly currency: () => string | null,
  ) {}

  /** The interest or statement behind a reason (its value as `rank` numbered it). */
  fact(value: number): ReasonFact | null {
    if (value < 0) return null;
    const about = run(this.engine, 'reasonValue', this.now, '', value);
    if (about === undefined) return null;
    const [facet = '', text = '', evidence = '0'] = about.split(PAIR);
    const label = this.label(facet, text, facet === 'price_band' ? this.currency() : null);
    return { facet, value: text, label, evidence: Number(evidence) };
  }

  /** A facet value in the shop's words (`currency`: the profile's, for a price band). */
  label(facet: string, value: string, currency: string | null): string {
    return this.words.interest(facet, readable(facet, value, this.labels), facet === 'price_band' ? currency : null);
  }

  why(code: Types.ReasonCode, fact: ReasonFact | null, order: ShopOrder | undefined): string {
    return this.words.why(code, { ...fact, ...(order === undefined ? {} : { order }) });
  }
}

/** One ranked product; `why` and `about` are read from the profile only when asked (most results are never explained). */
class RankedProduct<T> implements Ranked<T> {
  readonly #value: number;
  readonly #order: ShopOrder | undefined;
  readonly #reasons: Reasons;

  constructor(
    public product: T,
    public score: number,
    public index: number,
    public reason: Types.ReasonCode,
    value: number,
    order: ShopOrder | undefined,
    reasons: Reasons,
  ) {
    this.#value = value;
    this.#order = order;
    this.#reasons = reasons;
  }

  get about(): ReasonFact | null {
    return this.#reasons.fact(this.#value);
  }

  get why(): string {
    return this.#reasons.why(this.reason, this.about, this.#order);
  }
}

/** The events a `Shelfwise` dispatches, by type: `addEventListener` is typed by it. */
export interface ShelfwiseEventMap {
  /** Consent changed here, in another tab or through a CMP. */
  consentchange: Event;
  /** The profile changed (an edit here, or another tab's). */
  profilechange: Event;
  /** `storageMode` or `profileEvicted` changed: offer the shopper their export file. */
  storagechange: Event;
  /** Stored data was unreadable, salvaged or repaired, or a ranked product could not be read. */
  warning: CustomEvent<ShelfwiseWarning>;
}

// Typed listeners: `shelf.addEventListener('warning', (e) => e.detail.code)` compiles
// under strict TypeScript.
export interface Shelfwise {
  addEventListener<K extends keyof ShelfwiseEventMap>(
    type: K,
    listener: (this: Shelfwise, event: ShelfwiseEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof ShelfwiseEventMap>(
    type: K,
    listener: (this: Shelfwise, event: ShelfwiseEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/** The fields a product event may have (a purchase's `items` included). */
const EVENT_FIELDS = new Set(['type', 'product', 'items', 'dwellMs', 'quantity', 'module', 'slot']);
/** An event's product, as errors name it; no quantities; no shop rules for an event's row. */
const PRODUCT_NAME = (): string => 'product';
const NO_QUANTITIES = new Float64Array(0);
const NO_RULES = (): void => {};

/**
 * A shopper's on-device profile for one namespace, and the ranking that uses it.
 *
 * Dispatches `consentchange` (consent changed here, in another tab or through a CMP),
 * `profilechange` (the profile changed), `storagechange` (`storageMode` or
 * `profileEvicted` changed) and `warning` (stored data was unreadable,
 * salvaged or repaired, or a ranked product could not be read: `event.detail` is a
 * `ShelfwiseWarning`); see `ShelfwiseEventMap`.
 */
export class Shelfwise extends EventTarget {
  readonly #engine: Engine;
  readonly #rows: RowEncoder;
  readonly #now: () => number;
  readonly #read: Required<Pick<ConsentOptions, 'tcf' | 'gpc' | 'consentMode'>>;
  readonly #consentMode = new ConsentModeReader();
  readonly #listeners: Array<() => void> = [];
  #tcf: TcfSignal | undefined;
  readonly #words: Words;
  readonly #strict: boolean;
  readonly #reasons: Reasons;
  readonly #tcfVendorId: number | undefined;
  #tcfListenerId: unknown;
  #consent: string;
  /** `storageMode` and `profileEvicted` as last reported (`storagechange`); empty until `open` resolves. */
  #storage = '';
  #closed = false;
  readonly #namespace: string;
  readonly #flushDelayMs: number;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** The shopper's preference center: summary, forget, export, import, erase. */
  readonly profile: ProfileCenter;
  /** Holdout, experiments and measurement as opened. */
  readonly #settings: Required<Pick<OpenOptions, 'experiments'>> & OpenOptions;
  #assignment: Assignment = { unitId: null, holdout: false, experiments: {} };
  /** Local measurement: randomized reports for the shop's own analytics (README: "Measurement"). */
  readonly measurement: {
    /**
     * What was counted since the last report, randomized on the device (randomized
     * response at the configured epsilon): send it to your analytics; Shelfwise sends
     * nothing. Counts restart in every tab. `group` defaults to the shopper's holdout
     * group (`"holdout"` or `"personalized"`); `experiment` reports as
     * `"<key>:<variation>"` instead. Throws `consent_required` without both purposes.
     */
    report(options?: { experiment?: string }): Promise<MeasurementReport>;
    /**
     * A contribution to federated learning (with `measurement.learning` and both
     * purposes): the private update of the ranking model from the products this shopper
     * chose from ranked lists, and a private pair of their interests. Send it to your
     * own endpoint; Shelfwise sends nothing. `null` when this period's contributions
     * are made. Throws `consent_required` without both purposes.
     */
    contribute(): Promise<ContributionReport | null>;
    /** The privacy budget spent and left (`null` without `measurement.learning`). */
    budget(): LearningBudget | null;
  };

  protected constructor(engine: Engine, options: OpenOptions) {
    super();
    this.#engine = engine;
    this.#rows = new RowEncoder(engine);
    this.#now = options.now ?? Date.now;
    this.#namespace = options.namespace ?? 'default';
    this.#flushDelayMs = options.flushDelayMs ?? 1000;
    this.#words = { ...ENGLISH, ...options.words };
    this.#reasons = new Reasons(engine, this.#now, this.#words, options.labels ?? {}, () => this.profile.summary().currency);
    this.#strict = options.strict === true;
    // The configuration as the engine was made with it, for merging in the tools module.
    this.profile = new ProfileCenter(this, engine, this.#now, this.#reasons, engineConfig.get(engine) ?? new Float64Array(), options.tools);
    const { tcf = true, gpc = true, consentMode = true, tcfVendorId } = options.consent ?? {};
    this.#read = { tcf, gpc, consentMode };
    this.#tcfVendorId = tcfVendorId;
    this.#consent = run(engine, 'consent', this.#now);
    this.#settings = passMeasurement(options);
    this.measurement = {
      report: (reportOptions) => this.#report(reportOptions),
      contribute: () => this.#contribute(),
      budget: () => {
        const budget = JSON.parse(run(this.#engine, 'learningBudget', this.#now)) as [number, number] | null;
        return budget === null ? null : { epsilonSpent: budget[0], contributionsLeft: budget[1] };
      },
    };
    this.#assign();
    // Browser only, and only when opened: nothing here runs at import time.
    if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') this.#listen();
    this.#consentMode.read();
    this.#applySignals();
    this.addEventListener('profilechange', () => this.#reportStorage());
    // After `open()` resolves, so that listeners added right after it hear these.
    setTimeout(() => {
      this.#emitWarnings();
      this.#storage = 'persistent false';
      this.#reportStorage();
    }, 0);
  }

  /** Dispatches a `warning` event (a `CustomEvent<ShelfwiseWarning>`) for each new warning. */
  #emitWarnings(): void {
    if (this.#closed) return;
    for (const warning of JSON.parse(run(this.#engine, 'warnings', this.#now)) as ShelfwiseWarning[]) {
      this.dispatchEvent(new CustomEvent('warning', { detail: warning }));
    }
  }

  /**
   * Loads the wasm module (once per page) and opens the namespace with whatever profile
   * is stored. Stores nothing. Throws `invalid_argument` for a malformed namespace.
   */
  static async open(options: OpenOptions = {}): Promise<Shelfwise> {
    const settings = checkOpen(options);
    await engineModule.load(options.wasm);
    // Experiments are assigned with the tools module: load it before any ranking.
    if (settings.experiments.length > 0) await loadTools(options.tools);
    return Shelfwise.#create(this, options, settings);
  }

  /**
   * Opens synchronously, for a render-blocking script that reorders a server-rendered
   * grid before the first paint (see `reorderGrid`): `options.wasm` must be the module's
   * bytes or a compiled `WebAssembly.Module` (`shelfwise/sync` supplies them). Takes
   * everything `open` takes; experiments need the tools module loaded before (by an
   * earlier `open`, `bucketing()` or `estimate()`), else `invalid_options`.
   */
  static openSync(options: OpenOptions & { wasm: BufferSource | WebAssembly.Module }): Shelfwise {
    const settings = checkOpen(options);
    if (settings.experiments.length > 0 && !toolsLoaded()) {
      throw inputError('options', 'experiments need the tools module: open() loads it, openSync() cannot');
    }
    if (!engineModule.ready) {
      initSync({ module: options.wasm });
      engineModule.markReady();
    }
    return Shelfwise.#create(this, options, settings);
  }

  /** Creates the engine and an instance of `Class` (this class or a subclass) once the module is ready. */
  static #create(Class: typeof Shelfwise, options: OpenOptions, settings: ReturnType<typeof passMeasurement>): Shelfwise {
    const { respectGpc = true, tcfVendorId } = options.consent ?? {};
    const [config, sensitiveCategories, sensitiveFacets] = guarded('options', () => passConfig(options.config, options.model));
    const engine = new Engine(options.namespace ?? 'default', tabId(), respectGpc, tcfVendorId, config, sensitiveCategories, sensitiveFacets);
    engineConfig.set(engine, config);
    try {
      run(engine, 'modules', () => 0, (settings.measurement?.modules ?? []).join(PAIR), 0);
      const learning = guarded('options', () => passLearning(settings.measurement?.learning));
      if (learning.length > 0) engine.setLearning(guarded('options', () => modelVersion(options.model)), learning);
      if (options.priors !== undefined && options.priors !== null) {
        const [buckets, k] = guarded('options', () => passPriors(options.priors));
        engine.setPriors(buckets, k);
      }
      // Each variation's options, checked by the core now rather than at the first ranking.
      for (const experiment of settings.experiments) {
        for (const variation of experiment.variations) {
          engine.rank(new Float64Array(), new Float64Array(), Float64Array.from(passRankOptions(variation)[0]), false, (options.now ?? Date.now)());
        }
      }
    } catch (error) {
      engine.free();
      throw error;
    }
    return new Class(engine, options);
  }

  #listen(): void {
    const on = (target: EventTarget, type: string, handler: (event: Event) => void) => {
      target.addEventListener(type, handler);
      this.#listeners.push(() => target.removeEventListener(type, handler));
    };
    on(window, 'storage', (event) => this.#storageChanged(event as StorageEvent));
    // Navigation must lose nothing: write before the page goes away or into the background.
    on(window, 'pagehide', () => this.flush());
    if (typeof document !== 'undefined') {
      on(document, 'visibilitychange', () => {
        if (document.visibilityState === 'hidden') this.flush();
      });
    }
    const tcfapi = (window as { __tcfapi?: unknown }).__tcfapi;
    if (!this.#read.tcf || typeof tcfapi !== 'function') return;
    try {
      (tcfapi as TcfApi)('addEventListener', 2, (data, success) => {
        if (this.#closed || !success || data === null || typeof data !== 'object') return;
        // 'cmpuishown' carries no decision yet.
        if (data.eventStatus !== 'tcloaded' && data.eventStatus !== 'useractioncomplete') return;
        this.#tcfListenerId = data.listenerId;
        this.#tcf = tcfSignal(data, this.#tcfVendorId);
        this.#applySignals();
      });
    } catch {
      // A CMP that throws decides nothing; the other signals still apply.
    }
  }

  /** Hands the page's current signals to the core, which decides. */
  #applySignals(): void {
    if (this.#closed) return;
    const gpc =
      this.#read.gpc &&
      typeof navigator !== 'undefined' &&
      (navigator as { globalPrivacyControl?: unknown }).globalPrivacyControl === true;
    const mode = this.#read.consentMode ? this.#consentMode : new ConsentModeReader();
    // Packed as src/engine.rs `set_signals` reads them.
    const tcf = this.#tcf;
    const state = (status: string | undefined) => (status === 'granted' ? 1 : status === 'denied' ? 2 : 0);
    const flags =
      (gpc ? 1 : 0) |
      (tcf ? 2 : 0) |
      (tcf?.gdprApplies ? 4 : 0) |
      (tcf?.vendorConsent ? 8 : 0) |
      (state(mode.defaults.personalization) << 4) |
      (state(mode.defaults.analytics) << 6) |
      (state(mode.updates.personalization) << 8) |
      (state(mode.updates.analytics) << 10) |
      (tcf?.loaded ? 1 << 12 : 0);
    const lists = [tcf?.purposeConsents, tcf?.restrictedPurposes, tcf?.publisherConsents].flatMap((list) => [
      list?.length ?? 0,
      ...(list ?? []),
    ]);
    this.#engine.setSignals(flags, tcf?.tcString ?? '', Uint32Array.from(lists), this.#now());
    this.#consentChanged();
  }

  /** Picks up Consent Mode commands pushed since the last call. */
  #refreshSignals(): void {
    if (this.#read.consentMode && this.#consentMode.read()) this.#applySignals();
  }

  /**
   * Consent per purpose, and where the deciding signal came from. A shopper's refusal is
   * remembered across visits and tabs (`personalization: "denied"`, `source: "shopper"`,
   * `decidedMs`), so a banner shows only while `personalization` is `"unknown"`.
   */
  get consent(): ConsentState {
    this.#refreshSignals();
    return JSON.parse(run(this.#engine, 'consent', this.#now)) as ConsentState;
  }

  /**
   * `"memory"` when storage is blocked, full or failing, as in a private window that
   * refuses writes: Shelfwise keeps working, and nothing outlives the page unless the
   * shopper downloads the export (`profile.export()`). Known from the first write, which is
   * the grant: before consent nothing is written, so it reads `"persistent"`.
   * `storagechange` fires when it changes.
   */
  get storageMode(): Types.StorageMode {
    return run(this.#engine, 'storageMode', this.#now);
  }

  /**
   * `true` when the browser deleted the shopper's profile: personalization is granted by a
   * decision from an earlier visit (a TCF CMP's stored choices, or `grantConsent` with
   * `decidedAt`), yet nothing of this namespace was on file. Safari deletes a site's
   * script-written storage after seven days of use without the shopper interacting with
   * the site (Intelligent Tracking Prevention). Offer the shopper to import their export file. A deleted profile
   * without such a grant looks like a new shopper: it cannot be told apart.
   * `storagechange` fires when it changes.
   */
  get profileEvicted(): boolean {
    return run(this.#engine, 'evicted', this.#now);
  }

  /** Dispatches `storagechange` when `storageMode` or `profileEvicted` differs from what was last reported. */
  #reportStorage(): void {
    if (this.#closed || !this.#storage) return;
    const state = `${this.storageMode} ${this.profileEvicted}`;
    if (state === this.#storage) return;
    this.#storage = state;
    this.dispatchEvent(new Event('storagechange'));
  }

  /**
   * Records the shopper's consent, by default to personalization only. Granting
   * personalization is the first thing Shelfwise ever stores. `decidedAt` (a `Date` or
   * ms, not in the future): a grant the shop has on record from an earlier visit, dated
   * when the shopper gave it; a refusal made since in this browser still stands, and
   * finding nothing on file then sets `profileEvicted`.
   */
  grantConsent(purposes: readonly Types.Purpose[] = ['personalization'], options?: { decidedAt?: Date | number }): void {
    if (!Array.isArray(purposes) || purposes.some((p) => p !== 'personalization' && p !== 'measurement')) {
      throw inputError('argument', 'purposes must be an array of "personalization" and "measurement"');
    }
    const at = options?.decidedAt;
    const ms = at instanceof Date ? at.getTime() : at;
    if (ms !== undefined && !(typeof ms === 'number' && Number.isSafeInteger(Math.floor(ms)) && ms >= 0)) {
      throw inputError('argument', 'decidedAt must be a Date or a time in ms');
    }
    const dated = ms === undefined ? '' : String(Math.floor(ms));
    run(this.#engine, 'grant', this.#now, dated, (purposes.includes('personalization') ? 1 : 0) | (purposes.includes('measurement') ? 2 : 0));
    this.#consentChanged();
  }

  /**
   * Denies or withdraws consent, by default for every purpose: then every Shelfwise key
   * (all namespaces) is erased from `localStorage` and `sessionStorage` before returning,
   * and the refusal alone is kept (`shelfwise-consent:<namespace>`: the decision and its
   * time) so the shop does not ask again on the next visit.
   * `['measurement']` withdraws measurement only: its counts are erased in every tab and
   * the profile stays. (Withdrawing personalization withdraws both: the counts are kept
   * with the profile.)
   */
  withdrawConsent(purposes: readonly Types.Purpose[] = ['personalization', 'measurement']): void {
    if (!Array.isArray(purposes) || purposes.some((p) => p !== 'personalization' && p !== 'measurement')) {
      throw inputError('argument', 'purposes must be an array of "personalization" and "measurement"');
    }
    run(this.#engine, purposes.includes('personalization') ? 'withdraw' : 'withdrawMeasurement', this.#now);
    this.#consentChanged();
  }

  /**
   * Learns from a shopper action. Returns `false`, storing nothing, without consent.
   * Throws a `ShelfwiseError` with code `invalid_event` for malformed events, changing nothing.
   */
  track(event: Types.TrackEvent | Types.PurchaseEvent | Types.SearchEvent | Types.StatedEvent): boolean {
    this.#refreshSignals();
    // One copy of the event's own fields, read once (a plain object: reading it cannot throw).
    const given = guarded('event', () => fields('event', event, 'event'));
    const type = given.type;
    if (type === 'preference' || type === 'not_interested') return this.#trackStated(event as Types.StatedEvent);
    if (type === 'search') {
      const { type: _, query, results, ...rest } = given;
      noOtherFields(rest);
      if (typeof query !== 'string') throw inputError('event', 'query must be a string');
      const found = optionalNumber('event', results, 'results');
      // Case and spacing do not make another search.
      return run(this.#engine, 'search', this.#now, query.toLowerCase().split(/\s+/).join(' '), found ?? NaN);
    }
    // Checked field by field rather than by a rest pattern: no object is made per event.
    for (const name in given) {
      if (Object.hasOwn(given, name) && !EVENT_FIELDS.has(name)) throw inputError('event', `unknown field "${name}"`);
    }
    const { product, items, dwellMs, quantity, module, slot } = given;
    if (typeof type !== 'string') throw inputError('event', 'type must be a string');
    const moduleText = optionalText('event', module, 'module');
    const slotText = optionalText('event', slot, 'slot');
    let products: readonly unknown[];
    let names: (i: number) => string;
    let dwell: number | undefined;
    let quantities = NO_QUANTITIES;
    if (items === undefined) {
      const units = optionalNumber('event', quantity, 'quantity');
      products = [product];
      names = PRODUCT_NAME;
      dwell = optionalNumber('event', dwellMs, 'dwellMs');
      if (units !== undefined) quantities = Float64Array.of(units);
    } else {
      if (product !== undefined || dwellMs !== undefined || quantity !== undefined) {
        throw inputError('event', 'a purchase with items takes no product, dwellMs or quantity of its own');
      }
      if (!Array.isArray(items)) throw inputError('event', 'items must be an array');
      const lines = guarded('event', () => items.map((item: unknown, i) => fields('event', item, `items[${i}]`)));
      quantities = Float64Array.from(lines, (line, i) => optionalNumber('event', line.quantity, `items[${i}].quantity`) ?? 1);
      products = lines.map((line) => line.product);
      names = (i) => `items[${i}].product`;
    }
    // Products as rows of ids, like ranking's; currencies beside them (never interned:
    // they are checked and learned, not ranked by).
    const [{ rows, extras }, currencies] = guarded('event', () => {
      const encoded = this.#rows.encode('event', products, names, NO_RULES);
      let currencies = '';
      for (let i = 0; i < products.length; i++) {
        const currency = optionalText('event', (products[i] as { currency?: unknown }).currency, `${names(i)}.currency`);
        // `eur` is what a shop means by EUR.
        currencies += (i > 0 ? ITEM : '') + (currency?.toUpperCase() ?? ABSENT);
      }
      return [encoded, currencies] as const;
    });
    // Type, module and slot in one text (src/engine.rs `track`).
    const kind = type + PAIR + (moduleText ?? ABSENT) + PAIR + (slotText ?? ABSENT);
    const learned = this.#engine.track(kind, rows, extras, currencies, dwell, quantities, this.#now());
    if (learned) this.#scheduleFlush();
    return learned;
  }

  /** `preference` and `not_interested` events: the preference center's calls, as events. */
  #trackStated(event: Types.StatedEvent): boolean {
    const { type, ...target } = guarded('event', () => ({ ...fields('event', event, 'event') }));
    const allowed = type === 'preference' ? ['facet', 'value', 'weight'] : 'product' in target ? ['product'] : ['facet', 'value'];
    const extra = Object.keys(target).find((name) => !allowed.includes(name));
    if (extra !== undefined) throw inputError('event', `unknown field "${extra}" for a ${String(type)} event`);
    if (this.consent.personalization !== 'granted') return false;
    try {
      if (type === 'not_interested') this.profile.notInterested(target as { facet: Types.Facet; value: string });
      else this.profile.setPreference(target.facet as Types.Facet, target.value as string, (target.weight ?? 1) as number);
    } catch (error) {
      // The same rules as the preference center, reported as a bad event.
      if (isShelfwiseError(error) && error.code === 'invalid_argument') throw inputError('event', error.message);
      throw error;
    }
    return true;
  }

  /**
   * Returns `products` (given in the shop's order: a grid, search results) reordered for
   * this shopper, each with its score and reason. Deterministic: the same products,
   * options and profile give the same order; `strength: 0`, or no consent, keeps the
   * shop's order (with its pins, boosts and stock rules). Products may carry `score`
   * (the shop's own), `inStock: false` and `consumable: true`. Throws `invalid_product`
   * / `invalid_options` for malformed input.
   */
  rank<T extends Types.ProductAttributes>(products: readonly T[], options?: ModuleRankOptions): Ranked<T>[] {
    return this.#rank(products, options, undefined);
  }

  /**
   * Reorders a server-rendered grid in place: the children of `container` that carry
   * `data-product-id`, ranked as `rank` ranks them. Their attributes come from
   * `products` (matched by id) when given, else from the cards' data attributes:
   * `data-category`, `data-brand`, `data-price`, `data-currency`, `data-tags`
   * (comma-separated), `data-score` and `data-in-stock="false"`. Cards are moved, never
   * re-created (their listeners and state stay), other children keep their places, and a
   * card the options leave out (`outOfStock: 'hide'`) gets `hidden`. Called from a
   * render-blocking script before the first paint (`openSync`), the shopper never sees
   * the shop's order first: no flicker, and no anti-flicker hiding.
   */
  reorderGrid(container: Element, options: ModuleRankOptions & { products?: readonly Types.ProductAttributes[] } = {}): Ranked<GridCard>[] {
    if (typeof Element === 'undefined' || !(container instanceof Element)) throw inputError('argument', 'container must be a DOM element');
    const { products, ...rankOptions } = fields('options', options, 'options') as { products?: readonly Types.ProductAttributes[] } & ModuleRankOptions;
    const byId = new Map((products ?? []).map((product) => [String(product.id), product]));
    const children = Array.from(container.children);
    const cards = children.filter((child) => child.hasAttribute('data-product-id'));
    const list: GridCard[] = cards.map((element) => {
      const data = (element as HTMLElement).dataset;
      const id = data.productId!;
      const given = byId.get(id);
      if (given) return { ...given, element };
      const number = (text: string | undefined) => (text === undefined || text === '' ? null : Number(text));
      return {
        id,
        element,
        category: data.category ?? null,
        brand: data.brand ?? null,
        price: number(data.price),
        currency: data.currency ?? null,
        tags: data.tags ? data.tags.split(',').map((tag) => tag.trim()).filter(Boolean) : null,
        score: number(data.score),
        inStock: data.inStock === 'false' ? false : null,
      };
    });
    const ranked = this.#rank(list, rankOptions, undefined);
    const shown = new Set(ranked.map((r) => r.product.element));
    // The cards' places, filled in ranked order; left-out cards after them, hidden.
    const order = ranked.map((r) => r.product.element).concat(cards.filter((card) => !shown.has(card)));
    let next = 0;
    container.append(...children.map((child) => (child.hasAttribute('data-product-id') ? order[next++]! : child)));
    for (const card of cards) if (!shown.has(card)) (card as HTMLElement).hidden = true;
    return ranked;
  }

  /**
   * What the profile says about the shopper's relationship with the shop: lifecycle
   * segment, RFM scores, price sensitivity, and the modules' inputs. Computed on the
   * device; without consent, a new shopper with nothing known.
   */
  insights(): Insights {
    return this.profile.summary().insights;
  }

  /**
   * "Recently viewed": the shopper's viewed products, newest first. With `products`, those
   * of them that were viewed, in that order; without, their ids.
   */
  recentlyViewed(): string[];
  recentlyViewed<T extends Types.ProductAttributes>(products: readonly T[]): T[];
  recentlyViewed<T extends Types.ProductAttributes>(products?: readonly T[]): (T | string)[] {
    const ids = this.profile.summary().recentlyViewed;
    if (products === undefined) return ids;
    if (!Array.isArray(products)) throw inputError('products', 'products must be an array');
    const byId = new Map(products.map((product) => [String(product.id), product]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** "Continue where you left off": cart lines left alone for longer than a visit gap. */
  cartReminder(): CartLine[] {
    return this.insights().cartReminder;
  }

  /** Repeat purchases due again by the shopper's own intervals, soonest first. */
  replenishment(): DueProduct[] {
    return this.insights().replenishment;
  }

  /**
   * The size the shopper takes in `category` (or, failing that, its nearest parent), from
   * what they put in the cart and bought; null when nothing is known.
   */
  sizeSuggestion(category: string): SizeSuggestion | null {
    if (typeof category !== 'string') throw inputError('argument', 'category must be a string');
    return JSON.parse(run(this.#engine, 'sizeFor', this.#now, category)) as SizeSuggestion | null;
  }


  /**
   * Fills the homepage's `slots` (names, in page order) from the shop's `items`: banners,
   * collections and offers, each with what it promotes (`category`, `brand`, `tags`,
   * `facets`), a `priority`, the slots it may fill, whether it is a `fallback`, its
   * conditions (`when`: local `hours` [from, to), `weekdays` 0–6, `from`/`until` dates,
   * `devices`, lifecycle `segments`, `locales`) and a `capPerDay`. No item fills two
   * slots; fallbacks fill what nothing else qualifies for. The page's context (local time,
   * device class, locale) is read here unless given. Each item chosen is counted as an
   * impression (with consent) unless `countImpressions: false`. With `module`, one
   * impression of the module is measured, and one of `<module>:<slot>` for each filled
   * slot the shop measures under that name.
   */
  fillSlots<T extends SlotItem>(slots: readonly string[], items: readonly T[], options: FillSlotsOptions = {}): SlotChoice<T>[] {
    this.#refreshSignals();
    if (!Array.isArray(slots) || slots.some((slot) => typeof slot !== 'string')) {
      throw inputError('argument', 'slots must be an array of slot names');
    }
    if (!Array.isArray(items)) throw inputError('products', 'items must be an array');
    const { context: given = {}, countImpressions = true, module, ...rankOptions } = fields('options', options, 'options') as FillSlotsOptions;
    if (module !== undefined && typeof module !== 'string') throw inputError('options', 'module must be a string');
    const context = { ...pageContext(this.#now()), ...given };
    const [numbers, rules] = guarded('options', () => passRankOptions(this.#withExperiments(module, rankOptions)));
    const order = shopOrderOf(rankOptions);
    const products = items.map((item, i) => ({ ...(fields('products', item, `items[${i}]`) as T), id: `slot:${String(item.id)}` }));
    const locales = [context.locale];
    const slotNumbers = (item: T, i: number, out: Float64Array, at: number) => {
      const name = `items[${i}]`;
      const when = (item.when === undefined ? {} : fields('products', item.when, `${name}.when`)) as SlotConditions;
      const mask = (list: readonly unknown[] | undefined, of: readonly unknown[], what: string) =>
        (list ?? []).reduce((bits: number, value) => {
          const bit = of.indexOf(value);
          if (bit < 0) throw inputError('products', `${name}.${what} has an unknown value ${JSON.stringify(value)}`);
          return bits | (1 << bit);
        }, 0);
      const time = (value: unknown, what: string) => {
        if (value === undefined) return Number.NaN;
        const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
        if (typeof ms !== 'number' || !Number.isFinite(ms)) throw inputError('products', `${name}.when.${what} must be a date`);
        return ms;
      };
      const [from = 0, to = 0] = when.hours ?? [];
      locales.push((when.locales ?? []).join(ITEM));
      out.set(
        [
          slotMask(item.slots, slots, name),
          item.fallback === true ? 1 : 0,
          from,
          to,
          mask(when.weekdays, [0, 1, 2, 3, 4, 5, 6], 'when.weekdays'),
          time(when.from, 'from'),
          time(when.until, 'until'),
          mask(when.devices, DEVICES, 'when.devices'),
          mask(when.segments, SEGMENTS, 'when.segments'),
          optionalNumber('products', item.capPerDay, `${name}.capPerDay`) ?? 0,
        ],
        at,
      );
    };
    const { rows, extras } = this.#rows.encode(
      'products',
      products,
      (i) => `items[${i}]`,
      (_, i, out, at) => {
        const item = items[i]!;
        const id = String(item.id);
        out[at] = optionalNumber('products', item.priority, `items[${i}].priority`) ?? Number.NaN;
        out[at + 1] = rules.boost.get(id) ?? 1;
        out[at + 2] = rules.pin.get(id) ?? -1;
        out[at + 3] = 0;
      },
      SLOT_ITEM_STRIDE,
      (_, i, out, at) => slotNumbers(items[i]!, i, out, at),
    );
    const device = DEVICES.indexOf(context.device);
    const head = [slots.length, context.hour, context.weekday, device < 0 ? 2 : device, ...numbers.slice(0, -1)];
    const numbersIn = new Float64Array(head.length + rows.length);
    numbersIn.set(head);
    numbersIn.set(rows, head.length);
    const chosen = this.#engine.fillSlots(numbersIn, extras, locales.join(PAIR), this.#now());
    if (countImpressions) this.#countImpression(module);
    // Per slot too, for the slots the shop measures as `<module>:<slot>`.
    if (countImpressions && module !== undefined) {
      slots.forEach((slot, s) => {
        if ((chosen[s * RANKED_STRIDE] as number) >= 0) this.#countImpression(`${module}:${slot}`);
      });
    }
    return slots.map((slot, s) => {
      const at = s * RANKED_STRIDE;
      const index = chosen[at] as number;
      if (index < 0) return { slot, item: null, reason: null, why: null };
      const item = items[index] as T;
      const code = (REASON_CODES[chosen[at + 2] as number] ?? 'shop_order') as Types.ReasonCode;
      const ranked = new RankedProduct(item, 0, index, code, chosen[at + 3] as number, order, this.#reasons);
      if (countImpressions) this.track({ type: 'impression', product: { id: `slot:${String(item.id)}` } });
      return {
        slot,
        item,
        reason: code,
        get why() {
          return ranked.why;
        },
        get about() {
          return ranked.about;
        },
      };
    });
  }

  /**
   * Personalized autocomplete for what the shopper is typing: the shop's `suggestions`
   * (texts, or objects with the category/brand/score they lead to) reranked for this
   * shopper, after up to `recent` (default 2) of their own recent searches that start
   * with the same text. At most `limit` (default 8), each text once.
   */
  autocomplete(
    prefix: string,
    suggestions: readonly (string | Suggestion)[],
    options: AutocompleteOptions = {},
  ): Completion[] {
    if (typeof prefix !== 'string') throw inputError('argument', 'prefix must be a string');
    if (!Array.isArray(suggestions)) throw inputError('products', 'suggestions must be an array');
    const { recent = 2, limit = 8, ...rankOptions } = fields('options', options, 'options') as AutocompleteOptions;
    const typed = prefix.trim().toLowerCase().replace(/\s+/g, ' ');
    const completions: Completion[] = [];
    const seen = new Set<string>();
    const add = (text: string, source: Completion['source'], reason: Types.ReasonCode | 'recent_search') => {
      const key = text.trim().toLowerCase();
      if (completions.length < limit && !seen.has(key)) {
        seen.add(key);
        completions.push({ text, source, reason });
      }
    };
    if (typed !== '' && this.#consented()) {
      for (const query of this.profile.summary().recentSearches) {
        if (completions.length >= recent) break;
        if (query.startsWith(typed) && query !== typed) add(query, 'recent', 'recent_search');
      }
    }
    // Suggestions rank as products with the attributes they lead to; ids of their own
    // so they never collide with the catalogue's.
    const products = suggestions.map((suggestion, i) => {
      const { text, category, brand, score } = (
        typeof suggestion === 'string' ? { text: suggestion } : fields('products', suggestion, `suggestions[${i}]`)
      ) as unknown as Suggestion;
      if (typeof text !== 'string') throw inputError('products', `suggestions[${i}].text must be a string`);
      const name = `suggestions[${i}]`;
      return {
        id: `search:${text}`,
        text,
        category: optionalText('products', category, `${name}.category`) ?? null,
        brand: optionalText('products', brand, `${name}.brand`) ?? null,
        score: optionalNumber('products', score, `${name}.score`) ?? null,
      };
    });
    for (const ranked of this.#rank(products, rankOptions, undefined)) add(ranked.product.text, 'shop', ranked.reason);
    return completions;
  }

  /**
   * "Similar items" for the product on the page: `candidates` ranked by likeness to
   * `product` (brand, price, category, facets), personalized; `product` itself is left out.
   */
  similarTo<T extends Types.ProductAttributes>(
    product: Types.ProductAttributes,
    candidates: readonly T[],
    options?: ModuleRankOptions,
  ): Ranked<T>[] {
    return this.#rank(candidates, options, product);
  }

  /**
   * "Bought together": the shop's associations for a product (its own co-purchase
   * scores), reordered for this shopper. Products already in the cart are left out.
   */
  boughtTogether<T extends Types.ProductAttributes>(
    associations: readonly { product: T; score: number }[],
    options?: ModuleRankOptions,
  ): Ranked<T>[] {
    if (!Array.isArray(associations)) throw inputError('products', 'associations must be an array');
    const inCart = new Set(this.#consented() ? this.profile.summary().cart.map((line) => line.id) : []);
    const products = associations.map((a, i) => {
      const { product, score } = fields('products', a, `associations[${i}]`);
      if (typeof score !== 'number') throw inputError('products', `associations[${i}].score must be a number`);
      return { ...(fields('products', product, `associations[${i}].product`) as T), score };
    });
    return this.#rank(products, options, undefined)
      .filter((r) => !inCart.has(String(r.product.id)))
      .map((r) => ({ ...r, product: associations[r.index]!.product }));
  }

  /**
   * Picks the one offer (free shipping, a percentage off, a loyalty bonus, early access)
   * that fits this shopper, among the shop's `offers`, which carry what they promote
   * (`category`, `brand`, `tags`, `facets`), a `priority`, conditions (`when`) and a
   * `capPerDay`, as `fillSlots` items do. Eligibility is the shop's: only offers whose
   * conditions hold take part. Among those, the fit decides: what the offer promotes
   * against the shopper's interests, and its kind against their price sensitivity and
   * lifecycle segment (README: "Offers"). Shelfwise never changes a price. The holdout,
   * and shoppers without consent, get the shop's priority order.
   */
  chooseOffer<T extends Offer>(offers: readonly T[], options: FillSlotsOptions = {}): OfferChoice<T> {
    if (!Array.isArray(offers)) throw inputError('products', 'offers must be an array');
    const kinds = offers.map((offer, i) => {
      const kind = fields('products', offer, `offers[${i}]`).kind;
      if (!(OFFER_KINDS as readonly unknown[]).includes(kind)) {
        throw inputError('products', `offers[${i}].kind must be one of ${OFFER_KINDS.join(', ')}`);
      }
      return kind as string;
    });
    // The core decides how each kind fits this shopper (none in the holdout or without
    // consent): a priority multiplier and why.
    const numbers = run(this.#engine, 'offerFits', this.#now, kinds.join(ITEM));
    const fits = kinds.map((_, i): [number, OfferReason] | null => {
      const why = OFFER_FITS[numbers[2 * i + 1] as number];
      return why === undefined ? null : [numbers[2 * i] as number, why];
    });
    const given = fields('options', options, 'options') as FillSlotsOptions;
    const boost: Record<string, number> = { ...given.boost };
    offers.forEach((offer, i) => {
      const fit = fits[i];
      if (fit) boost[String(offer.id)] = (boost[String(offer.id)] ?? 1) * fit[0];
    });
    const [choice] = this.fillSlots(['offer'], offers, { ...given, boost });
    if (!choice || choice.item === null) return { offer: null, reason: null, why: null };
    const fit = fits[offers.indexOf(choice.item)];
    // The kind's fit explains the choice unless the shopper's interests did.
    const byFit = fit && (choice.reason === 'shop_order' || choice.reason === 'promoted');
    const reason: OfferReason = byFit ? fit[1] : choice.reason!;
    const words = this.#words;
    return {
      offer: choice.item,
      reason,
      get why() {
        return byFit ? words.offer(reason, {}) : choice.why;
      },
    };
  }

  #consented(): boolean {
    return this.consent.personalization === 'granted';
  }

  #rank<T extends Types.ProductAttributes>(
    products: readonly T[],
    options: ModuleRankOptions | undefined,
    anchor: Types.ProductAttributes | undefined,
  ): Ranked<T>[] {
    this.#refreshSignals();
    const { module, ...rankOptions } = guarded('options', () => (options === undefined || options === null ? {} : fields('options', options, 'options'))) as ModuleRankOptions;
    if (module !== undefined && typeof module !== 'string') throw inputError('options', 'module must be a string');
    const [numbers, rules] = guarded('options', () => passRankOptions(this.#withExperiments(module, rankOptions)));
    const order = shopOrderOf(rankOptions);
    if (!Array.isArray(products)) throw inputError('products', 'products must be an array');
    if (products.length > MAX_CANDIDATES) throw inputError('products', `at most ${MAX_CANDIDATES} products can be ranked at once`);
    const list = anchor === undefined ? products : [...products, anchor];
    if (anchor !== undefined) numbers[numbers.length - 1] = products.length;
    const hasRules = rules.boost.size > 0 || rules.pin.size > 0;
    const { rows, extras } = guarded('products', () =>
      this.#rows.encode(
        'products',
        list,
        (i) => (i === products.length ? 'product' : `products[${i}]`),
        (product, _, out, at) => {
          const { score, inStock, stock, consumable } = product;
          const id = hasRules ? String(product.id) : '';
          const outOfStock = inStock === false || (typeof stock === 'number' && stock <= 0);
          out[at] = typeof score === 'number' ? score : Number.NaN;
          out[at + 1] = hasRules ? (rules.boost.get(id) ?? 1) : 1;
          out[at + 2] = hasRules ? (rules.pin.get(id) ?? -1) : -1;
          out[at + 3] = (outOfStock ? 1 : 0) | (consumable === true ? 2 : 0);
        },
        ROW_STRIDE,
        undefined,
        true,
        this.#strict ? undefined : this.#unread,
      ),
    );
    const out = this.#engine.rank(rows, extras, Float64Array.from(numbers), !this.#strict, this.#now());
    this.#emitWarnings();
    this.#countImpression(module);
    const ranked: Ranked<T>[] = new Array(out.length / RANKED_STRIDE);
    for (let i = 0, at = 0; at < out.length; i++, at += RANKED_STRIDE) {
      const index = out[at] as number;
      const code = (REASON_CODES[out[at + 2] as number] ?? 'shop_order') as Types.ReasonCode;
      ranked[i] = new RankedProduct(products[index] as T, out[at + 1] as number, index, code, out[at + 3] as number, order, this.#reasons);
    }
    return ranked;
  }

  /** A product ranking could not read (lenient): kept in the shop's position, and a `warning` says which and why. */
  readonly #unread = (_: number, reason: string): void => {
    this.dispatchEvent(
      new CustomEvent('warning', { detail: { code: 'product_unread', message: `${reason}; it keeps the shop's position, without personal signals` } }),
    );
  };

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#closed) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.flush();
    }, this.#flushDelayMs);
  }

  /**
   * Writes pending events now. Shelfwise does this by itself shortly after `track`, and
   * at once when the page is hidden or left.
   */
  flush(): void {
    if (this.#closed || !(run(this.#engine, 'hasPending', this.#now))) return;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (run(this.#engine, 'flush', this.#now)) this.#compact();
    this.#consentChanged();
  }

  /** Folds every tab's journal into the stored profile, one tab at a time (Web Locks). */
  #compact(): void {
    const locks = typeof navigator !== 'undefined' ? (navigator as { locks?: LockManager }).locks : undefined;
    if (!locks) {
      run(this.#engine, 'compact', this.#now);
      return;
    }
    locks
      .request(`shelfwise:${this.#namespace}:compact`, { ifAvailable: true }, async (lock) => {
        if (!lock || this.#closed) return;
        run(this.#engine, 'compact', this.#now);
        this.#reportStorage();
        // Chromium hands localStorage writes to other renderer processes asynchronously.
        // Holding the lock a little longer lets this write arrive before another page
        // compacts, so it does not fold its journal into an envelope read before this one.
        await new Promise((resolve) => setTimeout(resolve, COMPACT_SETTLE_MS));
      })
      .catch(() => {
        // No lock to be had: the next flush asks again.
      });
  }

  /** Writes what is pending, stops listening and frees the engine. Unusable after. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    clearTimeout(this.#flushTimer);
    for (const remove of this.#listeners) remove();
    const tcfapi = typeof window !== 'undefined' ? (window as { __tcfapi?: unknown }).__tcfapi : undefined;
    if (this.#tcfListenerId !== undefined && typeof tcfapi === 'function') {
      try {
        (tcfapi as TcfApi)('removeEventListener', 2, () => {}, this.#tcfListenerId);
      } catch {
        // The CMP is gone; nothing to remove.
      }
    }
    this.#engine.free();
  }

  #storageChanged(event: StorageEvent): void {
    // key === null: another script cleared the whole storage.
    if (event.key !== null && !event.key.startsWith(STORAGE_PREFIX)) return;
    run(this.#engine, 'reload', this.#now);
    this.#consentChanged();
    this.dispatchEvent(new Event('profilechange'));
    this.#emitWarnings();
  }

  /** Dispatches `consentchange` when consent differs from what was last reported (and `storagechange`). */
  #consentChanged(): void {
    this.#reportStorage();
    const consent = run(this.#engine, 'consent', this.#now);
    // Another tab may have erased the profile, and with it the kept id.
    if (this.#assignment.unitId !== (this.#settings.unitId ?? run(this.#engine, 'unit', this.#now) ?? null)) this.#assign();
    if (consent === this.#consent) return;
    this.#consent = consent;
    this.#assign();
    this.dispatchEvent(new Event('consentchange'));
  }

  /**
   * The shopper's groups: their bucketing id, whether they are in the holdout, and each
   * experiment's variation (null when not in it: no consent, held out, or outside its
   * coverage or namespace). Sticky: the same id always gets the same groups.
   */
  get assignment(): Assignment {
    return { ...this.#assignment, experiments: { ...this.#assignment.experiments } };
  }

  /** Assigns the holdout and experiments from the shopper's id (with personalization consent). */
  #assign(): void {
    const { holdout, experiments, unitId } = this.#settings;
    if (holdout === undefined && experiments.length === 0) return;
    let unit: string | null = null;
    if ((JSON.parse(this.#consent) as ConsentState).personalization === 'granted') {
      unit = unitId ?? (run(this.#engine, 'keepUnit', this.#now, randomUnit()) ?? null);
    }
    const held =
      unit !== null && holdout !== undefined && (run(this.#engine, 'holdout', this.#now, holdout.seed + PAIR + unit, holdout.percent));
    if (!held) run(this.#engine, 'holdout', this.#now);
    const variations: Record<string, number | null> = {};
    for (const experiment of experiments) {
      const count = experiment.variations.length;
      const variation =
        unit === null || held
          ? -1
          : assign(unit, {
              seed: experiment.seed ?? experiment.key,
              weights: experiment.weights ?? Array.from({ length: count }, () => 1 / count),
              ...(experiment.coverage === undefined ? {} : { coverage: experiment.coverage }),
              ...(experiment.namespace === undefined ? {} : { namespace: experiment.namespace }),
              ...(experiment.hashVersion === undefined ? {} : { hashVersion: experiment.hashVersion }),
            });
      variations[experiment.key] = variation < 0 ? null : variation;
    }
    this.#assignment = { unitId: unit, holdout: held, experiments: variations };
  }

  /** `options` with the rank options of each experiment variation the shopper is in for `module`. */
  #withExperiments(module: string | undefined, options: Types.RankOptions | undefined): Types.RankOptions | undefined {
    let merged = options;
    for (const experiment of this.#settings.experiments) {
      const variation = this.#assignment.experiments[experiment.key];
      if (variation === null || variation === undefined) continue;
      if (experiment.modules !== undefined && (module === undefined || !experiment.modules.includes(module))) continue;
      merged = { ...merged, ...experiment.variations[variation] };
    }
    return merged;
  }

  /** Counts one impression of `module` (with the measurement purpose, for a measured module). */
  #countImpression(module: string | undefined): void {
    if (module === undefined || !this.#settings.measurement?.modules.includes(module)) return;
    if (this.consent.measurement !== 'granted') return;
    this.track({ type: 'impression', product: { id: module }, module });
  }

  async #contribute(): Promise<ContributionReport | null> {
    if (this.#settings.measurement?.learning === undefined) {
      throw inputError('options', 'contributions need measurement.learning in the options of open');
    }
    // Loaded before the learning is taken: taking it spends the budget.
    await loadTools(this.#settings.tools);
    this.flush();
    const learned = JSON.parse(run(this.#engine, 'takeLearning', this.#now, '', randomSeed())) as Learned | null;
    return learned === null ? null : contributionOf(learned);
  }

  async #report(options: { experiment?: string } = {}): Promise<MeasurementReport> {
    const measurement = this.#settings.measurement;
    if (measurement === undefined) throw inputError('options', 'measurement needs measurement.modules in the options of open');
    const { experiment } = fields('options', options, 'options') as { experiment?: unknown };
    if (experiment !== undefined && !(typeof experiment === 'string' && experiment in this.#assignment.experiments)) {
      throw inputError('options', 'experiment must be the key of one of the experiments opened with');
    }
    // Loaded before the counts are taken: taking them restarts them.
    await loadTools(this.#settings.tools);
    this.flush();
    const counts = JSON.parse(run(this.#engine, 'takeCounts', this.#now)) as number[];
    let group = this.#assignment.holdout ? 'holdout' : 'personalized';
    if (experiment !== undefined) group = `${experiment}:${this.#assignment.experiments[experiment] ?? 'none'}`;
    return randomize(measurement.modules, counts, measurement.epsilon ?? Math.log(3), measurement.revenueStep ?? 25, group);
  }
}
