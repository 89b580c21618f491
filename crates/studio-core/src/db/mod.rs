//! Connecting, creating the database when it is missing, migrating, and
//! the transaction wrapper the operations are built on.

pub mod pooling;
pub mod replica;
mod soft;
mod tx;

pub use pooling::Pooling;
pub use replica::{ReadCounts, ReplicaOptions, Replicated};
pub(crate) use soft::{set_deleted, Catalog};
pub use sqlx::PgConnection;
pub use tx::{clock, retrying, MAX_ATTEMPTS};

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnectOptions;
pub use sqlx::postgres::PgPool;
use sqlx::{ConnectOptions, Connection};

use crate::error::{CoreError, CoreResult, Rule};

/// The schema: `migrations/` at the repository root, embedded at build time.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// What the studio knows of the server it is connected to.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub version: String,
    pub database: String,
    pub user: String,
}

/// Parses a connection URL, with a clear message for a malformed one. A
/// `pooler=transaction` parameter (see [`pooling`]) adjusts the options for
/// a transaction pooler; a `replica` parameter (see [`replica`]) is for
/// [`connect_replica`], not these options.
pub fn parse_url(url: &str) -> CoreResult<PgConnectOptions> {
    let (url, _) = replica::split(url)?;
    let (url, pooling) = pooling::split(&url)?;
    Ok(pooling::adjust(parse_plain_url(&url)?, pooling))
}

/// How the URL reaches the server (its `pooler` parameter).
pub fn pooling_of(url: &str) -> CoreResult<Pooling> {
    Ok(pooling::split(url)?.1)
}

fn parse_plain_url(url: &str) -> CoreResult<PgConnectOptions> {
    let scheme = url.split("://").next().unwrap_or_default();
    if !url.contains("://") || !matches!(scheme, "postgres" | "postgresql") {
        return Err(CoreError::invalid(
            Some("url"),
            Rule::Format,
            "invalid database URL: it must start with postgres:// or postgresql://",
        ));
    }
    PgConnectOptions::from_str(url).map_err(|e| {
        CoreError::invalid(
            Some("url"),
            Rule::Format,
            format!("invalid database URL: {}", redact_url(&e.to_string())),
        )
    })
}

/// A URL with any password replaced, for showing and logging.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let user = userinfo.split(':').next().unwrap_or("");
            let redacted = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            format!("{}://{}{}", &url[..scheme_end], redacted, &rest[at..])
        }
        None => url.to_string(),
    }
}

fn parse_as_url(url: &str) -> CoreResult<url::Url> {
    url::Url::parse(url).map_err(|e| {
        CoreError::invalid(
            Some("url"),
            Rule::Format,
            format!("not a database URL: {e}"),
        )
    })
}

/// The URL with its user replaced by `user` (and no password).
pub fn with_user(url: &str, user: &str) -> CoreResult<String> {
    let mut parsed = parse_as_url(url)?;
    parsed
        .set_username(user)
        .and_then(|_| parsed.set_password(None))
        .map_err(|_| {
            CoreError::invalid(Some("url"), Rule::Format, "this URL cannot name a user")
        })?;
    Ok(parsed.to_string())
}

/// The URL signing in as `user` with `password` (kept in memory only: the
/// caller neither logs nor stores it).
pub fn with_credentials(url: &str, user: &str, password: &str) -> CoreResult<String> {
    let mut parsed = parse_as_url(&with_user(url, user)?)?;
    parsed.set_password(Some(password)).map_err(|_| {
        CoreError::invalid(Some("url"), Rule::Format, "this URL cannot hold a password")
    })?;
    Ok(parsed.to_string())
}

/// The URL of a local server reached over TCP on 127.0.0.1 instead of its
/// socket directory, where the embedded cluster asks for passwords (its
/// socket, private to the machine's user, admits them without).
pub fn over_local_tcp(url: &str) -> CoreResult<String> {
    let mut parsed = parse_as_url(url)?;
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| k != "host")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parsed.set_query(None);
    if !pairs.is_empty() {
        parsed.query_pairs_mut().extend_pairs(pairs);
    }
    parsed
        .set_host(Some("127.0.0.1"))
        .map_err(|e| CoreError::invalid(Some("url"), Rule::Format, e.to_string()))?;
    Ok(parsed.to_string())
}

/// A failed connection as the person should read it: a refused sign-in
/// (wrong role or password, no entry for it on the server) is `Forbidden`.
fn connect_error(e: sqlx::Error) -> CoreError {
    let code = e
        .as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned());
    match code.as_deref() {
        Some("28P01") | Some("28000") => CoreError::Forbidden(format!(
            "the server refused the sign-in (wrong role or password?): {}",
            e.as_database_error()
                .map(|d| d.message().to_string())
                .unwrap_or_default()
        )),
        _ => CoreError::Unavailable(e.to_string()),
    }
}

/// How long opening a connection may take before the server counts as
/// unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `work`'s result, or `Unavailable` when the server takes longer than
/// [`CONNECT_TIMEOUT`].
async fn answered_in_time<T>(work: impl std::future::Future<Output = T>) -> CoreResult<T> {
    tokio::time::timeout(CONNECT_TIMEOUT, work)
        .await
        .map_err(|_| {
            CoreError::Unavailable(format!(
                "the server did not answer within {} s",
                CONNECT_TIMEOUT.as_secs()
            ))
        })
}

/// The application name of the studio's connections.
pub const APPLICATION_NAME: &str = "eco-studio";

