// Harbor Market: a demo storefront using the Shelfwise package the way a shop would.
// Everything here is ordinary storefront code; personalization decisions come from
// the package. Product data is always rendered as text, never as HTML.
import { Shelfwise, isShelfwiseError } from '/shelfwise/index.js';
import { MEASUREMENT, NAMESPACE, RANK_STRENGTH } from './shop-config.js';

/** The shop's own note that the banner was answered this visit (not Shelfwise data). */
const BANNER_DISMISSED_KEY = 'harbor-market:banner-dismissed';
/** The shop's own switch: consent through a consent manager (the IAB TCF stub) instead of its banner. */
const USE_CMP_KEY = 'harbor-market:use-cmp';
const USE_CMP = localStorage.getItem(USE_CMP_KEY) === '1';

const PICKS = 6;
const SVG_NS = 'http://www.w3.org/2000/svg';
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

const $ = (id) => document.getElementById(id);

const state = {
  /** Products in the shop's own "featured" order. */
  featured: [],
  /** The same products by id (as strings, the form the profile keeps). */
  byId: new Map(),
  shelf: /** @type {Shelfwise | null} */ (null),
  category: '',
  sort: 'recommended',
  cart: 0,
  open: null,
  /** The search the grid shows results for ('' for none). */
  query: '',
};

