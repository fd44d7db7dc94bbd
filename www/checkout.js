// Checkout: the shop's address and payment form, its validation, the order summary and the
// confirmation. A demo: no payment is taken and nothing is sent anywhere; the order exists
// only on this page. Telling Shelfwise about the purchase is the page's call (onPlace),
// through its consent-gated track().
import { $, element, money } from './dom.js';

/** Standard shipping, free from this subtotal on (as the shop's offer says). */
export const SHIPPING = 4.99;
export const FREE_SHIPPING_FROM = 50;

const cents = (amount) => Math.round(amount * 100);

/** Subtotal, shipping and total of `[{ product, quantity }]`, in dollars. */
export function totals(lines) {
  const subtotal = lines.reduce((sum, { product, quantity }) => sum + cents(product.price) * quantity, 0);
  const shipping = subtotal === 0 || subtotal >= cents(FREE_SHIPPING_FROM) ? 0 : cents(SHIPPING);
  return { subtotal: subtotal / 100, shipping: shipping / 100, total: (subtotal + shipping) / 100 };
}

/** Whether a card number passes the Luhn check (the check digit every card number carries). */
export function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** `MM/YY` (spaces allowed, or `MMYY`) as `{ month, year }`, or null. */
export function parseExpiry(text) {
  const match = text.trim().match(/^(\d{1,2})\s*\/?\s*(\d{2})$/);
  if (!match) return null;
  const month = Number(match[1]);
  if (month < 1 || month > 12) return null;
  return { month, year: 2000 + Number(match[2]) };
}

/**
 * What is wrong with the form's values, as `{ field: message }` (empty when it can be
 * placed). Messages say what to do, as the shopper reads them beside the field.
 */
export function validate(values, now = new Date()) {
  const errors = {};
  const required = {
    email: 'Enter your email address',
    name: 'Enter your full name',
    address: 'Enter your street address',
    city: 'Enter your town or city',
    postal: 'Enter your postal code',
    country: 'Choose your country',
    card: 'Enter your card number',
    expiry: 'Enter the expiry date',
    cvc: 'Enter the security code',
    cardName: 'Enter the name on the card',
  };
  for (const [field, message] of Object.entries(required)) {
    if (!String(values[field] ?? '').trim()) errors[field] = message;
  }
  if (!errors.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) {
    errors.email = 'Enter an email address like name@example.com';
  }
  if (!errors.postal && !/^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/.test(values.postal.trim())) {
    errors.postal = 'Enter a postal code of letters and digits';
  }
  const digits = String(values.card ?? '').replace(/[\s-]/g, '');
  if (!errors.card && (!/^\d{12,19}$/.test(digits) || !luhnValid(digits))) {
    errors.card = 'Enter a valid card number (for this demo: 4242 4242 4242 4242)';
  }
  if (!errors.expiry) {
    const expiry = parseExpiry(values.expiry);
    if (expiry === null) errors.expiry = 'Enter the expiry date as MM/YY';
    else if (expiry.year * 12 + expiry.month < now.getFullYear() * 12 + now.getMonth() + 1) {
      errors.expiry = 'This card has expired';
    }
  }
  if (!errors.cvc && !/^\d{3,4}$/.test(values.cvc.trim())) errors.cvc = 'Enter the 3 or 4 digits on the back of the card';
  return errors;
}

/** The form's fields, in the order errors are listed. */
const FIELDS = ['email', 'name', 'address', 'postal', 'city', 'country', 'card', 'expiry', 'cvc', 'cardName'];
const input = (field) => $(`co-${field}`);

/** Order lines and totals, into a summary list and its totals. */
function renderSummary(list, totalsList, lines) {
  list.replaceChildren(
    ...lines.map(({ product, quantity }) => {
      const item = element('li', 'summary-line');
      item.dataset.productId = String(product.id);
      item.append(
        element('span', 'summary-title', `${product.title} × ${quantity}`),
        element('span', 'summary-price', money.format((cents(product.price) * quantity) / 100)),
      );
      return item;
    }),
  );
  const { subtotal, shipping, total } = totals(lines);
  const rows = [
    ['Subtotal', money.format(subtotal)],
    ['Shipping', shipping === 0 ? 'Free' : money.format(shipping)],
    ['Total', money.format(total)],
  ];
  totalsList.replaceChildren(
    ...rows.flatMap(([name, value]) => {
      const row = element('div', name === 'Total' ? 'total-row grand' : 'total-row');
      row.append(element('dt', '', name), element('dd', '', value));
      return [row];
    }),
  );
}

