// Small DOM helpers for the shop's pages. Everything from the catalogue goes in as text
// (textContent, attributes set one by one), never as HTML.
import { readable } from '/shelfwise/index.js';
import { iconUrl, inStock, tintClass } from './art.js';
import { LABELS } from './labels.js';

export const $ = (id) => document.getElementById(id);

export const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** An element with a class and text content. */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A button of type "button". */
export function button(className, text) {
  const node = element('button', className, text);
  node.type = 'button';
  return node;
}

/** A category slug as shoppers read it: the shop's name for it, or the slug as words (Shelfwise's own rule). */
export function label(slug) {
  return readable('category', slug, LABELS);
}

/**
 * A product's picture: its category's illustration on its own tint (www/art.js). The
 * picture is decorative (the card names the product), so its alternative text is empty.
 */
export function productImage(product) {
  const frame = element('div', `thumb ${tintClass(product)}`);
  const img = element('img', 'thumb-icon');
  img.src = iconUrl(product.category);
  img.alt = '';
  img.width = 24;
  img.height = 24;
  img.decoding = 'async';
  frame.append(img);
  if (!inStock(product)) frame.append(element('span', 'stock-badge', 'Out of stock'));
  return frame;
}

export function stars(rating) {
  const node = element('span', 'rating', `★ ${rating.toFixed(1)}`);
  node.setAttribute('aria-label', `Rated ${rating.toFixed(1)} out of 5`);
  return node;
}
