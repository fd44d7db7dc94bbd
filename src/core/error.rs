//! The one error type of the core. Every variant has a stable machine-readable code
//! that the boundary copies onto the JS `Error` it throws.

/// Stable codes, part of the public API: shops may branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// A tracked event is malformed (type, product, field types or values).
    InvalidEvent,
    /// A product handed to `rank` is malformed.
    InvalidProduct,
    /// Options of a call are out of range or of the wrong type.
    InvalidOptions,
    /// An argument that is not an event, product or option (namespace, time).
    InvalidArgument,
    /// A profile to import is foreign, edited or malformed.
    InvalidImport,
    /// The call needs personalization consent, which is not granted.
    ConsentRequired,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidEvent => "invalid_event",
            ErrorCode::InvalidProduct => "invalid_product",
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::InvalidImport => "invalid_import",
            ErrorCode::ConsentRequired => "consent_required",
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    #[error("invalid product {0}")]
    InvalidProduct(String),
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("invalid import: {0}")]
    InvalidImport(String),
    #[error("consent required: {0}")]
    ConsentRequired(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidEvent(_) => ErrorCode::InvalidEvent,
            Error::InvalidProduct(_) => ErrorCode::InvalidProduct,
            Error::InvalidOptions(_) => ErrorCode::InvalidOptions,
            Error::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Error::InvalidImport(_) => ErrorCode::InvalidImport,
            Error::ConsentRequired(_) => ErrorCode::ConsentRequired,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
