//! Browsing and changing the registry's entities. Each command parses its
//! arguments, makes one core call and shapes the result; mutations announce
//! their changes (`events::announce`).

use serde::Serialize;
use studio_core::jobs::MoveStart;
use studio_core::records::{TreeNode, VersionedId};
use studio_core::registry::{
    self, ChildPage, CreateEntity, DeleteOutcome, EntityDetail, HistoryEntry, MoveEntity,
    PurgeOutcome, RenameEntity, RestoreOutcome, SearchResults, TrashItem,
};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::{announce, job_listener};
use crate::state::AppState;

/// The registry's roots.
#[tauri::command]
#[specta::specta]
pub async fn list_roots(state: State<'_, AppState>) -> AppResult<Vec<TreeNode>> {
    Ok(registry::list_roots(&state.pool()?).await?)
}

/// One page of an entity's children (`after` = the previous page's cursor).
#[tauri::command]
#[specta::specta]
pub async fn list_children(
    state: State<'_, AppState>,
    parent_id: Uuid,
    after: Option<String>,
    limit: u32,
) -> AppResult<ChildPage> {
    Ok(registry::children_page(&state.pool()?, parent_id, after.as_deref(), limit).await?)
}

/// An entity with its breadcrumb.
#[tauri::command]
#[specta::specta]
pub async fn get_entity(state: State<'_, AppState>, id: Uuid) -> AppResult<EntityDetail> {
    Ok(registry::get_entity(&state.pool()?, id).await?)
}

/// Live entities in an entity's subtree, itself included.
#[tauri::command]
#[specta::specta]
pub async fn subtree_count(state: State<'_, AppState>, id: Uuid) -> AppResult<i64> {
    Ok(registry::subtree_count(&state.pool()?, id).await?)
}

/// Entities whose name (or, for a dotted query, path) contains the text.
#[tauri::command]
#[specta::specta]
pub async fn search_entities(
    state: State<'_, AppState>,
    query: String,
    limit: u32,
) -> AppResult<SearchResults> {
    Ok(registry::search(&state.pool()?, &query, limit).await?)
}

/// An entity's audit history, newest first.
#[tauri::command]
#[specta::specta]
pub async fn entity_history(
    state: State<'_, AppState>,
    id: Uuid,
    limit: u32,
) -> AppResult<Vec<HistoryEntry>> {
    Ok(registry::entity_history(&state.pool()?, id, limit).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: CreateEntity,
) -> AppResult<TreeNode> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::create(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn rename_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: RenameEntity,
) -> AppResult<TreeNode> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::rename(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// How a move went: done at once, or running as a background job whose
/// progress arrives as `JobProgress` events.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum MoveStarted {
    #[serde(rename_all = "camelCase")]
    Done {
        node: TreeNode,
        old_parent_id: Option<Uuid>,
    },
    #[serde(rename_all = "camelCase")]
    Background { job_id: Uuid, total: i64 },
}

/// Moves an entity (and its subtree) under a new parent, or to the top
/// level; large subtrees move in the background (studio-core decides).
#[tauri::command]
#[specta::specta]
pub async fn move_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: MoveEntity,
) -> AppResult<MoveStarted> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let started = state
        .jobs()
        .move_entity(pool, &actor, &input, job_listener(app.clone()))
        .await?;
    Ok(match started {
        MoveStart::Done(applied) => {
            let moved = announce(&app, &actor.source, applied);
            MoveStarted::Done {
                node: moved.node,
                old_parent_id: moved.old_parent_id,
            }
        }
        MoveStart::Background { job_id, total } => MoveStarted::Background { job_id, total },
    })
}

/// Soft-deletes an entity and its subtree.
#[tauri::command]
#[specta::specta]
pub async fn delete_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<DeleteOutcome> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::delete(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Brings back one deletion from the trash.
#[tauri::command]
#[specta::specta]
pub async fn restore_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<RestoreOutcome> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::restore(pool, &actor, id).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Removes a deleted subtree for good (needs the purge capability and the
/// retention period to have passed).
#[tauri::command]
#[specta::specta]
pub async fn purge_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<PurgeOutcome> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::purge(pool, &actor, id, &state.purge_policy()).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// The trash: the tops of deletions, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_trash(state: State<'_, AppState>, limit: u32) -> AppResult<Vec<TrashItem>> {
    Ok(registry::list_trash(&state.pool()?, &state.purge_policy(), limit).await?)
}
