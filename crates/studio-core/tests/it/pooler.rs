//! Through PgBouncer in transaction mode: what breaks a client that assumes
//! one server session per connection, and that the studio's pooled
//! connections do not (`db::pooling`).

use sqlx::{ConnectOptions, Connection};
use studio_core::db::{self, Pooling};
use studio_core::testing::{pooler_url, test_db};
use studio_localdb::{Pooler, PoolerSettings, TestCluster};

/// A private pooler with one server connection per database and role, so
/// that every client shares it.
fn single_server_pooler(name: &str) -> Pooler {
    let cluster = TestCluster::shared();
    let dir = cluster
        .cluster()
        .root()
        .join(format!("pooler-{name}-{}", std::process::id()));
    Pooler::start(
        cluster.cluster(),
        cluster.endpoint(),
        &dir,
        &PoolerSettings {
            pool_size: 1,
            ..PoolerSettings::default()
        },
        std::process::id(),
    )
    .expect("start a private pgbouncer")
}

fn sqlstate(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
}

#[tokio::test]
async fn a_plain_connection_loses_its_prepared_statements_through_the_pooler() {
    let db = test_db().await;
    let pooler = tokio::task::spawn_blocking(|| single_server_pooler("plain"))
        .await
        .unwrap();
    let url = pooler.url(&db.name, "postgres");
    let (plain, _) = db::pooling::split(&url).unwrap();

    // The driver's usual way, a statement cached per connection: it is
    // prepared in one round trip and run in the next, which the pooler
    // treats as two transactions and may give to different servers; here
    // the one server was reset in between, so the statement is gone.
    let mut conn = db::parse_url(&plain).unwrap().connect().await.unwrap();
    let err = sqlx::query_scalar::<_, i32>("SELECT $1::int")
        .bind(1)
        .fetch_one(&mut conn)
        .await
        .expect_err("prepare and run are two transactions to the pooler");
    assert_eq!(sqlstate(&err).as_deref(), Some("26000"), "{err}");
    conn.close().await.ok();

    // Unnamed statements are no better: the server that runs the statement
    // is not the one that prepared it.
    let mut conn = db::parse_url(&plain).unwrap().connect().await.unwrap();
    let err = sqlx::query_scalar::<_, i32>("SELECT $1::int")
        .bind(3)
        .persistent(false)
        .fetch_one(&mut conn)
        .await
        .expect_err("prepare and run are two transactions to the pooler");
    assert_eq!(sqlstate(&err).as_deref(), Some("26000"), "{err}");

    // The same statement inside a transaction works: the pooler keeps the
    // server until it ends.
    let mut tx = conn.begin().await.unwrap();
    let one: i32 = sqlx::query_scalar("SELECT $1::int")
        .bind(1)
        .persistent(false)
        .fetch_one(&mut *tx)
        .await
        .expect("inside a transaction");
    assert_eq!(one, 1);
    tx.commit().await.unwrap();
    conn.close().await.ok();
}

#[tokio::test]
async fn pooled_connections_keep_each_statement_on_one_server() {
    let db = test_db().await;
    let pooler = tokio::task::spawn_blocking(|| single_server_pooler("pooled"))
        .await
        .unwrap();
    let url = pooler.url(&db.name, "postgres");
    assert_eq!(db::pooling_of(&url).unwrap(), Pooling::Transaction);
    let pool = db::connect(&url).await.expect("connect through the pooler");

    // Many clients on one server connection, each asking for its own
    // number: an answer with another's number would be a statement run
    // with another client's parameters.
    let mut tasks = Vec::new();
    for i in 0..40i32 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..10i32 {
                let n = i * 100 + j;
                let got: i32 = sqlx::query_scalar("SELECT $1::int + 0")
                    .bind(n)
                    .fetch_one(&pool)
                    .await
                    .expect("a read through the pooler");
                assert_eq!(got, n);
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query("SET LOCAL statement_timeout = '5s'")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                let text: String = sqlx::query_scalar("SELECT $1::text")
                    .bind(n.to_string())
                    .fetch_one(&mut *tx)
                    .await
                    .expect("a read in a transaction");
                assert_eq!(text, n.to_string());
                tx.commit().await.expect("commit");
            }
        }));
    }
    for t in tasks {
        t.await.expect("no client failed");
    }

    // A caller's own isolation level still applies inside the lease.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await
        .expect("the caller's transaction is still first to set its level");
    let level: String = sqlx::query_scalar("SELECT current_setting('transaction_isolation')")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(level, "repeatable read");
    tx.rollback().await.unwrap();

    // A write of the caller's own transaction is visible to the next read
    // on another connection as soon as it returns.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("CREATE TABLE seen (n int)")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("INSERT INTO seen VALUES ($1)")
        .bind(7)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let n: i32 = sqlx::query_scalar("SELECT n FROM seen")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 7);

    // What needs one session across transactions refuses, saying why.
    let err = db::migrate(&pool)
        .await
        .expect_err("no migration through it");
    assert!(err.to_string().contains("pooler"), "{err}");
    pool.close().await;
}

#[tokio::test]
async fn a_pooler_that_keeps_statements_is_refused_on_connect() {
    let db = test_db().await;
    let cluster = TestCluster::shared();
    let dir = cluster
        .cluster()
        .root()
        .join(format!("pooler-keeps-{}", std::process::id()));
    let pooler = tokio::task::spawn_blocking(move || {
        Pooler::start(
            cluster.cluster(),
            cluster.endpoint(),
            &dir,
            &PoolerSettings {
                pool_size: 1,
                reset_always: false,
                ..PoolerSettings::default()
            },
            std::process::id(),
        )
    })
    .await
    .unwrap()
    .expect("start a pgbouncer without the reset");
    let err = db::connect(&pooler.url(&db.name, "postgres"))
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains("server_reset_query_always"),
        "{err}"
    );
    // The run's pooler passes the same check.
    let ok = db::connect(&pooler_url(&db.name, "postgres").await).await;
    assert!(ok.is_ok(), "{:?}", ok.err());
}

/// A pool made through the pooler holds no server until it is used, and
/// gives each server back when a lease ends: two pools of one person on a
/// pooler with a single server connection both get their work done, which
/// a pool left holding its first connection's transaction would block.
#[tokio::test]
async fn pools_hold_no_server_while_idle() {
    let db = test_db().await;
    let pooler = tokio::task::spawn_blocking(|| single_server_pooler("idle"))
        .await
        .unwrap();
    let url = pooler.url(&db.name, "postgres");
    let first = db::connect(&url).await.expect("the first pool");
    let second = db::connect(&url).await.expect("the second pool");
    let idle_in_transaction = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = $1 AND state LIKE 'idle in transaction%'",
        )
        .bind(&db.name)
        .fetch_one(&db::connect(&db.direct_url).await.unwrap())
        .await
        .unwrap()
    };
    assert_eq!(
        idle_in_transaction().await,
        0,
        "a new pool holds a server transaction"
    );
    for pool in [&first, &second, &first] {
        let one: i32 = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            sqlx::query_scalar("SELECT $1::int").bind(1).fetch_one(pool),
        )
        .await
        .expect("a pool waited for the one server")
        .unwrap();
        assert_eq!(one, 1);
    }
    // The lease ends just after the call returns: wait for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while idle_in_transaction().await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "a lease was never ended"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    first.close().await;
    second.close().await;
    pooler.stop();
}
