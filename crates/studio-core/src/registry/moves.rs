//! Moving a subtree under a new parent: `path` and `path_label` of every
//! descendant (deleted ones included) are rewritten in one transaction, in
//! chunks so progress can be reported and a cancel honoured before commit.
//! Killing the process at any moment leaves the tree as before the move.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::json;
use sqlx::PgPool;

use super::entities::{check_version, free_path_label};
use super::locks::{lock_roots, locked_entity, root_label_of};
use super::model::*;
use super::read::tree_node;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult};
use crate::slug;

/// Subtrees larger than this move as a background job (with progress).
pub const BACKGROUND_MOVE_THRESHOLD: i64 = 10_000;

/// Rows rewritten per statement while moving.
const CHUNK: i64 = 5_000;

/// Progress of a move: rows rewritten so far of the subtree's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveProgress {
    pub done: i64,
    pub total: i64,
}

/// A flag a running job checks between chunks.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How many rows (deleted included) a move of this entity rewrites.
pub async fn move_size(pool: &PgPool, id: uuid::Uuid) -> CoreResult<i64> {
    super::read::subtree_rows(pool, id, false).await
}

/// Moves an entity and its subtree. Refuses cycles (a node under itself or
/// a descendant), deleted entities and deleted targets, and stale versions.
pub async fn move_entity(
    pool: &PgPool,
    actor: &Actor,
    input: &MoveEntity,
    progress: &(dyn Fn(MoveProgress) + Send + Sync),
    cancel: &CancelToken,
) -> CoreResult<TreeNode> {
    super::retrying(|| move_once(pool, actor, input, progress, cancel)).await
}

async fn move_once(
    pool: &PgPool,
    actor: &Actor,
    input: &MoveEntity,
    progress: &(dyn Fn(MoveProgress) + Send + Sync),
    cancel: &CancelToken,
) -> CoreResult<TreeNode> {
    let mut tx = pool.begin().await?;
    let source_root = root_label_of(&mut tx, input.id).await?;
    let target_root = match input.new_parent_id {
        Some(p) => Some(root_label_of(&mut tx, p).await?),
        None => None,
    };
    let mut roots = vec![source_root.clone()];
    roots.extend(target_root.clone());
    if input.new_parent_id.is_none() {
        roots.push("-".into());
    }
    lock_roots(&mut tx, &roots).await?;

    // Lock ancestors before descendants: the target parent first when it
    // is not inside the moved subtree (cycles are refused below anyway).
    let parent = match input.new_parent_id {
        Some(pid) => Some(locked_entity(&mut tx, pid).await?),
        None => None,
    };
    let entity = locked_entity(&mut tx, input.id).await?;
    if entity.root_label() != source_root || parent.as_ref().map(|p| p.root_label()) != target_root
    {
        return Err(CoreError::Database("[retryable] moved concurrently".into()));
    }
    check_version(&mut tx, &entity, input.expected_updated_at).await?;
    if entity.deleted_at.is_some() {
        return Err(CoreError::validation(
            "a deleted entity cannot be moved; restore it first",
        ));
    }
    if let Some(p) = &parent {
        if p.deleted_at.is_some() {
            return Err(CoreError::validation("cannot move into a deleted entity"));
        }
        if p.id == entity.id || p.path.starts_with(&format!("{}.", entity.path)) {
            return Err(CoreError::validation(
                "cannot move an entity under itself or one of its descendants",
            ));
        }
    }
    if parent.as_ref().map(|p| p.id) == entity.parent_id {
        // Already there: nothing to rewrite.
        let node = tree_node(&mut tx, entity.id).await?;
        tx.commit().await?;
        return Ok(node);
    }

    let own_slug = entity
        .path_label
        .rsplit('.')
        .next()
        .unwrap_or(&entity.path_label)
        .to_string();
    let new_label = free_path_label(
        &mut tx,
        parent.as_ref().map(|p| p.path_label.as_str()),
        &own_slug,
        entity.id,
        None,
    )
    .await?;
    let new_path = match &parent {
        Some(p) => format!("{}.{}", p.path, slug::id_label(entity.id)),
        None => slug::id_label(entity.id),
    };

    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities WHERE path >= $1::ltree AND path < ($1 || '0')::ltree",
    )
    .bind(&entity.path)
    .fetch_one(&mut *tx)
    .await?;
    progress(MoveProgress { done: 0, total });

    let depth = entity.depth();
    let mut done = 0i64;
    loop {
        if cancel.is_cancelled() {
            // Dropping the transaction rolls everything back.
            return Err(CoreError::Cancelled);
        }
        let n = sqlx::query(
            "UPDATE entities
             SET path = CASE WHEN nlevel(path) = $4 THEN $2::ltree
                             ELSE $2::ltree || subpath(path, $4) END,
                 path_label = $3 || substr(path_label, $5 + 1)
             WHERE id IN (SELECT id FROM entities
                          WHERE path >= $1::ltree AND path < ($1 || '0')::ltree
                          LIMIT $6)",
        )
        .bind(&entity.path)
        .bind(&new_path)
        .bind(&new_label)
        .bind(depth)
        .bind(entity.path_label.len() as i32)
        .bind(CHUNK)
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64;
        if n == 0 {
            break;
        }
        done += n;
        progress(MoveProgress { done, total });
    }
    if cancel.is_cancelled() {
        return Err(CoreError::Cancelled);
    }
    sqlx::query(
        "UPDATE entities SET parent_entity_id = $2, updated_at = clock_timestamp() WHERE id = $1",
    )
    .bind(entity.id)
    .bind(parent.as_ref().map(|p| p.id))
    .execute(&mut *tx)
    .await?;
    audit::entity_change(
        &mut tx,
        actor,
        "entity.move",
        entity.id,
        Some(json!({ "parent_id": entity.parent_id, "path_label": entity.path_label })),
        Some(json!({
            "parent_id": parent.as_ref().map(|p| p.id),
            "path_label": new_label,
            "rewritten": done,
        })),
    )
    .await?;
    let node = tree_node(&mut tx, entity.id).await?;
    tx.commit().await?;
    Ok(node)
}
