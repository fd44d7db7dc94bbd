//! IAB TCF v2 TC string decoding (core segment and the optional disclosed-vendors,
//! allowed-vendors and publisher-TC segments), and the rule Shelfwise applies to it.
//!
//! Strict like the IAB reference decoder: reading past the end of a segment, a zero
//! vendor id in a range, a range that runs backwards or a character outside base64url
//! is an error.

use serde::Serialize;

use super::json::push_digits;

/// Why a TC string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TcfError {
    #[error("empty TC string")]
    Empty,
    #[error("invalid character '{0}' (TC strings are base64url)")]
    InvalidCharacter(char),
    #[error("{0} ends before its fields do (invalid bit length)")]
    TooShort(&'static str),
    #[error("unsupported TC string version {0}")]
    UnsupportedVersion(u64),
    #[error("invalid vendor range in {0}")]
    InvalidRange(&'static str),
    #[error("unknown segment type {0}")]
    UnknownSegment(u64),
    #[error("segment type {0} appears twice")]
    DuplicateSegment(u64),
}

/// Highest vendor id a range may expand to: ids are 16-bit.
const MAX_VENDOR_ID: u64 = u16::MAX as u64;

/// A decoded TC string. Field names and shapes follow the IAB reference decoder, so the
/// JSON form compares field by field with `@iabtcf/core` output (and the test vectors).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TcString {
    pub version: u64,
    /// Milliseconds since the epoch (decisecond precision); ISO-8601 UTC in JSON.
    #[serde(rename = "created", serialize_with = "serialize_iso8601")]
    pub created_ms: u64,
    #[serde(rename = "lastUpdated", serialize_with = "serialize_iso8601")]
    pub last_updated_ms: u64,
    pub cmp_id: u64,
    pub cmp_version: u64,
    pub consent_screen: u64,
    pub consent_language: String,
    pub vendor_list_version: u64,
    pub policy_version: u64,
    pub is_service_specific: bool,
    pub purpose_one_treatment: bool,
    pub publisher_country_code: String,
    pub special_feature_optins: Vec<u32>,
    pub purpose_consents: Vec<u32>,
    pub purpose_legitimate_interests: Vec<u32>,
    pub vendor_consents: Vec<u32>,
    pub vendor_legitimate_interests: Vec<u32>,
    pub publisher_restrictions: Vec<PublisherRestriction>,
    pub vendors_disclosed: Vec<u32>,
    pub vendors_allowed: Vec<u32>,
    pub publisher_consents: Vec<u32>,
    pub publisher_legitimate_interests: Vec<u32>,
    pub num_custom_purposes: u64,
    pub publisher_custom_consents: Vec<u32>,
    pub publisher_custom_legitimate_interests: Vec<u32>,
    /// Whether a publisher-TC segment was present (not part of the reference output).
    #[serde(skip)]
    pub has_publisher_segment: bool,
}

/// One publisher restriction: `restriction_type` 0 = not allowed, 1 = require consent,
/// 2 = require legitimate interest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublisherRestriction {
    pub purpose_id: u32,
    pub restriction_type: u32,
    pub vendor_ids: Vec<u32>,
}

/// Reads big-endian bit fields from a base64url segment.
struct Bits<'a> {
    segment: &'a [u8],
    position: usize,
    name: &'static str,
}

fn sextet(c: u8) -> Result<u8, TcfError> {
    super::base64url::sextet(c).ok_or(TcfError::InvalidCharacter(char::from(c)))
}

impl<'a> Bits<'a> {
    fn new(segment: &'a str, name: &'static str) -> Result<Self, TcfError> {
        let segment = segment.as_bytes();
        for c in segment {
            sextet(*c)?;
        }
        Ok(Bits {
            segment,
            position: 0,
            name,
        })
    }

    fn bit(&mut self) -> Result<bool, TcfError> {
        let c = *self
            .segment
            .get(self.position / 6)
            .ok_or(TcfError::TooShort(self.name))?;
        let value = sextet(c)? >> (5 - self.position % 6) & 1;
        self.position += 1;
        Ok(value == 1)
    }

