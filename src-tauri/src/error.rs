//! The error every command returns: a discriminated union in TypeScript
//! (`error.type`), so the UI branches on the kind, never on message text.

use serde::Serialize;
use studio_core::records::CurrentRow;
use studio_core::{CoreError, Rule};

#[derive(Debug, Clone, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "type", content = "data")]
pub enum AppError {
    /// The database is still being opened; try again when `ready` arrives.
    #[error("the database is still starting")]
    NotReady,
    #[error("{what} {id} was not found")]
    NotFound { what: String, id: String },
    /// The input was refused; nothing changed. `field` names the input to
    /// blame (when one is), `rule` the kind of rule it broke.
    #[error("{message}")]
    Validation {
        message: String,
        field: Option<String>,
        rule: Rule,
    },
    /// The record changed since the window read it; nothing changed.
    /// `current` is the record as it is now, to show or retry against.
    #[error("{message}")]
    Conflict {
        message: String,
        current: CurrentRow,
    },
    /// The record is still in use (live entities of a type, references).
    #[error("{message}")]
    InUse { message: String },
    /// Not allowed (system records, missing capability, retention).
    #[error("{message}")]
    Forbidden { message: String },
    /// A background job was cancelled before it committed.
    #[error("cancelled; nothing was changed")]
    Cancelled,
    /// The database failed or cannot be reached.
    #[error("{message}")]
    Database { message: String },
    /// The vault refused: `kind` is `locked`, `passphraseRequired`,
    /// `wrongPassphrase`, `keyUnavailable`, `integrity`, `retired` or
    /// `noKey`.
    #[error("{message}")]
    Vault {
        kind: VaultErrorKind,
        message: String,
    },
    /// A connection test or a profile's sign-in failed for a reason a
    /// person can fix.
    #[error("{message}")]
    Connection {
        problem: studio_core::error::ConnectionProblem,
        message: String,
    },
    /// Opening the database at start-up failed.
    #[error("{message}")]
    Startup { message: String },
    /// The server cannot be reached and what was asked is not in the
    /// offline cache (or needs the server).
    #[error("{message}")]
    Offline { message: String },
}

impl From<CoreError> for AppError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::NotFound { what, id } => AppError::NotFound {
                what: what.to_string(),
                id: id.to_string(),
            },
            CoreError::Validation(v) => AppError::Validation {
                message: v.message,
                field: v.field,
                rule: v.rule,
            },
            CoreError::Conflict { message, current } => AppError::Conflict { message, current },
            CoreError::InUse(message) => AppError::InUse { message },
            CoreError::Forbidden(message) => AppError::Forbidden { message },
            CoreError::Cancelled => AppError::Cancelled,
            CoreError::Vault(v) => AppError::Vault {
                kind: VaultErrorKind::of(&v),
                message: v.to_string(),
            },
            CoreError::Connection { problem, message } => AppError::Connection { problem, message },
            CoreError::Unavailable(_)
            | CoreError::Migration(_)
            | CoreError::LocalDatabase(_)
            | CoreError::Retryable(_)
            | CoreError::Database(_) => AppError::Database {
                message: err.to_string(),
            },
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Which vault refusal (see [`studio_core::error::VaultError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum VaultErrorKind {
    Locked,
    PassphraseRequired,
    WrongPassphrase,
    KeyUnavailable,
    Integrity,
    Retired,
    NoKey,
}

impl VaultErrorKind {
    fn of(err: &studio_core::error::VaultError) -> Self {
        use studio_core::error::VaultError as V;
        match err {
            V::Locked => VaultErrorKind::Locked,
            V::PassphraseRequired => VaultErrorKind::PassphraseRequired,
            V::WrongPassphrase => VaultErrorKind::WrongPassphrase,
            V::KeyUnavailable(_) => VaultErrorKind::KeyUnavailable,
            V::Integrity(_) => VaultErrorKind::Integrity,
            V::Retired { .. } => VaultErrorKind::Retired,
            V::NoKey => VaultErrorKind::NoKey,
        }
    }
}
