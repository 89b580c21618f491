//! The trash: deletions that can be restored, and purge, which removes a
//! deleted subtree for good once the retention period has passed.

use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::locks::{lock_in_root, locked_entity};
use super::read::tree_node;
use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult};

/// How long a deletion stays restorable before it may be purged.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;

/// The rules a purge must satisfy.
#[derive(Debug, Clone, Copy)]
pub struct PurgePolicy {
    pub retention: Duration,
}

impl Default for PurgePolicy {
    fn default() -> Self {
        PurgePolicy {
            retention: Duration::days(DEFAULT_RETENTION_DAYS),
        }
    }
}

const TRASH_SQL: &str = concat!(
    "SELECT e.id, e.parent_entity_id AS parent_id, t.key AS type_key, t.name AS type_name, t.icon,
            COALESCE(v.value #>> '{}', '') AS name, e.path_label, e.deleted_at,
            (SELECT count(*) FROM entities d
              WHERE d.path >= e.path AND d.path < (e.path::text || '0')::ltree
                AND d.deleted_at = e.deleted_at) AS deleted_count,
            (p.deleted_at IS NOT NULL) AS parent_deleted,
            e.deleted_at + make_interval(secs => $2) AS purgeable_from
     FROM entities e
     JOIN entity_type_definitions t ON t.id = e.entity_type_id
     LEFT JOIN entities p ON p.id = e.parent_entity_id
     ",
    crate::records::name_join!(),
    "
     WHERE e.deleted_at IS NOT NULL
       AND (p.id IS NULL OR p.deleted_at IS NULL OR p.deleted_at <> e.deleted_at)
     ORDER BY e.deleted_at DESC, e.path_label
     LIMIT $1"
);

/// The tops of deletions, newest first: each deleted entity whose parent is
/// live, or was deleted at another moment.
#[instrument(skip_all)]
pub async fn list_trash(
    pool: &PgPool,
    policy: &PurgePolicy,
    limit: u32,
) -> CoreResult<Vec<TrashItem>> {
    let limit = i64::from(limit.clamp(1, 1_000));
    Ok(sqlx::query_as::<_, TrashItem>(TRASH_SQL)
        .bind(limit)
        .bind(policy.retention.num_seconds() as f64)
        .fetch_all(pool)
        .await?)
}

/// Restores exactly one deletion: the entity and the descendants deleted
/// with it (same `deleted_at`); descendants deleted earlier stay deleted.
/// The parent must be live.
#[instrument(skip_all, fields(%id))]
pub async fn restore(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<RestoreOutcome>> {
    crate::transaction!(pool, |tx| restore_in(tx, actor, id)).await
}

/// [`restore`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn restore_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<RestoreOutcome>> {
    let entity = lock_in_root(conn, id).await?;
    let Some(deleted_at) = entity.deleted_at else {
        return Err(CoreError::state("the entity is not deleted"));
    };
    // The restored rows' types must be live, and stay live until we
    // commit (FOR SHARE holds off a concurrent type deletion).
    let types: Vec<(String, bool)> = sqlx::query_as(
        "SELECT t.name, t.deleted_at IS NOT NULL FROM entity_type_definitions t
         WHERE t.id IN (SELECT entity_type_id FROM entities
                        WHERE path >= $1::ltree AND path < ($1 || '0')::ltree AND deleted_at = $2)
         ORDER BY t.name
         FOR SHARE",
    )
    .bind(&entity.path)
    .bind(deleted_at)
    .fetch_all(&mut *conn)
    .await?;
    let deleted_type_names: Vec<String> = types
        .into_iter()
        .filter(|(_, deleted)| *deleted)
        .map(|(name, _)| name)
        .collect();
    if !deleted_type_names.is_empty() {
        return Err(CoreError::state(format!(
            "restore its type first: {} (deleted)",
            deleted_type_names.join(", ")
        )));
    }
    if let Some(pid) = entity.parent_id {
        let parent = locked_entity(conn, pid).await?;
        if parent.deleted_at.is_some() {
            return Err(CoreError::state(
                "its parent is deleted too: restore the parent first",
            ));
        }
    }
    let restored: i64 = sqlx::query_scalar(
        "WITH r AS (
            UPDATE entities SET deleted_at = NULL, updated_at = clock_timestamp()
            WHERE path >= $1::ltree AND path < ($1 || '0')::ltree AND deleted_at = $2
            RETURNING 1)
         SELECT count(*) FROM r",
    )
    .bind(&entity.path)
    .bind(deleted_at)
    .fetch_one(&mut *conn)
    .await?;
    let node = tree_node(conn, entity.id).await?;
    let change = Change::EntitiesRestored {
        node: node.clone(),
        count: restored,
        deleted_at,
    };
    change::record(conn, actor, change, RestoreOutcome { node, restored }).await
}

/// The references to entities a purge removes itself (the purged rows' own
/// parent links and property values, their readings and alerts); every
/// other reference blocks it.
const PURGED_WITH_ENTITY: &[(&str, &str)] = &[
    ("entities", "parent_entity_id"),
    ("entity_property_values", "entity_id"),
    ("entity_read_model", "entity_id"),
    ("metric_series", "entity_id"),
    ("metric_series", "root_entity_id"),
    ("alerts", "entity_id"),
    ("alerts", "root_entity_id"),
    ("external_refs", "entity_id"),
];

