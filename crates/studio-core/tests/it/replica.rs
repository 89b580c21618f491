//! Reads from a hot standby, writes to the primary, and read-your-writes
//! for the client's own changes (`db::replica`).

use std::time::{Duration, Instant};

use studio_core::db::{self, ReplicaOptions, Replicated};
use studio_core::registry::{self, CreateEntity, RenameEntity};
use studio_core::testing::test_db;
use studio_core::{Actor, Source};
use studio_localdb::TestCluster;

use crate::common::ensure_type;

/// A pool on the run's replica for the test's database, once the replica
/// has replayed its creation.
async fn replica_pool(name: &str) -> sqlx::PgPool {
    let replica = tokio::task::spawn_blocking(|| TestCluster::shared().replica())
        .await
        .expect("the replica thread panicked");
    let url = replica.url(name);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match db::connect(&url).await {
            Ok(pool) => return pool,
            Err(e) if Instant::now() < deadline => {
                tracing::debug!("the replica has no {name} yet: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("the replica never showed {name}: {e}"),
        }
    }
}

async fn in_recovery(pool: &sqlx::PgPool) -> bool {
    let mut tx = pool.begin().await.unwrap();
    let r: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    r
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Every read right after the client's own write sees it, whether the
/// replica caught up within the wait or the read fell back to the primary.
async fn own_writes_are_read_back(
    options: ReplicaOptions,
    rounds: usize,
) -> (Replicated, Vec<f64>) {
    let db = test_db().await;
    ensure_type(&db.pool, "site", "Site", false).await;
    // The test cluster commits asynchronously for speed (its WAL reaches
    // the replica up to 200 ms late); a server commits synchronously.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE \"{}\" SET synchronous_commit = on",
        db.name
    )))
    .execute(&db.pool)
    .await
    .unwrap();
    let primary = db::connect(&db.url).await.unwrap();
    let replicated = Replicated::new(primary, replica_pool(&db.name).await, options);
    assert!(
        in_recovery(&replicated.read_pool().await).await,
        "with nothing written, reads go to the replica"
    );
    let actor = Actor::new(None, Source::Test);
    let mut choice_ms = Vec::new();
    for i in 0..rounds {
        let created = registry::create(
            replicated.primary(),
            &actor,
            &CreateEntity {
                type_key: "site".into(),
                parent_id: None,
                name: format!("Site {i}"),
            },
        )
        .await
        .unwrap()
        .value;
        replicated.note_write();
        let started = Instant::now();
        let pool = replicated.read_pool().await;
        choice_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let seen = registry::get_entity(&pool, created.id)
            .await
            .expect("the new entity is readable right after its creation");
        assert_eq!(seen.node.name, format!("Site {i}"));

        let renamed = registry::rename(
            replicated.primary(),
            &actor,
            &RenameEntity {
                id: created.id,
                expected_updated_at: seen.node.updated_at,
                name: format!("Renamed {i}"),
            },
        )
        .await
        .unwrap();
        drop(renamed);
        replicated.note_write();
        let pool = replicated.read_pool().await;
        let seen = registry::get_entity(&pool, created.id).await.unwrap();
        assert_eq!(seen.node.name, format!("Renamed {i}"), "round {i}");
    }
    choice_ms.sort_by(f64::total_cmp);
    (replicated, choice_ms)
}

#[tokio::test]
async fn reads_go_to_the_replica_and_see_the_clients_own_writes() {
    let options = ReplicaOptions {
        max_wait: Duration::from_millis(200),
        ..ReplicaOptions::default()
    };
    let (replicated, waits) = own_writes_are_read_back(options, 100).await;
    let counts = replicated.counts();
    println!(
        "wait for the replica: {counts:?}; choosing the pool p50 {:.2} ms p95 {:.2} ms",
        percentile(&waits, 0.5),
        percentile(&waits, 0.95)
    );
    assert!(
        counts.replica > counts.primary_behind,
        "a local standby catches up within 200 ms nearly always: {counts:?}"
    );
    assert_eq!(counts.primary_down, 0);
}

#[tokio::test]
async fn without_a_wait_reads_after_a_write_fall_back_to_the_primary() {
    let options = ReplicaOptions {
        max_wait: Duration::ZERO,
        health_every: Duration::ZERO,
    };
    let (replicated, _) = own_writes_are_read_back(options, 30).await;
    let counts = replicated.counts();
    println!("no wait: {counts:?}");
    assert_eq!(counts.waited, 0, "{counts:?}");

    // A replica that stops answering sends reads to the primary.
    replicated.replica().close().await;
    let pool = replicated.read_pool().await;
    assert!(!in_recovery(&pool).await, "the primary serves the read");
    assert_eq!(replicated.counts().primary_down, 1);
}

#[tokio::test]
async fn a_url_naming_a_replica_connects_reads_to_it() {
    let db = test_db().await;
    let replica = tokio::task::spawn_blocking(|| TestCluster::shared().replica())
        .await
        .unwrap();
    // Wait for the replica to show the test's database.
    replica_pool(&db.name).await.close().await;
    let endpoint = replica.endpoint();
    let url = format!(
        "{}&replica={}",
        db.direct_url,
        urlencode(&format!(
            "{}:{}",
            endpoint.socket_dir.display(),
            endpoint.port
        ))
    );
    let reads = db::connect_replica(&url, "eco-studio test", ReplicaOptions::default(), &db.pool)
        .await
        .unwrap()
        .expect("the URL names a replica");
    assert!(in_recovery(reads.replica()).await, "it is the standby");
    assert!(in_recovery(&reads.read_pool().await).await);
    // The primary's own options ignore the parameter.
    let primary = db::connect(&url).await.unwrap();
    assert!(!in_recovery(&primary).await);
    let none = db::connect_replica(&db.direct_url, "t", ReplicaOptions::default(), &db.pool)
        .await
        .unwrap();
    assert!(none.is_none());
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
