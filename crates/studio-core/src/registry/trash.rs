//! The trash: deletions that can be restored, and purge, which removes a
//! deleted subtree for good once the retention period has passed.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::locks::{lock_in_root, locked_entity};
use super::model::*;
use super::read::tree_node;
use crate::audit::{self, Actor};
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

/// The tops of deletions, newest first: each deleted entity whose parent is
/// live, or was deleted at another moment.
pub async fn list_trash(
    pool: &PgPool,
    policy: &PurgePolicy,
    limit: u32,
) -> CoreResult<Vec<TrashItem>> {
    let limit = i64::from(limit.clamp(1, 1_000));
    let rows = sqlx::query_as::<_, TrashItem>(
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
         LEFT JOIN entity_property_values v
                ON v.entity_id = e.id AND v.deleted_at IS NULL
               AND v.property_definition_id = '01900000-0000-7000-8000-000000000002'
         WHERE e.deleted_at IS NOT NULL
           AND (p.id IS NULL OR p.deleted_at IS NULL OR p.deleted_at <> e.deleted_at)
         ORDER BY e.deleted_at DESC, e.path_label
         LIMIT $1",
    )
    .bind(limit)
    .bind(policy.retention.num_seconds() as f64)
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Restores exactly one deletion: the entity and the descendants deleted
/// with it (same `deleted_at`); descendants deleted earlier stay deleted.
/// The parent must be live.
pub async fn restore(pool: &PgPool, actor: &Actor, id: Uuid) -> CoreResult<RestoreOutcome> {
    super::retrying(|| async {
        let mut tx = pool.begin().await?;
        let entity = lock_in_root(&mut tx, id).await?;
        let Some(deleted_at) = entity.deleted_at else {
            return Err(CoreError::validation("the entity is not deleted"));
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
        .fetch_all(&mut *tx)
        .await?;
        let deleted_type_names: Vec<String> =
            types.into_iter().filter(|(_, deleted)| *deleted).map(|(name, _)| name).collect();
        if !deleted_type_names.is_empty() {
            return Err(CoreError::validation(format!(
                "restore its type first: {} (deleted)",
                deleted_type_names.join(", ")
            )));
        }
        if let Some(pid) = entity.parent_id {
            let parent = locked_entity(&mut tx, pid).await?;
            if parent.deleted_at.is_some() {
                return Err(CoreError::validation(
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
        .fetch_one(&mut *tx)
        .await?;
        audit::entity_change(
            &mut tx,
            actor,
            "entity.restore",
            entity.id,
            Some(json!({ "deleted_at": deleted_at })),
            Some(json!({ "restored": restored })),
        )
        .await?;
        let node = tree_node(&mut tx, entity.id).await?;
        tx.commit().await?;
        Ok(RestoreOutcome { node, restored })
    })
    .await
}

/// Tables whose rows refer to entities; a purge refuses while any row in
/// them refers to the purged subtree.
const REFERENCES: &[(&str, &str)] = &[
    ("entity_relationships", "source_entity_id"),
    ("entity_relationships", "target_entity_id"),
    ("entity_groups", "entity_id"),
    ("entity_group_members", "group_entity_id"),
    ("entity_group_members", "member_entity_id"),
    ("tags", "entity_id"),
    ("entity_tags", "entity_id"),
    ("entity_tags", "tag_entity_id"),
    ("user_root_entity_scopes", "root_entity_id"),
    ("tenant_encryption_keys", "root_entity_id"),
    ("vault_secret_versions", "secret_entity_id"),
    ("vault_secret_versions", "root_entity_id"),
    ("admin_saved_views", "root_entity_id"),
];

/// Removes a deleted entity and its (deleted) subtree for good. Needs the
/// `purge` capability on the entity's root (or a superuser session), the
/// retention period to have passed, and no references left; audited.
pub async fn purge(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    policy: &PurgePolicy,
) -> CoreResult<PurgeOutcome> {
    super::retrying(|| async {
        let mut tx = pool.begin().await?;
        let entity = lock_in_root(&mut tx, id).await?;
        let Some(deleted_at) = entity.deleted_at else {
            return Err(CoreError::validation("only a deleted entity can be purged; delete it first"));
        };
        let root_id = Uuid::try_parse(&entity.root_label()).map_err(|_| CoreError::Database("malformed path".into()))?;
        let allowed: bool = sqlx::query_scalar(
            "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                 OR EXISTS (SELECT 1 FROM user_root_entity_scopes s
                            WHERE s.user_id = $1 AND s.root_entity_id = $2 AND s.deleted_at IS NULL
                              AND s.capabilities ? 'purge')",
        )
        .bind(actor.user_id)
        .bind(root_id)
        .fetch_one(&mut *tx)
        .await?;
        if !allowed {
            return Err(CoreError::Forbidden(
                "purging needs the 'purge' capability on this root".into(),
            ));
        }
        let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()").fetch_one(&mut *tx).await?;
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
        .fetch_all(&mut *tx)
        .await?;
        let mut refs = Vec::new();
        for (table, column) in REFERENCES {
            let sql = format!("SELECT count(*) FROM {table} WHERE {column} = ANY($1)");
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(&ids)
                .fetch_one(&mut *tx)
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
        sqlx::query("DELETE FROM entity_property_values WHERE entity_id = ANY($1)")
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        // ON DELETE RESTRICT is checked row by row: children go first.
        let levels: Vec<(i32, Vec<Uuid>)> = sqlx::query_as(
            "SELECT nlevel(path), array_agg(id) FROM entities WHERE id = ANY($1)
             GROUP BY nlevel(path) ORDER BY nlevel(path) DESC",
        )
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
        for (_, level_ids) in levels {
            sqlx::query("DELETE FROM entities WHERE id = ANY($1)")
                .bind(&level_ids)
                .execute(&mut *tx)
                .await?;
        }
        audit::entity_change(&mut tx, actor, "entity.purge", entity.id, Some(json!({ "path_label": entity.path_label, "deleted_at": deleted_at })), Some(json!({ "purged": ids.len() }))).await?;
        tx.commit().await?;
        Ok(PurgeOutcome {
            id: entity.id,
            purged: ids.len() as i64,
        })
    })
    .await
}

/// The type of a retention period.
pub use chrono::Duration as RetentionDuration;
