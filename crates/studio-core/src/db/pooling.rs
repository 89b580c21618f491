//! Reaching PostgreSQL through a pooler in transaction mode (PgBouncer
//! `pool_mode = transaction`), where every transaction may run on another
//! server connection.
//!
//! The driver prepares a statement in one round trip (Parse, Describe,
//! Sync) and runs it in the next (Bind, Execute, Sync). A transaction
//! pooler hands the server back to its pool at every Sync that leaves the
//! server idle, so outside a transaction the second round trip may reach a
//! server that never saw the statement, or one holding another client's
//! statement of the same name. Through such a pooler the studio therefore:
//!
//! - keeps every lease of a pooled connection inside one server
//!   transaction: `BEGIN` when the pool hands the connection out, `COMMIT`
//!   when it comes back, so the pooler keeps the same server for all of it;
//!   a caller's own transaction (`pool.begin()`) runs inside the lease and
//!   its `COMMIT` ends it (the server warns about the nested `BEGIN`; the
//!   lease's `SET LOCAL` hides that warning);
//! - caches no prepared statement across leases (each is prepared in the
//!   lease that runs it); the pooler must drop a transaction's statements
//!   when it ends, which PgBouncer before 1.21 does with
//!   `server_reset_query_always = 1` (checked on connect, see [`check`]);
//! - sends no startup parameter the pooler does not know
//!   (`extra_float_digits`), sets nothing for the session (only `SET
//!   LOCAL`), takes no session advisory lock (migrations refuse to run
//!   through it) and keeps no cursor open across transactions.
//!
//! Writes on the pool itself (not in a transaction of the caller's) commit
//! when the lease ends, which is after the statement returns: code that
//! writes uses a transaction of its own, so its commit is done when it
//! returns.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};

use crate::error::{ConnectionProblem, CoreError, CoreResult, Rule};

/// The URL parameter that says how the connection reaches the server:
/// `pooler=transaction` for a transaction pooler; absent (or `none`,
/// `session`) for a server or a session pooler.
pub const URL_PARAMETER: &str = "pooler";

/// How the studio's connections reach PostgreSQL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pooling {
    /// Straight to the server, or through a pooler in session mode: a
    /// connection is one server session for its whole life.
    #[default]
    Direct,
    /// Through a pooler in transaction mode: only a transaction keeps its
    /// server.
    Transaction,
}

/// Splits the pooler parameter off `url`: the URL without it, and the mode.
pub fn split(url: &str) -> CoreResult<(String, Pooling)> {
    let Some(q) = url.find('?') else {
        return Ok((url.to_string(), Pooling::Direct));
    };
    let (base, query) = (&url[..q], &url[q + 1..]);
    let mut pooling = Pooling::Direct;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != URL_PARAMETER {
            kept.push(pair);
            continue;
        }
        pooling = match value {
            "transaction" => Pooling::Transaction,
            "" | "none" | "session" => Pooling::Direct,
            other => {
                return Err(CoreError::invalid(
                    Some("url"),
                    Rule::Format,
                    format!(
                        "unknown pooler mode {other:?}: use pooler=transaction for PgBouncer in \
                         transaction mode (session mode needs nothing)"
                    ),
                ))
            }
        };
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, pooling))
}

/// The URL with the pooler parameter set to `pooling`.
pub fn with_pooling(url: &str, pooling: Pooling) -> CoreResult<String> {
    let (base, _) = split(url)?;
    Ok(match pooling {
        Pooling::Direct => base,
        Pooling::Transaction => {
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}{URL_PARAMETER}=transaction")
        }
    })
}

/// Connection options adjusted for `pooling`.
pub(crate) fn adjust(opts: PgConnectOptions, pooling: Pooling) -> PgConnectOptions {
    match pooling {
        Pooling::Direct => opts,
        Pooling::Transaction => opts.statement_cache_capacity(0).extra_float_digits(None),
    }
}

/// Ends the lease's server transaction (see `pool_options`). When the
/// caller's own transaction already ended the lease, the two statements are
/// one implicit transaction block, whose COMMIT would warn "there is no
/// transaction in progress" but for the local setting before it.
const END: &str = "SET LOCAL client_min_messages = error; COMMIT";

/// Opens the lease's server transaction.
const PIN: &str = "BEGIN; SET LOCAL client_min_messages = error";

/// Pool options for `pooling`: under a transaction pooler, every lease is
/// one server transaction (see the module's documentation).
/// With a transaction pooler, a pool must not open connections ahead of
/// use (`min_connections`): a connection's first lease begins when it
/// opens, so an idle one would hold a server. For the same reason such a
/// pool is made with `connect_lazy_with`, not `connect_with`, which tests
/// a first connection and puts it back idle without ending its lease: each
/// new pool would hold a server transaction until its first use, and a few
/// such pools of one person starve the pooler's pool for that person.
pub(crate) fn pool_options(pooling: Pooling) -> PgPoolOptions {
    let options = PgPoolOptions::new();
    match pooling {
        Pooling::Direct => options,
        Pooling::Transaction => options
            // The lease's BEGIN tests the connection already; skipping the
            // extra ping also marks the pool as pooled (`is_pooled`).
            .test_before_acquire(false)
            .after_connect(|conn, _| Box::pin(async move { pin(conn).await }))
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    pin(conn).await?;
                    Ok(true)
                })
            })
            .after_release(|conn, _| {
                Box::pin(async move {
                    // Ends the lease. When the caller's own transaction
                    // already ended it, this is a no-op (COMMIT closes the
                    // implicit block of this one query); it fails when the
                    // lease's transaction failed, which ROLLBACK then ends.
                    if sqlx::raw_sql(END).execute(&mut *conn).await.is_err() {
                        sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await?;
                    }
                    Ok(true)
                })
            }),
    }
}

