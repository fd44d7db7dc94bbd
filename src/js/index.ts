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
 * clock, reads the page's consent signals (IAB TCF, Global Privacy Control, Google Consent
 * Mode) and follows browser events. Everything it decides is decided in Rust.
 * @module
 */

import init, { Engine, inputError } from './wasm/shelfwise.js';
import type * as Types from './wasm/shelfwise.js';

export type {
  ConsentSource,
  ConsentState,
  ConsentStatus,
  ErrorCode,
  EventType,
  Facet,
  Interest,
  LineItem,
  ProductAttributes,
  ProfileSummary,
  Purpose,
  RankOptions,
  ShelfwiseConfig,
  ShelfwiseWarning,
  Statement,
  StorageMode,
  TrackEvent,
} from './wasm/shelfwise.js';

/** Where to load the wasm module from, when the default (beside this file) does not suit. */
export type WasmSource = URL | string | Request | Response | BufferSource | WebAssembly.Module;

/** Which of the page's consent signals Shelfwise reads (all on by default). */
export interface ConsentSignalOptions {
  /** Listen to an IAB TCF v2 CMP through `window.__tcfapi`. */
  tcf?: boolean;
  /** Read `navigator.globalPrivacyControl` (what it means is `config.respectGpc`). */
  gpc?: boolean;
  /** Read Google Consent Mode commands from `window.dataLayer`. */
  consentMode?: boolean;
}

export interface OpenOptions {
  /**
   * Separates shops (or sites) that share an origin: 1 to 64 of `A-Z a-z 0-9 - _ .`.
   * Default `"default"`.
   */
  namespace?: string;
  /** Tuning: half-lives, weights, retention, sensitive categories, GPC, TCF vendor id. */
  config?: Types.ShelfwiseConfig;
  /** Consent signals to read. Default: all. */
  signals?: ConsentSignalOptions;
  /** Events are written at most this long after `track` (and at once on `pagehide`). Default 1000. */
  flushDelayMs?: number;
  /** Wasm module source; default: `shelfwise_bg.wasm` next to the package's glue. */
  wasm?: WasmSource;
  /** Clock in milliseconds since the epoch; default `Date.now`. For tests and replays. */
  now?: () => number;
}

/** One product of a ranked list: the caller's own object, its score and its input index. */
export interface Ranked<T> {
  product: T;
  /** Final score; higher ranks first. Between 0 and 1. */
  score: number;
  /** Position of the product in the list given to `rank`. */
  index: number;
}

/** Every error Shelfwise throws is an `Error` named `ShelfwiseError` with a stable code. */
export interface ShelfwiseError extends Error {
  name: 'ShelfwiseError';
  code: Types.ErrorCode;
}

export function isShelfwiseError(error: unknown): error is ShelfwiseError {
  return error instanceof Error && error.name === 'ShelfwiseError' && typeof (error as { code?: unknown }).code === 'string';
}

/** Events a `Shelfwise` instance dispatches (`warning` is a `CustomEvent<ShelfwiseWarning>`). */
export type ShelfwiseEventType = 'consentchange' | 'profilechange' | 'warning';

/** What `notInterested` accepts: a product, or a facet value. */
export type Dismissal = { product: Types.ProductAttributes } | { facet: Types.Facet; value: string };

const STORAGE_PREFIX = 'shelfwise:';
let loading: Promise<unknown> | undefined;

function loadWasm(source: WasmSource | undefined): Promise<unknown> {
  loading ??= init(source === undefined ? undefined : { module_or_path: source }).catch((error: unknown) => {
    loading = undefined; // allow a retry, e.g. after a network error
    throw error;
  });
  return loading;
}

type InputKind = 'event' | 'products' | 'options' | 'argument';

/** Keeps NaN and ±Infinity visible to the core (JSON would turn them into `null`). */
function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** Only the attributes the core reads, so a grid of large product objects stays cheap. */
function productAttributes(product: unknown): unknown {
  if (product === null || typeof product !== 'object' || Array.isArray(product)) return product;
  const { id, category, brand, price, currency, tags, variant, facets, consumable } = product as Record<string, unknown>;
  return { id, category, brand, price, currency, tags, variant, facets, consumable };
}

