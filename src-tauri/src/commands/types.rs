//! Entity types.

use studio_core::registry::{self, EntityType, EntityTypeInput, EntityTypeUpdate, VersionedId};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use super::registry::{announce, RegistryChange};
use crate::error::AppResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_entity_types(
    state: State<'_, AppState>,
    include_deleted: bool,
) -> AppResult<Vec<EntityType>> {
    Ok(registry::list_entity_types(&state.ready()?.db.pool, include_deleted).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_entity_type(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: EntityTypeInput,
) -> AppResult<EntityType> {
    let ready = state.ready()?;
    let out =
        registry::create_entity_type(&ready.db.pool, &ready.actor.next_request(), &input).await?;
    announce(&app, window.label(), RegistryChange::TypesChanged);
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn update_entity_type(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: EntityTypeUpdate,
) -> AppResult<EntityType> {
    let ready = state.ready()?;
    let out =
        registry::update_entity_type(&ready.db.pool, &ready.actor.next_request(), &input).await?;
    announce(&app, window.label(), RegistryChange::TypesChanged);
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_entity_type(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<EntityType> {
    let ready = state.ready()?;
    let out =
        registry::delete_entity_type(&ready.db.pool, &ready.actor.next_request(), &input).await?;
    announce(&app, window.label(), RegistryChange::TypesChanged);
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn restore_entity_type(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<EntityType> {
    let ready = state.ready()?;
    let out =
        registry::restore_entity_type(&ready.db.pool, &ready.actor.next_request(), id).await?;
    announce(&app, window.label(), RegistryChange::TypesChanged);
    Ok(out)
}
