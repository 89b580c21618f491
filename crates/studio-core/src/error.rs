//! The domain's error type. Database errors are mapped to domain variants
//! where a caller can act on them; SQL text never reaches a message.

use uuid::Uuid;

pub type CoreResult<T> = Result<T, CoreError>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing asked for does not exist (or is not visible).
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: Uuid },

    /// The input was rejected; nothing was changed.
    #[error("{0}")]
    Validation(String),

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

impl From<sqlx::Error> for CoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Configuration(_) => CoreError::Unavailable(err.to_string()),
            sqlx::Error::Database(db) => CoreError::Database(db.message().to_string()),
            _ => CoreError::Database(err.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for CoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        CoreError::Migration(err.to_string())
    }
}
