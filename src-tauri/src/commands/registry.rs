//! Browsing and changing the registry's entities.

use serde::Serialize;
use studio_core::registry::{
    self, ChildPage, CreateEntity, DeleteOutcome, EntityDetail, HistoryEntry, MoveEntity,
    PurgeOutcome, RenameEntity, RestoreOutcome, SearchResults, TrashItem, TreeNode, VersionedId,
};
use tauri::{AppHandle, State, Window};
use tauri_specta::Event;
use uuid::Uuid;

use crate::error::AppResult;
use crate::state::AppState;

/// Where a change came from: the window that made it (or "job" for a
/// background job), so a pane can tell its own changes from others'.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSource {
    pub window: String,
}

/// What changed in the registry.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RegistryChange {
    #[serde(rename_all = "camelCase")]
    Created {
        node: TreeNode,
    },
    #[serde(rename_all = "camelCase")]
    Updated {
        node: TreeNode,
    },
    #[serde(rename_all = "camelCase")]
    Moved {
        node: TreeNode,
        old_parent_id: Option<Uuid>,
    },
    #[serde(rename_all = "camelCase")]
    Deleted {
        id: Uuid,
        parent_id: Option<Uuid>,
        count: i64,
    },
    #[serde(rename_all = "camelCase")]
    Restored {
        node: TreeNode,
        count: i64,
    },
    #[serde(rename_all = "camelCase")]
    Purged {
        id: Uuid,
    },
    TypesChanged,
}

/// Sent after every change to the registry.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct RegistryChanged {
    pub source: ChangeSource,
    pub change: RegistryChange,
}

pub(crate) fn announce(app: &AppHandle, source: &str, change: RegistryChange) {
    let event = RegistryChanged {
        source: ChangeSource {
            window: source.to_string(),
        },
        change,
    };
    if let Err(e) = event.emit(app) {
        tracing::warn!("could not send a registry event: {e}");
    }
}

/// The registry's roots.
#[tauri::command]
#[specta::specta]
pub async fn list_roots(state: State<'_, AppState>) -> AppResult<Vec<TreeNode>> {
    Ok(registry::list_roots(&state.ready()?.db.pool).await?)
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
    let pool = &state.ready()?.db.pool;
    Ok(registry::children_page(pool, parent_id, after.as_deref(), limit).await?)
}

/// An entity with its breadcrumb.
#[tauri::command]
#[specta::specta]
pub async fn get_entity(state: State<'_, AppState>, id: Uuid) -> AppResult<EntityDetail> {
    Ok(registry::get_entity(&state.ready()?.db.pool, id).await?)
}

/// Live entities in an entity's subtree, itself included.
#[tauri::command]
#[specta::specta]
pub async fn subtree_count(state: State<'_, AppState>, id: Uuid) -> AppResult<i64> {
    Ok(registry::subtree_count(&state.ready()?.db.pool, id).await?)
}

/// Entities whose name (or, for a dotted query, path) contains the text.
#[tauri::command]
#[specta::specta]
pub async fn search_entities(
    state: State<'_, AppState>,
    query: String,
    limit: u32,
) -> AppResult<SearchResults> {
    Ok(registry::search(&state.ready()?.db.pool, &query, limit).await?)
}

/// An entity's audit history, newest first.
#[tauri::command]
#[specta::specta]
pub async fn entity_history(
    state: State<'_, AppState>,
    id: Uuid,
    limit: u32,
) -> AppResult<Vec<HistoryEntry>> {
    Ok(registry::entity_history(&state.ready()?.db.pool, id, limit).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: CreateEntity,
) -> AppResult<TreeNode> {
    let ready = state.ready()?;
    let node = registry::create(&ready.db.pool, &ready.actor.next_request(), &input).await?;
    announce(
        &app,
        window.label(),
        RegistryChange::Created { node: node.clone() },
    );
    Ok(node)
}

#[tauri::command]
#[specta::specta]
pub async fn rename_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: RenameEntity,
) -> AppResult<TreeNode> {
    let ready = state.ready()?;
    let node = registry::rename(&ready.db.pool, &ready.actor.next_request(), &input).await?;
    announce(
        &app,
        window.label(),
        RegistryChange::Updated { node: node.clone() },
    );
    Ok(node)
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

/// Moves an entity (and its subtree) under a new parent, or to the top level.
#[tauri::command]
#[specta::specta]
pub async fn move_entity(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: MoveEntity,
) -> AppResult<MoveStarted> {
    let ready = state.ready()?;
    let pool = ready.db.pool.clone();
    let actor = ready.actor.next_request();
    let size = registry::move_size(&pool, input.id).await?;
    let old_parent_id = registry::get_entity(&pool, input.id).await?.node.parent_id;
    if size > registry::BACKGROUND_MOVE_THRESHOLD {
        let job_id = super::jobs::spawn_move(app, pool, actor, input, old_parent_id, size);
        return Ok(MoveStarted::Background {
            job_id,
            total: size,
        });
    }
    let node = registry::move_entity(
        &pool,
        &actor,
        &input,
        &|_| {},
        &registry::CancelToken::new(),
    )
    .await?;
    announce(
        &app,
        window.label(),
        RegistryChange::Moved {
            node: node.clone(),
            old_parent_id,
        },
    );
    Ok(MoveStarted::Done {
        node,
        old_parent_id,
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
    let ready = state.ready()?;
    let out = registry::delete(&ready.db.pool, &ready.actor.next_request(), &input).await?;
    announce(
        &app,
        window.label(),
        RegistryChange::Deleted {
            id: out.id,
            parent_id: out.parent_id,
            count: out.deleted,
        },
    );
    Ok(out)
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
    let ready = state.ready()?;
    let out = registry::restore(&ready.db.pool, &ready.actor.next_request(), id).await?;
    announce(
        &app,
        window.label(),
        RegistryChange::Restored {
            node: out.node.clone(),
            count: out.restored,
        },
    );
    Ok(out)
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
    let ready = state.ready()?;
    let out = registry::purge(
        &ready.db.pool,
        &ready.actor.next_request(),
        id,
        &state.purge_policy(),
    )
    .await?;
    announce(&app, window.label(), RegistryChange::Purged { id });
    Ok(out)
}

/// The trash: the tops of deletions, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_trash(state: State<'_, AppState>, limit: u32) -> AppResult<Vec<TrashItem>> {
    Ok(registry::list_trash(&state.ready()?.db.pool, &state.purge_policy(), limit).await?)
}
