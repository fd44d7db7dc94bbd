// Harbor Market: a demo storefront using the Shelfwise package the way a shop would.
// Everything here is ordinary storefront code; personalization decisions come from
// the package. Product data is always rendered as text, never as HTML.
import { Shelfwise, isEncryptedExport, isShelfwiseError } from '/shelfwise/index.js';
import { inStock } from './art.js';
import { Cart } from './cart.js';
import { Checkout, FREE_SHIPPING_FROM, totals } from './checkout.js';
import { $, button, element, label, money, productImage, stars } from './dom.js';
import { MoveProfile } from './move.js';
import { LABELS, MEASUREMENT, NAMESPACE, QUIET_REASONS, RANK_STRENGTH } from './shop-config.js';

/** The shop's own switch: consent through a consent manager (the IAB TCF stub) instead of its banner. */
const USE_CMP_KEY = 'harbor-market:use-cmp';
/** The shop's own setting, read where storage may be blocked (then: the shop's banner). */
function readSetting(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

const USE_CMP = readSetting(USE_CMP_KEY) === '1';

const PICKS = 6;
/** Products per page of the grid: six rows of four, eight of three, twelve of two (style.css). */
const PAGE_SIZE = 24;
const TITLE = document.title;

const state = {
  /** Products in the shop's own "featured" order. */
  featured: [],
  /** The same products by id (as strings, the form the profile keeps). */
  byId: new Map(),
  /** Category slugs with their product counts, by name. */
  categories: new Map(),
  shelf: /** @type {Shelfwise | null} */ (null),
  cart: /** @type {Cart | null} */ (null),
  move: /** @type {MoveProfile | null} */ (null),
  checkout: /** @type {Checkout | null} */ (null),
  category: '',
  sort: 'recommended',
  /** The search the grid shows results for ('' for none). */
  query: '',
  /** The grid's page, from 1. */
  page: 1,
  /**
   * The grid's whole list, ranked once when what it lists changes (category, search,
   * sort, consent, the shopper's feedback) and then paged, so that paging neither moves
   * products between pages nor counts the grid as shown again.
   * @type {{ items: { product: object, ranked: object | null }[], personalized: boolean }}
   */
  listing: { items: [], personalized: false },
  open: null,
  /** 'shop' or 'checkout'. */
  view: 'shop',
};

/** Whether the shopper sees the shop personalized: consent given, and not in the holdout. */
function personalized() {
  const shelf = state.shelf;
  return shelf.consent.personalization === 'granted' && !shelf.assignment.holdout;
}

/** A product's stock in words, for its page. */
function stockNote(product) {
  if (!inStock(product)) return 'Out of stock: it cannot be added to your cart right now.';
  if (product.stock <= 5) return `Only ${product.stock} left in stock.`;
  return 'In stock.';
}

/**
 * A grid card: the product (opens its page), its price, and add to cart, or why it cannot
 * be added. With `explain` (a personalized list), a ranked card says why it is where it
 * is, unless that is the shop's own order.
 */
function productCard(product, module, ranked, explain) {
  const item = element('li', 'card');
  item.dataset.productId = String(product.id);
  item.dataset.category = product.category;
  const open = button('card-open');
  open.setAttribute('aria-label', `${product.title}, ${money.format(product.price)}`);
  open.append(productImage(product));
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
  item.append(open);
  if (ranked) {
    item.dataset.reason = ranked.reason;
    if (explain && !QUIET_REASONS.has(ranked.reason)) item.append(element('p', 'card-why', ranked.why));
  }
  const add = button('button small card-add', 'Add to cart');
  add.setAttribute('aria-label', `Add ${product.title} to cart`);
  if (inStock(product)) {
    add.addEventListener('click', () => {
      if (addToCart(product, module) > 0) confirmAdded(add);
    });
    item.append(add);
  } else {
    item.classList.add('sold-out');
    const note = element('p', 'card-note', 'Out of stock: cannot be added to your cart.');
    note.id = `stock-note-${product.id}`;
    add.disabled = true;
    add.setAttribute('aria-describedby', note.id);
    item.append(add, note);
  }
  return item;
}

/** A moment of "Added" on the button the shopper pressed (the count in the header says it too). */
function confirmAdded(control) {
  control.textContent = 'Added ✓';
  control.classList.add('added');
  setTimeout(() => {
    control.textContent = 'Add to cart';
    control.classList.remove('added');
  }, 1500);
}

/**
 * Records a shopper action (with the module it happened in, and units for cart events).
 * Without consent Shelfwise stores nothing and returns false.
 */
function track(type, product, { module, quantity } = {}) {
  try {
    return state.shelf.track({ type, product, ...(module ? { module } : {}), ...(quantity ? { quantity } : {}) });
  } catch (error) {
    // A malformed product would be a bug in this page: report it, keep the shop working.
    if (isShelfwiseError(error)) console.warn(`Shelfwise rejected an event (${error.code}): ${error.message}`);
    else throw error;
    return false;
  }
}

/** Whether a product matches a search: every word in its title, brand, category or tags. */
function matches(product, query) {
  const text = [product.title, product.brand ?? '', product.category, label(product.category), ...(product.tags ?? [])].join(' ').toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

/** The products the grid's category and search select, in the shop's order. */
function selected(category = state.category, query = state.query) {
  let list = category ? state.featured.filter((p) => p.category === category) : state.featured;
  if (query) list = list.filter((product) => matches(product, query));
  return list;
}

/** Ranks the whole selection (never a page alone: a product the shopper likes can rise to page 1). */
function refreshListing() {
  const list = selected();
  const ordered = state.sort === 'recommended';
  const items = ordered
    ? state.shelf.rank(list, { strength: RANK_STRENGTH, module: gridModule() }).map((ranked) => ({ product: ranked.product, ranked }))
    : list.map((product) => ({ product, ranked: null }));
  state.listing = { items, personalized: ordered && personalized() };
}

/** The current page of the listing, with its title, status, search scope, empty state and page links. */
function renderGrid() {
  const { items, personalized: forYou } = state.listing;
  const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  state.page = Math.min(Math.max(1, state.page), pages);
  const first = (state.page - 1) * PAGE_SIZE;
  const shown = items.slice(first, first + PAGE_SIZE);
  const module = gridModule();
  $('grid').replaceChildren(...shown.map(({ product, ranked }) => productCard(product, module, ranked, forYou)));
  const where = state.category ? label(state.category) : '';
  $('grid-title').textContent = state.query
    ? where
      ? `Results in ${where} for “${state.query}”`
      : `Results for “${state.query}”`
    : where || 'All products';
  $('search-scope').hidden = !state.query || items.length === 0;
  $('search-all').hidden = !state.category;
  $('sort-recommended').textContent = personalized() ? 'Recommended for you' : 'Recommended';
  const order = forYou
    ? 'ordered for you on this device.'
    : state.sort !== 'recommended'
      ? "in the shop's featured order."
      : state.shelf.consent.personalization === 'granted'
        ? "in the shop's order."
        : "in the shop's order (personalization is off).";
  const count = `${items.length} ${items.length === 1 ? 'product' : 'products'}`;
  $('grid-status').textContent =
    items.length === 0
      ? ''
      : pages > 1
        ? `${first + 1}–${first + shown.length} of ${count}, ${order}`
        : `${count}, ${order}`;
  renderEmpty(items.length === 0);
  renderPagination(pages);
}

/** What a search that found nothing offers: a wider search, other words, categories to browse. */
function renderEmpty(empty) {
  $('empty-state').hidden = !empty;
  if (!empty) return;
  const where = state.category ? label(state.category) : '';
  $('empty-title').textContent = where ? `No products match “${state.query}” in ${where}` : `No products match “${state.query}”`;
  const everywhere = selected('', state.query).length;
  const searchAll = $('empty-search-all');
  searchAll.hidden = !state.category;
  searchAll.textContent = everywhere > 0 ? `Search all products (${everywhere})` : 'Search all products';
  const suggestions = alternatives();
  $('empty-suggestions-block').hidden = suggestions.length === 0;
  $('empty-suggestions').replaceChildren(
    ...suggestions.map(({ text, count }) => {
      const item = element('li');
      const chip = button('chip', text);
      chip.append(element('span', 'chip-count', ` ${count}`));
      chip.setAttribute('aria-label', `Search for ${text} (${count} ${count === 1 ? 'result' : 'results'})`);
      chip.addEventListener('click', () => search(text));
      item.append(chip);
      return item;
    }),
  );
  const popular = [...state.categories].sort(([, a], [, b]) => b - a).slice(0, 5);
  $('empty-categories').replaceChildren(
    ...popular.map(([category]) => {
      const item = element('li');
      const chip = button('chip', label(category));
      chip.addEventListener('click', () => browse(category));
      item.append(chip);
      return item;
    }),
  );
}

/**
 * Searches that would find something where the shopper is looking: each word of a
 * several-word search alone, then the shop's suggestions for the search's first letters
 * (a misspelt word usually starts right).
 */
function alternatives() {
  const found = new Map();
  const consider = (text) => {
    const key = text.toLowerCase();
    if (found.size >= 4 || key === state.query.toLowerCase() || found.has(key)) return;
    const count = selected(state.category, text).length;
    if (count > 0) found.set(key, { text, count });
  };
  const words = state.query.split(/\s+/).filter(Boolean);
  if (words.length > 1) words.forEach(consider);
  for (let length = Math.min(4, state.query.length - 1); length >= 2 && found.size < 4; length -= 1) {
    for (const suggestion of shopSuggestions(state.query.slice(0, length))) consider(suggestion.text);
  }
  return [...found.values()];
}

/** Page numbers to link, with null for a gap: the first, the last, and the current one's neighbours. */
function pageNumbers(current, pages) {
  if (pages <= 7) return Array.from({ length: pages }, (_, i) => i + 1);
  const wanted = [...new Set([1, current - 1, current, current + 1, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  return wanted.flatMap((n, i) => (i > 0 && n - wanted[i - 1] > 1 ? [null, n] : [n]));
}

/** The address of a page of the grid as it is now (the grid's state, not the address it was reached by). */
function pageHref(page) {
  const url = new URL(location.href);
  url.hash = '';
  const set = (name, value) => (value ? url.searchParams.set(name, value) : url.searchParams.delete(name));
  set('category', state.category);
  set('q', state.query);
  set('page', page > 1 ? String(page) : '');
  return `${url.pathname}${url.search}`;
}

function renderPagination(pages) {
  $('pagination').hidden = pages <= 1;
  if (pages <= 1) return $('pagination-list').replaceChildren();
  const link = (page, text, className, name) => {
    const item = element('li');
    if (page < 1 || page > pages) {
      const disabled = element('span', `page-link ${className} disabled`, text);
      disabled.setAttribute('aria-disabled', 'true');
      item.append(disabled);
      return item;
    }
    const anchor = element('a', `page-link ${className}`, text);
    anchor.href = pageHref(page);
    if (name) anchor.setAttribute('aria-label', name);
    if (page === state.page && className === 'page-number') anchor.setAttribute('aria-current', 'page');
    anchor.dataset.page = String(page);
    anchor.addEventListener('click', (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return; // a new tab
      event.preventDefault();
      goToPage(page);
    });
    item.append(anchor);
    return item;
  };
  $('pagination-list').replaceChildren(
    link(state.page - 1, '‹ Previous', 'page-previous', 'Previous page'),
    ...pageNumbers(state.page, pages).map((page) =>
      page === null ? element('li', 'page-gap', '…') : link(page, String(page), 'page-number', `Page ${page}`),
    ),
    link(state.page + 1, 'Next ›', 'page-next', 'Next page'),
  );
}

/** Shows another page of the same listing, from its top, with focus on its title. */
function goToPage(page) {
  state.page = page;
  renderGrid();
  syncUrl(true);
  $('listing').scrollIntoView({ block: 'start' });
  $('grid-title').focus({ preventScroll: true });
}

/** The grid's category, search and page in the address, so that back, reload and links keep them. */
function syncUrl(push) {
  // A change to the grid is a shop page, even when asked for from the checkout.
  const url = new URL(pageHref(state.page), location.href);
  if (url.href === location.href) return;
  history[push ? 'pushState' : 'replaceState'](null, '', url);
  route();
}

/** The grid's category, search and page from the address. */
function readUrl() {
  const params = new URLSearchParams(location.search);
  const category = params.get('category') ?? '';
  state.category = state.categories.has(category) ? category : '';
  state.query = (params.get('q') ?? '').trim().slice(0, 100);
  const page = Number(params.get('page'));
  state.page = Number.isInteger(page) && page > 0 ? page : 1;
  $('category-filter').value = state.category;
  $('search').value = state.query;
}

/** Shows a category's products (leaving any search). */
function browse(category) {
  state.category = category;
  state.query = '';
  state.page = 1;
  $('category-filter').value = category;
  $('search').value = '';
  refreshListing();
  renderGrid();
  syncUrl(true);
}

/** A small product card; with a ranked result, it says why it is shown (unless it is the shop's own order). */
function pickCard(product, ranked, module) {
  const item = element('li', 'pick');
  item.dataset.productId = String(product.id);
  const open = button('pick-open');
  open.append(productImage(product), element('span', 'pick-title', product.title));
  open.append(element('span', 'price', money.format(product.price)));
  open.addEventListener('click', () => showProduct(product, module));
  item.append(open);
  if (ranked) {
    item.dataset.reason = ranked.reason;
    if (!QUIET_REASONS.has(ranked.reason)) item.append(element('span', 'pick-why', ranked.why));
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
    const shop = button('', `Shop ${label(item.category).toLowerCase()}`);
    shop.addEventListener('click', () => {
      browse(item.category);
      $('listing').scrollIntoView({ block: 'start' });
      $('grid-title').focus({ preventScroll: true });
      track('click', { id: `slot:${item.id}`, category: item.category }, { module: slot === 'offer' ? 'offer' : `home:${slot}` });
    });
    card.append(shop);
  }
  // The shop's own choice needs no explaining; an offer always says why it is offered.
  if (reason !== 'shop_order' || slot === 'offer') card.append(element('span', 'slot-why', why));
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

/** "Picked for you" (personalized shoppers only) and "Recently viewed", both read from the on-device profile. */
function renderPicks() {
  const shelf = state.shelf;
  const summary = shelf.consent.personalization === 'granted' ? shelf.profile.summary() : null;
  const viewed = (summary?.recentlyViewed ?? [])
    .map((id) => state.byId.get(id))
    .filter((product) => product !== undefined)
    .slice(0, PICKS);
  $('recent').hidden = viewed.length === 0;
  $('recent-list').replaceChildren(...viewed.map((product) => pickCard(product, null, 'recent')));
  // The holdout sees the shop's own order: nothing is picked for them.
  const show = summary !== null && summary.events > 0 && personalized();
  $('picks').hidden = !show;
  if (!show) return;
  const picks = shelf.rank(state.featured, { strength: 1, diversity: 0.5, module: 'picks' }).slice(0, PICKS);
  $('pick-list').replaceChildren(...picks.map((ranked) => pickCard(ranked.product, ranked, 'picks')));
}

const FACET_LABELS = { category: 'Category', brand: 'Brand', price_band: 'Price range', tag: 'Tag', colour: 'Colour', size: 'Size' };
const facetLabel = (facet) => FACET_LABELS[facet] ?? facet.charAt(0).toUpperCase() + facet.slice(1).replaceAll('_', ' ');

/** Strength is by evidence (one look: 0.25, three: 0.5, six: 0.67), so the words mean the same for every interest. */
function strengthWord(strength) {
  if (strength >= 0.6) return 'strong interest';
  if (strength >= 0.4) return 'some interest';
  return 'light interest';
}

/** An interest as Shelfwise labels it (with the shop's names), prices in the shop's own format. */
function interestValue(interest) {
  if (interest.facet === 'price_band') {
    return interest.value.endsWith('+') ? `$${interest.value.slice(0, -1)} and up` : `$${interest.value.replace('-', '–$')}`;
  }
  return interest.label;
}

/** Everything the shopper said "not interested" to, each with an undo. */
function renderDismissed(summary) {
  const shelf = state.shelf;
  const undo = (name, target) => {
    const item = element('li', 'dismissed-item');
    const again = button('link-button dismissed-undo', 'Undo');
    again.setAttribute('aria-label', `Show ${name} again`);
    again.addEventListener('click', () => {
      shelf.profile.undoNotInterested(target);
      refreshAfterEdit();
    });
    item.append(element('span', 'dismissed-name', name), again);
    return item;
  };
  const items = [
    ...summary.hiddenProducts.map((id) => undo(state.byId.get(id)?.title ?? `Product ${id}`, { product: { id } })),
    ...summary.stated
      .filter(([, , weight]) => weight < 0)
      .map(([facet, value]) => undo(`${facetLabel(facet)}: ${facet === 'category' ? label(value) : value}`, { facet, value })),
  ];
  $('dismissed-block').hidden = items.length === 0;
  $('dismissed').replaceChildren(...items);
}

/**
 * What the browser does to storage, when it matters to the shopper: a profile it deleted
 * (Safari deletes a site's storage after seven days without a visit) can come back from the
 * file they downloaded; in a browser that keeps nothing (a private window), they can
 * download it before leaving.
 */
function renderStorageNotice() {
  const shelf = state.shelf;
  const granted = shelf.consent.personalization === 'granted';
  const evicted = granted && shelf.profileEvicted;
  const memory = granted && shelf.storageMode === 'memory';
  $('storage-notice').hidden = !evicted && !memory;
  $('storage-notice').dataset.state = evicted ? 'evicted' : memory ? 'memory' : 'none';
  $('storage-notice-text').textContent = evicted
    ? 'Your browser deleted what this shop had learned about you (Safari does this when a site is not visited for 7 days). If you downloaded your data, you can bring it back.'
    : 'This browser does not let the shop keep what it learns (a private window?): it is forgotten when you leave. Download your data to bring it back next time.';
  $('storage-notice-action').textContent = evicted ? 'Import my data' : 'Download my data';
}

/** After the shopper edits what the shop knows, every list shows it at once. */
function refreshAfterEdit() {
  refreshListing();
  renderGrid();
  renderSlots();
  renderPicks();
  renderPrivacy();
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
        ? 'Personalization is off. Nothing is learned; only your choice is kept, so we do not ask again.'
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
      // Also takes back what the same products taught through their other attributes.
      shelf.profile.forget(interest.facet, interest.value);
      refreshAfterEdit();
    });
    item.append(meter, forget);
    return item;
  });
  if (items.length === 0) items.push(element('li', 'interest empty', 'Nothing yet.'));
  $('interests').replaceChildren(...items);
  renderDismissed(summary);
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
        : `Measurement group: personalized, grid experiment variation ${variation === 0 ? 'A (the model’s order)' : 'B (nearer the shop’s order)'}.`;
  const measuring = shelf.consent.measurement === 'granted';
  $('toggle-measurement').textContent = measuring ? 'Stop counting for the shop' : 'Let the shop count what works';
  $('toggle-measurement').disabled = shelf.consent.personalization !== 'granted';
  $('preview-report').disabled = !measuring || shelf.consent.personalization !== 'granted';
  $('preview-contribution').disabled = !measuring || shelf.consent.personalization !== 'granted';
  const budget = shelf.measurement.budget();
  $('privacy-budget').textContent =
    budget === null || !measuring
      ? ''
      : `Privacy budget: ε ${budget.epsilonSpent.toFixed(1)} spent in the last 12 months; ` +
        `${budget.contributionsLeft} ${budget.contributionsLeft === 1 ? 'contribution' : 'contributions'} left this week.`;
}

/** Room under the page for the banner while it shows, so that it never covers the end of the page. */
const bannerSpace = new ResizeObserver(([entry]) => {
  document.documentElement.style.setProperty('--banner-space', `${Math.ceil(entry.borderBoxSize[0].blockSize) + 32}px`);
});

function renderBanner() {
  // With the consent manager, its own dialog asks instead. A refusal is remembered by
  // Shelfwise itself, so the banner asks only while nothing is decided.
  const banner = $('consent-banner');
  banner.hidden = USE_CMP || state.shelf.consent.personalization !== 'unknown';
  document.body.classList.toggle('banner-open', !banner.hidden);
  if (banner.hidden) bannerSpace.disconnect();
  else bannerSpace.observe(banner);
  const gpc = navigator.globalPrivacyControl === true;
  for (const id of ['banner-gpc', 'privacy-gpc']) {
    const note = $(id);
    note.dataset.gpc = String(gpc);
    note.textContent = gpc
      ? 'Your browser sends Global Privacy Control (GPC): this shop reads it as "no" until you say otherwise here.'
      : 'Your browser does not send Global Privacy Control (GPC); if it did, the shop would read it as "no".';
  }
  $('use-cmp').checked = USE_CMP;
  $('privacy-use-cmp').checked = USE_CMP;
}

/** Switches between the shop's banner and the consent manager (a reload starts the other). */
function switchConsentManager(on) {
  try {
    if (on) localStorage.setItem(USE_CMP_KEY, '1');
    else localStorage.removeItem(USE_CMP_KEY);
  } catch {
    return; // storage blocked: the choice could not outlive the reload
  }
  location.reload();
}

/** "Continue where you left off": cart lines left on an earlier visit (Shelfwise's cart reminder). */
function renderCartReminder() {
  const shelf = state.shelf;
  const lines = shelf.consent.personalization === 'granted' ? shelf.cartReminder() : [];
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
}

/** The cart as `[{ product, quantity }]`. */
function cartLines() {
  return state.cart.lines
    .map(({ id, quantity }) => ({ product: state.byId.get(id), quantity }))
    .filter(({ product }) => product !== undefined);
}

/** The header's count and the cart drawer's lines and totals. */
function renderCart() {
  const lines = cartLines();
  const count = state.cart.count;
  $('cart-count').textContent = String(count);
  $('open-cart').setAttribute('aria-label', `Cart, ${count} ${count === 1 ? 'item' : 'items'}`);
  $('cart-empty').hidden = lines.length > 0;
  $('cart-foot').hidden = lines.length === 0;
  $('cart-lines').replaceChildren(...lines.map(cartLine));
  const { subtotal, shipping, total } = totals(lines);
  const rows = [
    ['Subtotal', money.format(subtotal)],
    ['Shipping', shipping === 0 ? 'Free' : money.format(shipping)],
    ['Total', money.format(total)],
  ];
  $('cart-totals').replaceChildren(
    ...rows.map(([name, value]) => {
      const row = element('div', name === 'Total' ? 'total-row grand' : 'total-row');
      row.append(element('dt', '', name), element('dd', '', value));
      return row;
    }),
  );
  $('cart-shipping-note').textContent =
    subtotal >= FREE_SHIPPING_FROM
      ? 'Free shipping on this order.'
      : `Add ${money.format(FREE_SHIPPING_FROM - subtotal)} more for free shipping.`;
  if (state.view === 'checkout') state.checkout.show();
}

/** One line of the cart drawer: the product, its quantity (one more, one fewer) and removing it. */
function cartLine({ product, quantity }) {
  const item = element('li', 'cart-line');
  item.dataset.productId = String(product.id);
  const info = element('div', 'cart-line-info');
  info.append(
    element('p', 'cart-line-title', product.title),
    element('p', 'cart-line-price', `${money.format(product.price)} each`),
  );
  const stepper = element('div', 'stepper');
  const fewer = button('stepper-button', '−');
  fewer.setAttribute('aria-label', `One fewer ${product.title}`);
  fewer.addEventListener('click', () => changeQuantity(product, quantity - 1));
  const shown = element('span', 'stepper-value', String(quantity));
  shown.setAttribute('aria-label', `Quantity ${quantity}`);
  const more = button('stepper-button', '+');
  more.setAttribute('aria-label', `One more ${product.title}`);
  const max = state.cart.maxOf(product.id);
  more.disabled = quantity >= max;
  if (more.disabled) more.title = `At most ${max} per order`;
  more.addEventListener('click', () => changeQuantity(product, quantity + 1));
  stepper.append(fewer, shown, more);
  const remove = button('link-button cart-remove', 'Remove');
  remove.setAttribute('aria-label', `Remove ${product.title} from your cart`);
  remove.addEventListener('click', () => changeQuantity(product, 0));
  const lineTotal = element('p', 'cart-line-total', money.format((Math.round(product.price * 100) * quantity) / 100));
  item.append(productImage(product), info, stepper, lineTotal, remove);
  return item;
}

/** Sets a cart line's quantity, and tells Shelfwise (with consent) what was added or taken out. */
function changeQuantity(product, quantity) {
  const before = state.cart.quantityOf(product.id);
  state.cart.set(product.id, quantity);
  const after = state.cart.quantityOf(product.id);
  if (after > before) track('add_to_cart', product, { quantity: after - before });
  if (after < before) track('remove_from_cart', product, { quantity: before - after });
  // Keep focus in the drawer when the line it was on went away.
  if (after === 0) $('cart-title').focus();
  else $('cart-lines').querySelector(`[data-product-id="${product.id}"] .stepper-button:not(:disabled)`)?.focus();
  $('cart-status').textContent = after === 0 ? `${product.title} removed from your cart.` : `${product.title}: ${after} in your cart.`;
}

/** Adds one of a product to the shop's cart; returns how many were added (0 at its limit). */
function addToCart(product, module) {
  if (!inStock(product)) return 0;
  const added = state.cart.add(product.id, 1);
  if (added > 0) {
    track('add_to_cart', product, { module });
    $('cart-status').textContent = `${product.title} added to your cart.`;
  } else {
    $('cart-status').textContent = `Your cart already holds as many ${product.title} as one order can.`;
  }
  renderCartReminder();
  renderPicks();
  renderPrivacy();
  return added;
}

/** The order was placed: Shelfwise learns the purchase (only with consent), and the cart is emptied. */
function placeOrder(order) {
  try {
    state.shelf.track({ type: 'purchase', items: order.lines.map(({ product, quantity }) => ({ product, quantity })) });
  } catch (error) {
    if (isShelfwiseError(error)) console.warn(`Shelfwise rejected a purchase (${error.code}): ${error.message}`);
    else throw error;
  }
  state.cart.clear();
  renderCartReminder();
  renderPicks();
  renderPrivacy();
}

/** The shop or the checkout, from the address (`#checkout`). */
function route() {
  const view = location.hash === '#checkout' ? 'checkout' : 'shop';
  const changed = view !== state.view;
  state.view = view;
  $('shop-view').hidden = view !== 'shop';
  $('checkout-view').hidden = view !== 'checkout';
  const shopHref = pageHref(state.page);
  $('checkout-back').href = shopHref;
  $('continue-shopping').href = shopHref;
  document.title = view === 'checkout' ? `Checkout · ${TITLE}` : TITLE;
  if (view === 'checkout') {
    if ($('cart-drawer').open) $('cart-drawer').close();
    if ($('product-dialog').open) $('product-dialog').close();
    state.checkout.show();
  } else {
    state.checkout.leave();
  }
  if (changed) {
    window.scrollTo(0, 0);
    if (view === 'checkout') $('checkout-title').focus({ preventScroll: true });
  }
}

/** Back to the shop from the checkout, where the shopper was. */
function leaveCheckout(event) {
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  const url = new URL(location.href);
  url.hash = '';
  history.pushState(null, '', url);
  route();
  $('grid-title').focus({ preventScroll: true });
}

function renderAll() {
  renderBanner();
  renderStorageNotice();
  renderCart();
  renderCartReminder();
  renderSlots();
  refreshListing();
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
  $('dialog-media').replaceChildren(productImage(product));
  $('dialog-category').textContent = label(product.category);
  $('dialog-title').textContent = product.title;
  $('dialog-brand').textContent = product.brand ? `by ${product.brand}` : '';
  $('dialog-price').textContent = money.format(product.price);
  $('dialog-stock').textContent = stockNote(product);
  $('dialog-stock').className = `stock ${inStock(product) ? 'in-stock' : 'out-of-stock'}`;
  $('dialog-add').disabled = !inStock(product);
  $('dialog-buy').disabled = !inStock(product);
  $('dialog-description').textContent = product.description;
  $('dialog-feedback').textContent = '';
  if (!dialog.open) dialog.showModal();
  if (module) track('click', product, { module });
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

/** Shows the results for a search (within the chosen category), reranked, and remembers it on the device (with consent). */
function search(query) {
  state.query = query.trim();
  state.page = 1;
  $('search').value = state.query;
  $('search-suggestions').hidden = true;
  $('search').setAttribute('aria-expanded', 'false');
  refreshListing();
  renderGrid();
  syncUrl(true);
  if (state.query) {
    try {
      state.shelf.track({ type: 'search', query: state.query, results: state.listing.items.length });
    } catch (error) {
      if (isShelfwiseError(error)) console.warn(`Shelfwise rejected a search (${error.code}): ${error.message}`);
      else throw error;
    }
  }
}

/** The same search over every category. */
function searchEverywhere() {
  state.category = '';
  state.page = 1;
  $('category-filter').value = '';
  refreshListing();
  renderGrid();
  syncUrl(true);
  $('grid-title').focus({ preventScroll: true });
}

/** Opens a product linked to from elsewhere (a category page): `?product=ID`, and `from=category`. */
function openLinkedProduct() {
  const params = new URLSearchParams(location.search);
  const product = state.byId.get(params.get('product') ?? '');
  if (product) showProduct(product, params.get('from') === 'category' ? 'category' : undefined);
}

/** Once the linked product is closed, the address is the shop's again. */
function forgetLinkedProduct() {
  const url = new URL(location.href);
  if (!url.searchParams.has('product') && !url.searchParams.has('from')) return;
  url.searchParams.delete('product');
  url.searchParams.delete('from');
  history.replaceState(null, '', url);
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
    state.page = 1;
    refreshListing();
    renderGrid();
    syncUrl(true);
  });
  $('sort-order').addEventListener('change', (event) => {
    state.sort = event.target.value;
    state.page = 1;
    refreshListing();
    renderGrid();
  });
  $('search-all').addEventListener('click', searchEverywhere);
  $('empty-search-all').addEventListener('click', searchEverywhere);
  $('clear-search').addEventListener('click', () => search(''));
  $('empty-clear').addEventListener('click', () => search(''));
  $('open-cart').addEventListener('click', () => {
    renderCart();
    $('cart-drawer').showModal();
  });
  // A click on the backdrop (outside the drawer's box) closes it.
  $('cart-drawer').addEventListener('click', (event) => {
    if (event.target === event.currentTarget) {
      const box = event.currentTarget.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) event.currentTarget.close();
    }
  });
  $('checkout-back').addEventListener('click', leaveCheckout);
  $('continue-shopping').addEventListener('click', leaveCheckout);
  window.addEventListener('popstate', applyLocation);
  window.addEventListener('hashchange', applyLocation);
  $('product-dialog').addEventListener('close', forgetLinkedProduct);
  $('consent-accept').addEventListener('click', () => {
    state.shelf.grantConsent();
  });
  $('consent-decline').addEventListener('click', () => {
    state.shelf.withdrawConsent();
  });
  $('open-privacy').addEventListener('click', () => setPanel($('privacy-panel').hidden));
  $('close-privacy').addEventListener('click', () => setPanel(false));
  document.addEventListener('keydown', (event) => {
    // Escape in the "Move my profile" dialog closes the dialog alone, back to the panel.
    if (event.key === 'Escape' && !$('privacy-panel').hidden && !$('move-dialog').open) setPanel(false);
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
    const text = await file.text();
    // A locked file (from "Move my profile") needs its passphrase: the dialog asks for it.
    if (isEncryptedExport(text)) {
      $('privacy-feedback').textContent = '';
      state.move.open({ text });
      return;
    }
    try {
      state.shelf.profile.import(text);
      $('privacy-feedback').textContent = 'Your profile was imported.';
    } catch (error) {
      if (!isShelfwiseError(error)) throw error;
      $('privacy-feedback').textContent = `This file could not be imported: ${error.message}`;
    }
    renderAll();
  });
  $('move-open').addEventListener('click', () => {
    $('privacy-feedback').textContent = '';
    state.move.open();
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
    $('contribution-preview').hidden = true;
    renderAll();
  });
  $('preview-report').addEventListener('click', async () => {
    // A real shop sends this to its own analytics; the demo shows it instead.
    const report = await state.shelf.measurement.report();
    const preview = $('report-preview');
    preview.textContent = JSON.stringify(report, null, 2);
    preview.hidden = false;
  });
  $('preview-contribution').addEventListener('click', async () => {
    // A real shop sends this to its own endpoint; the demo shows it instead.
    const contribution = await state.shelf.measurement.contribute();
    const preview = $('contribution-preview');
    preview.textContent = contribution === null ? "This week's contribution is made." : JSON.stringify(contribution);
    preview.hidden = false;
    renderGroups();
  });
  $('toggle-consent').addEventListener('click', () => {
    if (state.shelf.consent.personalization === 'granted') state.shelf.withdrawConsent();
    else state.shelf.grantConsent();
  });
  $('dialog-add').addEventListener('click', () => {
    const added = addToCart(state.open);
    $('dialog-feedback').textContent = added > 0 ? 'Added to your cart.' : 'Your cart already holds as many as one order can.';
  });
  $('dialog-not-interested').addEventListener('click', () => {
    if (state.shelf.consent.personalization === 'granted') {
      state.shelf.profile.notInterested({ product: state.open });
      $('dialog-feedback').textContent = 'Got it: we will show this less.';
      refreshListing();
      renderGrid();
      renderPicks();
    } else {
      $('dialog-feedback').textContent = 'Turn personalization on to tell the shop what you do not want to see.';
    }
  });
  $('dialog-buy').addEventListener('click', () => {
    // Buy now: this product in the cart (once), then straight to the checkout.
    if (state.cart.quantityOf(state.open.id) === 0) addToCart(state.open);
    location.hash = 'checkout';
  });
  state.cart.addEventListener('change', renderCart);
  state.shelf.addEventListener('consentchange', renderAll);
  state.shelf.addEventListener('storagechange', () => {
    renderStorageNotice();
    renderPrivacy();
  });
  $('storage-notice-action').addEventListener('click', () => {
    $(state.shelf.profileEvicted ? 'import-profile' : 'export-profile').click();
  });
  state.shelf.addEventListener('profilechange', () => {
    renderPicks();
    renderPrivacy();
  });
}

