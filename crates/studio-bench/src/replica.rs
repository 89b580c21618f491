//! The read replica's benchmark: a person's write on the primary followed
//! by a read of it through the replica router (`db::Replicated`), as every
//! edit in the app is. Ops:
//!
//! - `read_after_write`: the read right after a rename, from choosing the
//!   pool (waiting for the replica when it has not replayed the rename
//!   yet) to the entity read; floor: the same read on the primary.
//! - `replica_catch_up`: from the rename's commit until the replica has
//!   replayed it (polled every 0.2 ms); floor: one poll of the replica's
//!   replay position.
//! - `read_no_write`: a read with nothing to wait for (the replica's
//!   health probe included when due); floor: the same read on the replica.
//!
//! The entity is a root the run makes (deleted after).

use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;
use studio_core::change::Actor;
use studio_core::db::{replica, ReplicaOptions, Replicated};
use studio_core::error::CoreResult;
use studio_core::records::VersionedId;
use studio_core::registry::{self, CreateEntity, RenameEntity};

use crate::tree::{registry_facts, result, BenchReport, TargetInfo};

pub async fn bench_replica(
    primary: &PgPool,
    replica_pool: &PgPool,
    actor: &Actor,
    iterations: u32,
    options: ReplicaOptions,
) -> CoreResult<(BenchReport, Vec<serde_json::Value>)> {
    let (postgres_version, entities) = registry_facts(primary).await?;
    let type_key = registry::list_entity_types(primary, false)
        .await?
        .into_iter()
        .map(|t| t.key)
        .find(|k| k == "site" || k == "tenant")
        .unwrap_or_else(|| "site".into());
    let root = registry::create(
        primary,
        actor,
        &CreateEntity {
            type_key,
            parent_id: None,
            name: format!("Replica bench {}", uuid::Uuid::now_v7().simple()),
        },
    )
    .await?
    .value;
    let router = Replicated::new(primary.clone(), replica_pool.clone(), options.clone());
    let mut version = root.updated_at;
    let (mut core, mut floor) = (Vec::new(), Vec::new());
    let (mut lag, mut lag_floor) = (Vec::new(), Vec::new());
    for i in 0..iterations {
        let renamed = registry::rename(
            primary,
            actor,
            &RenameEntity {
                id: root.id,
                expected_updated_at: version,
                name: format!("Replica bench round {i}"),
            },
        )
        .await?
        .value;
        version = renamed.updated_at;
        router.note_write();
        let started = Instant::now();
        let pool = router.read_pool().await;
        let seen = registry::get_entity(&pool, root.id).await?;
        core.push(started.elapsed());
        if seen.node.name != renamed.name {
            return Err(studio_core::CoreError::state(format!(
                "read-your-writes broken: read {:?} after writing {:?}",
                seen.node.name, renamed.name
            )));
        }
        let started = Instant::now();
        registry::get_entity(primary, root.id).await?;
        floor.push(started.elapsed());

        // How long the replica takes by itself, on a second rename.
        let again = registry::rename(
            primary,
            actor,
            &RenameEntity {
                id: root.id,
                expected_updated_at: version,
                name: format!("Replica bench round {i}b"),
            },
        )
        .await?
        .value;
        let committed = Instant::now();
        version = again.updated_at;
        let target = replica::current_position(primary).await?;
        let deadline = committed + Duration::from_secs(10);
        loop {
            let polled = Instant::now();
            let done = replica::replayed(replica_pool, &target).await?;
            lag_floor.push(polled.elapsed());
            if done || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        lag.push(committed.elapsed());
        router.note_write();
    }
    let (mut plain, mut plain_floor) = (Vec::new(), Vec::new());
    let _ = router.read_pool().await;
    for _ in 0..iterations {
        let started = Instant::now();
        let pool = router.read_pool().await;
        registry::get_entity(&pool, root.id).await?;
        plain.push(started.elapsed());
        let started = Instant::now();
        registry::get_entity(replica_pool, root.id).await?;
        plain_floor.push(started.elapsed());
    }
    let counts = router.counts();
    let _deleted = registry::delete(
        primary,
        actor,
        &VersionedId {
            id: root.id,
            expected_updated_at: version,
        },
    )
    .await?;
    let results = vec![
        result("read_after_write", &mut core, &mut floor, 1),
        result("replica_catch_up", &mut lag, &mut lag_floor, 1),
        result("read_no_write", &mut plain, &mut plain_floor, 1),
    ];
    let extra = vec![json!({
        "op": "read_after_write",
        "max_wait_ms": options.max_wait.as_secs_f64() * 1000.0,
        "reads_on_replica": counts.replica,
        "reads_that_waited": counts.waited,
        "reads_on_primary_behind": counts.primary_behind,
        "reads_on_primary_down": counts.primary_down,
    })];
    Ok((
        BenchReport {
            postgres_version,
            entities,
            targets: vec![TargetInfo {
                op: "read_after_write",
                description: format!(
                    "a rename on the primary, then its read through the replica router \
                     (waits up to {} ms)",
                    options.max_wait.as_millis()
                ),
            }],
            results,
        },
        extra,
    ))
}