/** JSON text for the engine; anything JSON cannot carry becomes a coded error. */
function encode(what: InputKind, value: unknown, pick?: (value: unknown) => unknown): string {
  try {
    return JSON.stringify(pick ? pick(value) : value, keepNonFinite) ?? 'null';
  } catch (error) {
    throw inputError(what, error instanceof Error ? error.message : String(error));
  }
}

function tabId(): string {
  const bytes = new Uint8Array(9);
  if (typeof crypto !== 'undefined' && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 16);
}

interface TcfData {
  gdprApplies?: unknown;
  tcString?: unknown;
  eventStatus?: unknown;
  listenerId?: unknown;
}
type TcfApi = (command: string, version: number, callback: (data: TcfData, success: boolean) => void, parameter?: unknown) => void;
type ConsentModeState = { personalizationStorage?: Types.ConsentStatus; analyticsStorage?: Types.ConsentStatus };

/** Google Consent Mode commands seen in `dataLayer`, read incrementally. */
class ConsentModeReader {
  #seen = 0;
  defaults: ConsentModeState | undefined;
  updates: ConsentModeState | undefined;

  read(): void {
    const layer = (globalThis as { dataLayer?: unknown }).dataLayer;
    if (!Array.isArray(layer)) return;
    for (; this.#seen < layer.length; this.#seen += 1) {
      const entry: unknown = layer[this.#seen];
      // gtag('consent', 'default' | 'update', {...}) pushes its `arguments` object.
      if (entry === null || typeof entry !== 'object' || (entry as ArrayLike<unknown>)[0] !== 'consent') continue;
      const [, command, params] = Array.from(entry as ArrayLike<unknown>);
      if ((command !== 'default' && command !== 'update') || params === null || typeof params !== 'object') continue;
      const status = (value: unknown) => (value === 'granted' || value === 'denied' ? value : undefined);
      const { personalization_storage, analytics_storage } = params as Record<string, unknown>;
      const next = { ...(command === 'default' ? this.defaults : this.updates) };
      const personalization = status(personalization_storage);
      const analytics = status(analytics_storage);
      if (personalization) next.personalizationStorage = personalization;
      if (analytics) next.analyticsStorage = analytics;
      if (command === 'default') this.defaults = next;
      else this.updates = next;
    }
  }
}

/**
 * The shopper's preference center: everything they can see and change.
 * Get it as `shelf.profile`.
 */
export class ProfileCenter {
  readonly #shelf: Shelfwise;
  readonly #engine: Engine;
  readonly #now: () => number;

  /** @internal */
  constructor(shelf: Shelfwise, engine: Engine, now: () => number) {
    this.#shelf = shelf;
    this.#engine = engine;
    this.#now = now;
  }

  /** What Shelfwise knows, in plain words, with the evidence behind each interest. */
  summary(): Types.ProfileSummary {
    this.#shelf.flush();
    return JSON.parse(this.#engine.summary(this.#now())) as Types.ProfileSummary;
  }

  /** Forgets one interest (e.g. `forget('brand', 'Acme')`). Returns whether it was known. */
  forget(facet: Types.Facet, value: string): boolean {
    this.#shelf.flush();
    const known = this.#engine.forget(facet, value, this.#now());
    this.#shelf.changed();
    return known;
  }

  /** Records a stated preference, weight -1 (dislike) to 1 (like); 0 removes it. */
  setPreference(facet: Types.Facet, value: string, weight = 1): boolean {
    return this.#shelf.track({ type: 'preference', facet, value, weight });
  }

  /** Marks a product or a facet value as not interesting: it is ranked last from now on. */
  notInterested(target: Dismissal): boolean {
    return this.#shelf.track({ type: 'not_interested', ...target } as Types.TrackEvent);
  }

  /** The profile as a versioned, checksummed JSON document (schema in the README). */
  export(): string {
    this.#shelf.flush();
    return this.#engine.export(this.#now());
  }

  /** Merges an export into the profile. Throws `invalid_import` for foreign or edited files. */
  import(json: string): void {
    if (typeof json !== 'string') throw inputError('argument', 'import takes the JSON text of an export');
    this.#shelf.flush();
    this.#engine.import(json, this.#now());
    this.#shelf.changed();
  }

  /** Forgets everything learned, in every tab, keeping the consent decision. */
  erase(): void {
    this.#engine.erase(this.#now());
    this.#shelf.changed();
  }
}

/**
 * A shopper's on-device profile for one namespace, and the ranking that uses it.
 *
 * Dispatches `consentchange` (consent changed here, in another tab or through a CMP),
 * `profilechange` (another tab changed the profile) and `warning` (unreadable stored
 * data, storage full or blocked: `event.detail` is a `ShelfwiseWarning`).
 */
export class Shelfwise extends EventTarget {
  readonly #engine: Engine;
  readonly #now: () => number;
  readonly #namespace: string;
  readonly #flushDelayMs: number;
  readonly #signals: Required<ConsentSignalOptions>;
  readonly #consentMode = new ConsentModeReader();
  readonly #listeners: Array<() => void> = [];
  #tcf: { gdprApplies: boolean; tcString?: string } | undefined;
  #tcfListenerId: unknown;
  #consent: string;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** The shopper's preference center. */
  readonly profile: ProfileCenter;

