//! The binary form of what Shelfwise stores (envelopes, journals) and of export payloads.
//!
//! Fields are written in declaration order with no names or tags: unsigned integers as
//! LEB128 varints, `f64` as 8 little-endian bytes, text and lists as a varint length and
//! their items, `Option` as a `0`/`1` byte and the value, enums as their index. The
//! envelope's format version (see [`super::store`]) covers the whole layout.
//!
//! Why not serde with postcard, which writes nearly the same bytes: serde's visitors
//! for each stored type and postcard's deserializer were about 13 KB of the module
//! every shopper downloads; these reads are plain and field by field, and a layout we
//! own changes only with the envelope's format version. Decoding never panics and never
//! allocates more than the input could describe.

/// A type with a stored binary form.
pub trait Codec: Sized {
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads one value from the front of `input`, advancing it; `None` when malformed.
    fn decode(input: &mut &[u8]) -> Option<Self>;
}

/// The bytes of `value`.
pub fn to_bytes<T: Codec>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

/// The value `bytes` hold, if they hold exactly one.
pub fn from_bytes<T: Codec>(mut bytes: &[u8]) -> Option<T> {
    let value = T::decode(&mut bytes)?;
    bytes.is_empty().then_some(value)
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = input.split_at_checked(n)?;
    *input = rest;
    Some(head)
}

impl Codec for u64 {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut n = *self;
        while n >= 0x80 {
            out.push(n as u8 | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *take(input, 1)?.first()?;
            // The tenth byte may only carry the top bit.
            if shift == 63 && byte > 1 {
                return None;
            }
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(n);
            }
        }
        None
    }
}

impl Codec for u32 {
    fn encode(&self, out: &mut Vec<u8>) {
        u64::from(*self).encode(out);
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        u32::try_from(u64::decode(input)?).ok()
    }
}

impl Codec for f64 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        Some(f64::from_le_bytes(take(input, 8)?.try_into().ok()?))
    }
}

/// A length, checked against what is left so a forged length cannot reserve memory
/// (every item takes at least one byte).
fn length(input: &mut &[u8]) -> Option<usize> {
    let n = usize::try_from(u64::decode(input)?).ok()?;
    (n <= input.len()).then_some(n)
}

impl Codec for String {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.len() as u64).encode(out);
        out.extend_from_slice(self.as_bytes());
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        let n = length(input)?;
        String::from_utf8(take(input, n)?.to_vec()).ok()
    }
}

impl<T: Codec> Codec for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.encode(out);
            }
        }
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        match take(input, 1)?[0] {
            0 => Some(None),
            1 => T::decode(input).map(Some),
            _ => None,
        }
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        (self.len() as u64).encode(out);
        for item in self {
            item.encode(out);
        }
    }

    fn decode(input: &mut &[u8]) -> Option<Self> {
        let n = length(input)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(T::decode(input)?);
        }
        Some(items)
    }
}

/// Implements [`Codec`] for a struct by its fields, in order. Decoding fills a default
/// value field by field: on malformed input one drop of the whole value runs, where
/// building the struct at the end would drop each decoded field on its own error path
/// (kilobytes of wasm for the profile).
macro_rules! codec_fields {
    ($type:ident { $($field:ident),+ $(,)? }) => {
        codec_fields!($type { $($field),+ ; });
    };
    // Fields after `;` were added later: data written before them ends early, and they
    // keep their defaults.
    ($type:ident { $($field:ident),+ ; $($added:ident),* }) => {
        impl $crate::codec::Codec for $type {
            fn encode(&self, out: &mut Vec<u8>) {
                $($crate::codec::Codec::encode(&self.$field, out);)+
                $($crate::codec::Codec::encode(&self.$added, out);)*
            }

            fn decode(input: &mut &[u8]) -> Option<Self> {
                let mut value = $type::default();
                $(value.$field = $crate::codec::Codec::decode(input)?;)+
                $(if !input.is_empty() {
                    value.$added = $crate::codec::Codec::decode(input)?;
                })*
                Some(value)
            }
        }
    };
}

pub(crate) use codec_fields;

macro_rules! codec_tuple {
    ($($name:ident $index:tt),+) => {
        impl<$($name: Codec),+> Codec for ($($name,)+) {
            fn encode(&self, out: &mut Vec<u8>) {
                $(self.$index.encode(out);)+
            }

            fn decode(input: &mut &[u8]) -> Option<Self> {
                Some(($($name::decode(input)?,)+))
            }
        }
    };
}

codec_tuple!(A 0, B 1);
codec_tuple!(A 0, B 1, C 2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_every_width() {
        for n in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let bytes = to_bytes(&n);
            assert_eq!(from_bytes::<u64>(&bytes), Some(n), "{n}");
        }
        assert_eq!(to_bytes(&300u64), [0xac, 0x02]);
        // Eleven bytes, or a tenth byte above 1, would overflow.
        assert_eq!(from_bytes::<u64>(&[0xff; 10]), None);
        assert_eq!(from_bytes::<u32>(&to_bytes(&(1u64 << 40))), None);
    }

    #[test]
    fn values_round_trip_and_damage_is_rejected() {
        let value: Vec<(String, Option<f64>, u32)> = vec![
            ("laptops".into(), Some(2.5), 3),
            ("é".into(), None, u32::MAX),
        ];
        let bytes = to_bytes(&value);
        assert_eq!(from_bytes(&bytes), Some(value));
        for cut in 0..bytes.len() {
            assert_eq!(
                from_bytes::<Vec<(String, Option<f64>, u32)>>(&bytes[..cut]),
                None
            );
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            from_bytes::<Vec<(String, Option<f64>, u32)>>(&trailing),
            None
        );
        // A forged length larger than the input, invalid UTF-8, an option tag of 2.
        assert_eq!(from_bytes::<Vec<u64>>(&[0xff, 0xff, 0x03, 1]), None);
        assert_eq!(from_bytes::<String>(&[2, 0xc3, 0x28]), None);
        assert_eq!(from_bytes::<Option<u64>>(&[2, 0]), None);
    }
}