/// Every (table, column) whose foreign key points at `entities`, read from
/// the catalog so that a table added later is never forgotten, less those
/// a purge removes itself. A purge refuses while any of them refers to the
/// purged subtree.
pub async fn entity_references(conn: &mut PgConnection) -> CoreResult<Vec<(String, String)>> {
    let all: Vec<(String, String)> = sqlx::query_as(
        "SELECT cl.relname::text, a.attname::text
         FROM pg_constraint c
         JOIN pg_class cl ON cl.oid = c.conrelid
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
         WHERE c.contype = 'f' AND c.confrelid = 'entities'::regclass
         ORDER BY 1, 2",
    )
    .fetch_all(conn)
    .await?;
    Ok(all
        .into_iter()
        .filter(|(t, c)| !PURGED_WITH_ENTITY.contains(&(t.as_str(), c.as_str())))
        .collect())
}

/// Removes a deleted entity and its (deleted) subtree for good. Needs the
/// `purge` capability on the entity's root (or a superuser session), the
/// retention period to have passed, and no references left; audited.
#[instrument(skip_all, fields(%id))]
pub async fn purge(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    policy: &PurgePolicy,
) -> CoreResult<Applied<PurgeOutcome>> {
    crate::transaction!(pool, |tx| purge_in(tx, actor, id, policy)).await
}

/// [`purge`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn purge_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    policy: &PurgePolicy,
) -> CoreResult<Applied<PurgeOutcome>> {
    let entity = lock_in_root(conn, id).await?;
    let Some(deleted_at) = entity.deleted_at else {
        return Err(CoreError::state(
            "only a deleted entity can be purged; delete it first",
        ));
    };
    let root_id = Uuid::try_parse(&entity.root_label())
        .map_err(|_| CoreError::Database("an entity path does not start with an id".into()))?;
    let allowed: bool = sqlx::query_scalar(
        "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
             OR EXISTS (SELECT 1 FROM user_root_entity_scopes s
                        WHERE s.user_id = $1 AND s.root_entity_id = $2 AND s.deleted_at IS NULL
                          AND s.capabilities ? 'purge')",
    )
    .bind(actor.user_id)
    .bind(root_id)
    .fetch_one(&mut *conn)
    .await?;
    if !allowed {
        return Err(CoreError::Forbidden(
            "purging needs the 'purge' capability on this root".into(),
        ));
    }
    let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *conn)
        .await?;
    if deleted_at + policy.retention > now {
        return Err(CoreError::Forbidden(format!(
            "deleted entities are kept {} days before they can be purged; this one can be purged from {}",
            policy.retention.num_days(),
            (deleted_at + policy.retention).format("%Y-%m-%d %H:%M UTC")
        )));
    }
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM entities WHERE path >= $1::ltree AND path < ($1 || '0')::ltree
         ORDER BY nlevel(path) DESC",
    )
    .bind(&entity.path)
    .fetch_all(&mut *conn)
    .await?;
    let mut refs = Vec::new();
    for (table, column) in entity_references(conn).await? {
        let sql = format!(
            "SELECT count(*) FROM {} WHERE {} = ANY($1)",
            quote_ident(&table),
            quote_ident(&column)
        );
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(&ids)
            .fetch_one(&mut *conn)
            .await?;
        if n > 0 {
            refs.push(format!("{n} in {table}.{column}"));
        }
    }
    if !refs.is_empty() {
        return Err(CoreError::InUse(format!(
            "still referenced ({}); remove those references first",
            refs.join(", ")
        )));
    }
    // A deleted entity has no read-model row; a stale one must not block.
    sqlx::query("DELETE FROM entity_read_model WHERE entity_id = ANY($1)")
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM entity_property_values WHERE entity_id = ANY($1)")
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    // Readings (samples and rollups first: they keep their series) and alerts.
    for statement in [
        "DELETE FROM metric_samples WHERE series_id IN (SELECT id FROM metric_series WHERE entity_id = ANY($1))",
        "DELETE FROM metric_rollups_daily WHERE series_id IN (SELECT id FROM metric_series WHERE entity_id = ANY($1))",
        "DELETE FROM metric_series WHERE entity_id = ANY($1)",
        "DELETE FROM alerts WHERE entity_id = ANY($1)",
        "DELETE FROM external_refs WHERE entity_id = ANY($1)",
    ] {
        sqlx::query(statement).bind(&ids).execute(&mut *conn).await?;
    }
    // ON DELETE RESTRICT is checked row by row: children go first.
    let levels: Vec<(i32, Vec<Uuid>)> = sqlx::query_as(
        "SELECT nlevel(path), array_agg(id) FROM entities WHERE id = ANY($1)
         GROUP BY nlevel(path) ORDER BY nlevel(path) DESC",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for (_, level_ids) in levels {
        sqlx::query("DELETE FROM entities WHERE id = ANY($1)")
            .bind(&level_ids)
            .execute(&mut *conn)
            .await?;
    }
    let purged = ids.len() as i64;
    let change = Change::EntitiesPurged {
        id: entity.id,
        path_label: entity.path_label,
        deleted_at,
        count: purged,
    };
    let outcome = PurgeOutcome {
        id: entity.id,
        purged,
    };
    change::record(conn, actor, change, outcome).await
}

/// An identifier quoted for SQL (catalog names are plain, but never trust
/// text spliced into a statement).
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The type of a retention period.
pub use chrono::Duration as RetentionDuration;
