/**
 * The types of what a page hands Shelfwise: products, events, config and rank options.
 * The unions of names (event types, reason codes, segments, error codes...) and the data
 * shapes Shelfwise hands back are generated from the core into `wire.ts`.
 * @module
 */

import type { EventType } from './wire.js';
import type { ShopOrder } from './words.js';

export type {
  ConsentSource,
  ConsentState,
  ConsentStatus,
  ErrorCode,
  EventType,
  Insights,
  Purpose,
  ReasonCode,
  Segment,
  StorageMode,
} from './wire.js';

/**
 * The product attributes Shelfwise reads; any other fields are ignored.
 * `id`: non-empty string or non-negative integer (`42` and `"42"` are the same product).
 * `category`: a `/`-separated path of up to 4 levels (`"shoes/running"`); parents learn
 * half of what their child does. Text values: up to 128 bytes, no control characters.
 * `price`: finite, 0 to 1e9, in `currency` (ISO 4217, e.g. `"EUR"`).
 * `tags`, `variant` (`size`, `colour`; `color` is read as `colour`) and the shop's own
 * `facets` (`{ style: "minimal", material: ["wool", "silk"] }`): 32 values at most.
 * Facet names are 1 to 32 of `a-z 0-9 _` starting with a letter, and not `category`,
 * `brand` or `price_band`.
 */
export interface ProductAttributes {
  id: string | number;
  category?: string | null;
  brand?: string | null;
  price?: number | null;
  currency?: string | null;
  tags?: readonly string[] | null;
  variant?: Readonly<Record<string, string>> | null;
  facets?: Readonly<Record<string, string | readonly string[]>> | null;
  /** For ranking: the shop's own score (any scale, higher first); else its position counts. */
  score?: number | null;
  /** For ranking: `false` (or `stock: 0`) marks it out of stock. */
  inStock?: boolean | null;
  /** For ranking: bought again and again (never held back after a purchase). */
  consumable?: boolean | null;
}
/**
 * A shopper action on one product. `dwellMs` (views only, 0 to 86400000): how long the
 * product was looked at; 10 s counts as an ordinary view, a bounce a fifth, a long read up
 * to three times. `quantity` (cart and purchase events, whole number 1 to 10000): units.
 * `module`, `slot` (clicks, add-to-carts, purchases and impressions): where the product
 * was shown, e.g. `"similar"`, `"3"`; local measurement credits the module.
 */
export interface TrackEvent {
  type: EventType;
  product: ProductAttributes;
  dwellMs?: number;
  quantity?: number;
  module?: string;
  slot?: string;
}
/** One order's line items, tracked at one instant: they count as one order. */
export interface PurchaseEvent {
  type: "purchase";
  items: { product: ProductAttributes; quantity?: number }[];
}
/** A search on the shop: its text, and how many results it found. */
export interface SearchEvent {
  type: "search";
  query: string;
  results?: number;
}
/**
 * What the shopper said (zero-party data): a quiz answer, a "more like this", a
 * "not interested". Tracked like behaviour, kept as stated preferences (never decayed).
 * `weight`: -1 (not interested) to 1 (likes), default 1; 0 takes it back.
 */
export type StatedEvent =
  | { type: "preference"; facet: Facet; value: string; weight?: number }
  | { type: "not_interested"; product: ProductAttributes }
  | { type: "not_interested"; facet: Facet; value: string };
/** What a shop can tune; every field is optional (defaults in the README). */
export interface ShelfwiseConfig {
  /** Long-term taste loses half its weight in this many days (0.01 to 3650). Default 14. */
  halfLifeDays?: number;
  /** Evidence older than this is forgotten (1 to 3650). Default 90. */
  retentionDays?: number;
  /** A pause longer than this starts a new visit (1 to 1440). Default 30. */
  sessionGapMinutes?: number;
  /** Values kept per facet (4 to 64). Default 32. */
  maxValuesPerFacet?: number;
  /** Weight of one event of each type (-100 to 100). */
  weights?: { view?: number; click?: number; addToCart?: number; removeFromCart?: number; purchase?: number; wishlist?: number };
  /**
   * Lifecycle segment thresholds: visits that make a shopper returning (2 to 1000, default
   * 2), orders that make a customer loyal (2 to 1000, default 4), days since the last order
   * that put a customer at risk (default 60) or lapsed (default 180), 1 to 3650.
   */
  segments?: { returningVisits?: number; loyalOrders?: number; atRiskDays?: number; lapsedDays?: number };
  /** Categories never learned, with everything below them, e.g. `["health"]`. */
  sensitiveCategories?: readonly string[];
  /**
   * Facets never learned (`"religion"`), and facet values whose products are never
   * learned from at all (`"tag:pregnancy"`, `"brand:Acme Pharma"`, `"category:health"`).
   */
  sensitiveFacets?: readonly string[];
}
/** Options of `rank`. Unknown option names are rejected. */
export interface RankOptions {
  /**
   * How far the profile may move products, 0 to 1: 0 is the shop's order exactly, 1
   * (the default) the ranking model alone, which weighs the shop's order itself.
   */
  strength?: number;
  /** Spread brands (and categories) near the top, 0 to 1: at 1 a brand never follows itself while another is left. Default 0. */
  diversity?: number;
  /** Share of positions (0 to 0.5) given to products the shopper has not viewed. Default 0. */
  exploration?: number;
  /** Chooses the exploration positions: keep it for one page view (whole number, 0 to 4294967295). Default 0. */
  seed?: number;
  /** Out-of-stock products: after the rest (default), left out, or ranked like the rest. */
  outOfStock?: "last" | "hide" | "keep";
  /** Durable goods bought within this many days are held back (0 to 3650; 0 = off). Default 30. */
  boughtWithinDays?: number;
  /** The shop's pins: product id to position (from 0). Pinned products land exactly there. */
  pin?: Readonly<Record<string, number>>;
  /** The shop's promotions: product id to a multiplier of 1 or more. */
  boost?: Readonly<Record<string, number>>;
  /** The shop's demotions: product id to a multiplier from 0 to 1. */
  bury?: Readonly<Record<string, number>>;
  /**
   * What the shop's own order is, for products it decides: `"popularity"` (then they
   * read "Popular in this shop"), `"relevance"`, `"newest"` or `"editorial"`. Without it
   * Shelfwise does not guess: "In the shop's own order".
   */
  shopOrder?: ShopOrder;
}
/**
 * A facet: `category`, `brand`, `price_band`, `tag`, `size`, `colour`, or one of the
 * shop's own (`style`...).
 */
export type Facet = "category" | "brand" | "price_band" | "tag" | "size" | "colour" | (string & {});
