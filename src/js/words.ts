/**
 * Every shopper-facing word Shelfwise produces: interest labels in the preference center
 * and the "why am I seeing this?" reasons. The core decides and returns codes and values;
 * wording lives here so a shop can translate it (`Shelfwise.open({ words })`).
 */
import type { ReasonCode } from './wire.js';

/** What a reason can be worded with: the product's category and brand, and the facet value it is about. */
export interface WhyContext {
  /** The product's category path (`shoes/running`) and brand, when it has them. */
  category?: string;
  brand?: string;
  /** For `interest` and `stated`: the facet value the reason is about, and its label. */
  facet?: string;
  value?: string;
  label?: string;
}

/**
 * Why an offer was chosen: a ranking reason (the offer promotes what the shopper likes),
 * or how its kind fits the shopper: `deal_seeker` (discounts move them), `welcome` (no
 * order yet), `loyal_customer` (repeat and loyal customers), `win_back` (at risk or
 * lapsed).
 */
export type OfferReason = ReasonCode | 'deal_seeker' | 'welcome' | 'loyal_customer' | 'win_back';

export interface Words {
  /** An interest in plain words: `shoes › running`, `Prices 25-50 EUR`, `#vegan`, `Colour: navy`. */
  interest(facet: string, value: string, currency: string | null): string;
  /** Why a ranked product is shown: "Because you viewed apple smartphone". */
  why(reason: ReasonCode, context: WhyContext): string;
  /** Why an offer is shown: "Because you like a good deal". */
  offer(reason: OfferReason, context: WhyContext): string;
}

/** The most specific level of a category path, as shoppers name it. */
function leaf(category: string | undefined): string | undefined {
  return category?.split('/').pop();
}

const REASONS: Partial<Record<ReasonCode, string>> = {
  pinned: 'Featured by the shop',
  promoted: 'Promoted by the shop',
  exploration: 'Something new to discover',
  viewed: 'You viewed this recently',
  similar: 'Similar to what you viewed',
  like_this: 'Similar to this product',
  in_cart: 'In your cart',
  bought_recently: 'You bought this recently',
  not_interested: 'You said you are not interested',
  out_of_stock: 'Out of stock',
};

/** English, the default. */
export const ENGLISH: Words = {
  interest(facet, value, currency) {
    switch (facet) {
      case 'category':
        return value.split('/').join(' › ');
      case 'brand':
        return value;
      case 'price_band':
        return currency ? `Prices ${value} ${currency}` : `Prices ${value}`;
      case 'tag':
        return `#${value}`;
      default: {
        const name = facet.replace(/_/g, ' ');
        return `${name.charAt(0).toUpperCase()}${name.slice(1)}: ${value}`;
      }
    }
  },
  why(reason, { category, brand, facet, label }) {
    const where = leaf(category);
    switch (reason) {
      case 'shop_order':
        return where ? `Popular in ${where}` : 'Popular in this shop';
      case 'stated':
        return label ? `You said you like ${label}` : 'You said you like this';
      case 'interest':
        if (facet === 'brand' && brand) return where ? `Because you viewed ${brand} ${where}` : `Because you like ${brand}`;
        if (facet === 'price_band') return 'In your usual price range';
        if (facet === 'category' && where) return `Because you viewed ${where}`;
        return label ? `Because you like ${label}` : 'Picked for you';
      default:
        return REASONS[reason] ?? 'Picked for you';
    }
  },
  offer(reason, context) {
    switch (reason) {
      case 'deal_seeker':
        return 'Because you like a good deal';
      case 'welcome':
        return 'A welcome offer for your first order';
      case 'loyal_customer':
        return 'Thank you for shopping with us again';
      case 'win_back':
        return 'We have missed you';
      case 'shop_order':
        return 'Offer of the moment';
      default:
        return this.why(reason, context);
    }
  },
};