/** Back, forward and links within the page: the grid as the address says, and the view. */
function applyLocation() {
  const before = [state.category, state.query].join('\n');
  const page = state.page;
  readUrl();
  if ([state.category, state.query].join('\n') !== before) {
    refreshListing();
    renderGrid();
  } else if (state.page !== page) {
    renderGrid();
  }
  route();
}

async function main() {
  // The consent manager must answer before Shelfwise opens, as a real CMP's stub would.
  if (USE_CMP) await import('./cmp-stub.js');
  const [catalogue, shelf] = await Promise.all([
    fetch('./data/products.json').then((response) => response.json()),
    Shelfwise.open({ namespace: NAMESPACE, labels: LABELS, ...MEASUREMENT }),
  ]);
  state.shelf = shelf;
  // The shop's own merchandising order: best rated first.
  state.featured = [...catalogue].sort((a, b) => b.rating - a.rating || a.id - b.id);
  state.byId = new Map(catalogue.map((product) => [String(product.id), product]));
  for (const product of catalogue) state.categories.set(product.category, (state.categories.get(product.category) ?? 0) + 1);
  const filter = $('category-filter');
  for (const [category, count] of [...state.categories].sort(([a], [b]) => a.localeCompare(b))) {
    const option = element('option', '', `${label(category)} (${count})`);
    option.value = category;
    filter.append(option);
  }
  state.cart = new Cart((id) => {
    const product = state.byId.get(id);
    return product && inStock(product) ? product.stock : 0;
  });
  state.checkout = new Checkout({ lines: cartLines, onPlace: placeOrder });
  state.move = new MoveProfile({
    shelf,
    // As after an import from the file input: every list shows the profile brought here.
    onImported: (message) => {
      $('privacy-feedback').textContent = message;
      renderAll();
    },
  });
  readUrl();
  wire();
  renderAll();
  route();
  openLinkedProduct();
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  console.error('Harbor Market failed to start:', error);
  $('grid-status').textContent = 'The shop could not load. Please reload the page.';
});