  protected constructor(engine: Engine, options: OpenOptions) {
    super();
    this.#engine = engine;
    this.#now = options.now ?? Date.now;
    this.#namespace = options.namespace ?? 'default';
    this.#flushDelayMs = options.flushDelayMs ?? 1000;
    this.#signals = { tcf: true, gpc: true, consentMode: true, ...options.signals };
    this.#consent = engine.consentJson();
    this.profile = new ProfileCenter(this, engine, this.#now);
    if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') this.#listen();
    this.#applySignals();
    this.#emitWarnings();
  }

  /**
   * Loads the wasm module (once per page) and opens the namespace with whatever profile
   * is stored. Stores nothing by itself. Throws `invalid_argument` / `invalid_options`
   * for a malformed namespace or config.
   */
  static async open(options: OpenOptions = {}): Promise<Shelfwise> {
    await loadWasm(options.wasm);
    const now = options.now ?? Date.now;
    const engine = new Engine(options.namespace ?? 'default', tabId(), encode('options', options.config ?? null), now());
    return new this(engine, options);
  }

  /** Browser only, and only when opened: nothing here runs at import time. */
  #listen(): void {
    const on = (target: EventTarget, type: string, handler: (event: Event) => void) => {
      target.addEventListener(type, handler);
      this.#listeners.push(() => target.removeEventListener(type, handler));
    };
    on(window, 'storage', (event) => {
      const key = (event as StorageEvent).key;
      // key === null: another script cleared the whole storage.
      if (key === null || key.startsWith(STORAGE_PREFIX)) {
        this.#engine.reload(this.#now());
        this.changed();
      }
    });
    // Navigation must lose nothing: write before the page goes away or into the background.
    on(window, 'pagehide', () => this.flush());
    if (typeof document !== 'undefined') {
      on(document, 'visibilitychange', () => {
        if (document.visibilityState === 'hidden') this.flush();
      });
    }
    const tcfapi = (window as { __tcfapi?: unknown }).__tcfapi;
    if (this.#signals.tcf && typeof tcfapi === 'function') {
      try {
        (tcfapi as TcfApi)('addEventListener', 2, (data, success) => {
          if (this.#closed || !success || data === null || typeof data !== 'object') return;
          if (data.eventStatus !== 'tcloaded' && data.eventStatus !== 'useractioncomplete') return;
          this.#tcfListenerId = data.listenerId;
          this.#tcf = {
            gdprApplies: data.gdprApplies === true,
            ...(typeof data.tcString === 'string' ? { tcString: data.tcString } : {}),
          };
          this.#applySignals();
        });
      } catch (error) {
        this.#warn({ code: 'tcf_unreadable', message: `the CMP's __tcfapi threw: ${String(error)}` });
      }
    }
  }

  /** Reads the page's signals and lets the core decide; reports any change. */
  #applySignals(): void {
    if (this.#closed) return;
    if (this.#signals.consentMode) this.#consentMode.read();
    const gpc =
      this.#signals.gpc &&
      typeof navigator !== 'undefined' &&
      (navigator as { globalPrivacyControl?: unknown }).globalPrivacyControl === true;
    const signals = {
      gpc,
      tcf: this.#tcf ?? null,
      consentModeDefault: this.#consentMode.defaults ?? null,
      consentModeUpdate: this.#consentMode.updates ?? null,
    };
    this.#engine.setSignals(JSON.stringify(signals), this.#now());
    this.changed();
  }

  #warn(warning: Types.ShelfwiseWarning): void {
    this.dispatchEvent(new CustomEvent('warning', { detail: warning }));
  }

