//! The domain's error type. Database errors are mapped to domain variants by
//! SQLSTATE and constraint name (`db::constraints`); PostgreSQL's own message
//! text never reaches a message a person sees.

use std::fmt;

use serde::Serialize;

use crate::constraints::{self, ConstraintKind};
use crate::records::CurrentRow;

pub type CoreResult<T> = Result<T, CoreError>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing asked for does not exist (or is not visible).
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: uuid::Uuid },

    /// The input was rejected; nothing was changed.
    #[error("{0}")]
    Validation(ValidationError),

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

    /// The transaction collided with a concurrent one (serialization failure,
    /// deadlock, a row that moved to another root between read and lock).
    /// `db::retrying` starts such a transaction over; it reaches a caller only
    /// when every attempt collided. Only this crate creates it.
    #[error("{0}")]
    Retryable(Collision),

    /// Any other database failure (the message names the SQLSTATE class,
    /// never the server's text).
    #[error("{0}")]
    Database(String),

    /// A connection test (or a sign-in through a profile) failed for a
    /// reason a person can fix.
    #[error("{message}")]
    Connection {
        problem: ConnectionProblem,
        message: String,
    },

    /// The vault refused: locked, a wrong passphrase, a key it cannot
    /// reach, a retired key version or data that fails its integrity check.
    #[error("{0}")]
    Vault(VaultError),
}

/// Why a connection to a server failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ConnectionProblem {
    /// The server refused the role or its password.
    WrongPassword,
    /// Nothing answered at that host and port (or the name does not resolve).
    Unreachable,
    /// The server's TLS does not match the profile's mode (no TLS offered,
    /// or a certificate that fails verification).
    TlsMismatch,
    /// The database lacks extensions the schema needs, and they cannot be
    /// installed there.
    MissingExtensions,
    /// A pooler in transaction mode keeps prepared statements after a
    /// transaction ends (PgBouncer before 1.21 without
    /// `server_reset_query_always = 1`).
    PoolerSetting,
}

/// Why the vault refused. Never carries key material or a secret's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The vault is locked (on demand or after idle time): unlock it first.
    #[error("the vault is locked; unlock it to use secrets")]
    Locked,
    /// A passphrase key needs the session's passphrase, and none was given.
    #[error("this root's key is protected by a passphrase; unlock the vault with it")]
    PassphraseRequired,
    /// The passphrase does not open the key.
    #[error("the passphrase is wrong")]
    WrongPassphrase,
    /// The key-encryption key cannot be reached (no keychain, keychain
    /// locked, the entry missing on this computer).
    #[error("{0}")]
    KeyUnavailable(String),
    /// A ciphertext, nonce, tag, wrapped key or binding was altered or
    /// belongs to another row: nothing was decrypted.
    #[error("{0} failed its integrity check: it was altered or belongs elsewhere")]
    Integrity(&'static str),
    /// The key version is below the root's minimum decryption version.
    #[error("key version {version} is retired (the minimum decryption version is {minimum}); rewrap or lower the minimum")]
    Retired { version: i32, minimum: i32 },
    /// The root has no key yet.
    #[error("this root has no vault key yet; an administrator of the root creates one")]
    NoKey,
}

impl From<VaultError> for CoreError {
    fn from(err: VaultError) -> Self {
        CoreError::Vault(err)
    }
}

/// Why an input was refused: a message for people, and for forms the field
/// it concerns and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ValidationError {
    /// The input field (`name`, `key`, `icon`, ...), when one is to blame.
    pub field: Option<String>,
    pub rule: Rule,
    pub message: String,
}

/// The kind of rule an input broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Rule {
    /// A value is missing or blank.
    Required,
    /// Too long (or too many).
    TooLong,
    /// Too short (a search needs a few characters).
    TooShort,
    /// Not in the accepted form (characters, syntax).
    Format,
    /// Another record already holds this value.
    Unique,
    /// It refers to a record that does not exist (or is deleted).
    Reference,
    /// It would put an entity under itself.
    Cycle,
    /// Not possible in the record's current state (deleted, not deleted...).
    State,
    /// A rule the database checked (a CHECK constraint).
    Check,
    /// Below a minimum or above a maximum (numbers, dates, counts).
    Range,
    /// Does not match the required pattern.
    Pattern,
    /// Not one of the allowed options.
    Choice,
    /// The wrong kind of value (text where a number belongs, ...).
    Type,
    /// Nested too deeply (JSON).
    TooDeep,
    /// The change needs the person's confirmation first (it would make
    /// existing values invalid); nothing was changed.
    Confirm,
}

impl ValidationError {
    pub fn new(field: Option<&str>, rule: Rule, message: impl Into<String>) -> Self {
        ValidationError {
            field: field.map(str::to_string),
            rule,
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A validation error reads as its message (`err.contains("...")`).
impl std::ops::Deref for ValidationError {
    type Target = str;
    fn deref(&self) -> &str {
        &self.message
    }
}

/// What a transaction collided with. Constructed only inside this crate, so
/// nothing outside can ask for a retry by accident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    what: &'static str,
}

impl Collision {
    pub(crate) fn new(what: &'static str) -> Self {
        Collision { what }
    }
}

impl fmt::Display for Collision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the database is busy with a concurrent change ({}); try again",
            self.what
        )
    }
}

impl CoreError {
    /// An input refused for a rule of `field` (None: the input as a whole).
    pub fn invalid(field: Option<&str>, rule: Rule, message: impl Into<String>) -> Self {
        CoreError::Validation(ValidationError::new(field, rule, message))
    }

