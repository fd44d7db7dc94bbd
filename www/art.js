// How the shop draws a product without its photo: its category's illustration (a Tabler
// icon copied into www/icons/, see the README there) on a tint of its own. Plain data and
// pure functions, shared by the shop in the browser and the server-rendered category pages
// in Node (pkg-scripts/serve.mjs), so a product looks the same on both.

/** The folder the icons are served from. */
export const ICONS = '/icons';

/** Each catalogue category's illustration. */
export const CATEGORY_ICONS = {
  beauty: 'brush',
  fragrances: 'perfume',
  furniture: 'sofa',
  groceries: 'basket',
  'home-decoration': 'plant',
  'kitchen-accessories': 'tools-kitchen-2',
  laptops: 'device-laptop',
  'mens-shirts': 'shirt',
  'mens-shoes': 'shoe',
  'mens-watches': 'device-watch',
  'mobile-accessories': 'headphones',
  motorcycle: 'motorbike',
  'skin-care': 'droplet',
  smartphones: 'device-mobile',
  'sports-accessories': 'ball-basketball',
  sunglasses: 'sunglasses',
  tablets: 'device-tablet',
  tops: 'hanger',
  vehicle: 'car',
  'womens-bags': 'shopping-bag',
  'womens-dresses': 'woman',
  'womens-jewellery': 'diamond',
  'womens-shoes': 'shoe',
  'womens-watches': 'device-watch',
};

/** For a category the shop has not drawn yet. */
export const FALLBACK_ICON = 'package';

/** How many tints there are (`tint-0` to `tint-11` in style.css, 30° of hue apart). */
export const TINTS = 12;

/** The URL of a category's illustration. */
export function iconUrl(category) {
  return `${ICONS}/${CATEGORY_ICONS[category] ?? FALLBACK_ICON}.svg`;
}

/** A stable small hash of a text (FNV-1a). */
function hash(text) {
  let h = 0x811c9dc5;
  for (const char of String(text)) {
    h ^= char.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A product's tint class, from its id: neighbours in a grid rarely share one. */
export function tintClass(product) {
  return `tint-${hash(product.id) % TINTS}`;
}

/** Whether a product can be bought now. */
export function inStock(product) {
  return product.stock > 0 && product.availabilityStatus !== 'Out of Stock';
}
