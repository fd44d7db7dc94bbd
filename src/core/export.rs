//! The shopper's data as a file they can keep, read and bring to another device.
//!
//! ```json
//! { "format": "shelfwise-export", "version": 2, "exportedAt": "2026-11-21T08:00:00.000Z",
//!   "consent": { ... }, "checksum": "fnv1a64:<16 hex>", "payload": "<base64url>",
//!   "profile": { ... } }
//! ```
//!
//! `profile` is the readable form (schema in the README). `payload` is the same profile
//! in the stored binary form, and it is what an import uses: its checksum rejects any
//! edit, and the readable copy cannot disagree with what is imported.

use super::base64url;
use serde::Serialize;

use super::consent::{Consent, ConsentState};
use super::error::{Error, Result};
use super::profile::Profile;
use super::store::fnv1a64;
use super::tcf::iso8601;

pub const EXPORT_FORMAT: &str = "shelfwise-export";
pub const EXPORT_VERSION: u32 = 2;

fn checksum(bytes: &[u8]) -> String {
    format!("fnv1a64:{:016x}", fnv1a64(bytes))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportFile<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    consent: ConsentState,
    checksum: String,
    payload: String,
    profile: &'a Profile,
}

/// The fields of an export an import needs (the JS face reads them with `JSON.parse`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportFile {
    pub format: Option<String>,
    pub version: Option<f64>,
    pub checksum: Option<String>,
    pub payload: Option<String>,
}

/// The export document of `profile`.
pub fn export(profile: &Profile, consent: Consent, now_ms: f64) -> String {
    let bytes = postcard::to_allocvec(profile).unwrap_or_default();
    let file = ExportFile {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exported_at: iso8601(now_ms as u64),
        consent: consent.into(),
        checksum: checksum(&bytes),
        payload: base64url::encode(&bytes),
        profile,
    };
    // Plain data always serializes.
    serde_json::to_string(&file).unwrap_or_default()
}

/// The profile of an export, if it is one, of this version, unedited.
pub fn import(file: &ImportFile) -> Result<Profile> {
    if file.format.as_deref() != Some(EXPORT_FORMAT) {
        return Err(Error::InvalidImport(
            "this is not a Shelfwise export".into(),
        ));
    }
    if file.version != Some(f64::from(EXPORT_VERSION)) {
        return Err(Error::InvalidImport(format!(
            "this export's version is not supported (expected {EXPORT_VERSION})"
        )));
    }
    let modified = || Error::InvalidImport("the file was modified after it was exported".into());
    let bytes = file
        .payload
        .as_deref()
        .and_then(base64url::decode)
        .ok_or_else(modified)?;
    if file.checksum.as_deref() != Some(checksum(&bytes).as_str()) {
        return Err(modified());
    }
    postcard::from_bytes(&bytes).map_err(|_| modified())
}
