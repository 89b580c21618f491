//! Test support: one throwaway PostgreSQL cluster per test run (shared by
//! every test process of the run), a migrated template database built once,
//! and a fresh database per test cloned from it.

use std::time::Duration;

use sqlx::postgres::PgPool;
use sqlx::{ConnectOptions, Connection};
use studio_localdb::TestCluster;
use uuid::Uuid;

const TEMPLATE: &str = "eco_template";

/// Set to 1 to run the tests through the run's PgBouncer in transaction
/// mode: [`test_db`] then connects through it (its `url` names the pooler,
/// with `pooler=transaction`), so every test that connects with that URL
/// goes through the pooler.
pub const POOLER_ENV: &str = "ECO_TEST_POOLER";

/// Whether this run's tests go through the pooler ([`POOLER_ENV`]).
pub fn through_pooler() -> bool {
    std::env::var(POOLER_ENV).is_ok_and(|v| v == "1")
}

/// A fresh, migrated, empty database of its own for one test.
pub struct TestDb {
    /// How the test connects: straight to the server, or through the
    /// run's pooler when [`through_pooler`].
    pub url: String,
    /// Straight to the server, whatever the mode (for what needs a session:
    /// migrating, the cluster's own work).
    pub direct_url: String,
    pub name: String,
    pub pool: PgPool,
}

/// Creates a fresh database for this test, cloned from the migrated template.
pub async fn test_db() -> TestDb {
    let cluster = tokio::task::spawn_blocking(TestCluster::shared)
        .await
        .expect("the test cluster thread panicked");
    ensure_template(cluster).await;

    let name = format!("t_{}", Uuid::now_v7().simple());
    let mut admin = connect_admin(cluster).await;
    let mut attempt = 0;
    loop {
        let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{TEMPLATE}\"");
        match sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
        {
            Ok(_) => break,
            // Another process may be connected to the template for a moment.
            Err(e) if attempt < 20 => {
                attempt += 1;
                tracing::debug!("clone of the template failed, retrying: {e}");
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Err(e) => panic!("could not clone the template database: {e}"),
        }
    }
    admin.close().await.ok();
    let direct_url = cluster.url(&name);
    let url = if through_pooler() {
        let pooler = tokio::task::spawn_blocking(move || cluster.pooler())
            .await
            .expect("the pooler thread panicked");
        pooler.url(&name, "postgres")
    } else {
        direct_url.clone()
    };
    let pool = crate::db::connect(&url)
        .await
        .expect("connect to the fresh test database");
    TestDb {
        url,
        direct_url,
        name,
        pool,
    }
}

/// A URL of the run's pooler (started on first use) reaching `database` as
/// `user`, whatever [`through_pooler`] says.
pub async fn pooler_url(database: &str, user: &str) -> String {
    let cluster = tokio::task::spawn_blocking(TestCluster::shared)
        .await
        .expect("the test cluster thread panicked");
    let pooler = tokio::task::spawn_blocking(move || cluster.pooler())
        .await
        .expect("the pooler thread panicked");
    pooler.url(database, user)
}

async fn connect_admin(cluster: &TestCluster) -> sqlx::PgConnection {
    crate::db::parse_url(&cluster.url("postgres"))
        .expect("test cluster url")
        .connect()
        .await
        .expect("connect to the test cluster's postgres database")
}

/// Builds the migrated template once per run, under a cross-process lock.
async fn ensure_template(cluster: &'static TestCluster) {
    let guard = tokio::task::spawn_blocking(move || cluster.lock("template"))
        .await
        .expect("lock thread");
    let mut admin = connect_admin(cluster).await;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(TEMPLATE)
            .fetch_one(&mut admin)
            .await
            .expect("query pg_database");
    if !exists {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE \"{TEMPLATE}\""
        )))
        .execute(&mut admin)
        .await
        .expect("create the template database");
        let pool = crate::db::connect(&cluster.url(TEMPLATE))
            .await
            .expect("connect to the template");
        crate::db::migrate(&pool)
            .await
            .expect("migrate the template database");
        pool.close().await;
    }
    admin.close().await.ok();
    drop(guard);
}
