//! The domain's error type. Database errors are mapped to domain variants
//! where a caller can act on them; SQL text never reaches a message.

use uuid::Uuid;

use crate::registry::CurrentRow;

pub type CoreResult<T> = Result<T, CoreError>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing asked for does not exist (or is not visible).
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: Uuid },

    /// The input was rejected; nothing was changed.
    #[error("{0}")]
    Validation(String),

    /// The record changed since the caller read it; nothing was changed.
    /// `current` is the record as it is now.
    #[error("{message}")]
    Conflict {
        message: String,
        current: CurrentRow,
    },

    /// The record is still used (by live entities, references, ...).
    #[error("{0}")]
    InUse(String),

    /// The operation is not allowed for this person or this record.
    #[error("{0}")]
    Forbidden(String),

    /// A long operation was cancelled before it committed; nothing changed.
    #[error("the operation was cancelled; nothing was changed")]
    Cancelled,

    /// The database could not be reached or refused the connection.
    #[error("cannot reach the database: {0}")]
    Unavailable(String),

    /// Applying the schema migrations failed.
    #[error("the schema migration failed: {0}")]
    Migration(String),

    /// The embedded local database could not be started or used.
    #[error("{0}")]
    LocalDatabase(#[from] studio_localdb::LocalDbError),

    /// Any other database failure.
    #[error("database error: {0}")]
    Database(String),
}

impl CoreError {
    pub fn validation(message: impl Into<String>) -> Self {
        CoreError::Validation(message.into())
    }
}

impl CoreError {
    /// A serialization failure or deadlock: the transaction may be retried.
    pub fn is_retryable(&self) -> bool {
        matches!(self, CoreError::Database(m) if m.starts_with(RETRYABLE_PREFIX))
    }
}

const RETRYABLE_PREFIX: &str = "[retryable] ";

impl From<sqlx::Error> for CoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Configuration(_) => CoreError::Unavailable(err.to_string()),
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // serialization_failure, deadlock_detected
                Some("40001") | Some("40P01") => {
                    CoreError::Database(format!("{RETRYABLE_PREFIX}{}", db.message()))
                }
                _ => CoreError::Database(db.message().to_string()),
            },
            _ => CoreError::Database(err.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for CoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        match err {
            sqlx::migrate::MigrateError::VersionMissing(version) => CoreError::Migration(format!(
                "this database has schema version {version}, which is newer than this \
                 Eco Studio knows: update Eco Studio to open it"
            )),
            sqlx::migrate::MigrateError::VersionMismatch(version) => CoreError::Migration(format!(
                "schema version {version} of this database differs from the one this \
                 Eco Studio ships: the database was changed by hand or by another build"
            )),
            other => CoreError::Migration(other.to_string()),
        }
    }
}
