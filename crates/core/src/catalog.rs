//! Products as numbers: strings are interned once at the edge, and ranking reads
//! fixed-size [`Record`]s of ids.
//!
//! A [`Catalog`] gives every product id and every facet value (a category and each of
//! its parents, a brand, a price band, a tag, a colour, a shop facet's value) a dense
//! `u32` id the first time it is seen, after validating and normalising it exactly as
//! [`ProductInput::validate`](crate::event::ProductInput::validate) does. The JS face
//! keeps the same ids in its own maps, so a product seen before crosses the boundary as
//! a handful of numbers, and only new strings ever cross as text.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use crate::event::{
    category_path, label, valid_facet_name, Product, DERIVED_FACETS, FACET_NAME_RULE, MAX_PRICE,
    MAX_PRODUCT_FACETS,
};
use crate::profile::{price_band_index, BRAND, CATEGORY, PRICE_BAND, PRICE_BAND_LABELS};

/// An interned product id or facet value.
pub type Id = u32;
/// No value (a product without a brand, say).
pub const NONE: Id = u32::MAX;

/// Facet numbers the core knows by heart; the shop's facets follow from [`FIRST_SHOP_FACET`].
pub const CATEGORY_FACET: u32 = 0;
pub const BRAND_FACET: u32 = 1;
pub const PRICE_BAND_FACET: u32 = 2;
pub const FIRST_SHOP_FACET: u32 = 3;

/// Fast, non-cryptographic hashing: keys are the shop's own labels, and a page that
/// wanted to slow its own ranking down has easier ways.
type Map<V> = HashMap<Box<str>, V, FxBuildHasher>;

/// One facet value: which facet, its text, and (for a category) its parent's id.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub facet: u32,
    pub text: Box<str>,
    pub parent: Id,
}

/// Every product id and facet value seen so far, by id.
#[derive(Debug, Clone)]
pub struct Catalog {
    facet_names: Vec<Box<str>>,
    facet_ids: Map<u32>,
    /// Per facet number, its values' ids by text.
    lookup: Vec<Map<Id>>,
    values: Vec<Value>,
    product_ids: Map<Id>,
    products: Vec<Box<str>>,
    /// The price bands' value ids, by band.
    bands: Vec<Id>,
}

impl Default for Catalog {
    fn default() -> Self {
        let mut catalog = Catalog {
            facet_names: Vec::new(),
            facet_ids: Map::default(),
            lookup: Vec::new(),
            values: Vec::new(),
            product_ids: Map::default(),
            products: Vec::new(),
            bands: Vec::new(),
        };
        for name in [CATEGORY, BRAND, PRICE_BAND] {
            catalog.facet(name);
        }
        for band in PRICE_BAND_LABELS {
            let id = catalog.insert(PRICE_BAND_FACET, band, NONE);
            catalog.bands.push(id);
        }
        catalog
    }
}

/// Products a catalog holds at most, and facet values (its error messages spell them out).
pub const MAX_PRODUCTS: usize = 1_000_000;
pub const MAX_VALUES: usize = 1_000_000;

impl Catalog {
    fn facet(&mut self, name: &str) -> u32 {
        if let Some(id) = self.facet_ids.get(name) {
            return *id;
        }
        let id = self.facet_names.len() as u32;
        self.facet_names.push(name.into());
        self.facet_ids.insert(name.into(), id);
        self.lookup.push(Map::default());
        id
    }

    fn insert(&mut self, facet: u32, text: &str, parent: Id) -> Id {
        if let Some(id) = self.lookup[facet as usize].get(text) {
            return *id;
        }
        let id = self.values.len() as Id;
        self.values.push(Value {
            facet,
            text: text.into(),
            parent,
        });
        self.lookup[facet as usize].insert(text.into(), id);
        id
    }

    /// The id of a product id as the shop wrote it (trimmed; 1 to 128 bytes).
    pub fn intern_product(&mut self, id: &str) -> Result<Id, String> {
        let id = label("id", Some(id.to_owned()))?.ok_or("id must not be empty")?;
        if self.products.len() >= MAX_PRODUCTS && self.find_product(&id).is_none() {
            return Err("at most 1000000 distinct products can be ranked".into());
        }
        Ok(self.insert_product(&id))
    }

    fn insert_product(&mut self, id: &str) -> Id {
        if let Some(known) = self.product_ids.get(id) {
            return *known;
        }
        let known = self.products.len() as Id;
        self.product_ids.insert(id.into(), known);
        self.products.push(id.into());
        known
    }

