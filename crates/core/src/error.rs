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
    /// The export is encrypted and no passphrase was given (the JS face's encrypted
    /// export raises this and the next three; they are declared here with the rest).
    PassphraseRequired,
    /// The passphrase does not open this encrypted export.
    WrongPassphrase,
    /// The encrypted export was changed after it was made.
    TamperedExport,
    /// The encrypted export is cut short.
    TruncatedExport,
}

impl ErrorCode {
    /// Every code, as the wire contract lists them.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::InvalidEvent,
        ErrorCode::InvalidProduct,
        ErrorCode::InvalidOptions,
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidImport,
        ErrorCode::ConsentRequired,
        ErrorCode::PassphraseRequired,
        ErrorCode::WrongPassphrase,
        ErrorCode::TamperedExport,
        ErrorCode::TruncatedExport,
    ];

    /// What a message of this kind starts with.
    pub fn label(self) -> &'static str {
        match self {
            ErrorCode::InvalidEvent => "invalid event: ",
            ErrorCode::InvalidProduct => "invalid product ",
            ErrorCode::InvalidOptions => "invalid options: ",
            ErrorCode::InvalidArgument => "invalid argument: ",
            ErrorCode::InvalidImport => "invalid import: ",
            ErrorCode::ConsentRequired => "consent required: ",
            ErrorCode::PassphraseRequired => "passphrase required: ",
            ErrorCode::WrongPassphrase => "wrong passphrase: ",
            ErrorCode::TamperedExport => "tampered export: ",
            ErrorCode::TruncatedExport => "truncated export: ",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidEvent => "invalid_event",
            ErrorCode::InvalidProduct => "invalid_product",
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::InvalidImport => "invalid_import",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::PassphraseRequired => "passphrase_required",
            ErrorCode::WrongPassphrase => "wrong_passphrase",
            ErrorCode::TamperedExport => "tampered_export",
            ErrorCode::TruncatedExport => "truncated_export",
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("{}{}", ErrorCode::InvalidEvent.label(), .0)]
    InvalidEvent(String),
    #[error("{}{}", ErrorCode::InvalidProduct.label(), .0)]
    InvalidProduct(String),
    #[error("{}{}", ErrorCode::InvalidOptions.label(), .0)]
    InvalidOptions(String),
    #[error("{}{}", ErrorCode::InvalidArgument.label(), .0)]
    InvalidArgument(String),
    #[error("{}{}", ErrorCode::InvalidImport.label(), .0)]
    InvalidImport(String),
    #[error("{}{}", ErrorCode::ConsentRequired.label(), .0)]
    ConsentRequired(String),
    #[error("{}{}", ErrorCode::PassphraseRequired.label(), .0)]
    PassphraseRequired(String),
    #[error("{}{}", ErrorCode::WrongPassphrase.label(), .0)]
    WrongPassphrase(String),
    #[error("{}{}", ErrorCode::TamperedExport.label(), .0)]
    TamperedExport(String),
    #[error("{}{}", ErrorCode::TruncatedExport.label(), .0)]
    TruncatedExport(String),
}

impl Error {
    /// The message, as `Display` writes it, built without the formatting machinery
    /// (the wasm boundary uses this).
    pub fn message(&self) -> String {
        [self.code().label(), self.detail()].concat()
    }

    /// What went wrong, without the kind's label.
    pub fn detail(&self) -> &str {
        match self {
            Error::InvalidEvent(detail)
            | Error::InvalidProduct(detail)
            | Error::InvalidOptions(detail)
            | Error::InvalidArgument(detail)
            | Error::InvalidImport(detail)
            | Error::ConsentRequired(detail)
            | Error::PassphraseRequired(detail)
            | Error::WrongPassphrase(detail)
            | Error::TamperedExport(detail)
            | Error::TruncatedExport(detail) => detail,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidEvent(_) => ErrorCode::InvalidEvent,
            Error::InvalidProduct(_) => ErrorCode::InvalidProduct,
            Error::InvalidOptions(_) => ErrorCode::InvalidOptions,
            Error::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Error::InvalidImport(_) => ErrorCode::InvalidImport,
            Error::ConsentRequired(_) => ErrorCode::ConsentRequired,
            Error::PassphraseRequired(_) => ErrorCode::PassphraseRequired,
            Error::WrongPassphrase(_) => ErrorCode::WrongPassphrase,
            Error::TamperedExport(_) => ErrorCode::TamperedExport,
            Error::TruncatedExport(_) => ErrorCode::TruncatedExport,
        }
    }
}

/// `"at index 3: reason"`, naming the list item a reason is about.
pub fn at_index(index: usize, reason: &str) -> String {
    [
        "at index ",
        &super::json::decimal(index as u64),
        ": ",
        reason,
    ]
    .concat()
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
