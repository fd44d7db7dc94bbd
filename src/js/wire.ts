// Generated from crates/core/src/contract.rs by `cargo run -p shelfwise-cli -- contract`.
// Do not edit: the contract test fails when this file differs from what Rust declares.

import type { Facet } from './types.js';

/** Operations of the engine's `command`, by number. */
export const OP = { grant: 0, withdraw: 1, erase: 2, compact: 3, reload: 4, flush: 5, hasPending: 6, storageMode: 7, consent: 8, warnings: 9, summary: 10, export: 11, forget: 12, preference: 13, hide: 14, search: 15, import: 16, reasonValue: 17, keepUnit: 18, inHoldout: 19, takeCounts: 20, holdout: 21, modules: 22, unit: 23, withdrawMeasurement: 24, offerFits: 25, sizeFor: 26, evicted: 27, takeLearning: 28, learningBudget: 29 } as const;
/** Operations of the tools module's `bucketing`, by number. */
export const BUCKET = { hash: 0, ranges: 1, choose: 2, inNamespace: 3, equalWeights: 4, assign: 5 } as const;
/** Rank options in the order the core reads them. */
export const RANK_OPTIONS = ['strength', 'diversity', 'exploration', 'seed', 'outOfStock', 'boughtWithinDays'] as const;
/** `outOfStock` values, by number. */
export const OUT_OF_STOCK = ['last', 'hide', 'keep'] as const;
/** Config options in the order the core reads them. */
export const CONFIG_OPTIONS = ['halfLifeDays', 'retentionDays', 'sessionGapMinutes', 'maxValuesPerFacet', 'weights.view', 'weights.click', 'weights.addToCart', 'weights.removeFromCart', 'weights.purchase', 'weights.wishlist', 'segments.returningVisits', 'segments.loyalOrders', 'segments.atRiskDays', 'segments.lapsedDays', 'model.base', 'model.category', 'model.brand', 'model.priceBand', 'model.otherFacets', 'model.stated', 'model.similar', 'model.prior', 'model.returned', 'model.returnedLast', 'model.interactions', 'model.viewed', 'model.inCart', 'model.gateBias', 'model.gateReturnRate', 'model.gateActivity', 'model.gateLastRepeat', 'model.gateReturnedInList', 'model.gateExploredInList'] as const;
/** `measurement.learning`'s options in the order the core reads them (NaN: the default). */
export const LEARNING_OPTIONS = ['modelEpsilon', 'sketchEpsilon', 'clip', 'periodDays', 'perPeriod'] as const;
/** The ranking model's weights, by name (`Shelfwise.open({ model })`). */
export const MODEL_WEIGHTS = ['base', 'category', 'brand', 'priceBand', 'otherFacets', 'stated', 'similar', 'prior', 'returned', 'returnedLast', 'interactions', 'viewed', 'inCart', 'gateBias', 'gateReturnRate', 'gateActivity', 'gateLastRepeat', 'gateReturnedInList', 'gateExploredInList'] as const;
/** Reason codes by kind number. */
export const REASON_CODES = ['shop_order', 'pinned', 'promoted', 'exploration', 'viewed', 'similar', 'like_this', 'in_cart', 'stated', 'interest', 'bought_recently', 'not_interested', 'out_of_stock', 'returned', 'shared_interest'] as const;
/** Device classes, by number. */
export const DEVICES = ['mobile', 'tablet', 'desktop'] as const;
/** Lifecycle segments, by number. */
export const SEGMENTS = ['new', 'returning', 'prospect', 'first_time_customer', 'repeat_customer', 'loyal', 'at_risk', 'lapsed'] as const;
/** Event types `track` takes besides searches and stated ones. */
export const EVENT_TYPES = ['view', 'click', 'add_to_cart', 'remove_from_cart', 'purchase', 'wishlist', 'impression'] as const;
/** Consent for one purpose. */
export const CONSENT_STATUSES = ['unknown', 'granted', 'denied'] as const;
/** Where the deciding consent signal came from. */
export const CONSENT_SOURCES = ['shopper', 'tcf', 'consent_mode', 'gpc'] as const;
/** The purposes consent is asked for. */
export const PURPOSES = ['personalization', 'measurement'] as const;
/** Where the profile lives. */
export const STORAGE_MODES = ['persistent', 'memory'] as const;
/** Codes of the errors Shelfwise throws. */
export const ERROR_CODES = ['invalid_event', 'invalid_product', 'invalid_options', 'invalid_argument', 'invalid_import', 'consent_required', 'passphrase_required', 'wrong_passphrase', 'tampered_export', 'truncated_export'] as const;
/** Offer kinds, by number. */
export const OFFER_KINDS = ['free_shipping', 'percent_off', 'loyalty_bonus', 'early_access'] as const;
/** Why an offer kind fits, by number. */
export const OFFER_FITS = ['deal_seeker', 'welcome', 'loyal_customer', 'win_back'] as const;
/** What each operation of `command` returns. */
export interface OpResults {
  grant: undefined;
  withdraw: undefined;
  erase: undefined;
  compact: undefined;
  reload: undefined;
  flush: boolean;
  hasPending: boolean;
  storageMode: StorageMode;
  consent: string;
  warnings: string;
  summary: string;
  export: string;
  forget: boolean;
  preference: undefined;
  hide: undefined;
  search: boolean;
  import: undefined;
  reasonValue: string | undefined;
  keepUnit: string | undefined;
  inHoldout: boolean;
  takeCounts: string;
  holdout: boolean;
  modules: undefined;
  unit: string | undefined;
  withdrawMeasurement: undefined;
  offerFits: Float64Array;
  sizeFor: string;
  evicted: boolean;
  takeLearning: string;
  learningBudget: string;
}
/** Entry name of a product's category in `intern`. */
export const CATEGORY_FIELD = ':category';
/** Entry name of a product's brand in `intern`. */
export const BRAND_FIELD = ':brand';
/** Separates a list's items. */
export const ITEM = '\u001f';
/** Separates a name from its value. */
export const PAIR = '\u001e';
/** Separates a product's fields. */
export const FIELD = '\u001c';
/** Stands for a missing field. */
export const ABSENT = '\u0015';
/** Numbers per product row. */
export const ROW_STRIDE = 10;
/** Numbers per ranked product handed back. */
export const RANKED_STRIDE = 4;
/** Numbers per homepage slot item. */
export const SLOT_ITEM_STRIDE = 20;
/** Row flag: out of stock. */
export const OUT_OF_STOCK_FLAG = 1;
/** Row flag: bought again and again. */
export const CONSUMABLE_FLAG = 2;
/** An absent id. */
export const NONE = 4294967295;
/** The id `intern` gives, when lenient, a string that is not valid. */
export const UNREADABLE = 4294967294;
/** Most tags and facet values a product may carry. */
export const MAX_PRODUCT_FACETS = 32;
/** Ranked products' reason value when there is none. */
export const NO_VALUE = -1;