    /// A category path's id, its parents inserted first (each the next one's parent).
    fn insert_category(&mut self, path: &str) -> Id {
        let mut parent = NONE;
        let ends = path.bytes().enumerate().filter(|(_, b)| *b == b'/');
        for end in ends.map(|(i, _)| i).chain([path.len()]) {
            parent = self.insert(CATEGORY_FACET, &path[..end], parent);
        }
        parent
    }

    /// The id of a product's category (its `category` field) as the shop wrote it, with
    /// its parents interned too; [`NONE`] for a blank one.
    pub fn intern_category(&mut self, value: &str) -> Result<Id, String> {
        self.room()?;
        let Some(path) = label("category", Some(value.to_owned()))? else {
            return Ok(NONE);
        };
        Ok(self.insert_category(&category_path(&path)?))
    }

    /// The id of a product's brand (its `brand` field); [`NONE`] for a blank one.
    pub fn intern_brand(&mut self, value: &str) -> Result<Id, String> {
        self.room()?;
        Ok(match label("brand", Some(value.to_owned()))? {
            Some(brand) => self.insert(BRAND_FACET, &brand, NONE),
            None => NONE,
        })
    }

    /// The id of a tag (facet `tag`), variant attribute or shop facet's value as the shop
    /// wrote it: the facet name is checked as products' are (`color` is `colour`; never
    /// `category`, `brand` or `price_band`, which a product's own fields give). [`NONE`]
    /// for a blank value, which a product simply does not have.
    pub fn intern_facet(&mut self, facet: &str, value: &str) -> Result<Id, String> {
        self.room()?;
        // The common spelling of one variant attribute.
        let name = if facet == "color" { "colour" } else { facet };
        if !valid_facet_name(name) || DERIVED_FACETS.contains(&name) {
            return Err([
                "facet name \"",
                name,
                "\" must be ",
                FACET_NAME_RULE,
                ", and not category, brand or price_band",
            ]
            .concat());
        }
        Ok(match label("facet value", Some(value.to_owned()))? {
            Some(value) => {
                let facet = self.facet(name);
                self.insert(facet, &value, NONE)
            }
            None => NONE,
        })
    }

    fn room(&self) -> Result<(), String> {
        match self.values.len() + MAX_PRODUCT_FACETS >= MAX_VALUES {
            true => Err("at most 1000000 distinct facet values can be ranked".into()),
            false => Ok(()),
        }
    }

    /// The id of a facet value already seen, by the profile's spelling.
    pub fn find(&self, facet: &str, value: &str) -> Option<Id> {
        let facet = self.facet_ids.get(facet)?;
        self.lookup[*facet as usize].get(value).copied()
    }

    /// A facet's number, if any value of it was seen.
    pub fn find_facet(&self, facet: &str) -> Option<u32> {
        self.facet_ids.get(facet).copied()
    }

    /// The id of a product id already seen.
    pub fn find_product(&self, id: &str) -> Option<Id> {
        self.product_ids.get(id).copied()
    }

    pub fn value(&self, id: Id) -> Option<&Value> {
        self.values.get(id as usize)
    }

    /// A value's facet name and text.
    pub fn describe(&self, id: Id) -> Option<(&str, &str)> {
        let value = self.value(id)?;
        Some((&self.facet_names[value.facet as usize], &value.text))
    }

    pub fn product_id(&self, id: Id) -> Option<&str> {
        self.products.get(id as usize).map(|p| &**p)
    }

    pub fn values_len(&self) -> usize {
        self.values.len()
    }

    /// The price band value of a price.
    pub fn band(&self, price: f64) -> Id {
        self.bands[price_band_index(price)]
    }

    /// A category's parent, or [`NONE`].
    pub fn parent(&self, id: Id) -> Id {
        self.value(id).map_or(NONE, |v| v.parent)
    }

    /// Interns a [`Product`] as it is, already validated (the Rust API, the offline
    /// replay and homepage slots rank products): its strings are the profile's own.
    pub fn record(&mut self, product: &Product, extras: &mut Vec<Id>) -> Record {
        let category = match product.category.as_deref() {
            Some(path) => self.insert_category(path),
            None => NONE,
        };
        let brand = match product.brand.as_deref() {
            Some(brand) => self.insert(BRAND_FACET, brand, NONE),
            None => NONE,
        };
        let start = extras.len();
        for (facet, value) in &product.facets {
            let facet = self.facet(facet);
            let id = self.insert(facet, value, NONE);
            if !extras[start..].contains(&id) {
                extras.push(id);
            }
        }
        Record {
            key: self.insert_product(&product.id),
            category,
            brand,
            price: product.price.unwrap_or(f64::NAN),
            extras: (start as u32, (extras.len() - start) as u32),
        }
    }

