// Ranking off the main thread. A worker has no localStorage, so Shelfwise opens there in
// memory: the page sends its profile (an export, made with the shopper's consent) along
// with the products, and the worker imports it and ranks. Nothing is stored by the worker.
import { Shelfwise } from '/shelfwise/index.js';

let shelf;

self.addEventListener('message', async ({ data }) => {
  const { id, profile, products, options } = data;
  try {
    shelf ??= await Shelfwise.open({ namespace: 'harbor-market-worker' });
    if (profile !== undefined) {
      // The page's shopper consented there; the worker holds their profile only in memory.
      shelf.grantConsent();
      shelf.profile.import(profile);
    }
    const ranked = shelf.rank(products, options);
    self.postMessage({ id, ranked: ranked.map((r) => ({ id: r.product.id, score: r.score, reason: r.reason, why: r.why })) });
  } catch (error) {
    self.postMessage({ id, error: { code: error.code ?? null, message: String(error.message ?? error) } });
  }
});