/// A pool for normal work.
pub async fn connect(url: &str) -> CoreResult<PgPool> {
    connect_as(url, APPLICATION_NAME).await
}

/// A pool whose connections carry `application_name` (so a process can
/// tell its own backends, even exiting ones, from other clients').
pub async fn connect_as(url: &str, application_name: &str) -> CoreResult<PgPool> {
    let pooling = pooling_of(url)?;
    let opts = parse_url(url)?.application_name(application_name);
    // One direct attempt first: an unreachable server fails at once with its
    // real reason instead of after the pool's acquire timeout, and one that
    // does not answer (a pooler whose server is down holds a new client
    // until its query_wait_timeout, minutes) fails after CONNECT_TIMEOUT.
    let probe = answered_in_time(opts.connect())
        .await?
        .map_err(connect_error)?;
    probe.close().await.ok();
    let options = work_pool_options(pooling);
    match pooling {
        Pooling::Transaction => {
            answered_in_time(pooling::check(&opts)).await??;
            // Lazily: see `pooling::pool_options` (the probe and the check
            // showed the way works).
            Ok(options.connect_lazy_with(opts))
        }
        Pooling::Direct => options.connect_with(opts).await.map_err(connect_error),
    }
}

/// A pool that connects only when first used: for a server that cannot be
/// reached now (the app works from its offline cache meanwhile). Its first
/// successful use is when the server answers again.
pub fn connect_lazy_as(url: &str, application_name: &str) -> CoreResult<PgPool> {
    let opts = parse_url(url)?.application_name(application_name);
    Ok(work_pool_options(pooling_of(url)?).connect_lazy_with(opts))
}

/// The options of a pool for normal work (see [`connect_as`]).
fn work_pool_options(pooling: Pooling) -> sqlx::postgres::PgPoolOptions {
    pooling::pool_options(pooling)
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(15))
}

/// Pool options for the URL's way to the server, for a caller that sizes
/// its own pool (make it with `connect_lazy_with` and [`parse_url`]'s
/// options: see `pooling::pool_options`).
pub fn pool_options_for(url: &str) -> CoreResult<sqlx::postgres::PgPoolOptions> {
    Ok(pooling::pool_options(pooling_of(url)?))
}

/// The replica the URL names for reads (its `replica` parameter), connected
/// with the same role, password and settings; `None` when it names none.
pub async fn connect_replica(
    url: &str,
    application_name: &str,
    options: ReplicaOptions,
    primary: &PgPool,
) -> CoreResult<Option<Replicated>> {
    let Some(replica_url) = replica::split(url)?.1 else {
        return Ok(None);
    };
    let replica = connect_as(&replica_url, application_name).await?;
    Ok(Some(Replicated::new(primary.clone(), replica, options)))
}

/// Creates the URL's database when it does not exist yet (connecting to the
/// `postgres` maintenance database to do so, as `application_name`).
/// Returns true if it created it.
pub async fn ensure_database(url: &str, application_name: &str) -> CoreResult<bool> {
    let opts = parse_url(url)?.application_name(application_name);
    let name = opts.get_database().map(str::to_string).ok_or_else(|| {
        CoreError::invalid(
            Some("url"),
            Rule::Required,
            "the database URL names no database",
        )
    })?;
    if !is_plain_identifier(&name) {
        return Err(CoreError::invalid(
            Some("url"),
            Rule::Format,
            format!("database name {name:?} must be lowercase letters, digits and underscores"),
        ));
    }
    let mut conn = opts
        .clone()
        .database("postgres")
        .connect()
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let sql = format!("CREATE DATABASE \"{name}\"");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await.ok();
    Ok(!exists)
}

/// Applies every pending migration.
pub async fn migrate(pool: &PgPool) -> CoreResult<()> {
    if pooling::is_pooled(pool) {
        // The migrator holds a session lock across its transactions.
        return Err(pooling::needs_session("migrating the schema"));
    }
    MIGRATOR.run(pool).await?;
    Ok(())
}

pub async fn server_info(pool: &PgPool) -> CoreResult<ServerInfo> {
    let (version, database, user): (String, String, String) = sqlx::query_as(
        "SELECT split_part(current_setting('server_version'), ' ', 1), current_database(), current_user::text",
    )
    .fetch_one(pool)
    .await?;
    Ok(ServerInfo {
        version,
        database,
        user,
    })
}

pub(crate) fn is_plain_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_passwords_only() {
        assert_eq!(
            redact_url("postgres://alice:s3cret@db.example:5432/eco"),
            "postgres://alice:***@db.example:5432/eco"
        );
        assert_eq!(
            redact_url("postgres://alice@db/eco?host=/tmp/x"),
            "postgres://alice@db/eco?host=/tmp/x"
        );
        assert!(!redact_url("postgresql://u:p%40ss@h/d").contains("p%40ss"));
    }

    #[test]
    fn only_postgres_urls_parse() {
        assert!(parse_url("postgres://u@h/d").is_ok());
        assert!(parse_url("postgresql://u@h/d").is_ok());
        for bad in ["mysql://u@h/d", "not a url", "", "h/d"] {
            assert!(
                matches!(parse_url(bad), Err(CoreError::Validation(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn database_names_are_checked() {
        assert!(is_plain_identifier("eco_studio"));
        assert!(!is_plain_identifier("Eco"));
        assert!(!is_plain_identifier("x\"; drop"));
        assert!(!is_plain_identifier("1abc"));
    }
}
