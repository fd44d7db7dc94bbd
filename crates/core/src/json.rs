//! JSON output for the browser: the shopper's summary, the export document, consent
//! state and warnings. Writing only; Shelfwise never parses JSON in the browser.
//!
//! Why not serde_json: its serializer, instantiated for each of these types, and its
//! float formatting cost about 2 KB of gzipped wasm more than this (measured on the
//! same build), paid by every shopper. Objects here go through one non-generic function.
//!
//! Numbers: whole numbers below 2^53 are written exactly (times, counts); others with
//! at most six decimals, which is more than any score or amount shown needs (exports
//! carry the exact profile in their binary payload). Non-finite numbers become `null`.

/// A value with a JSON form.
pub trait ToJson {
    fn to_json(&self, out: &mut String);
}

/// The JSON text of `value`.
pub fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.to_json(&mut out);
    out
}

/// Writes `{"name":value,...}`.
pub fn object(out: &mut String, fields: &[(&str, &dyn ToJson)]) {
    out.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        name.to_json(out);
        out.push(':');
        value.to_json(out);
    }
    out.push('}');
}

/// Writes `[item,...]`.
fn array<'a>(out: &mut String, items: impl Iterator<Item = &'a dyn ToJson>) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        item.to_json(out);
    }
    out.push(']');
}

