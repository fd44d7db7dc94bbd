//! The shopper's data as a file they can keep, read and bring to another device.
//!
//! ```json
//! { "format": "shelfwise-export", "version": 3, "exportedAt": "2026-11-21T08:00:00.000Z",
//!   "consent": { ... }, "checksum": "fnv1a64:<16 hex>", "payload": "<base64url>",
//!   "summary": { ... } }
//! ```
//!
//! `payload` is the whole profile in the stored binary form, and it is what an import
//! uses: its checksum rejects any edit, so the readable copy cannot disagree with what
//! is imported. The core writes that part ([`export`]); the JS face adds the readable
//! parts (the date, the consent and `summary`, what the shopper sees in the preference
//! center), which keeps date formatting and the file's assembly out of the module.

use super::base64url;
use super::codec::{from_bytes, to_bytes};

use super::error::{Error, Result};
use super::json::hex16;
use super::json::{self, json_fields};
use super::profile::{Profile, ProfileConfig};
use super::store::fnv1a64;

pub const EXPORT_FORMAT: &str = "shelfwise-export";
pub const EXPORT_VERSION: u32 = 3;

fn checksum(bytes: &[u8]) -> String {
    ["fnv1a64:", &hex16(fnv1a64(bytes))].concat()
}

struct ExportFile {
    format: &'static str,
    version: u32,
    checksum: String,
    payload: String,
}

json_fields!(ExportFile {
    "format": format,
    "version": version,
    "checksum": checksum,
    "payload": payload,
});

/// The fields of an export an import needs (the JS face reads them with `JSON.parse`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportFile {
    pub format: Option<String>,
    pub version: Option<f64>,
    pub checksum: Option<String>,
    pub payload: Option<String>,
}

/// The integrity part of the export document of `profile`: format, version, checksum
/// and payload (the face adds the readable parts).
pub fn export(profile: &Profile) -> String {
    let bytes = to_bytes(profile);
    let file = ExportFile {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        checksum: checksum(&bytes),
        payload: base64url::encode(&bytes),
    };
    json::to_string(&file)
}

/// The profile of an export, if it is one, of this version, unedited.
pub fn import(file: &ImportFile) -> Result<Profile> {
    if file.format.as_deref() != Some(EXPORT_FORMAT) {
        return Err(Error::InvalidImport(
            "this is not a Shelfwise export".into(),
        ));
    }
    if file.version != Some(f64::from(EXPORT_VERSION)) {
        return Err(Error::InvalidImport(
            "this export's version is not supported (expected 3)".into(),
        ));
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
    from_bytes(&bytes).ok_or_else(modified)
}

/// The integrity part of the export of `local` (this browser's own export) with `file`
/// (another device's) merged into it; see `profile::merge`. The tools module does this
/// for the page, which then imports the result: the shopper's module carries no merging.
pub fn merged(local: &ImportFile, file: &ImportFile, config: &ProfileConfig) -> Result<String> {
    let mut profile = import(local)?;
    let mut theirs = import(file)?;
    theirs.sanitize(config);
    // An export made with consent names its device; one without is empty, and the
    // import that follows is refused for want of consent.
    let origin = profile
        .origin
        .unwrap_or_else(|| fnv1a64(&to_bytes(&profile)) | 1);
    profile.merge(&theirs, origin, config);
    Ok(export(&profile))
}
