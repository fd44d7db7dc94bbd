// The shop's cart. It is the shop's, not Shelfwise's: what the shopper asked to buy, kept
// under the shop's own key whatever they chose about personalization (a cart is needed to
// sell anything; it is not something learned about them). Shelfwise only hears of cart
// changes through its consent-gated track() calls, made by the page.

/** The shop's own storage key for the cart. */
export const CART_KEY = 'harbor-market:cart';

/** At most this many of one product in one order. */
export const MAX_PER_LINE = 10;

/**
 * The lines of the cart, `{ id, quantity }` with ids as strings, kept in localStorage (or
 * in memory when storage is blocked or full) and shared with the shop's other tabs.
 * Dispatches `change` whenever the lines change, here or in another tab.
 */
export class Cart extends EventTarget {
  /** @type {{ id: string, quantity: number }[]} */
  #lines = [];
  #limit;
  #storage;

  /**
   * @param {(id: string) => number} limit how many of a product can be bought now (its
   *   stock; 0 for a product the shop no longer sells).
   * @param {Storage | null} storage
   */
  constructor(limit, storage = localStorageOrNull()) {
    super();
    this.#limit = limit;
    this.#storage = storage;
    this.#lines = this.#read();
    if (typeof window !== 'undefined') {
      window.addEventListener('storage', (event) => {
        if (event.key !== CART_KEY && event.key !== null) return;
        this.#lines = this.#read();
        this.dispatchEvent(new Event('change'));
      });
    }
  }

  /** The lines, oldest first (copies). */
  get lines() {
    return this.#lines.map((line) => ({ ...line }));
  }

  /** How many items, all lines together. */
  get count() {
    return this.#lines.reduce((sum, line) => sum + line.quantity, 0);
  }

  quantityOf(id) {
    return this.#lines.find((line) => line.id === String(id))?.quantity ?? 0;
  }

  /** The most of a product one line can hold. */
  maxOf(id) {
    return Math.max(0, Math.min(MAX_PER_LINE, Math.floor(this.#limit(String(id)))));
  }

  /** Adds `quantity` of a product; returns how many were added (fewer at the limit, 0 when out of stock). */
  add(id, quantity = 1) {
    const before = this.quantityOf(id);
    this.set(id, before + quantity);
    return this.quantityOf(id) - before;
  }

  /** Sets a line's quantity, within the product's limit; 0 removes the line. */
  set(id, quantity) {
    const key = String(id);
    const wanted = Math.max(0, Math.min(this.maxOf(key), Math.floor(quantity)));
    const index = this.#lines.findIndex((line) => line.id === key);
    if (index === -1 && wanted === 0) return;
    if (index !== -1 && this.#lines[index].quantity === wanted) return;
    if (wanted === 0) this.#lines.splice(index, 1);
    else if (index === -1) this.#lines.push({ id: key, quantity: wanted });
    else this.#lines[index] = { id: key, quantity: wanted };
    this.#write();
  }

  remove(id) {
    this.set(id, 0);
  }

  clear() {
    if (this.#lines.length === 0) return;
    this.#lines = [];
    this.#write();
  }

  /** The stored lines, keeping only well-formed lines of products that can still be bought. */
  #read() {
    let stored = null;
    try {
      stored = JSON.parse(this.#storage?.getItem(CART_KEY) ?? 'null');
    } catch {
      stored = null; // blocked storage or a damaged value: an empty cart
    }
    if (!Array.isArray(stored)) return [];
    const lines = [];
    for (const line of stored) {
      if (typeof line?.id !== 'string' || !Number.isInteger(line.quantity) || lines.some((l) => l.id === line.id)) continue;
      const quantity = Math.min(line.quantity, this.maxOf(line.id));
      if (quantity > 0) lines.push({ id: line.id, quantity });
    }
    return lines;
  }

  #write() {
    try {
      if (this.#lines.length === 0) this.#storage?.removeItem(CART_KEY);
      else this.#storage?.setItem(CART_KEY, JSON.stringify(this.#lines));
    } catch {
      // Full or blocked storage: the cart lives on in memory for this page.
    }
    this.dispatchEvent(new Event('change'));
  }
}

function localStorageOrNull() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled for this site
  }
}