impl ToJson for str {
    fn to_json(&self, out: &mut String) {
        out.push('"');
        for c in self.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if u32::from(c) < 0x20 => {
                    out.push_str("\\u00");
                    for shift in [4, 0] {
                        let digit = (u32::from(c) >> shift) & 0xf;
                        out.push(char::from_digit(digit, 16).unwrap_or('0'));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

impl ToJson for String {
    fn to_json(&self, out: &mut String) {
        self.as_str().to_json(out);
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self, out: &mut String) {
        (**self).to_json(out);
    }
}

/// Writes the decimal digits of `n`.
fn digits(out: &mut String, n: u64) {
    push_digits(out, n, 10, 1);
}

/// Writes `n` in `radix` (10 or 16, lower case), zero-padded to `width` digits. The
/// module formats its few numbers with this instead of `format!`, whose machinery
/// costs every shopper about a kilobyte.
pub fn push_digits(out: &mut String, mut n: u64, radix: u64, width: usize) {
    let mut buffer = [b'0'; 20];
    let mut start = buffer.len();
    while n > 0 || start == buffer.len() {
        start -= 1;
        buffer[start] = b"0123456789abcdef"[(n % radix) as usize];
        n /= radix;
    }
    start = start.min(buffer.len() - width.min(buffer.len()));
    for byte in &buffer[start..] {
        out.push(char::from(*byte));
    }
}

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    let mut out = String::new();
    digits(&mut out, n);
    out
}

/// `n` as 16 lower-case hex digits.
pub fn hex16(n: u64) -> String {
    let mut out = String::new();
    push_digits(&mut out, n, 16, 16);
    out
}

/// Largest magnitude written with decimals; above it only whole numbers are meaningful.
const DECIMALS_BELOW: f64 = 1e12;

impl ToJson for f64 {
    fn to_json(&self, out: &mut String) {
        let x = *self;
        if !x.is_finite() {
            out.push_str("null");
            return;
        }
        if x < 0.0 {
            out.push('-');
        }
        let x = x.abs();
        if x.fract() == 0.0 || x >= DECIMALS_BELOW {
            digits(out, x.round() as u64);
            return;
        }
        let micros = (x * 1e6).round() as u64;
        digits(out, micros / 1_000_000);
        let mut fraction = micros % 1_000_000;
        if fraction > 0 {
            out.push('.');
            let mut places = 6;
            while fraction % 10 == 0 {
                fraction /= 10;
                places -= 1;
            }
            // Leading zeros of the fraction (0.05 has one).
            push_digits(out, fraction, 10, places);
        }
    }
}

impl ToJson for u64 {
    fn to_json(&self, out: &mut String) {
        digits(out, *self);
    }
}

impl ToJson for u32 {
    fn to_json(&self, out: &mut String) {
        digits(out, u64::from(*self));
    }
}

impl ToJson for bool {
    fn to_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self, out: &mut String) {
        match self {
            Some(value) => value.to_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self, out: &mut String) {
        array(out, self.iter().map(|item| item as &dyn ToJson));
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self, out: &mut String) {
        self.as_slice().to_json(out);
    }
}

impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn to_json(&self, out: &mut String) {
        array(out, [&self.0 as &dyn ToJson, &self.1].into_iter());
    }
}

impl<A: ToJson, B: ToJson, C: ToJson> ToJson for (A, B, C) {
    fn to_json(&self, out: &mut String) {
        array(out, [&self.0 as &dyn ToJson, &self.1, &self.2].into_iter());
    }
}

/// Implements [`ToJson`] for a struct as an object of the named fields.
macro_rules! json_fields {
    ($type:ty { $($name:literal: $field:ident),+ $(,)? }) => {
        impl $crate::json::ToJson for $type {
            fn to_json(&self, out: &mut String) {
                $crate::json::object(out, &[$(($name, &self.$field),)+]);
            }
        }
    };
}

pub(crate) use json_fields;

/// A data shape that crosses to JavaScript as JSON, declared once by [`shape!`]: its
/// TypeScript interface comes from the same declaration as its Rust fields and JSON.
pub trait Shape {
    /// The TypeScript interface's name.
    const NAME: &'static str;
    /// The interface's doc comment lines.
    const DOC: &'static [&'static str];
    /// `(JSON name, TypeScript type, doc comment lines)` per field, in order.
    const FIELDS: &'static [(&'static str, &'static str, &'static [&'static str])];

    /// The TypeScript interface, as `src/js/shapes.ts` holds it.
    fn typescript() -> String {
        let comment = |indent: &str, lines: &[&str]| {
            let text: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
            match text.join(" ") {
                joined if joined.is_empty() => String::new(),
                joined => [indent, "/** ", &joined, " */\n"].concat(),
            }
        };
        let mut out = comment("", Self::DOC);
        out.push_str("export interface ");
        out.push_str(Self::NAME);
        out.push_str(" {\n");
        for (json, ts, doc) in Self::FIELDS {
            out.push_str(&comment("  ", doc));
            out.push_str(&["  ", json, ": ", ts, ";\n"].concat());
        }
        out.push_str("}\n");
        out
    }
}

/// Declares a struct that crosses to JavaScript once: each field with its JSON name and
/// TypeScript type. Generates the struct, its [`ToJson`] and its [`Shape`], so a field
/// cannot be in one and missing from another. `, stored` adds a
/// [`Codec`](crate::codec::Codec) over the same fields, in order.
macro_rules! shape {
    (
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),* $(,)?)]
        pub struct $name:ident as $ts_name:literal, stored {
            $(
                $(#[doc = $fdoc:literal])*
                pub $field:ident: $ty:ty => $json:literal: $ts:literal,
            )+
        }
    ) => {
        $crate::json::shape! {
            $(#[doc = $doc])*
            #[derive($($derive),*)]
            pub struct $name as $ts_name {
                $($(#[doc = $fdoc])* pub $field: $ty => $json: $ts,)+
            }
        }
        $crate::codec::codec_fields!($name { $($field),+ });
    };
    (
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),* $(,)?)]
        pub struct $name:ident as $ts_name:literal {
            $(
                $(#[doc = $fdoc:literal])*
                pub $field:ident: $ty:ty => $json:literal: $ts:literal,
            )+
        }
    ) => {
        $(#[doc = $doc])*
        #[derive($($derive),*)]
        pub struct $name {
            $($(#[doc = $fdoc])* pub $field: $ty,)+
        }

        impl $crate::json::ToJson for $name {
            fn to_json(&self, out: &mut String) {
                $crate::json::object(out, &[$(($json, &self.$field),)+]);
            }
        }

        impl $crate::json::Shape for $name {
            const NAME: &'static str = $ts_name;
            const DOC: &'static [&'static str] = &[$($doc),*];
            const FIELDS: &'static [(&'static str, &'static str, &'static [&'static str])] =
                &[$(($json, $ts, &[$($fdoc),*])),+];
        }
    };
}

pub(crate) use shape;

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json (the reference) reads back from our text.
    fn parsed<T: ToJson + ?Sized>(value: &T) -> serde_json::Value {
        serde_json::from_str(&to_string(value)).expect("valid JSON")
    }

    #[test]
    fn digits_are_padded_to_their_width() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(u64::MAX), "18446744073709551615");
        assert_eq!(hex16(0), "0000000000000000");
        assert_eq!(hex16(0xcbf2_9ce4_8422_2325), "cbf29ce484222325");
        let mut out = String::new();
        push_digits(&mut out, 7, 10, 3);
        assert_eq!(out, "007");
    }

    #[test]
    fn numbers_are_exact_when_whole_and_six_decimals_otherwise() {
        for (x, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (42.0, "42"),
            (1_763_712_000_123.0, "1763712000123"),
            (0.5, "0.5"),
            (0.05, "0.05"),
            (0.000_001, "0.000001"),
            (0.000_000_4, "0"),
            (-2.25, "-2.25"),
            (1.0 / 3.0, "0.333333"),
            (12.345_678_9, "12.345679"),
            (2e15 + 0.25, "2000000000000000"),
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
        ] {
            assert_eq!(to_string(&x), text, "{x}");
        }
    }

    #[test]
    fn strings_escape_what_json_requires() {
        let text = "a\"b\\c\nd\u{1}é›";
        assert_eq!(parsed(text), serde_json::Value::String(text.into()));
        assert_eq!(to_string("\u{1f}"), "\"\\u001f\"");
    }

    struct Sample {
        name: String,
        score: f64,
        tags: Vec<(String, u32)>,
        missing: Option<bool>,
    }

    json_fields!(Sample {
        "name": name,
        "score": score,
        "tags": tags,
        "missing": missing,
    });

    #[test]
    fn objects_and_arrays_are_valid_json() {
        let sample = Sample {
            name: "x".into(),
            score: 0.25,
            tags: vec![("a".into(), 1), ("b".into(), 2)],
            missing: None,
        };
        assert_eq!(
            parsed(&sample),
            serde_json::json!({ "name": "x", "score": 0.25, "tags": [["a", 1], ["b", 2]], "missing": null })
        );
        assert_eq!(to_string(&Vec::<u64>::new()), "[]");
    }
}
