//! Entity types.

use studio_core::records::{EntityType, VersionedId};
use studio_core::registry::{self, EntityTypeInput, EntityTypeUpdate};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::announce;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_entity_types(
    app: AppHandle,
    state: State<'_, AppState>,
    include_deleted: bool,
) -> AppResult<Vec<EntityType>> {
    let pool = state.pool().await?;
    crate::offline::read(
        &app,
        registry::list_entity_types(&pool, include_deleted),
        |c| async move { c.entity_types().await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn create_entity_type(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: EntityTypeInput,
) -> AppResult<EntityType> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::create_entity_type(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn update_entity_type(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: EntityTypeUpdate,
) -> AppResult<EntityType> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::update_entity_type(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_entity_type(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<EntityType> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::delete_entity_type(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn restore_entity_type(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<EntityType> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = registry::restore_entity_type(pool, &actor, id).await?;
    Ok(announce(&app, &actor.source, applied))
}
