//! Moving a subtree under a new parent: `path` and `path_label` of every
//! descendant (deleted ones included) are rewritten in one transaction, in
//! chunks so progress can be reported and a cancel honoured before commit.
//! Killing the process at any moment leaves the tree as before the move.

use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::labels::{self, free_path_label, last_segment};
use super::locks::{check_version, lock_roots, locked_entity, root_label_of, TOP_LEVEL};
use super::read::{subtree_rows, tree_node};
use super::records::*;
use super::sql::{MOVE_CHUNK_SQL, MOVE_REPARENT_SQL};
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
use crate::progress::{CancelToken, OnProgress, Progress};

/// Subtrees larger than this move as a background job (with progress).
pub const BACKGROUND_MOVE_THRESHOLD: i64 = 10_000;

/// Rows rewritten per statement while moving.
const CHUNK: i64 = 5_000;

/// How many rows (deleted included) a move of this entity rewrites.
#[instrument(skip_all)]
pub async fn move_size(pool: &PgPool, id: Uuid) -> CoreResult<i64> {
    subtree_rows(pool, id, false).await
}

/// Moves an entity and its subtree, in its own transaction (retried on
/// collisions). Refuses cycles (a node under itself or a descendant),
/// deleted entities and deleted targets, and stale versions.
#[instrument(skip_all, fields(id = %input.id, new_parent = ?input.new_parent_id))]
pub async fn move_entity(
    pool: &PgPool,
    actor: &Actor,
    input: &MoveEntity,
    progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Applied<MoveOutcome>> {
    crate::transaction!(pool, |tx| move_entity_in(
        tx, actor, input, progress, cancel
    ))
    .await
}

/// [`move_entity`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn move_entity_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &MoveEntity,
    progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Applied<MoveOutcome>> {
    let source_root = root_label_of(conn, input.id).await?;
    let target_root = match input.new_parent_id {
        Some(p) => Some(root_label_of(conn, p).await?),
        None => None,
    };
    let mut roots = vec![source_root.clone()];
    roots.extend(target_root.clone());
    if input.new_parent_id.is_none() {
        roots.push(TOP_LEVEL.into());
    }
    lock_roots(conn, &roots).await?;

    // Lock ancestors before descendants: the target parent first when it
    // is not inside the moved subtree (cycles are refused below anyway).
    let parent = match input.new_parent_id {
        Some(pid) => Some(locked_entity(conn, pid).await?),
        None => None,
    };
    let entity = locked_entity(conn, input.id).await?;
    if entity.root_label() != source_root || parent.as_ref().map(|p| p.root_label()) != target_root
    {
        return Err(CoreError::collision(
            "an entity of the move moved concurrently",
        ));
    }
    check_version(conn, &entity, input.expected_updated_at).await?;
    if entity.deleted_at.is_some() {
        return Err(CoreError::state(
            "a deleted entity cannot be moved; restore it first",
        ));
    }
    if let Some(p) = &parent {
        if p.deleted_at.is_some() {
            return Err(CoreError::invalid(
                Some("newParentId"),
                Rule::Reference,
                "cannot move into a deleted entity",
            ));
        }
        if p.id == entity.id || p.path.starts_with(&format!("{}.", entity.path)) {
            return Err(CoreError::invalid(
                Some("newParentId"),
                Rule::Cycle,
                "cannot move an entity under itself or one of its descendants",
            ));
        }
    }
    if target_root.as_deref() != Some(source_root.as_str()) {
        // A secret's values are sealed with its root's key and bound to the
        // root: it cannot leave it.
        let holds_secret: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM entities e
                 JOIN entity_type_definitions t ON t.id = e.entity_type_id AND t.key = $2
                 WHERE e.path <@ $1::ltree)",
        )
        .bind(&entity.path)
        .bind(crate::records::SECRET_TYPE)
        .fetch_one(&mut *conn)
        .await?;
        if holds_secret {
            return Err(CoreError::invalid(
                Some("newParentId"),
                Rule::State,
                "secrets stay in their root (their values are sealed with its key): \
                 move them within it, or create them anew in the other root",
            ));
        }
    }
    if parent.as_ref().map(|p| p.id) == entity.parent_id {
        // Already there: nothing to rewrite, nothing changed.
        let node = tree_node(conn, entity.id).await?;
        return Ok(Applied::unchanged(MoveOutcome {
            node,
            old_parent_id: entity.parent_id,
        }));
    }

    let own_slug = last_segment(&entity.path_label).to_string();
    let new_label = free_path_label(
        conn,
        parent.as_ref().map(|p| p.path_label.as_str()),
        &own_slug,
        entity.id,
        None,
    )
    .await?;
    let new_path = match &parent {
        Some(p) => format!("{}.{}", p.path, labels::id_label(entity.id)),
        None => labels::id_label(entity.id),
    };

    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities WHERE path >= $1::ltree AND path < ($1 || '0')::ltree",
    )
    .bind(&entity.path)
    .fetch_one(&mut *conn)
    .await?;
    progress(Progress { done: 0, total });

    let depth = entity.depth();
    let mut done = 0i64;
    loop {
        if cancel.is_cancelled() {
            // The caller's transaction rolls everything back.
            return Err(CoreError::Cancelled);
        }
        let n = sqlx::query(MOVE_CHUNK_SQL)
            .bind(&entity.path)
            .bind(&new_path)
            .bind(&new_label)
            .bind(depth)
            .bind(entity.path_label.len() as i32)
            .bind(CHUNK)
            .execute(&mut *conn)
            .await?
            .rows_affected() as i64;
        if n == 0 {
            break;
        }
        done += n;
        progress(Progress { done, total });
    }
    if cancel.is_cancelled() {
        return Err(CoreError::Cancelled);
    }
    sqlx::query(MOVE_REPARENT_SQL)
        .bind(entity.id)
        .bind(parent.as_ref().map(|p| p.id))
        .execute(&mut *conn)
        .await?;
    let node = tree_node(conn, entity.id).await?;
    let change = Change::EntityMoved {
        node: node.clone(),
        old_parent_id: entity.parent_id,
        old_path_label: entity.path_label,
        rewritten: done,
    };
    let outcome = MoveOutcome {
        node,
        old_parent_id: entity.parent_id,
    };
    change::record(conn, actor, change, outcome).await
}
