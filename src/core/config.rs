//! What a shop can tune, with documented defaults. Passed as JSON from
//! `Shelfwise.open({ config })`; unknown names are rejected so typos do not pass silently.

use serde::Deserialize;

use super::error::{Error, Result};
use super::event::{facet_name, EventKind};

pub const MINUTE_MS: f64 = 60_000.0;
pub const DAY_MS: f64 = 86_400_000.0;

/// How much one event of each type says about the shopper's taste.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct EventWeights {
    pub view: f64,
    pub click: f64,
    pub add_to_cart: f64,
    /// Negative: taking something out of the cart is evidence against it.
    pub remove_from_cart: f64,
    pub purchase: f64,
    pub wishlist: f64,
    /// A stated preference of weight 1.
    pub preference: f64,
}

impl Default for EventWeights {
    fn default() -> Self {
        EventWeights {
            view: 1.0,
            click: 1.5,
            add_to_cart: 3.0,
            remove_from_cart: -1.0,
            purchase: 5.0,
            wishlist: 2.5,
            preference: 4.0,
        }
    }
}

impl EventWeights {
    /// The weight of one event of `kind` (search and dismissals do not add taste).
    pub fn of(&self, kind: EventKind) -> f64 {
        match kind {
            EventKind::View => self.view,
            EventKind::Click => self.click,
            EventKind::AddToCart => self.add_to_cart,
            EventKind::RemoveFromCart => self.remove_from_cart,
            EventKind::Purchase => self.purchase,
            EventKind::Wishlist => self.wishlist,
            EventKind::Preference => self.preference,
            EventKind::Search | EventKind::NotInterested => 0.0,
        }
    }
}

/// Every tunable of the profile. All fields are optional in JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Long-term taste loses half its weight in this many days. Default 14.
    pub half_life_days: f64,
    /// Session intent loses half its weight in this many minutes. Default 30.
    pub session_half_life_minutes: f64,
    /// A pause longer than this starts a new visit (and a new session). Default 30.
    pub session_gap_minutes: f64,
    /// Share of session intent in the blended affinity, 0 to 1. Default 0.35.
    pub session_share: f64,
    /// Evidence older than this is forgotten. Default 90.
    pub retention_days: f64,
    pub weights: EventWeights,
    /// Values kept per facet of long-term taste (4 to 64). Default 32.
    pub max_values_per_facet: usize,
    /// Categories (and everything below them) that are never learned, e.g. `"health"`.
    pub sensitive_categories: Vec<String>,
    /// Facets that are never learned, e.g. a shop facet `"religion"`.
    pub sensitive_facets: Vec<String>,
    /// `navigator.globalPrivacyControl` denies consent unless the shopper grants it in
    /// the shop. Default true.
    pub respect_gpc: bool,
    /// The shop's IAB TCF vendor id; without it TCF consent is read as publisher consent.
    pub tcf_vendor_id: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            half_life_days: 14.0,
            session_half_life_minutes: 30.0,
            session_gap_minutes: 30.0,
            session_share: 0.35,
            retention_days: 90.0,
            weights: EventWeights::default(),
            max_values_per_facet: 32,
            sensitive_categories: Vec::new(),
            sensitive_facets: Vec::new(),
            respect_gpc: true,
            tcf_vendor_id: None,
        }
    }
}

fn positive(name: &str, value: f64, max: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 && value <= max {
        Ok(())
    } else {
        Err(Error::InvalidOptions(format!(
            "{name} must be a number above 0 and at most {}",
            max as u64
        )))
    }
}

impl Config {
    /// Parses a configuration from JSON (`null` or `{}` give the defaults) and checks it.
    pub fn from_json(json: &str) -> Result<Self> {
        let config: Option<Config> =
            serde_json::from_str(json).map_err(|e| Error::InvalidOptions(e.to_string()))?;
        let config = config.unwrap_or_default();
        config.validate()?;
        Ok(config)
    }

