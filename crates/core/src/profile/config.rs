//! The shop's learning parameters.

use super::*;

/// Learning parameters, set by the shop (`Shelfwise.open({ config })`). Defaults are
/// documented in the README.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileConfig {
    /// Time for an affinity to lose half its weight. Default: 14 days.
    pub half_life_ms: f64,
    /// Weight of one event of each type. Defaults: view 1, click 1.5, add to cart 3,
    /// remove from cart -1 (evidence against), purchase 5, wishlist 2.5.
    pub view_weight: f64,
    pub click_weight: f64,
    pub add_to_cart_weight: f64,
    pub remove_from_cart_weight: f64,
    pub purchase_weight: f64,
    pub wishlist_weight: f64,
    /// Values kept per facet; the weakest is forgotten beyond this. Default 32.
    pub max_values_per_facet: usize,
    /// Evidence older than this is forgotten. Default: 90 days.
    pub retention_ms: f64,
    /// A pause longer than this starts a new visit. Default: 30 minutes.
    pub session_gap_ms: f64,
    /// Categories never learned, with everything below them (e.g. `"health"`).
    pub sensitive_categories: Vec<String>,
    /// Facets never learned (`"religion"`) and facet values whose products are never
    /// learned from (`"tag:pregnancy"`, `"brand:Acme Pharma"`, `"category:health"`).
    pub sensitive_facets: Vec<String>,
    /// Lifecycle segment thresholds ([`super::insights::Segment`]): visits that make a
    /// shopper returning (default 2), orders that make a customer loyal (default 4), and
    /// days since the last order that put a customer at risk (60) or lapsed (180).
    pub returning_visits: u64,
    pub loyal_orders: u64,
    pub at_risk_days: f64,
    pub lapsed_days: f64,
    /// The modules measurement counts for; empty while the `measurement` purpose is not
    /// granted (the engine keeps this in step with consent).
    pub measured_modules: Vec<String>,
    /// The ranking model's weights (`Shelfwise.open({ model })`; default: the fit over
    /// every dev log, [`crate::rank::DEFAULT_WEIGHTS`]).
    pub model: crate::rank::Model,
    /// The shop's private priors (`Shelfwise.open({ priors })`): per sketch bucket of a
    /// pair of facet values, `ln(1 + count / k)` (see [`crate::federated::Priors`]).
    pub priors: Option<std::rc::Rc<[f32]>>,
}

/// The options of `Shelfwise.open({ config })`: name, range, and the range as text
/// (formatting floats would add kilobytes to the module). Whole-number options are
/// truncated. The browser passes which are given as one bit set in a double: 52 at most.
pub const CONFIG_OPTIONS: [(&str, f64, f64, &str); 33] = [
    ("halfLifeDays", 0.01, 3650.0, "0.01 to 3650"),
    ("retentionDays", 1.0, 3650.0, "1 to 3650"),
    ("sessionGapMinutes", 1.0, 1440.0, "1 to 1440"),
    ("maxValuesPerFacet", 4.0, 64.0, "4 to 64"),
    ("weights.view", -100.0, 100.0, "-100 to 100"),
    ("weights.click", -100.0, 100.0, "-100 to 100"),
    ("weights.addToCart", -100.0, 100.0, "-100 to 100"),
    ("weights.removeFromCart", -100.0, 100.0, "-100 to 100"),
    ("weights.purchase", -100.0, 100.0, "-100 to 100"),
    ("weights.wishlist", -100.0, 100.0, "-100 to 100"),
    ("segments.returningVisits", 2.0, 1000.0, "2 to 1000"),
    ("segments.loyalOrders", 2.0, 1000.0, "2 to 1000"),
    ("segments.atRiskDays", 1.0, 3650.0, "1 to 3650"),
    ("segments.lapsedDays", 1.0, 3650.0, "1 to 3650"),
    // The model's weights, in `WEIGHT_NAMES` order (a test checks they match).
    ("model.base", -100.0, 100.0, "-100 to 100"),
    ("model.category", -100.0, 100.0, "-100 to 100"),
    ("model.brand", -100.0, 100.0, "-100 to 100"),
    ("model.priceBand", -100.0, 100.0, "-100 to 100"),
    ("model.otherFacets", -100.0, 100.0, "-100 to 100"),
    ("model.stated", -100.0, 100.0, "-100 to 100"),
    ("model.similar", -100.0, 100.0, "-100 to 100"),
    ("model.prior", -100.0, 100.0, "-100 to 100"),
    ("model.returned", -100.0, 100.0, "-100 to 100"),
    ("model.returnedLast", -100.0, 100.0, "-100 to 100"),
    ("model.interactions", -100.0, 100.0, "-100 to 100"),
    ("model.viewed", -100.0, 100.0, "-100 to 100"),
    ("model.inCart", -100.0, 100.0, "-100 to 100"),
    ("model.gateBias", -100.0, 100.0, "-100 to 100"),
    ("model.gateReturnRate", -100.0, 100.0, "-100 to 100"),
    ("model.gateActivity", -100.0, 100.0, "-100 to 100"),
    ("model.gateLastRepeat", -100.0, 100.0, "-100 to 100"),
    ("model.gateReturnedInList", -100.0, 100.0, "-100 to 100"),
    ("model.gateExploredInList", -100.0, 100.0, "-100 to 100"),
];