    /// An input refused because of the record's current state.
    pub fn state(message: impl Into<String>) -> Self {
        CoreError::invalid(None, Rule::State, message)
    }

    /// A serialization failure or deadlock: the transaction may be retried.
    pub fn is_retryable(&self) -> bool {
        matches!(self, CoreError::Retryable(_))
    }

    pub(crate) fn collision(what: &'static str) -> Self {
        CoreError::Retryable(Collision::new(what))
    }
}

impl From<ValidationError> for CoreError {
    fn from(err: ValidationError) -> Self {
        CoreError::Validation(err)
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
            sqlx::Error::Database(db) => from_database_error(db.as_ref()),
            sqlx::Error::RowNotFound => CoreError::Database("an expected row is missing".into()),
            _ => CoreError::Database(format!("the database exchange failed: {err}")),
        }
    }
}

fn from_database_error(db: &dyn sqlx::error::DatabaseError) -> CoreError {
    tracing::debug!(code = ?db.code(), constraint = ?db.constraint(), "database error: {}", db.message());
    let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
    let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
    match code.as_str() {
        "40001" => CoreError::collision("serialization failure"),
        "40P01" => CoreError::collision("deadlock"),
        "55P03" => CoreError::collision("lock not available"),
        "23505" | "23503" | "23514" | "23502" | "23P01" => constraint_error(&Violation {
            code: &code,
            constraint: db.constraint(),
            table: pg.and_then(|p| p.table()).or_else(|| db.table()),
            column: pg.and_then(|p| p.column()),
            detail: pg.and_then(|p| p.detail()),
        }),
        "57014" => CoreError::Cancelled,
        // The server is shutting down or not accepting connections yet.
        "57P01" | "57P02" | "57P03" => {
            CoreError::Unavailable("the database server is shutting down or starting".into())
        }
        "25006" => {
            CoreError::Forbidden("nothing can be changed while viewing as another person".into())
        }
        "42501" if db.message().contains("row-level security") => CoreError::Forbidden(
            "your scopes do not allow this change here (refused by row-level security)".into(),
        ),
        "42501" => CoreError::Forbidden(
            "the database refused this for your role (insufficient privilege)".into(),
        ),
        "22001" => CoreError::invalid(None, Rule::TooLong, "a value is too long for its field"),
        c if c.starts_with("22") => CoreError::invalid(
            None,
            Rule::Format,
            format!("the database refused a value (SQLSTATE {c})"),
        ),
        c if c.starts_with("08") || c.starts_with("57P") || c.starts_with("53") => {
            CoreError::Unavailable(format!("the server is not available (SQLSTATE {c})"))
        }
        c => CoreError::Database(format!("the database refused the request (SQLSTATE {c})")),
    }
}

/// A violated integrity constraint, as PostgreSQL reported it.
struct Violation<'a> {
    code: &'a str,
    constraint: Option<&'a str>,
    table: Option<&'a str>,
    column: Option<&'a str>,
    detail: Option<&'a str>,
}

/// The typed error of a violated constraint (`constraints::CONSTRAINTS`
/// names the field): unique → `Validation` (unique), foreign key → `InUse`
/// when a referenced row was to go, `Validation` (reference) when a new
/// reference points nowhere, NOT NULL → `Validation` (required), CHECK and
/// exclusion → `Validation` (check).
fn constraint_error(v: &Violation<'_>) -> CoreError {
    let known = v.constraint.and_then(constraints::find);
    match v.code {
        "23505" => {
            let (field, record) = known.map_or((None, "a record"), |c| (Some(c.field), c.record));
            let message = match field {
                Some("id") | None => format!("{record} with this id already exists"),
                Some("name") => format!("{record} with this name already exists here"),
                Some(f) => format!("{record} with this {} already exists", f.replace('_', " ")),
            };
            CoreError::invalid(field, Rule::Unique, message)
        }
        "23503" => {
            let Some(c) = known else {
                return CoreError::InUse("the record is still referenced by other records".into());
            };
            let ConstraintKind::ForeignKey { references } = c.kind else {
                return CoreError::InUse("the record is still referenced by other records".into());
            };
            // PostgreSQL reports both directions with the same code, table
            // and constraint; only its detail tells a new reference to
            // nothing ("is not present") from the deletion of a row still
            // referenced. A server whose messages are translated reads as
            // the latter.
            let deleting_referenced = !v.detail.is_some_and(|d| d.contains("is not present"));
            if deleting_referenced {
                CoreError::InUse(format!(
                    "{} is still referenced by {} ({}): remove those references first",
                    constraints::record_of_table(references),
                    c.record,
                    c.field.replace('_', " ")
                ))
            } else {
                CoreError::invalid(
                    Some(c.field),
                    Rule::Reference,
                    format!(
                        "the {} refers to {} that does not exist",
                        c.field.replace('_', " "),
                        constraints::record_of_table(references)
                    ),
                )
            }
        }
        "23502" => {
            let field = v.column;
            CoreError::invalid(
                field,
                Rule::Required,
                match field {
                    Some(f) => format!("{} is required", f.replace('_', " ")),
                    None => "a required value is missing".into(),
                },
            )
        }
        _ => CoreError::invalid(
            None,
            Rule::Check,
            format!(
                "the value breaks a rule of {}{}",
                v.table.map_or("a record", constraints::record_of_table),
                v.constraint.map(|c| format!(" ({c})")).unwrap_or_default()
            ),
        ),
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