    fn int(&mut self, bits: u32) -> Result<u64, TcfError> {
        let mut value = 0u64;
        for _ in 0..bits {
            value = value << 1 | u64::from(self.bit()?);
        }
        Ok(value)
    }

    fn flag(&mut self) -> Result<bool, TcfError> {
        self.bit()
    }

    /// A fixed-length field of flags, as the 1-based ids whose bit is set.
    fn id_set(&mut self, bits: u64) -> Result<Vec<u32>, TcfError> {
        let mut ids = Vec::new();
        for id in 1..=bits {
            if self.bit()? {
                ids.push(id as u32);
            }
        }
        Ok(ids)
    }

    /// Two 6-bit letters, `A` = 0.
    fn letters(&mut self) -> Result<String, TcfError> {
        let first = self.int(6)? as u8;
        let second = self.int(6)? as u8;
        Ok([first, second]
            .iter()
            .map(|l| char::from(b'A' + l))
            .collect())
    }

    /// Deciseconds since the epoch, in milliseconds.
    fn timestamp(&mut self) -> Result<u64, TcfError> {
        Ok(self.int(36)? * 100)
    }

    /// `NumEntries` then entries of `IsARange`, start and optional end ids.
    fn ranges(&mut self, into: &mut Vec<u32>) -> Result<(), TcfError> {
        let entries = self.int(12)?;
        for _ in 0..entries {
            let is_range = self.flag()?;
            let start = self.int(16)?;
            let end = if is_range { self.int(16)? } else { start };
            if start == 0 || end < start || end > MAX_VENDOR_ID {
                return Err(TcfError::InvalidRange(self.name));
            }
            into.extend((start..=end).map(|id| id as u32));
        }
        Ok(())
    }

    /// A vendor section: `MaxVendorId`, then a bit field or ranges.
    fn vendors(&mut self) -> Result<Vec<u32>, TcfError> {
        let max = self.int(16)?;
        let mut ids = if self.flag()? {
            let mut ids = Vec::new();
            self.ranges(&mut ids)?;
            ids
        } else {
            self.id_set(max)?
        };
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }
}

// Formatting dates only where a decoding is printed keeps it out of the browser build.
fn serialize_iso8601<S: serde::Serializer>(ms: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&iso8601(*ms))
}

/// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ` (proleptic Gregorian).
pub fn iso8601(ms: u64) -> String {
    let days = (ms / 86_400_000) as i64;
    let ms_of_day = (ms % 86_400_000) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // All of it as one number of 17 digits, then the separators put in.
    let mut number = 0;
    let parts = [
        (year, 1),
        (month, 100),
        (day, 100),
        (ms_of_day / 3_600_000, 100),
    ];
    let parts = parts.into_iter().chain([
        (ms_of_day / 60_000 % 60, 100),
        (ms_of_day / 1000 % 60, 100),
        (ms_of_day % 1000, 1000),
    ]);
    for (value, scale) in parts {
        number = number * scale + value.max(0) as u64;
    }
    let mut digits = String::new();
    push_digits(&mut digits, number, 10, 17);
    let mut out = String::with_capacity(24);
    for (digit, separator) in digits.chars().zip(b"   - - T : : .   ".iter()) {
        out.push(digit);
        if *separator != b' ' {
            out.push(char::from(*separator));
        }
    }
    out.push('Z');
    out
}