/** `personalization`: learn a profile and rank with it. `measurement`: local counters. */
export type Purpose = (typeof PURPOSES)[number];
/** Consent for one purpose: nothing is learned or stored for it unless `"granted"`. */
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
/** Where the deciding signal came from. */
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
/** Events the profile learns from (weights in the README). */
export type EventType = (typeof EVENT_TYPES)[number];
/** Why a ranked product is where it is. */
export type ReasonCode = (typeof REASON_CODES)[number];
/** A weight of the ranking model (README, "Ranking model"). */
export type ModelWeight = (typeof MODEL_WEIGHTS)[number];
/** Lifecycle segments (thresholds in `ShelfwiseConfig.segments`; README, "Segments"). */
export type Segment = (typeof SEGMENTS)[number];
/** `"memory"` when storage is blocked, full or failing: nothing outlives the page. */
export type StorageMode = (typeof STORAGE_MODES)[number];
/** Stable codes on every `Error` Shelfwise throws. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What Shelfwise knows about this shopper, in the form the shopper may see. */
export interface ProfileSummary {
  /** Recently viewed product ids, newest first (up to 20). */
  recentlyViewed: string[];
  /** Recent searches, newest first (up to 10), in lower case with single spaces. */
  recentSearches: string[];
  /** What the shopper said: `[facet, value, weight]`, weight -1 (not interested) to 1 (likes). */
  stated: [Facet, string, number][];
  /** Products marked "not interested". */
  hiddenProducts: string[];
  /** The cart as the shopper left it, most recently changed first (up to 50 lines). */
  cart: CartLine[];
  /** Products bought, most recently bought first (up to 50). */
  purchases: Purchased[];
  /** The currency of `spend` and the price bands: the first one seen. */
  currency: string | null;
  events: number;
  /** Visits: a pause longer than `sessionGapMinutes` starts a new one. */
  visits: number;
  orders: number;
  /** Sum of purchased prices × quantities, in `currency`. */
  spend: number;
  /** How much evidence the profile holds, 0 to 1. */
  confidence: number;
  firstMs: number | null;
  lastMs: number | null;
  lastOrderMs: number | null;
  /** Up to 5 per facet, strongest first. */
  interests: LearnedInterest[];
  /** Segment, RFM, price sensitivity and the modules' inputs. */
  insights: Insights;
  /** What federated learning holds (only with the `measurement` purpose). */
  learning: LearningSummary;
}

/** One learned interest; `strength` (0 to 1) grows with the evidence behind it, decayed: the same evidence always shows the same strength, whatever else is known (3 ordinary views: 0.5). */
export interface LearnedInterest {
  facet: Facet;
  value: string;
  strength: number;
  /** Number of events behind it, and the time of the latest. */
  evidence: number;
  lastMs: number;
}

