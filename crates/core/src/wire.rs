//! How values cross the wasm boundary as text: the separators and the splitting. Plain
//! Rust, so the decoding the browser relies on is tested natively and fuzzed; the
//! boundary crates only move bytes and map errors.

/// Separates the items of a list passed as one string (unit separator).
pub const ITEM: char = '\u{1f}';
/// Separates a facet's name from its value, or a command's text arguments.
pub const PAIR: char = '\u{1e}';
/// Separates the fields of a product.
pub const FIELD: char = '\u{1c}';
/// Stands for a missing field. The face rejects control characters in every value, so
/// none of these four can occur inside one.
pub const ABSENT: &str = "\u{15}";

/// The non-empty items of a list passed as one string.
pub fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(ITEM).filter(|item| !item.is_empty())
}

/// A field that may be [`ABSENT`].
pub fn optional(field: &str) -> Option<&str> {
    (field != ABSENT).then_some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_skip_empty_entries() {
        let list = ["a", "", "b"].join(&ITEM.to_string());
        assert_eq!(items(&list).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(items("").count(), 0);
    }

    #[test]
    fn absent_fields_read_as_none() {
        assert_eq!(optional(ABSENT), None);
        assert_eq!(optional(""), Some(""));
        assert_eq!(optional("x"), Some("x"));
    }
}