/// Decodes a TC string.
pub fn decode(tc_string: &str) -> Result<TcString, TcfError> {
    let mut segments = tc_string.trim().split('.');
    let core = segments
        .next()
        .filter(|s| !s.is_empty())
        .ok_or(TcfError::Empty)?;
    let mut bits = Bits::new(core, "core segment")?;
    let version = bits.int(6)?;
    if version != 2 {
        return Err(TcfError::UnsupportedVersion(version));
    }
    let created_ms = bits.timestamp()?;
    let last_updated_ms = bits.timestamp()?;
    let cmp_id = bits.int(12)?;
    let cmp_version = bits.int(12)?;
    let consent_screen = bits.int(6)?;
    let consent_language = bits.letters()?;
    let vendor_list_version = bits.int(12)?;
    let policy_version = bits.int(6)?;
    let is_service_specific = bits.flag()?;
    let _use_non_standard_texts = bits.flag()?;
    let special_feature_optins = bits.id_set(12)?;
    let purpose_consents = bits.id_set(24)?;
    let purpose_legitimate_interests = bits.id_set(24)?;
    let purpose_one_treatment = bits.flag()?;
    let publisher_country_code = bits.letters()?;
    let vendor_consents = bits.vendors()?;
    let vendor_legitimate_interests = bits.vendors()?;
    let publisher_restrictions = restrictions(&mut bits)?;

    let mut tc = TcString {
        version,
        created_ms,
        last_updated_ms,
        cmp_id,
        cmp_version,
        consent_screen,
        consent_language,
        vendor_list_version,
        policy_version,
        is_service_specific,
        purpose_one_treatment,
        publisher_country_code,
        special_feature_optins,
        purpose_consents,
        purpose_legitimate_interests,
        vendor_consents,
        vendor_legitimate_interests,
        publisher_restrictions,
        vendors_disclosed: Vec::new(),
        vendors_allowed: Vec::new(),
        publisher_consents: Vec::new(),
        publisher_legitimate_interests: Vec::new(),
        num_custom_purposes: 0,
        publisher_custom_consents: Vec::new(),
        publisher_custom_legitimate_interests: Vec::new(),
        has_publisher_segment: false,
    };

    let mut seen = [false; 4];
    for segment in segments {
        let mut bits = Bits::new(segment, "optional segment")?;
        let kind = bits.int(3)?;
        match seen.get_mut(kind as usize) {
            Some(seen) if kind > 0 => {
                if *seen {
                    return Err(TcfError::DuplicateSegment(kind));
                }
                *seen = true;
            }
            _ => return Err(TcfError::UnknownSegment(kind)),
        }
        match kind {
            1 => {
                bits.name = "disclosed vendors segment";
                tc.vendors_disclosed = bits.vendors()?;
            }
            2 => {
                bits.name = "allowed vendors segment";
                tc.vendors_allowed = bits.vendors()?;
            }
            _ => {
                bits.name = "publisher TC segment";
                tc.publisher_consents = bits.id_set(24)?;
                tc.publisher_legitimate_interests = bits.id_set(24)?;
                tc.num_custom_purposes = bits.int(6)?;
                tc.publisher_custom_consents = bits.id_set(tc.num_custom_purposes)?;
                tc.publisher_custom_legitimate_interests = bits.id_set(tc.num_custom_purposes)?;
                tc.has_publisher_segment = true;
            }
        }
    }
    Ok(tc)
}

/// Publisher restrictions, merged per (purpose, type) in order of first appearance (as
/// the reference decoder lists them), each with its vendor ids sorted.
fn restrictions(bits: &mut Bits) -> Result<Vec<PublisherRestriction>, TcfError> {
    bits.name = "publisher restrictions";
    let count = bits.int(12)?;
    let mut restrictions: Vec<PublisherRestriction> = Vec::new();
    for _ in 0..count {
        let purpose_id = bits.int(6)? as u32;
        let restriction_type = bits.int(2)? as u32;
        let mut vendor_ids = Vec::new();
        bits.ranges(&mut vendor_ids)?;
        // A restriction without vendors restricts nothing; the reference omits it.
        if vendor_ids.is_empty() {
            continue;
        }
        match restrictions
            .iter_mut()
            .find(|r| r.purpose_id == purpose_id && r.restriction_type == restriction_type)
        {
            Some(existing) => existing.vendor_ids.extend(vendor_ids),
            None => restrictions.push(PublisherRestriction {
                purpose_id,
                restriction_type,
                vendor_ids,
            }),
        }
    }
    for restriction in &mut restrictions {
        restriction.vendor_ids.sort_unstable();
        restriction.vendor_ids.dedup();
    }
    Ok(restrictions)
}

