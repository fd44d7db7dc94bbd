/**
 * Products as numbers. The face keeps the ids the engine gave each product id and facet
 * value (interned once, the first time a string is seen), so a list of products crosses
 * the boundary as one `Float64Array` of fixed-size rows and one of tag and facet value
 * ids, and only strings never seen before cross as text. A product object ranked again
 * at the same position is not read again beyond its score and stock.
 * @module
 */

import { inputError, type Engine } from './wasm/shelfwise.js';
import { CONTROL, type InputKind } from './input.js';
import { BRAND_FIELD, CATEGORY_FIELD, ITEM, MAX_PRODUCT_FACETS as MAX_EXTRAS, NONE, PAIR, ROW_STRIDE, UNREADABLE } from './wire.js';

/** One product's interned fields; negative numbers are strings waiting for their id. */
interface Encoded {
  key: number;
  category: number;
  brand: number;
  price: number;
  extras: number[];
}

/**
 * Writes what the shop says about one row beyond the product (score, boost, pin and
 * flags) at `out[at..at + 4]`: straight into the rows, so ranking allocates nothing per
 * product.
 */
export type RowRules = (product: Record<string, unknown>, i: number, out: Float64Array, at: number) => void;

/** Lenient encoding: told which product could not be read, and why; it is encoded unread. */
export type OnUnread = (i: number, reason: string) => void;

/** A product whose data could not be read: no id, no values (the core ranks it in the shop's position). */
const unread = (): Encoded => ({ key: NONE, category: NONE, brand: NONE, price: Number.NaN, extras: [] });

/** A price as shops send it: a number, or a decimal number in a string (`"12.99"`). */
function priceOf(price: unknown): unknown {
  return typeof price === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(price) ? Number(price) : price;
}

/** A category or brand as shops send it: text, or a number (an id) read as text. */
function textOf(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
}

/** Encodes products into rows with the engine's ids (one per engine). */
export class RowEncoder {
  /** Product ids: numbers as they are (no string made per product), and strings. */
  readonly #products = new Map<string | number, number>();
  readonly #categories = new Map<string, number>();
  readonly #brands = new Map<string, number>();
  /** Per shop facet name as the shop writes it (`tag`, `colour`, `style`...). */
  readonly #values = new Map<string, Map<string, number>>();
  // The last list encoded, to reuse a product's ids when the same object comes back at
  // the same position (a grid reranked on every page view). A WeakMap of every product
  // object seen cost more than it saved: its inserts and their garbage collection made
  // ranking fresh objects twice as slow.
  #lastProducts: readonly unknown[] = [];
  #lastEncoded: Encoded[] = [];
  // Strings waiting for an id in this call, and the product each came from.
  #entries: string[] = [];
  #owners: number[] = [];
  #targets: [Map<string | number, number>, string | number][] = [];
  #waiting = new Map<string, number>();
  #what: InputKind = 'products';
  // Reused between calls: the engine copies what it is given, and a grid reranked on
  // every page view should not leave 80 KB of garbage each time.
  #rows = new Float64Array(0);
  #extras = new Float64Array(0);

  constructor(readonly engine: Engine) {}

