//! The shopper's data as a file they can keep, read and bring to another device.
//!
//! ```json
//! { "format": "shelfwise-export", "version": 2, "exportedAt": "2026-11-21T08:00:00.000Z",
//!   "consent": { ... }, "checksum": "fnv1a64:<16 hex>", "profile": { ... } }
//! ```
//!
//! The checksum covers the profile's canonical JSON, so any edit to the profile (or a
//! file that is not an export) is rejected on import. The profile schema is documented
//! in the README.

use serde::{Deserialize, Serialize};

use super::consent::Consent;
use super::error::{Error, Result};
use super::profile::Profile;
use super::store::fnv1a64;
use super::tcf::iso8601;

pub const EXPORT_FORMAT: &str = "shelfwise-export";
pub const EXPORT_VERSION: u32 = 2;

fn checksum(profile: &Profile) -> String {
    let json = serde_json::to_string(profile).unwrap_or_default();
    format!("fnv1a64:{:016x}", fnv1a64(json.as_bytes()))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportOut<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    consent: Consent,
    checksum: String,
    profile: &'a Profile,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportIn {
    format: String,
    version: u32,
    checksum: String,
    profile: Profile,
}

/// The export document of `profile`.
pub fn export(profile: &Profile, consent: Consent, now_ms: f64) -> String {
    let out = ExportOut {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exported_at: iso8601(now_ms as u64),
        consent,
        checksum: checksum(profile),
        profile,
    };
    serde_json::to_string(&out).unwrap_or_default()
}

/// The profile of an export document, if it is one, of this version, unedited.
pub fn import(json: &str) -> Result<Profile> {
    #[derive(Deserialize)]
    struct Header {
        format: Option<String>,
        version: Option<u32>,
    }
    let header: Header = serde_json::from_str(json)
        .map_err(|e| Error::InvalidImport(format!("not a JSON object: {e}")))?;
    if header.format.as_deref() != Some(EXPORT_FORMAT) {
        return Err(Error::InvalidImport(
            "this is not a Shelfwise export".into(),
        ));
    }
    if header.version != Some(EXPORT_VERSION) {
        return Err(Error::InvalidImport(format!(
            "export version {} is not supported (expected {EXPORT_VERSION})",
            header.version.map_or("?".into(), |v| v.to_string())
        )));
    }
    let file: ExportIn = serde_json::from_str(json)
        .map_err(|e| Error::InvalidImport(format!("malformed export: {e}")))?;
    if file.checksum != checksum(&file.profile) {
        return Err(Error::InvalidImport(
            "the file was modified after it was exported (checksum mismatch)".into(),
        ));
    }
    let _ = (file.format, file.version);
    Ok(file.profile)
}