/// Where the model's weights start in [`CONFIG_OPTIONS`].
pub const MODEL_OPTIONS_START: usize = 14;

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            half_life_ms: 14.0 * DAY_MS,
            view_weight: 1.0,
            click_weight: 1.5,
            add_to_cart_weight: 3.0,
            remove_from_cart_weight: -1.0,
            purchase_weight: 5.0,
            wishlist_weight: 2.5,
            max_values_per_facet: 32,
            retention_ms: 90.0 * DAY_MS,
            session_gap_ms: 30.0 * 60_000.0,
            sensitive_categories: Vec::new(),
            sensitive_facets: Vec::new(),
            returning_visits: 2,
            loyal_orders: 4,
            at_risk_days: 60.0,
            lapsed_days: 180.0,
            measured_modules: Vec::new(),
            model: crate::rank::Model::default(),
            priors: None,
        }
    }
}

impl ProfileConfig {
    pub fn weight(&self, kind: EventKind) -> f64 {
        match kind {
            EventKind::View => self.view_weight,
            EventKind::Click => self.click_weight,
            EventKind::AddToCart => self.add_to_cart_weight,
            EventKind::RemoveFromCart => self.remove_from_cart_weight,
            EventKind::Purchase => self.purchase_weight,
            EventKind::Wishlist => self.wishlist_weight,
            EventKind::Impression => 0.0,
        }
    }

    /// Sets one option by its name in `Shelfwise.open({ config })` (`"halfLifeDays"`,
    /// `"weights.addToCart"`...). Unknown names and values out of range are rejected.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        match CONFIG_OPTIONS.iter().position(|option| option.0 == name) {
            Some(index) => self.set_index(index, value),
            None => Err(Error::InvalidOptions(
                ["unknown config option \"", name, "\""].concat(),
            )),
        }
    }

    /// The configuration the browser passes: a bit set of the options given, then one
    /// value per option of [`CONFIG_OPTIONS`] (the sensitive lists are set apart).
    pub fn from_numbers(numbers: &[f64]) -> Result<ProfileConfig> {
        let mut config = ProfileConfig::default();
        let given = numbers.first().copied().unwrap_or(0.0) as u64;
        for (index, value) in numbers.iter().skip(1).enumerate().take(52) {
            if given & 1 << index != 0 {
                config.set_index(index, *value)?;
            }
        }
        Ok(config)
    }

    /// Sets the option at `index` of [`CONFIG_OPTIONS`] (the browser passes options by
    /// index); a value out of range is rejected.
    pub fn set_index(&mut self, index: usize, value: f64) -> Result<()> {
        let Some((name, min, max, range)) = CONFIG_OPTIONS.get(index) else {
            return Err(Error::InvalidOptions("unknown config option".into()));
        };
        if !(value.is_finite() && (*min..=*max).contains(&value)) {
            return Err(Error::InvalidOptions(
                ["config ", name, " must be a number from ", range].concat(),
            ));
        }
        let days = value * DAY_MS;
        match index {
            0 => self.half_life_ms = days,
            1 => self.retention_ms = days,
            2 => self.session_gap_ms = value * 60_000.0,
            3 => self.max_values_per_facet = value as usize,
            4 => self.view_weight = value,
            5 => self.click_weight = value,
            6 => self.add_to_cart_weight = value,
            7 => self.remove_from_cart_weight = value,
            8 => self.purchase_weight = value,
            9 => self.wishlist_weight = value,
            10 => self.returning_visits = value as u64,
            11 => self.loyal_orders = value as u64,
            12 => self.at_risk_days = value,
            13 => self.lapsed_days = value,
            model => self.model.weights[model - MODEL_OPTIONS_START] = value,
        }
        Ok(())
    }

    /// Whether a category path is at or below a sensitive category (any case).
    pub fn is_sensitive(&self, category: &str) -> bool {
        self.sensitive_categories.iter().any(|sensitive| {
            let sensitive = sensitive.trim().trim_matches('/');
            !sensitive.is_empty()
                && category.len() >= sensitive.len()
                && category.is_char_boundary(sensitive.len())
                && category[..sensitive.len()].eq_ignore_ascii_case(sensitive)
                && matches!(category.as_bytes().get(sensitive.len()), None | Some(b'/'))
        })
    }

    /// Whether nothing may be learned from a product: it is in a sensitive category or
    /// carries a sensitive facet value (category entries cover everything below them).
    /// `values` are the product's [`facet_values`].
    pub fn excludes(&self, product: &Product, values: &[(&str, &str, f64)]) -> bool {
        product
            .category
            .as_deref()
            .is_some_and(|c| self.is_sensitive(c))
            || values.iter().any(|(facet, value, _)| {
                self.sensitive_facets.iter().any(|entry| {
                    entry.split_once(':').is_some_and(|(f, v)| {
                        f.trim() == *facet && v.trim().eq_ignore_ascii_case(value)
                    })
                })
            })
    }

    /// Whether a facet may be learned at all.
    pub fn learns(&self, facet: &str) -> bool {
        !self
            .sensitive_facets
            .iter()
            .any(|entry| entry.trim() == facet)
    }
}
