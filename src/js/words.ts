/**
 * Every shopper-facing word Shelfwise produces: interest labels in the preference center
 * and the "why am I seeing this?" reasons. The core decides and returns codes and the
 * profile facts behind them; wording lives here so a shop can translate it
 * (`Shelfwise.open({ words })`).
 *
 * A reason names only what the shopper did or said: the interest or statement it is
 * about, never the product's own attributes (a product ranked for a brand interest is
 * not "because you viewed <its brand> <its category>").
 */
import type { ReasonCode } from './wire.js';

/** What the shop's own order is, so it is only called popular when it is. */
export type ShopOrder = 'popularity' | 'relevance' | 'newest' | 'editorial';

/** The shop's names for facet values: `{ category: { 'mobile-accessories': 'Phone accessories' } }`. */
export type Labels = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The facts a reason can be worded with; each is about the shopper, none about the product. */
export interface WhyContext {
  /** For `interest` and `stated`: the facet value from the shopper's profile, and its readable label. */
  facet?: string;
  value?: string;
  label?: string;
  /** For `interest`: how many of the shopper's actions it was learned from. */
  evidence?: number;
  /** For `shop_order`: what the shop said its order is (`shopOrder` in rank options). */
  order?: ShopOrder;
}

/**
 * Why an offer was chosen: a ranking reason (the offer promotes what the shopper likes),
 * or how its kind fits the shopper: `deal_seeker` (discounts move them), `welcome` (no
 * order yet), `loyal_customer` (repeat and loyal customers), `win_back` (at risk or
 * lapsed).
 */
export type OfferReason = ReasonCode | 'deal_seeker' | 'welcome' | 'loyal_customer' | 'win_back';

export interface Words {
  /**
   * An interest in plain words: `Shoes › Running`, `Prices 25-50 EUR`, `#vegan`,
   * `Colour: navy`. `name` is the value already readable (the shop's label, or the slug
   * made readable; category levels joined by ` › `).
   */
  interest(facet: string, name: string, currency: string | null): string;
  /** Why a ranked product is shown: "You often look at Apple". */
  why(reason: ReasonCode, context: WhyContext): string;
  /** Why an offer is shown: "Because you like a good deal". */
  offer(reason: OfferReason, context: WhyContext): string;
}

/** Actions after which an interest is "often". */
export const OFTEN = 3;

/** A slug as shoppers read it: `mobile-accessories` → `Mobile accessories`; other text unchanged. */
export function humanize(text: string): string {
  if (!/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/.test(text)) return text;
  const words = text.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A facet value as shoppers read it: the shop's label for it, or else a category slug
 * made readable and other values' separators made spaces (brands and tags as given).
 * Category paths are labelled level by level (`electronics/mobile-accessories` →
 * `Electronics › Mobile accessories`), each level by its full path or its own slug.
 */
export function readable(facet: string, value: string, labels: Labels = {}): string {
  const names = labels[facet];
  if (facet === 'category') {
    const levels = value.split('/');
    return levels.map((level, i) => names?.[levels.slice(0, i + 1).join('/')] ?? names?.[level] ?? humanize(level)).join(' › ');
  }
  const own = names?.[value];
  if (own !== undefined) return own;
  return facet === 'brand' || facet === 'tag' || facet === 'price_band' ? value : value.replace(/[-_]/g, ' ');
}

const REASONS: Partial<Record<ReasonCode, string>> = {
  pinned: 'Featured by the shop',
  promoted: 'Promoted by the shop',
  exploration: 'Something new to discover',
  viewed: 'You viewed this recently',
  returned: 'You looked at this before',
  similar: 'Similar to what you viewed',
  like_this: 'Similar to this product',
  in_cart: 'In your cart',
  bought_recently: 'You bought this recently',
  not_interested: 'You said you are not interested',
  out_of_stock: 'Out of stock',
};

const SHOP_ORDERS: Record<ShopOrder, string> = {
  popularity: 'Popular in this shop',
  relevance: 'A top match for your search',
  newest: 'New in the shop',
  editorial: 'Chosen by the shop',
};

/** English, the default. */
export const ENGLISH: Words = {
  interest(facet, name, currency) {
    switch (facet) {
      case 'category':
      case 'brand':
        return name;
      case 'price_band':
        return currency ? `Prices ${name} ${currency}` : `Prices ${name}`;
      case 'tag':
        return `#${name}`;
      default: {
        const facetName = facet.replace(/_/g, ' ');
        return `${facetName.charAt(0).toUpperCase()}${facetName.slice(1)}: ${name}`;
      }
    }
  },
  why(reason, { facet, label, evidence, order }) {
    switch (reason) {
      case 'shop_order':
        return order ? SHOP_ORDERS[order] : 'In the shop’s own order';
      case 'stated':
        return label ? `You said you like ${label}` : 'You said you like this';
      case 'interest':
        if (facet === 'price_band') return 'In the price range you look at';
        if (!label) return 'Based on what you looked at';
        return (evidence ?? 0) >= OFTEN ? `You often look at ${label}` : `Because you looked at ${label}`;
      case 'shared_interest':
        // The shop's aggregate of many shoppers, about an interest of this shopper's.
        return label ? `Shoppers who like ${label} look at this too` : 'Shoppers with your interests look at this too';
      default:
        return REASONS[reason] ?? 'Based on what you looked at';
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