  #emitWarnings(): void {
    for (const warning of JSON.parse(this.#engine.takeWarnings()) as Types.ShelfwiseWarning[]) this.#warn(warning);
  }

  /** @internal Reports what changed after an engine call. */
  changed(): void {
    const consent = this.#engine.consentJson();
    if (consent !== this.#consent) {
      this.#consent = consent;
      this.dispatchEvent(new Event('consentchange'));
    }
    this.dispatchEvent(new Event('profilechange'));
    this.#emitWarnings();
  }

  /** Consent per purpose, and where the decision came from. */
  get consent(): Types.ConsentState {
    if (this.#signals.consentMode) this.#applySignals();
    return JSON.parse(this.#engine.consentJson()) as Types.ConsentState;
  }

  /** `"memory"` when storage is blocked, full or failing (nothing outlives the page). */
  get storageMode(): Types.StorageMode {
    return this.#engine.storageMode;
  }

  /**
   * Records the shopper's consent (default: personalization only). The first thing ever
   * stored.
   */
  grantConsent(purposes: readonly Types.Purpose[] = ['personalization']): void {
    if (!Array.isArray(purposes) || purposes.some((p) => p !== 'personalization' && p !== 'measurement')) {
      throw inputError('argument', 'purposes must be an array of "personalization" and "measurement"');
    }
    this.#engine.grantConsent(purposes.includes('personalization'), purposes.includes('measurement'), this.#now());
    this.changed();
  }

  /**
   * Denies or withdraws consent for every purpose. Erases every Shelfwise key (all
   * namespaces, all tabs' journals) from `localStorage` and `sessionStorage` before
   * returning, and dispatches `consentchange`.
   */
  withdrawConsent(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#engine.withdrawConsent(this.#now());
    this.changed();
  }

  /**
   * Learns from a shopper action. Returns `false`, storing nothing, without consent (or
   * for a sensitive category). Throws a `ShelfwiseError` with code `invalid_event` for
   * malformed events, changing nothing. Writing is batched (see `flushDelayMs`).
   */
  track(event: Types.TrackEvent): boolean {
    if (this.#signals.consentMode) this.#consentMode.read();
    const learned = this.#engine.track(encode('event', event), this.#now());
    if (learned) this.#scheduleFlush();
    return learned;
  }

  /**
   * Returns `products` (given in the shop's order) reordered for this shopper, each with
   * its score. Deterministic; `strength: 0`, or no consent, keeps the shop's order.
   * Throws `invalid_product` / `invalid_options` for malformed input.
   */
  rank<T extends Types.ProductAttributes>(products: readonly T[], options?: Types.RankOptions): Ranked<T>[] {
    const list = encode('products', products, (value) => (Array.isArray(value) ? value.map(productAttributes) : value));
    const pairs = this.#engine.rank(list, encode('options', options ?? null), this.#now());
    const ranked: Ranked<T>[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      const index = pairs[i] as number;
      ranked.push({ product: products[index] as T, score: pairs[i + 1] as number, index });
    }
    return ranked;
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#closed) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.flush();
    }, this.#flushDelayMs);
  }

  /** Writes pending events now (Shelfwise also does this on its own). */
  flush(): void {
    if (this.#closed || !this.#engine.hasPending) return;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#engine.flush(this.#now())) this.#compact();
    this.#emitWarnings();
  }

  /** Folds every tab's journal into the record, one tab at a time (Web Locks). */
  #compact(): void {
    const locks = typeof navigator !== 'undefined' ? (navigator as { locks?: LockManager }).locks : undefined;
    if (!locks) {
      this.#engine.compact(this.#now());
      return;
    }
    void locks
      .request(`shelfwise:${this.#namespace}:compact`, { ifAvailable: true }, (lock) => {
        if (lock && !this.#closed) this.#engine.compact(this.#now());
      })
      .catch(() => {
        // A lock manager that fails: compaction waits for the next flush.
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
}