    /// Sets one numeric option by its JSON name (`"halfLifeDays"`, `"weights.view"`,
    /// `"respectGpc"` as 0/1, `"tcfVendorId"`...): the browser build passes options as
    /// name/number pairs instead of JSON. Unknown names are rejected.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        let w = &mut self.weights;
        let slot = match name {
            "halfLifeDays" => &mut self.half_life_days,
            "sessionHalfLifeMinutes" => &mut self.session_half_life_minutes,
            "sessionGapMinutes" => &mut self.session_gap_minutes,
            "sessionShare" => &mut self.session_share,
            "retentionDays" => &mut self.retention_days,
            "weights.view" => &mut w.view,
            "weights.click" => &mut w.click,
            "weights.addToCart" => &mut w.add_to_cart,
            "weights.removeFromCart" => &mut w.remove_from_cart,
            "weights.purchase" => &mut w.purchase,
            "weights.wishlist" => &mut w.wishlist,
            "weights.preference" => &mut w.preference,
            "maxValuesPerFacet" | "tcfVendorId"
                if value.fract() == 0.0 && (0.0..=65_535.0).contains(&value) =>
            {
                if name == "tcfVendorId" {
                    self.tcf_vendor_id = Some(value as u32);
                } else {
                    self.max_values_per_facet = value as usize;
                }
                return Ok(());
            }
            "maxValuesPerFacet" | "tcfVendorId" => {
                return Err(Error::InvalidOptions(format!(
                    "{name} must be a whole number"
                )))
            }
            "respectGpc" => {
                self.respect_gpc = value != 0.0;
                return Ok(());
            }
            _ => return Err(Error::InvalidOptions(format!("unknown option \"{name}\""))),
        };
        *slot = value;
        Ok(())
    }

    pub fn validate(&self) -> Result<()> {
        positive("halfLifeDays", self.half_life_days, 3650.0)?;
        positive(
            "sessionHalfLifeMinutes",
            self.session_half_life_minutes,
            1440.0,
        )?;
        positive("sessionGapMinutes", self.session_gap_minutes, 1440.0)?;
        positive("retentionDays", self.retention_days, 3650.0)?;
        if !(0.0..=1.0).contains(&self.session_share) {
            return Err(Error::InvalidOptions(
                "sessionShare must be from 0 to 1".into(),
            ));
        }
        if !(4..=64).contains(&self.max_values_per_facet) {
            return Err(Error::InvalidOptions(
                "maxValuesPerFacet must be 4 to 64".into(),
            ));
        }
        let w = &self.weights;
        for weight in [
            w.view,
            w.click,
            w.add_to_cart,
            w.remove_from_cart,
            w.purchase,
            w.wishlist,
            w.preference,
        ] {
            if !(weight.is_finite() && (-100.0..=100.0).contains(&weight)) {
                return Err(Error::InvalidOptions(
                    "weights must be numbers from -100 to 100".into(),
                ));
            }
        }
        for facet in &self.sensitive_facets {
            facet_name(facet).map_err(Error::InvalidOptions)?;
        }
        Ok(())
    }

    pub fn half_life_ms(&self) -> f64 {
        self.half_life_days * DAY_MS
    }

    pub fn session_half_life_ms(&self) -> f64 {
        self.session_half_life_minutes * MINUTE_MS
    }

    pub fn session_gap_ms(&self) -> f64 {
        self.session_gap_minutes * MINUTE_MS
    }

    pub fn retention_ms(&self) -> f64 {
        self.retention_days * DAY_MS
    }

    /// Whether a category path is at or below a sensitive category (case-insensitive).
    pub fn is_sensitive_category(&self, category: &str) -> bool {
        self.sensitive_categories.iter().any(|sensitive| {
            let sensitive = sensitive.trim().trim_matches('/');
            !sensitive.is_empty()
                && category.len() >= sensitive.len()
                && category[..sensitive.len()].eq_ignore_ascii_case(sensitive)
                && matches!(category.as_bytes().get(sensitive.len()), None | Some(b'/'))
        })
    }

    pub fn is_sensitive_facet(&self, facet: &str) -> bool {
        self.sensitive_facets.iter().any(|f| f == facet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let config = Config::from_json(r#"{"halfLifeDays":7,"weights":{"view":0.5}}"#).unwrap();
        assert_eq!(config.half_life_days, 7.0);
        assert_eq!(config.weights.view, 0.5);
        assert_eq!(config.weights.purchase, 5.0);
        assert_eq!(Config::from_json("null").unwrap(), Config::default());
        let mut set = Config::default();
        set.set("halfLifeDays", 7.0).unwrap();
        set.set("weights.view", 0.5).unwrap();
        assert_eq!(set, config);
        assert!(set.set("halfLifeDayz", 1.0).is_err());
        assert!(set.set("tcfVendorId", 1.5).is_err());
        for bad in [
            r#"{"halfLifeDayz":7}"#,
            r#"{"sessionShare":2}"#,
            r#"{"sensitiveFacets":["Bad Name"]}"#,
        ] {
            assert_eq!(
                Config::from_json(bad).unwrap_err().code().as_str(),
                "invalid_options",
                "{bad}"
            );
        }
    }

    #[test]
    fn sensitive_categories_cover_their_subtree_only() {
        let config = Config {
            sensitive_categories: vec!["health".into(), "adult/toys".into()],
            ..Config::default()
        };
        assert!(config.is_sensitive_category("health"));
        assert!(config.is_sensitive_category("Health/pharmacy"));
        assert!(config.is_sensitive_category("adult/toys/x"));
        assert!(!config.is_sensitive_category("healthy-snacks"));
        assert!(!config.is_sensitive_category("adult/books"));
    }
}