/// A statement run straight on a pool and committed before it returns: in
/// a transaction of its own when the pool is pooled (where the lease would
/// commit it only after the call), as is otherwise.
pub trait ExecuteCommitted {
    fn execute_committed(
        self,
        pool: &sqlx::PgPool,
    ) -> impl std::future::Future<Output = Result<sqlx::postgres::PgQueryResult, sqlx::Error>> + Send;
}

impl<'q> ExecuteCommitted for sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    async fn execute_committed(
        self,
        pool: &sqlx::PgPool,
    ) -> Result<sqlx::postgres::PgQueryResult, sqlx::Error> {
        if !is_pooled(pool) {
            return self.execute(pool).await;
        }
        let mut tx = pool.begin().await?;
        let done = self.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done)
    }
}

impl ExecuteCommitted for sqlx::RawSql {
    async fn execute_committed(
        self,
        pool: &sqlx::PgPool,
    ) -> Result<sqlx::postgres::PgQueryResult, sqlx::Error> {
        if !is_pooled(pool) {
            return self.execute(pool).await;
        }
        let mut tx = pool.begin().await?;
        let done = self.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done)
    }
}

/// Whether `pool` reaches its server through a transaction pooler.
pub fn is_pooled(pool: &sqlx::PgPool) -> bool {
    !pool.options().get_test_before_acquire()
}

async fn pin(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(PIN).execute(&mut *conn).await?;
    Ok(())
}

/// The refusal of work that needs a server session of its own (several
/// transactions on one session, or a statement that cannot run inside a
/// transaction).
pub fn needs_session(what: &str) -> CoreError {
    CoreError::state(format!(
        "{what} needs a server session of its own, which a pooler in transaction mode does \
         not give: connect straight to the server (without pooler=transaction) for it"
    ))
}

/// Checks, on a fresh connection through the pooler, that a statement
/// prepared in one transaction is gone in the next, which the pooler must
/// ensure (`server_reset_query_always = 1` with PgBouncer before 1.21):
/// otherwise two clients preparing statements of the same name on one
/// server would collide.
pub(crate) async fn check(opts: &PgConnectOptions) -> CoreResult<()> {
    let mut conn = opts
        .connect()
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    let name = format!("eco_pooler_probe_{}", uuid::Uuid::now_v7().simple());
    let outcome = async {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "BEGIN; PREPARE {name} AS SELECT 1; COMMIT"
        )))
        .execute(&mut conn)
        .await?;
        // The next transaction: on the same server when the pooler has only
        // this client, which is when a leftover would show.
        tokio::time::sleep(Duration::from_millis(5)).await;
        sqlx::raw_sql("BEGIN").execute(&mut conn).await?;
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_prepared_statements WHERE name = $1")
                .bind(&name)
                .persistent(false)
                .fetch_one(&mut conn)
                .await?;
        sqlx::raw_sql("COMMIT").execute(&mut conn).await?;
        Ok::<_, sqlx::Error>(left)
    }
    .await;
    conn.close().await.ok();
    match outcome {
        Ok(0) => Ok(()),
        Ok(_) => Err(CoreError::Connection {
            problem: ConnectionProblem::PoolerSetting,
            message:
                "the pooler keeps prepared statements after a transaction ends, so clients would \
             collide on statement names: set server_reset_query_always = 1 in pgbouncer.ini \
             (PgBouncer before 1.21), or connect without pooler=transaction"
                    .into(),
        }),
        Err(e) => Err(CoreError::Unavailable(format!(
            "could not check the pooler: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_is_split_off_and_put_back() {
        let (url, p) = split("postgres://a@h:6432/db?pooler=transaction&sslmode=require").unwrap();
        assert_eq!(url, "postgres://a@h:6432/db?sslmode=require");
        assert_eq!(p, Pooling::Transaction);
        let (url, p) = split("postgres://a@h/db?pooler=transaction").unwrap();
        assert_eq!(
            (url.as_str(), p),
            ("postgres://a@h/db", Pooling::Transaction)
        );
        let (url, p) = split("postgres://a@h/db?sslmode=disable").unwrap();
        assert_eq!(
            (url.as_str(), p),
            ("postgres://a@h/db?sslmode=disable", Pooling::Direct)
        );
        assert!(split("postgres://a@h/db?pooler=statement").is_err());
        assert_eq!(
            with_pooling("postgres://a@h/db?x=1", Pooling::Transaction).unwrap(),
            "postgres://a@h/db?x=1&pooler=transaction"
        );
        assert_eq!(
            with_pooling("postgres://a@h/db?pooler=transaction", Pooling::Direct).unwrap(),
            "postgres://a@h/db"
        );
    }
}
