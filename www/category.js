// A server-rendered category page (pkg-scripts/serve.mjs renders it): its grid comes in
// the shop's order, and this render-blocking module reorders it for the shopper before
// the first paint, so the shopper never sees one order replaced by another. Each card
// then says why it is where it is, as the shop's own grid does.
import { openSync } from '/shelfwise/sync.js';
import { LABELS, MEASUREMENT, NAMESPACE, QUIET_REASONS, RANK_STRENGTH } from './shop-config.js';

// The grid experiment is for the main grid; this page opens synchronously without it.
const { experiments: _, ...options } = MEASUREMENT;
const shelf = openSync({ namespace: NAMESPACE, labels: LABELS, ...options });
const grid = document.getElementById('grid');
const ranked = shelf.reorderGrid(grid, { strength: RANK_STRENGTH, module: 'category' });
const personalized = shelf.consent.personalization === 'granted' && !shelf.assignment.holdout;
if (personalized) {
  for (const { product, reason, why } of ranked) {
    if (QUIET_REASONS.has(reason)) continue;
    const badge = document.createElement('p');
    badge.className = 'card-why';
    badge.textContent = why;
    product.element.dataset.reason = reason;
    product.element.append(badge);
  }
}
performance.mark('shelfwise-reordered');
// Shown now, in its final order (engines without blocking="render": see render-guard.js).
document.documentElement.classList.remove('reorder-pending');
document.getElementById('grid-status').textContent =
  `${grid.children.length} products, ` + (personalized ? 'ordered for you on this device.' : "in the shop's order.");
