//! Base64url without padding (RFC 4648 §5), for storage values and export payloads,
//! and the alphabet the TCF decoder reads. Small on purpose: the general-purpose
//! `base64` crate cost 5 KB of wasm for these two functions.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The 6-bit value of a base64url character.
pub fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

pub fn encode(bytes: &[u8]) -> String {
    // Bytes, not chars: every flush encodes the whole journal, and pushing one `char`
    // at a time (each through UTF-8 encoding) made this a tenth of `track()`.
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    let letter = |n: u32, at: u32| ALPHABET[(n >> at & 63) as usize];
    let mut whole = bytes.chunks_exact(3);
    for chunk in &mut whole {
        let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
        out.extend_from_slice(&[letter(n, 18), letter(n, 12), letter(n, 6), letter(n, 0)]);
    }
    let rest = whole.remainder();
    if !rest.is_empty() {
        let n = rest
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=rest.len() {
            out.push(letter(n, 18 - 6 * i as u32));
        }
    }
    // Only the alphabet's ASCII letters were written.
    String::from_utf8(out).unwrap_or_default()
}

/// `None` for characters outside the alphabet, padding, or a length no encoding has.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(sextet(*c)?) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
        // Bits below the last whole byte must be zero in a canonical encoding.
        if n & ((1 << (24 - 8 * (chunk.len() - 1))) - 1) != 0 && chunk.len() < 4 {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn rejects_what_no_encoding_produces() {
        for bad in ["Zg==", "Z", "Zm9v+", "Zh", "@@@@"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_every_length() {
        let bytes: Vec<u8> = (0..=255).collect();
        for len in 0..bytes.len() {
            assert_eq!(decode(&encode(&bytes[..len])).unwrap(), &bytes[..len]);
        }
    }
}