/** What the profile says about the shopper's relationship with the shop, computed on the device. */
export interface Insights {
  segment: Segment;
  /** Recency, frequency and monetary scores, each 1 to 5 (0 without an order). */
  rfm: [number, number, number];
  /** Share (0 to 1) of the shopper's weighted interest in discounted products (facet `deal`); null before any priced event. */
  priceSensitivity: number | null;
  /** Cart lines left alone for longer than a visit gap. */
  cartReminder: CartLine[];
  /** Repeat purchases that are due (or due within a tenth of their interval), soonest first. */
  replenishment: DueProduct[];
  /** The size taken per category, from the cart and purchases. */
  sizes: SizeSuggestion[];
}

/** A product bought in several orders, due again at `dueMs` (its average interval after the last order). */
export interface DueProduct {
  id: string;
  dueMs: number;
  intervalMs: number;
  orders: number;
}

/** The size the shopper takes in a category, and the share of their size evidence there it has. */
export interface SizeSuggestion {
  category: string;
  size: string;
  confidence: number;
}

/** A product in the cart, with the time of its latest change. */
export interface CartLine {
  id: string;
  quantity: number;
  atMs: number;
}

/** What the shopper bought of one product (for replenishment and for not pushing it again). */
export interface Purchased {
  id: string;
  category: string | null;
  firstMs: number;
  lastMs: number;
  /** Orders that contained it, and units bought in all. */
  orders: number;
  units: number;
}

/** Something the page may want to know that is not an error: unreadable, salvaged or repaired stored data, or a product ranking could not read. Codes are stable. */
export interface ShelfwiseWarning {
  code: "record_unreadable" | "record_salvaged" | "record_repaired" | "record_future_version" | "product_unread";
  message: string;
}

/** Consent per purpose; `decidedMs` is null while only a default (GPC, a Consent Mode default) applies. */
export interface ConsentState {
  personalization: ConsentStatus;
  measurement: ConsentStatus;
  decidedMs: number | null;
  source: ConsentSource | null;
}

/** One shopper's randomized report, as the shop receives it (from `measurement.report()`). */
export interface MeasurementReport {
  format: 'shelfwise-report';
  version: 1;
  /** Randomized response per bit: a bit is kept with probability e^ε / (1 + e^ε). */
  epsilon: number;
  /** Revenue is reported in steps of this much. */
  revenueStep: number;
  modules: string[];
  /** `"holdout"`, `"personalized"`, or `"<experiment>:<variation>"`. */
  group: string;
  /** `0`/`1` per bit: per module, per metric, four unary levels. */
  bits: string;
}

/** An estimate with its 95% confidence interval. */
export interface Interval {
  value: number;
  low: number;
  high: number;
}

/** One metric of one module in one group. */
export interface MetricEstimate {
  module: string;
  metric: 'impressions' | 'clicks' | 'add_to_cart' | 'purchases' | 'revenue';
  /** The unbiased total over the group's reports (counts capped at 4 per report, revenue at 4 steps). */
  total: Interval;
  /** The mean per report. */
  perReport: Interval;
  /** The mean per report minus the baseline group's; null for the baseline itself. */
  lift: Interval | null;
}

/** The estimates of one group. */
export interface GroupEstimate {
  group: string;
  reports: number;
  metrics: MetricEstimate[];
}

/** What `estimate` finds in many shoppers' reports. */
export interface Estimate {
  epsilon: number;
  revenueStep: number;
  modules: string[];
  /** The group lifts are measured against. */
  baseline: string | null;
  groups: GroupEstimate[];
  /** Reports left out: another layout than the first report's, or malformed. */
  ignored: number;
}

/** What federated learning holds, as the shopper may see it: how many of their choices from ranked lists wait for the next contribution, and the contributions made and ε spent in the last 365 days. */
export interface LearningSummary {
  choices: number;
  contributions: number;
  epsilonSpent: number;
}

/** What a contribution is made of, from the shopper's module to the tools module that randomizes it (within the page). */
export interface Learned {
  model: string;
  /** The mean gradient of the choices since the last contribution. */
  mean: number[];
  /** A pair of the shopper's facet values (`federated::pair_text`). */
  pair: string | null;
  /** [`Privacy::numbers`]. */
  privacy: number[];
}

/** One shopper's contribution to federated learning, as the shop receives it (from `measurement.contribute()`); README "Shop side". */
export interface ContributionReport {
  format: 'shelfwise-contribution';
  version: 1;
  /** The version of the model the update was computed against. */
  model: string;
  /** ε of the model update (one weight of the clipped mean gradient by randomized response, [`privatize`]). */
  epsilon: number;
  clip: number;
  /** The randomized update, one number per model weight in the model's order. */
  gradient: number[];
  /** ε of the facet-pair sketch (Optimized Unary Encoding). */
  sketchEpsilon: number;
  sketchWidth: number;
  /** The positions of the sketch's 1 bits, ascending. */
  ones: number[];
}

/** Priors the shop publishes: per sketch bucket, the debiased count of shoppers whose profile held that pair of facet values, where it clears `k`. */
export interface Priors {
  format: 'shelfwise-priors';
  version: 1;
  width: number;
  k: number;
  /** Reports counted. */
  reports: number;
  /** `[bucket, count]`, by bucket. */
  buckets: [number, number][];
}