    /// The [`Product`] a record stands for (what `track()` learns from).
    pub fn product(&self, record: &Record, extras: &[Id]) -> Product {
        let text = |id: Id| self.value(id).map(|v| v.text.to_string());
        Product {
            id: self.product_id(record.key).unwrap_or_default().to_owned(),
            category: text(record.category),
            brand: text(record.brand),
            price: record.price(),
            currency: None,
            facets: record
                .extras(extras)
                .iter()
                .filter_map(|id| self.describe(*id))
                .map(|(facet, value)| (facet.to_owned(), value.to_owned()))
                .collect(),
        }
    }
}

/// One product as ranking sees it: ids and a price, a fixed size, so a list of them is
/// one flat table. Tags and facet values are a range of a shared `extras` list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub key: Id,
    pub category: Id,
    pub brand: Id,
    /// NaN: no price.
    pub price: f64,
    /// Start and length in the extras list.
    pub extras: (u32, u32),
}

impl Record {
    pub fn price(&self) -> Option<f64> {
        Some(self.price).filter(|p| !p.is_nan())
    }

    pub fn extras<'a>(&self, extras: &'a [Id]) -> &'a [Id] {
        let (start, len) = (self.extras.0 as usize, self.extras.1 as usize);
        extras.get(start..start + len).unwrap_or(&[])
    }

    /// A product whose data could not be read: no key, no values, no price. It ranks in
    /// the shop's order with no personal signal.
    pub const UNREAD: Record = Record {
        key: NONE,
        category: NONE,
        brand: NONE,
        price: f64::NAN,
        extras: (0, 0),
    };

    /// Checks what a catalog cannot: the price, and that every id is one it gave (a
    /// product may have no key: see [`Record::UNREAD`]).
    pub fn validate(&self, catalog: &Catalog, extras: &[Id]) -> Result<(), String> {
        let value = |id: Id| id == NONE || (id as usize) < catalog.values_len();
        if (self.key != NONE && catalog.product_id(self.key).is_none())
            || !value(self.category)
            || !value(self.brand)
            || !self.extras(extras).iter().all(|id| value(*id))
        {
            return Err("refers to a product or value that was never interned".into());
        }
        let (start, len) = (self.extras.0 as usize, self.extras.1 as usize);
        if start + len > extras.len() {
            return Err("its tags and facets are out of range".into());
        }
        if len > MAX_PRODUCT_FACETS {
            return Err("a product carries more than 32 tags and facet values".into());
        }
        match self.price() {
            Some(p) if !(p.is_finite() && (0.0..=MAX_PRICE).contains(&p)) => {
                Err("price must be a finite number from 0 to 1000000000".into())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_intern_with_their_parents() {
        let mut catalog = Catalog::default();
        let running = catalog.intern_category(" Shoes / Running ").unwrap();
        let shoes = catalog.find("category", "Shoes").unwrap();
        assert_eq!(
            catalog.describe(running),
            Some(("category", "Shoes/Running"))
        );
        assert_eq!(catalog.parent(running), shoes);
        assert_eq!(catalog.parent(shoes), NONE);
        assert_eq!(catalog.intern_category("Shoes/Running").unwrap(), running);
    }

    #[test]
    fn values_are_validated_as_products_are() {
        let mut catalog = Catalog::default();
        assert_eq!(catalog.intern_facet("tag", "  ").unwrap(), NONE);
        let red = catalog.intern_facet("color", "red").unwrap();
        assert_eq!(catalog.describe(red), Some(("colour", "red")));
        assert!(catalog.intern_brand("a\u{7}").is_err());
        assert!(
            catalog.intern_facet("brand", "x").is_err(),
            "a facet named brand"
        );
        assert!(catalog.intern_facet("price_band", "x").is_err());
        assert!(catalog.intern_facet("Bad Name", "x").is_err());
        assert!(catalog.intern_product("").is_err());
        assert!(catalog.intern_category("a/b/c/d/e").is_err());
    }

    #[test]
    fn a_record_round_trips_to_its_product() {
        let mut catalog = Catalog::default();
        let product = Product {
            id: "42".into(),
            category: Some("shoes/trail".into()),
            brand: Some("Acme".into()),
            price: Some(89.0),
            currency: None,
            facets: vec![
                ("tag".into(), "new".into()),
                ("colour".into(), "red".into()),
            ],
        };
        let mut extras = Vec::new();
        let record = catalog.record(&product, &mut extras);
        assert!(record.validate(&catalog, &extras).is_ok());
        assert_eq!(catalog.product(&record, &extras), product);
        let forged = Record { key: 7, ..record };
        assert!(forged.validate(&catalog, &extras).is_err());
    }
}