  /**
   * The rows of `products` (`stride` numbers each: the product's six, the shop's four
   * that `rules` writes, then any `extra` writes) and their extras; `remember`: keep this
   * list for the next call to reuse. `name(i)` names a
   * product in errors. Throws a coded error, changing nothing, when a product is not one;
   * with `onUnread` (lenient) encodes it unread instead and says so there.
   */
  encode(
    what: InputKind,
    products: readonly unknown[],
    name: (i: number) => string,
    rules: RowRules,
    stride = ROW_STRIDE,
    extra?: (product: Record<string, unknown>, i: number, out: Float64Array, at: number) => void,
    remember = false,
    onUnread?: OnUnread,
  ): { rows: Float64Array; extras: Float64Array } {
    const encoded: Encoded[] = new Array(products.length);
    let extrasLength = 0;
    // Emptied, not replaced: an event's encoding leaves no garbage of its own. Only when
    // not empty: setting an array's length is a call into the engine even when it is 0.
    if (this.#entries.length > 0) {
      this.#entries.length = 0;
      this.#owners.length = 0;
      this.#targets.length = 0;
      this.#waiting.clear();
    }
    this.#what = what;
    for (let i = 0; i < products.length; i++) {
      const product = products[i];
      let e: Encoded;
      if (this.#lastProducts[i] === product) {
        e = this.#lastEncoded[i] as Encoded;
      } else if (onUnread === undefined) {
        e = this.#read(product, i, name(i));
      } else {
        try {
          e = this.#read(product, i, name(i));
        } catch (error) {
          onUnread(i, (error as Error).message);
          e = unread();
        }
      }
      encoded[i] = e;
      extrasLength += e.extras.length;
    }
    if (this.#entries.length > 0) this.#resolve(encoded, onUnread !== undefined);
    // Only the lists worth remembering (a grid), so an event or a slot in between does
    // not make the next rerank read every product again.
    if (remember) {
      this.#lastProducts = products.slice();
      this.#lastEncoded = encoded;
    }
    if (this.#rows.length < products.length * stride) this.#rows = new Float64Array(products.length * stride * 2);
    if (this.#extras.length < extrasLength) this.#extras = new Float64Array(extrasLength * 2);
    const rows = this.#rows;
    const extras = this.#extras;
    let next = 0;
    for (let i = 0; i < products.length; i++) {
      const e = encoded[i]!;
      const product = products[i] as Record<string, unknown>;
      const at = i * stride;
      rows[at] = e.key;
      rows[at + 1] = e.category;
      rows[at + 2] = e.brand;
      rows[at + 3] = e.price;
      rows[at + 4] = next;
      rows[at + 5] = e.extras.length;
      if (onUnread !== undefined && e.key === NONE) {
        // An unread product's own fields may throw again (a proxy): then no score, boost
        // 1, no pin, no flags.
        try {
          rules(product, i, rows, at + 6);
        } catch {
          rows.set([Number.NaN, 1, -1, 0], at + 6);
        }
      } else {
        rules(product, i, rows, at + 6);
      }
      for (const id of e.extras) extras[next++] = id;
      if (extra !== undefined) extra(product, i, rows, at + ROW_STRIDE);
    }
    return { rows: rows.subarray(0, products.length * stride), extras: extras.subarray(0, next) };
  }

  /** A product's fields as ids (JS types checked here, values by the engine). */
  #read(given: unknown, i: number, name: string): Encoded {
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw inputError(this.#what, `${name} must be an object`);
    }
    const product = given as Record<string, unknown>;
    const id = product.id;
    if (typeof id !== 'string' && typeof id !== 'number') throw inputError(this.#what, `${name}.id must be a string or a number`);
    if (typeof id === 'number' && !(Number.isSafeInteger(id) && id >= 0)) {
      throw inputError(this.#what, `${name}.id must be a non-negative whole number when it is a number`);
    }
    const price = priceOf(product.price);
    if (price !== undefined && price !== null && typeof price !== 'number') throw inputError(this.#what, `${name}.price must be a number`);
    const e: Encoded = {
      key: this.#id(this.#products, '', id, i, name),
      category: this.#optional(this.#categories, CATEGORY_FIELD, 'category', textOf(product.category), i, name),
      brand: this.#optional(this.#brands, BRAND_FIELD, 'brand', textOf(product.brand), i, name),
      // NaN in a row means no price: a NaN given is sent as one the engine rejects.
      price: typeof price === 'number' ? (Number.isNaN(price) ? Number.POSITIVE_INFINITY : price) : Number.NaN,
      extras: [],
    };
    // One tag alone is a list of one.
    const tags = typeof product.tags === 'string' ? [product.tags] : product.tags;
    if (tags !== undefined && tags !== null) {
      if (!Array.isArray(tags)) throw inputError(this.#what, `${name}.tags must be an array of strings`);
      for (let t = 0; t < tags.length; t++) this.#extra(e, 'tag', tags[t], i, name, 'tags');
    }
    for (const field of ['variant', 'facets'] as const) {
      const group = product[field];
      if (group === undefined || group === null) continue;
      if (typeof group !== 'object' || Array.isArray(group)) throw inputError(this.#what, `${name}.${field} must be an object`);
      // for...in over a plain object's own keys: no array of entries made per product.
      for (const facet in group) {
        if (!Object.hasOwn(group, facet)) continue;
        const values = (group as Record<string, unknown>)[facet];
        if (field === 'facets' && Array.isArray(values)) {
          for (const value of values) this.#extra(e, facet, value, i, name, `${field}.${facet}`);
        } else {
          this.#extra(e, facet, values, i, name, `${field}.${facet}`);
        }
      }
    }
    return e;
  }

  /** Adds one tag or facet value to a product's extras (once; at most `MAX_EXTRAS` + 1). */
  #extra(e: Encoded, facet: string, value: unknown, i: number, name: string, field: string): void {
    if (typeof value !== 'string') throw inputError(this.#what, `${name}.${field} must be a string`);
    // Checked at once: a page passing 100,000 tags must not freeze the tab.
    if (e.extras.length > MAX_EXTRAS) return;
    let values = this.#values.get(facet);
    if (values === undefined) {
      values = new Map();
      this.#values.set(facet, values);
    }
    const id = this.#id(values as Map<string | number, number>, facet, value, i, name);
    if (id !== NONE && !e.extras.includes(id)) e.extras.push(id);
  }

  /** A product's `category` or `brand` (interned under `entry`, which no facet can be named). */
  #optional(map: Map<string, number>, entry: string, field: string, value: unknown, i: number, name: string): number {
    if (value === undefined || value === null) return NONE;
    if (typeof value !== 'string') throw inputError(this.#what, `${name}.${field} must be a string`);
    return this.#id(map as Map<string | number, number>, entry, value, i, name);
  }

  /** A known id, or a placeholder for a new string (blank values are no value). */
  #id(map: Map<string | number, number>, facet: string, value: string | number, i: number, name: string): number {
    const known = map.get(value);
    if (known !== undefined) return known;
    const text = String(value);
    if (text.trim() === '') {
      if (facet === '') throw inputError(this.#what, `${name}.id must not be empty`);
      return NONE;
    }
    if (CONTROL.test(text) || CONTROL.test(facet)) {
      throw inputError(this.#what, `${name} has a value with control characters`);
    }
    const entry = facet + PAIR + text;
    let waiting = this.#waiting.get(entry);
    if (waiting === undefined) {
      waiting = this.#entries.length;
      this.#entries.push(entry);
      this.#owners.push(i);
      this.#targets.push([map, value]);
      this.#waiting.set(entry, waiting);
    }
    return -1 - waiting;
  }

  /**
   * Interns this call's new strings in one crossing and puts their ids in place;
   * `lenient`: a product with a string the engine cannot take is encoded unread (the
   * engine has warned) and the string is not remembered.
   */
  #resolve(encoded: Encoded[], lenient: boolean): void {
    const ids = this.engine.intern(this.#entries.join(ITEM), Uint32Array.from(this.#owners), this.#what === 'event', lenient);
    this.#targets.forEach(([map, key], k) => {
      if (ids[k] !== UNREADABLE) map.set(key, ids[k] as number);
    });
    const id = (n: number) => (n < 0 ? (ids[-1 - n] as number) : n);
    for (const e of encoded) {
      if (e.key >= 0 && e.category >= 0 && e.brand >= 0 && e.extras.every((n) => n >= 0)) continue;
      e.key = id(e.key);
      e.category = id(e.category);
      e.brand = id(e.brand);
      // Two spellings of one value (" red" and "red") are one id: kept once.
      e.extras = [...new Set(e.extras.map(id))].filter((n) => n !== NONE);
      if (lenient && (e.key === UNREADABLE || e.category === UNREADABLE || e.brand === UNREADABLE || e.extras.includes(UNREADABLE))) {
        Object.assign(e, unread());
      }
    }
  }
}
