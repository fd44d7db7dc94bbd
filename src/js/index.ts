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

import init, { Engine, inputError } from './wasm/shelfwise.js';
import type * as Types from './wasm/shelfwise.js';

export type {
  ConsentStatus,
  ErrorCode,
  EventType,
  Facet,
  Interest,
  ProductAttributes,
  ProfileSummary,
  RankOptions,
  StorageMode,
  TrackEvent,
} from './wasm/shelfwise.js';

/** Where to load the wasm module from, when the default (beside this file) does not suit. */
export type WasmSource = URL | string | Request | Response | BufferSource | WebAssembly.Module;

export interface OpenOptions {
  /**
   * Separates shops (or sites) that share an origin: 1 to 64 of `A-Z a-z 0-9 - _ .`.
   * Default `"default"`.
   */
  namespace?: string;
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

/** Events a `Shelfwise` instance dispatches. */
export type ShelfwiseEventType = 'consentchange' | 'profilechange';

const STORAGE_PREFIX = 'shelfwise:';

type InputKind = 'event' | 'products' | 'options';

/** Keeps NaN and ±Infinity visible to the core (JSON would turn them into `null`). */
function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** Only the attributes the core reads, so a grid of large product objects stays cheap. */
function productAttributes(product: unknown): unknown {
  if (product === null || typeof product !== 'object' || Array.isArray(product)) return product;
  const { id, category, brand, price } = product as Record<string, unknown>;
  return { id, category, brand, price };
}

/** JSON text for the engine; anything JSON cannot carry becomes a coded error. */
function encode(what: InputKind, value: unknown, pick?: (value: unknown) => unknown): string {
  try {
    return JSON.stringify(pick ? pick(value) : value, keepNonFinite) ?? 'null';
  } catch (error) {
    throw inputError(what, error instanceof Error ? error.message : String(error));
  }
}
let loading: Promise<unknown> | undefined;

function loadWasm(source: WasmSource | undefined): Promise<unknown> {
  loading ??= init(source === undefined ? undefined : { module_or_path: source }).catch((error: unknown) => {
    loading = undefined; // allow a retry, e.g. after a network error
    throw error;
  });
  return loading;
}

/**
 * A shopper's on-device profile for one namespace, and the ranking that uses it.
 *
 * Dispatches `consentchange` (consent changed here or in another tab) and
 * `profilechange` (another tab changed the stored profile).
 */
export class Shelfwise extends EventTarget {
  readonly #engine: Engine;
  readonly #now: () => number;
  #onStorage: ((event: StorageEvent) => void) | undefined;
  #closed = false;

  protected constructor(engine: Engine, now: () => number) {
    super();
    this.#engine = engine;
    this.#now = now;
    // Browser only: follow other tabs' writes. Nothing here runs at import time.
    if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') {
      this.#onStorage = (event) => this.#storageChanged(event);
      window.addEventListener('storage', this.#onStorage);
    }
  }

  /**
   * Loads the wasm module (once per page) and opens the namespace with whatever profile
   * is stored. Stores nothing. Throws `invalid_argument` for a malformed namespace.
   */
  static async open(options: OpenOptions = {}): Promise<Shelfwise> {
    await loadWasm(options.wasm);
    const engine = new Engine(options.namespace ?? 'default');
    return new this(engine, options.now ?? Date.now);
  }

  /** `"unknown"` until the shopper decides. */
  get consent(): Types.ConsentStatus {
    return this.#engine.consent;
  }

  /** `"memory"` when storage is blocked, full or failing (nothing outlives the page). */
  get storageMode(): Types.StorageMode {
    return this.#engine.storageMode;
  }

  /** Records the shopper's consent to personalization; the first thing ever stored. */
  grantConsent(): void {
    const before = this.consent;
    this.#engine.grantConsent(this.#now());
    this.#consentChanged(before);
  }

  /**
   * Denies or withdraws consent. Erases every Shelfwise key (all namespaces) from
   * `localStorage` and `sessionStorage` before returning.
   */
  withdrawConsent(): void {
    const before = this.consent;
    this.#engine.withdrawConsent(this.#now());
    this.#consentChanged(before);
  }

  /**
   * Learns from a shopper action. Returns `false`, storing nothing, without consent.
   * Throws a `ShelfwiseError` with code `invalid_event` for malformed events, changing nothing.
   */
  track(event: Types.TrackEvent): boolean {
    return this.#engine.track(encode('event', event), this.#now());
  }

  /**
   * Returns `products` (given in the shop's order) reordered for this shopper, each with
   * its score. Deterministic; `strength: 0`, or no consent, keeps the shop's order.
   * Throws `invalid_product` / `invalid_options` for malformed input.
   */
  rank<T extends Types.ProductAttributes>(products: readonly T[], options?: Types.RankOptions): Ranked<T>[] {
    const list = encode('products', products, (value) =>
      Array.isArray(value) ? value.map(productAttributes) : value,
    );
    const pairs = this.#engine.rank(list, encode('options', options), this.#now());
    const ranked: Ranked<T>[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      const index = pairs[i] as number;
      ranked.push({ product: products[index] as T, score: pairs[i + 1] as number, index });
    }
    return ranked;
  }

  /** What Shelfwise knows about the shopper, for a "your data" panel. */
  summary(): Types.ProfileSummary {
    return JSON.parse(this.#engine.summary(this.#now())) as Types.ProfileSummary;
  }

  /** Forgets everything learned, keeping the consent decision. */
  erase(): void {
    this.#engine.erase();
    this.dispatchEvent(new Event('profilechange'));
  }

  /** Stops listening to other tabs and frees the engine. The instance is unusable after. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#onStorage) window.removeEventListener('storage', this.#onStorage);
    this.#engine.free();
  }

  #storageChanged(event: StorageEvent): void {
    // key === null: another script cleared the whole storage.
    if (event.key !== null && !event.key.startsWith(STORAGE_PREFIX)) return;
    const before = this.consent;
    this.#engine.reload();
    this.#consentChanged(before);
    this.dispatchEvent(new Event('profilechange'));
  }

  #consentChanged(before: Types.ConsentStatus): void {
    if (this.consent !== before) this.dispatchEvent(new Event('consentchange'));
  }
}
