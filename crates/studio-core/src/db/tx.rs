//! Transactions: the pool-and-retry wrapper every pool-level operation is
//! built on. An operation's transaction form takes `&mut PgConnection`, so
//! several operations can share one transaction; [`transaction!`] runs such
//! a body in a fresh transaction, commits it, and starts it over when it
//! collided with a concurrent one.

use std::time::Duration;

use std::future::Future;

use sqlx::PgConnection;

use crate::error::CoreResult;

/// How often a transaction that hit a serialization failure, a deadlock or
/// a concurrent move is tried before the error reaches the caller.
pub const MAX_ATTEMPTS: u32 = 8;

/// Runs `attempt` again (with a short, growing pause) when it fails with a
/// retryable error, at most [`MAX_ATTEMPTS`] times.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> CoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CoreResult<T>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(e) if e.is_retryable() && tries < MAX_ATTEMPTS => {
                tracing::debug!("retrying after {e}");
                let jitter = u64::from(uuid::Uuid::now_v7().as_bytes()[15] % 16);
                tokio::time::sleep(Duration::from_millis(5 * u64::from(tries) + jitter)).await;
            }
            other => return other,
        }
    }
}

/// Runs a body in a new transaction and commits it; rolls back on error and
/// starts over when the error is retryable (see [`retrying`]):
/// `transaction!(pool, |tx| registry::rename_in(tx, actor, input)).await`.
/// The body is an expression using `tx: &mut PgConnection` whose value is a
/// future of `CoreResult<T>`, e.g. a call of an operation's transaction form,
/// or an `async` block running several of them.
///
/// A macro rather than a function taking a closure: a closure over a
/// borrowed connection that returns a future cannot be written so that the
/// future stays `Send` for every lifetime, which the app's tasks need.
#[macro_export]
macro_rules! transaction {
    ($pool:expr, |$tx:ident| $body:expr) => {
        $crate::db::retrying(|| async {
            let mut transaction = $pool.begin().await?;
            let value = {
                let $tx: &mut $crate::db::PgConnection = &mut transaction;
                $body.await?
            };
            transaction.commit().await?;
            Ok(value)
        })
    };
}

/// The transaction's clock, as PostgreSQL stores it (microseconds).
pub async fn clock(conn: &mut PgConnection) -> CoreResult<chrono::DateTime<chrono::Utc>> {
    Ok(sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(conn)
        .await?)
}
