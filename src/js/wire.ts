// Generated from crates/core/src/contract.rs by `cargo run -p shelfwise-cli -- contract`.
// Do not edit: the contract test fails when this file differs from what Rust declares.

/** Operations of the engine's `command`, by number. */
export const OP = { grant: 0, withdraw: 1, erase: 2, compact: 3, reload: 4, flush: 5, hasPending: 6, storageMode: 7, consent: 8, warnings: 9, summary: 10, export: 11, forget: 12, preference: 13, hide: 14, search: 15, import: 16, reasonValue: 17, keepUnit: 18, inHoldout: 19, takeCounts: 20, holdout: 21, modules: 22, unit: 23, withdrawMeasurement: 24, offerFits: 25 } as const;
/** Operations of the tools module's `bucketing`, by number. */
export const BUCKET = { hash: 0, ranges: 1, choose: 2, inNamespace: 3, equalWeights: 4, assign: 5 } as const;
/** Rank options in the order the core reads them. */
export const RANK_OPTIONS = ['strength', 'diversity', 'exploration', 'seed', 'outOfStock', 'boughtWithinDays'] as const;
/** `outOfStock` values, by number. */
export const OUT_OF_STOCK = ['last', 'hide', 'keep'] as const;
/** Config options in the order the core reads them. */
export const CONFIG_OPTIONS = ['halfLifeDays', 'retentionDays', 'sessionGapMinutes', 'maxValuesPerFacet', 'weights.view', 'weights.click', 'weights.addToCart', 'weights.removeFromCart', 'weights.purchase', 'weights.wishlist', 'segments.returningVisits', 'segments.loyalOrders', 'segments.atRiskDays', 'segments.lapsedDays'] as const;
/** Reason codes by kind number. */
export const REASON_CODES = ['shop_order', 'pinned', 'promoted', 'exploration', 'viewed', 'similar', 'like_this', 'in_cart', 'stated', 'interest', 'bought_recently', 'not_interested', 'out_of_stock'] as const;
/** Device classes, by number. */
export const DEVICES = ['mobile', 'tablet', 'desktop'] as const;
/** Lifecycle segments, by number. */
export const SEGMENTS = ['new', 'returning', 'prospect', 'first_time_customer', 'repeat_customer', 'loyal', 'at_risk', 'lapsed'] as const;
/** Offer kinds, by number. */
export const OFFER_KINDS = ['free_shipping', 'percent_off', 'loyalty_bonus', 'early_access'] as const;
/** Why an offer kind fits, by number. */
export const OFFER_FITS = ['deal_seeker', 'welcome', 'loyal_customer', 'win_back'] as const;
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
/** Most tags and facet values a product may carry. */
export const MAX_PRODUCT_FACETS = 32;
/** Ranked products' reason value when there is none. */
export const NO_VALUE = -1;
