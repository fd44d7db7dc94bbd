// What every Harbor Market page opens Shelfwise with, so that the pages share one
// profile, one holdout and one measurement layout.

export const NAMESPACE = 'harbor-market';

export { LABELS } from './labels.js';
/** The grid ranks by Shelfwise's learned model (strength 1, its default). */
export const RANK_STRENGTH = 1;

/**
 * Reasons a card does not show: the shop's own order says nothing about the shopper, and
 * stock has a label of its own. Every other reason of a personalized list is shown.
 */
export const QUIET_REASONS = new Set(['shop_order', 'out_of_stock']);

/**
 * How Harbor Market measures personalization: 10% of shoppers are held out (they see
 * the shop's own order; `?holdout=N` sets another share, for demos and tests), and an
 * experiment compares the model's order with one blended toward the shop's. Counting
 * needs the shopper's measurement consent; reports are randomized on the device, and so
 * are contributions to federated learning (what the shopper picks from ranked lists).
 */
const HOLDOUT_PERCENT = Number(new URLSearchParams(location.search).get('holdout') ?? 10);

export const MEASUREMENT = {
  holdout: { percent: HOLDOUT_PERCENT, seed: 'harbor-holdout-2026' },
  experiments: [{ key: 'grid-strength', variations: [{ strength: RANK_STRENGTH }, { strength: 0.7 }], modules: ['grid', 'search'] }],
  measurement: {
    modules: ['grid', 'search', 'picks', 'similar', 'together', 'home', 'home:hero', 'home:collection-1', 'home:collection-2', 'offer', 'category'],
    // Federated learning with the defaults: one private contribution a week, ε = 2 + 2.
    learning: {},
  },
};
