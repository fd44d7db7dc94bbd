// A server-rendered category page (pkg-scripts/serve.mjs renders it): its grid comes in
// the shop's order, and this render-blocking module reorders it for the shopper before
// the first paint, so the shopper never sees one order replaced by another.
import { openSync } from '/shelfwise/sync.js';
import { MEASUREMENT, NAMESPACE, RANK_STRENGTH } from './shop-config.js';

// The grid experiment is for the main grid; this page opens synchronously without it.
const { experiments: _, ...options } = MEASUREMENT;
const shelf = openSync({ namespace: NAMESPACE, ...options });
const grid = document.getElementById('grid');
shelf.reorderGrid(grid, { strength: RANK_STRENGTH, module: 'category' });
performance.mark('shelfwise-reordered');
const personalized = shelf.consent.personalization === 'granted' && !shelf.assignment.holdout;
document.getElementById('grid-status').textContent =
  `${grid.children.length} products, ` + (personalized ? 'ordered for you on this device.' : "in the shop's order.");
