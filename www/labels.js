// The shop's names for catalogue values, shared by the shop's pages and its server
// (pkg-scripts/serve.mjs renders category pages with them).

/**
 * The shop's names for the category slugs its catalogue uses where the slug alone reads
 * badly; Shelfwise shows them in the preference center and in reasons (other slugs read
 * as words: `mobile-accessories` is "Mobile accessories").
 */
export const CATEGORY_NAMES = {
  'mens-shirts': 'Men’s shirts',
  'mens-shoes': 'Men’s shoes',
  'mens-watches': 'Men’s watches',
  'womens-bags': 'Women’s bags',
  'womens-dresses': 'Women’s dresses',
  'womens-jewellery': 'Women’s jewellery',
  'womens-shoes': 'Women’s shoes',
  'womens-watches': 'Women’s watches',
  'home-decoration': 'Home decor',
  tops: 'Women’s tops',
};

/** What every page opens Shelfwise with (`labels`): the shop's names for values. */
export const LABELS = { category: CATEGORY_NAMES };