function label(slug) {
  const words = slug.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function hue(text) {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return hash % 360;
}

function initials(title) {
  return title
    .split(/\s+/)
    .filter((word) => /^[\p{L}\p{N}]/u.test(word))
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join('');
}

/** A generated product picture: the product's initials on its category's colour. */
function placeholder(product) {
  const h = hue(product.category);
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 160 120');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('thumb');
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', '160');
  background.setAttribute('height', '120');
  background.setAttribute('fill', `hsl(${h} 55% 88%)`);
  const disc = document.createElementNS(SVG_NS, 'circle');
  disc.setAttribute('cx', '120');
  disc.setAttribute('cy', '26');
  disc.setAttribute('r', '44');
  disc.setAttribute('fill', `hsl(${h} 60% 78%)`);
  const text = document.createElementNS(SVG_NS, 'text');
  text.setAttribute('x', '80');
  text.setAttribute('y', '72');
  text.setAttribute('text-anchor', 'middle');
  text.setAttribute('font-size', '40');
  text.setAttribute('font-weight', '700');
  text.setAttribute('fill', `hsl(${h} 45% 32%)`);
  text.textContent = initials(product.title);
  svg.append(background, disc, text);
  return svg;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function stars(rating) {
  const node = element('span', 'rating', `★ ${rating.toFixed(1)}`);
  node.setAttribute('aria-label', `Rated ${rating.toFixed(1)} out of 5`);
  return node;
}

function productCard(product, module) {
  const item = element('li', 'card');
  item.dataset.productId = String(product.id);
  item.dataset.category = product.category;
  const open = element('button', 'card-open');
  open.type = 'button';
  open.setAttribute('aria-label', `${product.title}, ${money.format(product.price)}`);
  open.append(placeholder(product));
  const body = element('div', 'card-body');
  body.append(
    element('p', 'card-category', label(product.category)),
    element('h3', 'card-title', product.title),
    element('p', 'card-brand', product.brand ?? '\u00a0'),
  );
  const meta = element('div', 'card-meta');
  meta.append(element('span', 'price', money.format(product.price)), stars(product.rating));
  body.append(meta);
  open.append(body);
  open.addEventListener('click', () => showProduct(product, module));
  const add = element('button', 'button small card-add', 'Add to cart');
  add.type = 'button';
  add.setAttribute('aria-label', `Add ${product.title} to cart`);
  add.addEventListener('click', () => addToCart(product));
  item.append(open, add);
  return item;
}

/** Records a shopper action (a click with the module it happened in). Without consent Shelfwise stores nothing and returns false. */
function track(type, product, module) {
  try {
    return state.shelf.track({ type, product, ...(module ? { module } : {}) });
  } catch (error) {
    // A malformed product would be a bug in this page: report it, keep the shop working.
    if (isShelfwiseError(error)) console.warn(`Shelfwise rejected an event (${error.code}): ${error.message}`);
    else throw error;
    return false;
  }
}

/** Whether a product matches a search: every word in its title, brand, category or tags. */
function matches(product, query) {
  const text = [product.title, product.brand ?? '', product.category, ...(product.tags ?? [])].join(' ').toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

function visibleProducts() {
  let list = state.category ? state.featured.filter((p) => p.category === state.category) : state.featured;
  if (state.query) list = list.filter((product) => matches(product, state.query));
  if (state.sort !== 'recommended') return list;
  return state.shelf.rank(list, { strength: RANK_STRENGTH, module: gridModule() }).map((ranked) => ranked.product);
}

function renderGrid() {
  const products = visibleProducts();
  $('grid').replaceChildren(...products.map((product) => productCard(product, gridModule())));
  $('grid-title').textContent = state.query
    ? `Results for “${state.query}”`
    : state.category
      ? label(state.category)
      : 'All products';
  const personalized = state.sort === 'recommended' && state.shelf.consent.personalization === 'granted';
  $('grid-status').textContent =
    `${products.length} products, ` +
    (personalized
      ? 'ordered for you on this device.'
      : state.sort === 'recommended'
        ? "in the shop's order (personalization is off)."
        : "in the shop's featured order.");
}

/** A small product card; with a ranked result, it says why it is shown. */
function pickCard(product, ranked, module) {
  const item = element('li', 'pick');
  item.dataset.productId = String(product.id);
  const button = element('button', 'pick-open');
  button.type = 'button';
  button.append(placeholder(product), element('span', 'pick-title', product.title));
  button.append(element('span', 'price', money.format(product.price)));
  button.addEventListener('click', () => showProduct(product, module));
  item.append(button);
  if (ranked) {
    item.dataset.reason = ranked.reason;
    item.append(element('span', 'pick-why', ranked.why));
  }
  return item;
}

/**
 * The shop's homepage items: banners, collections and offers, each with what it
 * promotes, a priority and when it may be shown. Shelfwise picks per shopper, on the
 * device, which fills each slot.
 */
const SLOT_ITEMS = [
  { id: 'tech-week', title: 'Laptops for every desk', text: 'New MacBooks, Zenbooks and more.', category: 'laptops', priority: 5, slots: ['hero'], hue: 220 },
  { id: 'phones', title: 'The latest phones', text: 'iPhone, Galaxy and friends.', category: 'smartphones', priority: 5, slots: ['hero'], hue: 200 },
  { id: 'run', title: 'Ready, set, run', text: 'Shoes for the road and the trail.', category: 'mens-shoes', priority: 4, slots: ['hero', 'collection-1', 'collection-2'], hue: 12 },
  { id: 'glow', title: 'Skin care edit', text: 'Serums, creams and more.', category: 'skin-care', priority: 4, slots: ['collection-1', 'collection-2'], hue: 330 },
  { id: 'scents', title: 'Fragrances', text: 'Signature scents, from Dior to Chanel.', category: 'fragrances', priority: 3, slots: ['collection-1', 'collection-2'], hue: 280 },
  { id: 'kitchen', title: 'Cook like a pro', text: 'Pans, knives and gadgets.', category: 'kitchen-accessories', priority: 3, slots: ['collection-1', 'collection-2'], hue: 30 },
  { id: 'groceries', title: 'Fresh groceries', text: 'Fruit, vegetables and pantry staples.', category: 'groceries', priority: 2, slots: ['collection-1', 'collection-2'], hue: 120 },
  { id: 'summer', title: 'Summer shades', text: 'Sunglasses for bright days.', category: 'sunglasses', priority: 6, when: { from: '2026-06-01', until: '2026-09-01' }, hue: 45 },
  { id: 'house', title: 'Harbor essentials', text: 'Everyday favourites, fairly priced.', priority: 1, slots: ['collection-2'], fallback: true, hue: 190 },
];
const SLOTS = ['hero', 'collection-1', 'collection-2'];

/**
 * The shop's offers. The shop decides who may get each (`when`) and never changes a
 * price; Shelfwise picks the one that fits this shopper best, on the device.
 */
const OFFERS = [
  { id: 'first-order', kind: 'free_shipping', title: 'Free shipping on your first order', text: 'No minimum, no code.', priority: 3, when: { segments: ['new', 'returning', 'prospect'] }, hue: 160 },
  { id: 'laptops-10', kind: 'percent_off', category: 'laptops', title: '10% off laptops', text: 'This week, on every laptop.', priority: 2, hue: 220 },
  { id: 'skin-care-15', kind: 'percent_off', category: 'skin-care', title: '15% off skin care', text: 'Serums, creams and masks.', priority: 2, hue: 330 },
  { id: 'double-points', kind: 'loyalty_bonus', title: 'Double points', text: 'On every order this week.', priority: 3, when: { segments: ['first_time_customer', 'repeat_customer', 'loyal'] }, hue: 260 },
  { id: 'early-access', kind: 'early_access', title: 'Early access: the winter sale', text: 'Shop it a day before everyone else.', priority: 2, when: { segments: ['repeat_customer', 'loyal'] }, hue: 280 },
  { id: 'evening', kind: 'percent_off', title: 'Evening deals', text: 'Until midnight only.', priority: 4, when: { hours: [18, 24] }, capPerDay: 3, hue: 300 },
  { id: 'free-shipping', kind: 'free_shipping', title: 'Free shipping over $50', text: 'On every order, every day.', priority: 1, fallback: true, hue: 190 },
];

/** A homepage card: a slot's banner or collection, or the offer. */
function slotCard(slot, item, reason, why) {
  const card = element('li', 'slot');
  card.dataset.slot = slot;
  card.dataset.itemId = item.id;
  card.dataset.reason = reason;
  card.style.background = `linear-gradient(135deg, hsl(${item.hue} 55% 38%), hsl(${(item.hue + 40) % 360} 60% 52%))`;
  card.append(element('h3', '', item.title), element('p', '', item.text));
  if (item.category) {
    const button = element('button', '', `Shop ${label(item.category).toLowerCase()}`);
    button.type = 'button';
    button.addEventListener('click', () => {
      state.category = item.category;
      $('category-filter').value = item.category;
      renderGrid();
      track('click', { id: `slot:${item.id}`, category: item.category }, slot === 'offer' ? 'offer' : `home:${slot}`);
    });
    card.append(button);
  }
  card.append(element('span', 'slot-why', why));
  return card;
}

/** The homepage slots and the offer, chosen by Shelfwise (impressions count toward caps). */
function renderSlots() {
  const choices = state.shelf.fillSlots(SLOTS, SLOT_ITEMS, { strength: 0.7, module: 'home' });
  const offer = state.shelf.chooseOffer(OFFERS, { strength: 0.7, module: 'offer' });
  const cards = choices.filter((choice) => choice.item !== null).map(({ slot, item, reason, why }) => slotCard(slot, item, reason, why));
  if (offer.offer !== null) cards.push(slotCard('offer', offer.offer, offer.reason, offer.why));
  $('slots').replaceChildren(...cards);
}

/** "Picked for you" and "Recently viewed", both read from the on-device profile. */
function renderPicks() {
  const shelf = state.shelf;
  const summary = shelf.consent.personalization === 'granted' ? shelf.profile.summary() : null;
  const show = summary !== null && summary.events > 0;
  $('picks').hidden = !show;
  const viewed = (summary?.recentlyViewed ?? [])
    .map((id) => state.byId.get(id))
    .filter((product) => product !== undefined)
    .slice(0, PICKS);
  $('recent').hidden = viewed.length === 0;
  $('recent-list').replaceChildren(...viewed.map(pickCard));
  if (!show) return;
  const picks = shelf.rank(state.featured, { strength: 1, diversity: 0.5, module: 'picks' }).slice(0, PICKS);
  $('pick-list').replaceChildren(...picks.map((ranked) => pickCard(ranked.product, ranked, 'picks')));
}

const FACET_LABELS = { category: 'Category', brand: 'Brand', price_band: 'Price range', tag: 'Tag', colour: 'Colour', size: 'Size' };
const facetLabel = (facet) => FACET_LABELS[facet] ?? facet.charAt(0).toUpperCase() + facet.slice(1).replaceAll('_', ' ');

function strengthWord(strength) {
  if (strength >= 0.75) return 'strong interest';
  if (strength >= 0.4) return 'some interest';
  return 'light interest';
}

function interestValue(interest) {
  if (interest.facet === 'category') return label(interest.value);
  if (interest.facet === 'price_band') {
    return interest.value.endsWith('+') ? `$${interest.value.slice(0, -1)} and up` : `$${interest.value.replace('-', '–$')}`;
  }
  return interest.value;
}

function renderPrivacy() {
  const shelf = state.shelf;
  const { personalization: consent, source } = shelf.consent;
  const why = {
    gpc: ' Your browser sends Global Privacy Control, which this shop respects.',
    tcf: ' Your choice in the consent manager applies.',
    consent_mode: " The site's consent settings apply.",
  };
  $('privacy-consent').textContent =
    (consent === 'granted'
      ? 'Personalization is on. This is everything Shelfwise has learned, kept only in this browser.'
      : consent === 'denied'
        ? 'Personalization is off. Nothing is stored and nothing is learned.'
        : 'You have not decided yet. Until you accept, nothing is stored and nothing is learned.') +
    (why[source] ?? '');
  const summary = shelf.profile.summary();
  const items = summary.interests.map((interest) => {
    const item = element('li', 'interest');
    item.append(
      element('span', 'interest-facet', facetLabel(interest.facet)),
      element('span', 'interest-value', interestValue(interest)),
      element(
        'span',
        'interest-strength',
        `${strengthWord(interest.strength)} · ${interest.evidence} ${interest.evidence === 1 ? 'interaction' : 'interactions'}`,
      ),
    );
    const meter = element('span', 'meter');
    const fill = element('span', 'meter-fill');
    fill.style.width = `${Math.round(interest.strength * 100)}%`;
    meter.append(fill);
    const forget = element('button', 'link-button interest-forget', 'Forget');
    forget.type = 'button';
    forget.setAttribute('aria-label', `Forget ${facetLabel(interest.facet).toLowerCase()} ${interestValue(interest)}`);
    forget.addEventListener('click', () => {
      shelf.profile.forget(interest.facet, interest.value);
      renderPicks();
      renderPrivacy();
    });
    item.append(meter, forget);
    return item;
  });
  if (items.length === 0) items.push(element('li', 'interest empty', 'Nothing yet.'));
  $('interests').replaceChildren(...items);
  $('privacy-stats').textContent =
    summary.events > 0
      ? `Learned from ${summary.events} ${summary.events === 1 ? 'interaction' : 'interactions'} since ${new Date(summary.firstMs).toLocaleDateString()}.` +
        (shelf.storageMode === 'memory' ? ' Storage is unavailable, so this is forgotten when you leave.' : '')
      : '';
  $('erase-profile').disabled = summary.events === 0;
  $('toggle-consent').textContent = consent === 'granted' ? 'Turn personalization off' : 'Turn personalization on';
  renderGroups();
}

/** The shopper's groups and measurement consent, in the privacy panel. */
function renderGroups() {
  const shelf = state.shelf;
  const { holdout, experiments } = shelf.assignment;
  const variation = experiments['grid-strength'];
  const groups = $('privacy-groups');
  groups.dataset.holdout = String(holdout);
  groups.dataset.variation = variation === null || variation === undefined ? 'none' : String(variation);
  groups.textContent =
    shelf.consent.personalization !== 'granted'
      ? 'Measurement groups apply once personalization is on.'
      : holdout
        ? "Measurement group: holdout. You see the shop's own order, so the shop can tell what personalization adds; your profile still learns."
        : `Measurement group: personalized, grid experiment variation ${variation === 0 ? 'A (gentle)' : 'B (strong)'}.`;
  const measuring = shelf.consent.measurement === 'granted';
  $('toggle-measurement').textContent = measuring ? 'Stop counting for the shop' : 'Let the shop count what works';
  $('toggle-measurement').disabled = shelf.consent.personalization !== 'granted';
  $('preview-report').disabled = !measuring || shelf.consent.personalization !== 'granted';
}

function renderBanner() {
  const dismissed = sessionStorage.getItem(BANNER_DISMISSED_KEY) === '1';
  // With the consent manager, its own dialog asks instead.
  $('consent-banner').hidden = USE_CMP || state.shelf.consent.personalization !== 'unknown' || dismissed;
  const gpc = navigator.globalPrivacyControl === true;
  for (const id of ['banner-gpc', 'privacy-gpc']) {
    const note = $(id);
    note.dataset.gpc = String(gpc);
    note.textContent = gpc
      ? 'Your browser sends Global Privacy Control: this shop reads it as "no" until you say otherwise here.'
      : 'Your browser does not send Global Privacy Control.';
  }
  $('use-cmp').checked = USE_CMP;
  $('privacy-use-cmp').checked = USE_CMP;
}

/** Switches between the shop's banner and the consent manager (a reload starts the other). */
function switchConsentManager(on) {
  if (on) localStorage.setItem(USE_CMP_KEY, '1');
  else localStorage.removeItem(USE_CMP_KEY);
  location.reload();
}

/** "Continue where you left off": cart lines left on an earlier visit (Shelfwise's cart reminder). */
function renderCartReminder() {
  const shelf = state.shelf;
  const consented = shelf.consent.personalization === 'granted';
  const lines = consented ? shelf.cartReminder() : [];
  const products = lines.map((line) => state.byId.get(line.id)).filter((product) => product !== undefined);
  $('cart-reminder').hidden = products.length === 0;
  $('cart-reminder-list').replaceChildren(
    ...products.map((product) => {
      const line = lines.find((l) => l.id === String(product.id));
      const card = pickCard(product, null, 'cart-reminder');
      const since = new Date(line.atMs).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
      card.append(element('span', 'pick-why', `In your cart since ${since} · ${line.quantity} ×`));
      return card;
    }),
  );
  const inCart = consented ? shelf.profile.summary().cart.reduce((sum, line) => sum + line.quantity, 0) : state.cart;
  $('cart-count').textContent = String(inCart);
}

function renderAll() {
  renderBanner();
  renderCartReminder();
  renderSlots();
  renderGrid();
  renderPicks();
  renderPrivacy();
}

/** The module the grid is: search results while there is a query. */
function gridModule() {
  return state.query ? 'search' : 'grid';
}

/** Opens a product's page; `module` names the list it was opened from (measured as a click there). */
function showProduct(product, module) {
  state.open = product;
  const dialog = $('product-dialog');
  $('dialog-media').replaceChildren(placeholder(product));
  $('dialog-category').textContent = label(product.category);
  $('dialog-title').textContent = product.title;
  $('dialog-brand').textContent = product.brand ? `by ${product.brand}` : '';
  $('dialog-price').textContent = money.format(product.price);
  $('dialog-description').textContent = product.description;
  $('dialog-feedback').textContent = '';
  if (!dialog.open) dialog.showModal();
  if (module) track('click', product, module);
  track('view', product);
  renderModules(product);
  renderPicks();
  renderPrivacy();
}

/**
 * The product page's modules: similar items from the same category, and what is often
 * bought with it. A real shop would supply the associations from its own order data;
 * this demo stands in with products of other categories from the same brand (score 2)
 * or sharing a tag (score 1).
 */
function renderModules(product) {
  const shelf = state.shelf;
  const sameCategory = state.featured.filter((p) => p.category === product.category);
  const similar = shelf.similarTo(product, sameCategory, { module: 'similar' }).slice(0, 4);
  $('similar-list').replaceChildren(...similar.map((ranked) => pickCard(ranked.product, ranked, 'similar')));
  const tags = new Set(product.tags ?? []);
  const associations = state.featured
    .filter((p) => p.category !== product.category)
    .map((p) => ({
      product: p,
      score: (p.brand && p.brand === product.brand ? 2 : 0) + ((p.tags ?? []).some((tag) => tags.has(tag)) ? 1 : 0),
    }))
    .filter((association) => association.score > 0);
  const together = shelf.boughtTogether(associations, { module: 'together' }).slice(0, 4);
  $('together-list').replaceChildren(...together.map((ranked) => pickCard(ranked.product, ranked, 'together')));
}

/** Suggestions the shop has for a prefix: product titles, brands and categories starting with it. */
function shopSuggestions(prefix) {
  const typed = prefix.toLowerCase();
  const suggestions = new Map();
  for (const product of state.featured) {
    for (const [text, attributes] of [
      [product.title, { category: product.category, brand: product.brand }],
      [product.brand, { brand: product.brand }],
      [label(product.category), { category: product.category }],
    ]) {
      if (text && text.toLowerCase().startsWith(typed) && !suggestions.has(text.toLowerCase())) {
        suggestions.set(text.toLowerCase(), { text, ...Object.fromEntries(Object.entries(attributes).filter(([, v]) => v)) });
      }
    }
    if (suggestions.size >= 30) break;
  }
  return [...suggestions.values()];
}

function renderSuggestions() {
  const input = $('search');
  const prefix = input.value.trim();
  const list = $('search-suggestions');
  if (prefix === '') {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    return;
  }
  // Suggestions are short lists where taste matters more than the shop's order.
  const completions = state.shelf.autocomplete(prefix, shopSuggestions(prefix), { limit: 6, strength: 0.8 });
  list.replaceChildren(
    ...completions.map((completion) => {
      const item = element('li');
      item.setAttribute('role', 'option');
      item.dataset.source = completion.source;
      const button = element('button', '', completion.text);
      button.type = 'button';
      if (completion.source === 'recent') button.append(element('span', 'suggestion-source', 'recent search'));
      button.addEventListener('click', () => search(completion.text));
      item.append(button);
      return item;
    }),
  );
  list.hidden = completions.length === 0;
  input.setAttribute('aria-expanded', String(!list.hidden));
}

/** Shows the results for a search, reranked, and remembers it on the device (with consent). */
function search(query) {
  state.query = query.trim();
  $('search').value = state.query;
  $('search-suggestions').hidden = true;
  $('search').setAttribute('aria-expanded', 'false');
  renderGrid();
  if (state.query) {
    const results = state.featured.filter((product) => matches(product, state.query)).length;
    try {
      state.shelf.track({ type: 'search', query: state.query, results });
    } catch (error) {
      if (isShelfwiseError(error)) console.warn(`Shelfwise rejected a search (${error.code}): ${error.message}`);
      else throw error;
    }
  }
}

function addToCart(product) {
  state.cart += 1;
  track('add_to_cart', product);
  renderCartReminder();
  renderPicks();
  renderPrivacy();
  return product;
}

function setPanel(open) {
  $('privacy-panel').hidden = !open;
  $('open-privacy').setAttribute('aria-expanded', String(open));
  if (open) {
    renderPrivacy();
    $('close-privacy').focus();
  }
}

function wire() {
  $('search').addEventListener('input', renderSuggestions);
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    search($('search').value);
  });
  $('category-filter').addEventListener('change', (event) => {
    state.category = event.target.value;
    renderGrid();
  });
  $('sort-order').addEventListener('change', (event) => {
    state.sort = event.target.value;
    renderGrid();
  });
  $('consent-accept').addEventListener('click', () => {
    state.shelf.grantConsent();
  });
  $('consent-decline').addEventListener('click', () => {
    sessionStorage.setItem(BANNER_DISMISSED_KEY, '1');
    state.shelf.withdrawConsent();
  });
  $('open-privacy').addEventListener('click', () => setPanel($('privacy-panel').hidden));
  $('close-privacy').addEventListener('click', () => setPanel(false));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('privacy-panel').hidden) setPanel(false);
  });
  $('export-profile').addEventListener('click', () => {
    const blob = new Blob([state.shelf.profile.export()], { type: 'application/json' });
    const link = element('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'harbor-market-profile.json';
    link.click();
    URL.revokeObjectURL(link.href);
  });
  $('import-profile').addEventListener('change', async (event) => {
    const [file] = event.target.files;
    event.target.value = '';
    if (!file) return;
    try {
      state.shelf.profile.import(await file.text());
      $('privacy-feedback').textContent = 'Your profile was imported.';
    } catch (error) {
      if (!isShelfwiseError(error)) throw error;
      $('privacy-feedback').textContent = `This file could not be imported: ${error.message}`;
    }
    renderAll();
  });
  $('erase-profile').addEventListener('click', () => {
    state.shelf.profile.erase();
    renderAll();
  });
  $('use-cmp').addEventListener('change', (event) => switchConsentManager(event.target.checked));
  $('privacy-use-cmp').addEventListener('change', (event) => switchConsentManager(event.target.checked));
  $('toggle-measurement').addEventListener('click', () => {
    const shelf = state.shelf;
    if (shelf.consent.measurement === 'granted') {
      shelf.withdrawConsent(['measurement']);
    } else {
      shelf.grantConsent(['personalization', 'measurement']);
    }
    $('report-preview').hidden = true;
    renderAll();
  });
  $('preview-report').addEventListener('click', async () => {
    // A real shop sends this to its own analytics; the demo shows it instead.
    const report = await state.shelf.measurement.report();
    const preview = $('report-preview');
    preview.textContent = JSON.stringify(report, null, 2);
    preview.hidden = false;
  });
  $('toggle-consent').addEventListener('click', () => {
    if (state.shelf.consent.personalization === 'granted') state.shelf.withdrawConsent();
    else state.shelf.grantConsent();
  });
  $('dialog-add').addEventListener('click', () => {
    addToCart(state.open);
    $('dialog-feedback').textContent = 'Added to your cart.';
  });
  $('dialog-not-interested').addEventListener('click', () => {
    if (state.shelf.consent.personalization === 'granted') {
      state.shelf.profile.notInterested({ product: state.open });
      $('dialog-feedback').textContent = 'Got it: we will show this less.';
      renderGrid();
      renderPicks();
    } else {
      $('dialog-feedback').textContent = 'Turn personalization on to tell the shop what you do not want to see.';
    }
  });
  $('dialog-buy').addEventListener('click', () => {
    track('purchase', state.open);
    $('dialog-feedback').textContent = 'Thank you for your order!';
    renderPicks();
    renderPrivacy();
  });
  state.shelf.addEventListener('consentchange', renderAll);
  state.shelf.addEventListener('profilechange', () => {
    renderPicks();
    renderPrivacy();
  });
}

async function main() {
  // The consent manager must answer before Shelfwise opens, as a real CMP's stub would.
  if (USE_CMP) await import('./cmp-stub.js');
  const [catalogue, shelf] = await Promise.all([
    fetch('./data/products.json').then((response) => response.json()),
    Shelfwise.open({ namespace: NAMESPACE, ...MEASUREMENT }),
  ]);
  state.shelf = shelf;
  // The shop's own merchandising order: best rated first.
  state.featured = [...catalogue].sort((a, b) => b.rating - a.rating || a.id - b.id);
  state.byId = new Map(catalogue.map((product) => [String(product.id), product]));
  const counts = new Map();
  for (const product of catalogue) counts.set(product.category, (counts.get(product.category) ?? 0) + 1);
  const filter = $('category-filter');
  for (const [category, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    const option = element('option', '', `${label(category)} (${count})`);
    option.value = category;
    filter.append(option);
  }
  wire();
  renderAll();
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  console.error('Harbor Market failed to start:', error);
  $('grid-status').textContent = 'The shop could not load. Please reload the page.';
});