/// Purposes personalization needs: 1 (store and access information on a device),
/// 5 (create a personalised content profile) and 6 (use it to select content).
pub const PERSONALIZATION_PURPOSES: [u32; 3] = [1, 5, 6];

/// What a CMP reports through `__tcfapi` (its TCData, decoded by the CMP) that
/// Shelfwise's rule reads, for the shop's vendor id when it has one. In the browser the
/// JS face reads it from the CMP; natively [`TcString::choices`] derives it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TcfChoices {
    /// Purposes with consent.
    pub purpose_consents: Vec<u32>,
    /// Whether the shop's vendor id has consent (false without a vendor id).
    pub vendor_consent: bool,
    /// Purposes the publisher restricts for the shop's vendor: not allowed, or only on
    /// legitimate interest (restriction types 0 and 2).
    pub restricted_purposes: Vec<u32>,
    /// Purposes with publisher consent (the publisher-TC segment); empty without one.
    pub publisher_consents: Vec<u32>,
    /// The string's `lastUpdated`, milliseconds since the epoch: when the shopper decided.
    pub last_updated_ms: f64,
}

impl TcfChoices {
    /// Whether every purpose in `purposes` is granted.
    ///
    /// - With the shop's vendor id: each purpose has consent, the vendor has consent,
    ///   and no publisher restriction disallows a purpose for the vendor or requires
    ///   legitimate interest for it.
    /// - Without one, as the publisher's own processing: each purpose has publisher
    ///   consent when the CMP reports any, else purpose consent.
    pub fn grants(&self, purposes: &[u32], vendor_id: Option<u32>) -> bool {
        let has_all = |ids: &[u32]| purposes.iter().all(|p| ids.contains(p));
        match vendor_id {
            Some(_) => {
                has_all(&self.purpose_consents)
                    && self.vendor_consent
                    && !purposes
                        .iter()
                        .any(|p| self.restricted_purposes.contains(p))
            }
            None if !self.publisher_consents.is_empty() => has_all(&self.publisher_consents),
            None => has_all(&self.purpose_consents),
        }
    }
}

impl TcString {
    /// The choices a CMP would report for this string and `vendor_id`.
    pub fn choices(&self, vendor_id: Option<u32>) -> TcfChoices {
        let restricted = |purpose: &u32| {
            vendor_id.is_some_and(|vendor| {
                self.publisher_restrictions.iter().any(|r| {
                    r.purpose_id == *purpose
                        && r.restriction_type != 1
                        && r.vendor_ids.contains(&vendor)
                })
            })
        };
        TcfChoices {
            purpose_consents: self.purpose_consents.clone(),
            vendor_consent: vendor_id.is_some_and(|v| self.vendor_consents.contains(&v)),
            restricted_purposes: (1..=24).filter(restricted).collect(),
            publisher_consents: self.publisher_consents.clone(),
            last_updated_ms: self.last_updated_ms as f64,
        }
    }
}

/// A TC string's `lastUpdated` (milliseconds since the epoch), read from its header
/// alone (the CMP has decoded the rest): `None` unless it is a version 2 string.
pub fn last_updated_ms(tc_string: &str) -> Option<f64> {
    // Version (6 bits), created (36), lastUpdated (36): the first 13 characters.
    let header = tc_string.trim().as_bytes().get(..13)?;
    let bits = header.iter().try_fold(0u128, |bits, c| {
        Some(bits << 6 | u128::from(super::base64url::sextet(*c)?))
    })?;
    let field = |from: u32, len: u32| (bits >> (78 - from - len)) & ((1 << len) - 1);
    (field(0, 6) == 2).then(|| (field(42, 36) * 100) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_iso8601() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_597_744_209_600), "2020-08-18T09:50:09.600Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn rejects_what_is_not_a_tc_string() {
        assert_eq!(decode(""), Err(TcfError::Empty));
        assert_eq!(decode("CO+x"), Err(TcfError::InvalidCharacter('+')));
        assert!(matches!(
            decode("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA"),
            Err(TcfError::UnsupportedVersion(1))
        ));
        assert!(matches!(decode("CO"), Err(TcfError::TooShort(_))));
    }
}
