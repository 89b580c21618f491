//! Properties: groups, definitions, a type's layout, and an entity's values.

use studio_core::properties::{
    self, DefinitionImpact, PropertiesRestored, PropertyDefinitionInput, PropertyDefinitionUpdate,
    PropertyGroupInput, PropertyGroupUpdate, PropertyPane, RestoreProperties, SetValues,
    TypeLayout, TypeLayoutUpdate,
};
use studio_core::records::{PropertyDefinition, PropertyGroup, VersionedId};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::announce;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_property_groups(
    app: AppHandle,
    state: State<'_, AppState>,
    include_deleted: bool,
) -> AppResult<Vec<PropertyGroup>> {
    let pool = state.pool().await?;
    crate::offline::read(
        &app,
        properties::list_property_groups(&pool, include_deleted),
        |c| async move { c.property_groups().await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn create_property_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: PropertyGroupInput,
) -> AppResult<PropertyGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::create_property_group(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn update_property_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: PropertyGroupUpdate,
) -> AppResult<PropertyGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::update_property_group(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_property_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<PropertyGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::delete_property_group(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn restore_property_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<PropertyGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::restore_property_group(pool, &actor, id).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Puts every live group in the order given.
#[tauri::command]
#[specta::specta]
pub async fn reorder_property_groups(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    ids: Vec<Uuid>,
) -> AppResult<Vec<PropertyGroup>> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::reorder_property_groups(pool, &actor, &ids).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn list_property_definitions(
    app: AppHandle,
    state: State<'_, AppState>,
    include_deleted: bool,
) -> AppResult<Vec<PropertyDefinition>> {
    let pool = state.pool().await?;
    crate::offline::read(
        &app,
        properties::list_property_definitions(&pool, include_deleted),
        |c| async move { c.property_definitions().await },
    )
    .await
}

/// How many stored values an edit of a property's type or rules would make
/// invalid (nothing is changed).
#[tauri::command]
#[specta::specta]
pub async fn property_definition_impact(
    state: State<'_, AppState>,
    input: PropertyDefinitionUpdate,
) -> AppResult<DefinitionImpact> {
    Ok(properties::property_definition_impact(&state.pool().await?, &input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_property_definition(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: PropertyDefinitionInput,
) -> AppResult<PropertyDefinition> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::create_property_definition(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn update_property_definition(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: PropertyDefinitionUpdate,
) -> AppResult<PropertyDefinition> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::update_property_definition(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_property_definition(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<PropertyDefinition> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::delete_property_definition(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn restore_property_definition(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<PropertyDefinition> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::restore_property_definition(pool, &actor, id).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// The properties an entity type shows, in order.
#[tauri::command]
#[specta::specta]
pub async fn type_layout(
    app: AppHandle,
    state: State<'_, AppState>,
    entity_type_id: Uuid,
) -> AppResult<TypeLayout> {
    let pool = state.pool().await?;
    crate::offline::read(
        &app,
        properties::type_layout(&pool, entity_type_id),
        |c| async move { c.type_layout(entity_type_id).await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_type_layout(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: TypeLayoutUpdate,
) -> AppResult<TypeLayout> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::set_type_layout(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// An entity's properties as its detail pane shows them.
#[tauri::command]
#[specta::specta]
pub async fn property_pane(
    app: AppHandle,
    state: State<'_, AppState>,
    entity_id: Uuid,
) -> AppResult<PropertyPane> {
    let pool = state.pool().await?;
    crate::offline::read(
        &app,
        properties::property_pane(&pool, entity_id),
        |c| async move { c.pane(entity_id).await },
    )
    .await
}

/// Sets and clears property values of one entity, all or none.
#[tauri::command]
#[specta::specta]
pub async fn set_property_values(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: SetValues,
) -> AppResult<PropertyPane> {
    let (pool, actor) = state.request(&window)?;
    if crate::offline::is_offline(&app) {
        let id = input.entity_id;
        let (cache, _) =
            crate::offline::queue(&app, studio_offline::Mutation::SetValues { input }).await?;
        return Ok(cache.pane(id).await?);
    }
    let applied =
        crate::offline::online_result(&app, properties::set_values(&pool, &actor, &input).await)
            .await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Restores an entity's property values as they were after an event of its
/// history, as one new change.
#[tauri::command]
#[specta::specta]
pub async fn restore_properties(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: RestoreProperties,
) -> AppResult<PropertiesRestored> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = properties::restore_properties(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}
