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
use crate::offline;
use crate::state::AppState;
use studio_offline::Mutation;

/// The registry's roots.
#[tauri::command]
#[specta::specta]
pub async fn list_roots(app: AppHandle, state: State<'_, AppState>) -> AppResult<Vec<TreeNode>> {
    let pool = state.pool().await?;
    offline::read(&app, registry::list_roots(&pool), |c| async move {
        c.roots().await
    })
    .await
}

/// One page of an entity's children (`after` = the previous page's cursor).
#[tauri::command]
#[specta::specta]
pub async fn list_children(
    app: AppHandle,
    state: State<'_, AppState>,
    parent_id: Uuid,
    after: Option<String>,
    limit: u32,
) -> AppResult<ChildPage> {
    let pool = state.pool().await?;
    let kept_after = after.clone();
    offline::read(
        &app,
        registry::children_page(&pool, parent_id, after.as_deref(), limit),
        |c| async move { c.children(parent_id, kept_after.as_deref(), limit).await },
    )
    .await
}

/// An entity with its breadcrumb.
#[tauri::command]
#[specta::specta]
pub async fn get_entity(
    app: AppHandle,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<EntityDetail> {
    let pool = state.pool().await?;
    offline::read(&app, registry::get_entity(&pool, id), |c| async move {
        c.entity(id).await
    })
    .await
}

/// Live entities in an entity's subtree, itself included.
#[tauri::command]
#[specta::specta]
pub async fn subtree_count(app: AppHandle, state: State<'_, AppState>, id: Uuid) -> AppResult<i64> {
    let pool = state.pool().await?;
    offline::read(&app, registry::subtree_count(&pool, id), |c| async move {
        c.subtree_count(id).await
    })
    .await
}

/// Entities whose name (or, for a dotted query, path) contains the text.
#[tauri::command]
#[specta::specta]
pub async fn search_entities(
    app: AppHandle,
    state: State<'_, AppState>,
    query: String,
    limit: u32,
) -> AppResult<SearchResults> {
    let pool = state.pool().await?;
    let kept_query = query.clone();
    offline::read(
        &app,
        registry::search(&pool, &query, limit),
        |c| async move { c.search(&kept_query, limit).await },
    )
    .await
}

/// An entity's audit history, newest first.
#[tauri::command]
#[specta::specta]
pub async fn entity_history(
    state: State<'_, AppState>,
    id: Uuid,
    limit: u32,
) -> AppResult<Vec<HistoryEntry>> {
    Ok(registry::entity_history(&state.pool().await?, id, limit).await?)
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
    if offline::is_offline(&app) {
        let id = Uuid::now_v7();
        let (cache, _) = offline::queue(&app, Mutation::Create { id, input }).await?;
        return Ok(cache.node(id).await?);
    }
    let applied =
        offline::online_result(&app, registry::create(&pool, &actor, &input).await).await?;
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
    if offline::is_offline(&app) {
        let id = input.id;
        let (cache, _) = offline::queue(&app, Mutation::Rename { input }).await?;
        return Ok(cache.node(id).await?);
    }
    let applied =
        offline::online_result(&app, registry::rename(&pool, &actor, &input).await).await?;
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
    if offline::is_offline(&app) {
        let id = input.id;
        let cache = offline::cache(&app).await?;
        let old_parent_id = cache.node(id).await?.parent_id;
        let (cache, _) = offline::queue(&app, Mutation::Move { input }).await?;
        return Ok(MoveStarted::Done {
            node: cache.node(id).await?,
            old_parent_id,
        });
    }
    let pool = &pool;
    let started = offline::online_result(
        &app,
        state
            .jobs()
            .move_entity(pool, &actor, &input, job_listener(app.clone()))
            .await,
    )
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
    if offline::is_offline(&app) {
        let cache = offline::cache(&app).await?;
        let node = cache.node(input.id).await?;
        let deleted = cache.subtree_count(input.id).await?;
        offline::queue(&app, Mutation::Delete { input }).await?;
        return Ok(DeleteOutcome {
            id: node.id,
            parent_id: node.parent_id,
            deleted,
            deleted_at: chrono::Utc::now(),
        });
    }
    let applied =
        offline::online_result(&app, registry::delete(&pool, &actor, &input).await).await?;
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
    Ok(registry::list_trash(&state.pool().await?, &state.purge_policy(), limit).await?)
}
