// A plain-JavaScript implementation of the same kind of scoring Shelfwise does, written
// the way a shop would write it: Maps keyed by facet value, time-decayed affinities,
// recently viewed products, likeness to the last one viewed, a position prior and a
// sort. Used only by the benchmark (`npm run bench`), as the figure to beat.

const HALF_LIFE_MS = 14 * 86_400_000;
const SESSION_HALF_LIFE_MS = 30 * 60_000;
const WEIGHTS = { view: 1, click: 1.5, add_to_cart: 3, wishlist: 2, purchase: 5 };
const FACET_WEIGHTS = { category: 0.6, brand: 0.25, price_band: 0.15 };
const BAND_EDGES = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

function band(price) {
  const i = BAND_EDGES.findIndex((edge) => price < edge);
  return String(i < 0 ? BAND_EDGES.length : i);
}

function decay(score, from, to, halfLife) {
  return to <= from ? score : score * 0.5 ** ((to - from) / halfLife);
}

/** The facet values of a product: its category and parents, brand, price band, tags and facets. */
function facetValues(product) {
  const values = [];
  if (product.category) {
    const levels = product.category.split('/');
    for (let i = 0; i < levels.length; i++) values.push(['category', levels.slice(0, i + 1).join('/'), 0.5 ** (levels.length - 1 - i)]);
  }
  if (product.brand) values.push(['brand', product.brand, 1]);
  if (typeof product.price === 'number') values.push(['price_band', band(product.price), 1]);
  for (const tag of product.tags ?? []) values.push(['tag', tag, 1]);
  for (const [facet, value] of Object.entries(product.facets ?? {})) values.push([facet, value, 1]);
  return values;
}

function similarity(a, b) {
  let total = 0;
  let weights = 0;
  if (a.brand && b.brand) {
    total += 0.45 * (a.brand === b.brand ? 1 : 0);
    weights += 0.45;
  }
  if (typeof a.price === 'number' && typeof b.price === 'number') {
    const ratio = Math.max(Math.min(a.price, b.price), 0.01) / Math.max(a.price, b.price, 0.01);
    total += 0.35 * Math.max(1.6 * ratio - 0.6, 0);
    weights += 0.35;
  }
  if (a.category && b.category) {
    total += 0.2 * (a.category === b.category ? 1 : 0);
    weights += 0.2;
  }
  return weights > 0 ? total / weights : 0;
}

export class ReferenceProfile {
  /** facet -> value -> { score, at } */
  affinities = new Map();
  /** [id, product, at], newest first. */
  viewed = [];

  track(type, product, now) {
    const weight = WEIGHTS[type] ?? 1;
    for (const [facet, value, share] of facetValues(product)) {
      let values = this.affinities.get(facet);
      if (!values) this.affinities.set(facet, (values = new Map()));
      const known = values.get(value);
      const score = (known ? decay(known.score, known.at, now, HALF_LIFE_MS) : 0) + weight * share;
      values.set(value, { score, at: now });
    }
    if (type === 'view') {
      this.viewed = [[String(product.id), product, now], ...this.viewed.filter(([id]) => id !== String(product.id))].slice(0, 20);
    }
  }

  rank(products, now, strength = 0.5) {
    // Relative affinities per facet at this instant.
    const relative = new Map();
    for (const [facet, values] of this.affinities) {
      const scores = new Map();
      let max = 0;
      for (const [value, { score, at }] of values) {
        const decayed = decay(score, at, now, HALF_LIFE_MS);
        scores.set(value, decayed);
        max = Math.max(max, decayed);
      }
      for (const [value, score] of scores) scores.set(value, max > 0 ? score / max : 0);
      relative.set(facet, scores);
    }
    const viewedAt = new Map(this.viewed.map(([id, , at], i) => [id, [i, at]]));
    const last = this.viewed[0]?.[1];
    const scored = products.map((product, index) => {
      const best = {};
      let others = 0;
      let otherCount = 0;
      for (const [facet, value, share] of facetValues(product)) {
        const score = share * (relative.get(facet)?.get(value) ?? 0);
        if (facet in FACET_WEIGHTS) best[facet] = Math.max(best[facet] ?? 0, score);
        else {
          others += score;
          otherCount++;
        }
      }
      let personal = 0;
      for (const [facet, weight] of Object.entries(FACET_WEIGHTS)) personal += weight * (best[facet] ?? 0);
      if (otherCount > 0) personal = (personal + (0.25 * others) / otherCount) / 1.25;
      const seen = viewedAt.get(String(product.id));
      if (seen) personal += 4 * decay(1, seen[1], now, SESSION_HALF_LIFE_MS) * 0.3 ** seen[0];
      else if (last) personal += similarity(last, product);
      const base = 1 / Math.sqrt(index + 1);
      return { product, index, score: (1 - strength) * base + strength * personal };
    });
    return scored.sort((a, b) => b.score - a.score || a.index - b.index);
  }
}