/** A random order number the shopper can quote: HM- and six digits. */
function orderNumber() {
  const [value] = crypto.getRandomValues(new Uint32Array(1));
  return `HM-${String(value % 1_000_000).padStart(6, '0')}`;
}

/**
 * The checkout view (#checkout-view in index.html).
 * `lines()`: the cart as `[{ product, quantity }]`. `onPlace(order)`: the order was placed
 * (`{ number, lines, totals }`): the page records it and empties the cart.
 */
export class Checkout {
  #lines;
  #onPlace;
  /** Fields the shopper has been told about: checked again as they type. */
  #flagged = new Set();
  /** The order just placed, shown until the shopper leaves the checkout. */
  #placed = null;

  constructor({ lines, onPlace }) {
    this.#lines = lines;
    this.#onPlace = onPlace;
    const form = $('checkout-form');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
    for (const field of FIELDS) {
      const control = input(field);
      const recheck = () => {
        if (!this.#flagged.has(field)) return;
        const message = validate(this.#values())[field];
        this.#showError(field, message);
        if (!message) this.#flagged.delete(field);
      };
      control.addEventListener('input', recheck);
      control.addEventListener('change', recheck);
      control.addEventListener('blur', () => {
        // Told on leaving a field once something was typed in it, not before.
        if (control.value.trim() === '') return;
        const message = validate(this.#values())[field];
        if (message) this.#flagged.add(field);
        this.#showError(field, message);
      });
    }
  }

  /** Shows the form (or the order just placed, or an empty cart's note). */
  show() {
    const lines = this.#lines();
    const placed = this.#placed !== null;
    $('order-confirmation').hidden = !placed;
    $('checkout-layout').hidden = placed || lines.length === 0;
    $('checkout-empty').hidden = placed || lines.length > 0;
    $('continue-shopping-row').hidden = !placed && lines.length > 0;
    $('checkout-title').textContent = placed ? 'Order confirmed' : 'Checkout';
    if (!placed) {
      renderSummary($('summary-lines'), $('summary-totals'), lines);
      $('place-order-total').textContent = money.format(totals(lines).total);
    }
  }

  /** Called when the shopper leaves the checkout: a placed order's confirmation is done. */
  leave() {
    if (this.#placed === null) return;
    this.#placed = null;
    $('checkout-form').reset();
    this.#flagged.clear();
    for (const field of FIELDS) this.#showError(field, undefined);
    $('checkout-errors').hidden = true;
  }

  #values() {
    return Object.fromEntries(FIELDS.map((field) => [field, input(field).value]));
  }

  #showError(field, message) {
    const control = input(field);
    const error = $(`co-${field}-error`);
    error.textContent = message ?? '';
    error.hidden = !message;
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }

  #submit() {
    const values = this.#values();
    const errors = validate(values);
    const wrong = FIELDS.filter((field) => errors[field]);
    for (const field of FIELDS) this.#showError(field, errors[field]);
    const summary = $('checkout-errors');
    if (wrong.length > 0) {
      for (const field of wrong) this.#flagged.add(field);
      $('checkout-error-list').replaceChildren(
        ...wrong.map((field) => {
          const item = element('li');
          const link = element('a', '', errors[field]);
          link.href = `#co-${field}`;
          // The hash would leave the checkout view: move focus to the field instead.
          link.addEventListener('click', (event) => {
            event.preventDefault();
            input(field).focus();
          });
          item.append(link);
          return item;
        }),
      );
      summary.hidden = false;
      summary.focus();
      return;
    }
    summary.hidden = true;
    const lines = this.#lines();
    if (lines.length === 0) return this.show();
    const order = { number: orderNumber(), lines, totals: totals(lines) };
    this.#placed = order;
    this.#onPlace(order);
    // Nothing of the card is kept once the order is placed.
    for (const field of ['card', 'expiry', 'cvc', 'cardName']) input(field).value = '';
    renderSummary($('confirmation-lines'), $('confirmation-totals'), lines);
    const firstName = values.name.trim().split(/\s+/)[0];
    $('confirmation-title').textContent = `Thank you, ${firstName}!`;
    $('confirmation-number').textContent = order.number;
    $('confirmation-email').textContent = values.email.trim();
    $('confirmation-address').textContent = [values.name, values.address, `${values.postal} ${values.city}`, input('country').selectedOptions[0]?.textContent ?? '']
      .map((part) => part.trim())
      .filter(Boolean)
      .join(', ');
    this.show();
    $('order-confirmation').focus();
    window.scrollTo(0, 0);
  }
}
