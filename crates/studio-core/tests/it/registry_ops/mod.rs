//! The registry's operations one by one, against a real PostgreSQL (a fresh
//! migrated database per test): entity types, create / rename / move /
//! delete / restore / purge, the audit trail and the read paths.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use studio_core::progress::{CancelToken, Progress as MoveProgress};
use studio_core::records::{CurrentRow, EntityType, TreeNode, VersionedId};
use studio_core::registry::{
    self, CreateEntity, DeleteOutcome, EntityTypeInput, EntityTypeSpec, EntityTypeUpdate,
    MoveEntity, PurgePolicy, RenameEntity,
};
use studio_core::testing::test_db;
use studio_core::{Actor, CoreError, Source};
use uuid::Uuid;

use crate::common::{snapshot, Row};

const SITE: &str = "site";

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

// ---------------------------------------------------------------- helpers

async fn ensure_type(pool: &PgPool, key: &str, is_system: bool) -> Uuid {
    crate::common::ensure_type(pool, key, key, is_system).await
}

async fn try_create_of(
    pool: &PgPool,
    type_key: &str,
    parent: Option<Uuid>,
    name: &str,
) -> Result<TreeNode, CoreError> {
    registry::create(
        pool,
        &actor(),
        &CreateEntity {
            type_key: type_key.to_string(),
            parent_id: parent,
            name: name.to_string(),
        },
    )
    .await
    .map(|a| a.value)
}

async fn create_of(pool: &PgPool, type_key: &str, parent: Option<Uuid>, name: &str) -> TreeNode {
    try_create_of(pool, type_key, parent, name)
        .await
        .unwrap_or_else(|e| panic!("creating {:?} must succeed: {e:?}", short(name)))
}

async fn create(pool: &PgPool, parent: Option<Uuid>, name: &str) -> TreeNode {
    create_of(pool, SITE, parent, name).await
}

async fn current(pool: &PgPool, id: Uuid) -> TreeNode {
    registry::get_entity(pool, id)
        .await
        .unwrap_or_else(|e| panic!("entity {id} must be readable: {e:?}"))
        .node
}

async fn rename(pool: &PgPool, node: &TreeNode, name: &str) -> Result<TreeNode, CoreError> {
    registry::rename(
        pool,
        &actor(),
        &RenameEntity {
            id: node.id,
            expected_updated_at: node.updated_at,
            name: name.to_string(),
        },
    )
    .await
    .map(|a| a.value)
}

async fn move_to(
    pool: &PgPool,
    node: &TreeNode,
    parent: Option<Uuid>,
) -> Result<TreeNode, CoreError> {
    registry::move_entity(
        pool,
        &actor(),
        &MoveEntity {
            id: node.id,
            expected_updated_at: node.updated_at,
            new_parent_id: parent,
        },
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .map(|a| a.value.node)
}

async fn delete(pool: &PgPool, node: &TreeNode) -> Result<DeleteOutcome, CoreError> {
    registry::delete(
        pool,
        &actor(),
        &VersionedId {
            id: node.id,
            expected_updated_at: node.updated_at,
        },
    )
    .await
    .map(|a| a.value)
}

async fn entity_type(pool: &PgPool, id: Uuid) -> EntityType {
    let mut conn = pool.acquire().await.expect("acquire");
    registry::get_entity_type(&mut conn, id)
        .await
        .expect("the entity type must be readable")
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        format!(
            "{}… ({} chars)",
            s.chars().take(20).collect::<String>(),
            s.chars().count()
        )
    } else {
        s.to_string()
    }
}

fn id_label(id: Uuid) -> String {
    id.simple().to_string()
}

fn by_id(rows: &[Row]) -> HashMap<Uuid, &Row> {
    rows.iter().map(|r| (r.id, r)).collect()
}

async fn audit_total(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(pool)
        .await
        .expect("count audit rows")
}

async fn audit_count(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(pool)
        .await
        .expect("count audit rows")
}

async fn scalar_i64(pool: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

/// The tree invariants over all rows (deleted ones included: a restore
/// relies on them): path = parent's path + own id label, path_label =
/// parent's label + '.' + one slug, labels unique, no live entity under a
/// deleted or missing parent, every live entity has a name.
fn assert_consistent(rows: &[Row]) {
    let ids = by_id(rows);
    let mut labels = HashSet::new();
    for r in rows {
        assert!(
            labels.insert(r.path_label.as_str()),
            "path_label {:?} is held twice",
            r.path_label
        );
        let slug = match r.parent_id {
            None => {
                assert_eq!(
                    r.path,
                    id_label(r.id),
                    "a root's path is its own id label ({})",
                    r.id
                );
                r.path_label.as_str()
            }
            Some(pid) => {
                let p = ids
                    .get(&pid)
                    .unwrap_or_else(|| panic!("entity {} has a missing parent {pid}", r.id));
                assert_eq!(
                    r.path,
                    format!("{}.{}", p.path, id_label(r.id)),
                    "path of {} must be its parent's path plus its id label",
                    r.id
                );
                if r.deleted_at.is_none() {
                    assert!(
                        p.deleted_at.is_none(),
                        "live entity {} ({}) is an orphan under deleted parent {}",
                        r.id,
                        r.path_label,
                        p.id
                    );
                }
                r.path_label
                    .strip_prefix(&format!("{}.", p.path_label))
                    .unwrap_or_else(|| {
                        panic!(
                            "path_label {:?} must extend its parent's {:?}",
                            r.path_label, p.path_label
                        )
                    })
            }
        };
        assert!(
            !slug.is_empty()
                && slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "the last segment of {:?} must be one slug of [a-z0-9_], without dots",
            r.path_label
        );
        if r.deleted_at.is_none() {
            assert!(r.name.is_some(), "live entity {} has no name", r.id);
        }
    }
}

async fn lock_waiters(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND pid <> pg_backend_pid()",
    )
    .fetch_one(pool)
    .await
    .expect("read pg_stat_activity")
}

async fn wait_for_lock_waiters(pool: &PgPool, n: i64, what: &str) {
    let start = Instant::now();
    while lock_waiters(pool).await < n {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} never started waiting on a lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

mod audit;
mod moves;
mod reads;
mod renames;
mod trash;
mod types;
mod versions;
