//! Tags and tag groups, entity groups and their members, relationships.

use studio_core::links::{
    self, EntityTags, EntityTagsEdit, GroupConfig, MembersEdit, Neighbourhood, NewRelationship,
    NewTag, RelatedEntity, TagGroupInput, TagGroupUpdate, TagUpdate,
};
use studio_core::records::{EntityGroup, Relationship, Tag, TagGroup, TreeNode, VersionedId};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::announce;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn list_tag_groups(
    app: AppHandle,
    state: State<'_, AppState>,
    include_deleted: bool,
) -> AppResult<Vec<TagGroup>> {
    let pool = state.pool().await?;
    crate::offline::read(
        &app,
        links::list_tag_groups(&pool, include_deleted),
        |c| async move { c.tag_groups().await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn create_tag_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: TagGroupInput,
) -> AppResult<TagGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::create_tag_group(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn update_tag_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: TagGroupUpdate,
) -> AppResult<TagGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::update_tag_group(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_tag_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<TagGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::delete_tag_group(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn restore_tag_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<TagGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::restore_tag_group(pool, &actor, id).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Every live tag.
#[tauri::command]
#[specta::specta]
pub async fn list_tags(app: AppHandle, state: State<'_, AppState>) -> AppResult<Vec<Tag>> {
    let pool = state.pool().await?;
    crate::offline::read(
        &app,
        links::list_tags(&pool),
        |c| async move { c.tags().await },
    )
    .await
}

/// Creates a tag (an entity under the tag library).
#[tauri::command]
#[specta::specta]
pub async fn create_tag(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: NewTag,
) -> AppResult<Tag> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::create_tag(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn update_tag(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: TagUpdate,
) -> AppResult<Tag> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::update_tag(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// The tags an entity carries.
#[tauri::command]
#[specta::specta]
pub async fn entity_tags(
    app: AppHandle,
    state: State<'_, AppState>,
    entity_id: Uuid,
) -> AppResult<Vec<Tag>> {
    let pool = state.pool().await?;
    crate::offline::read(&app, links::entity_tags(&pool, entity_id), |c| async move {
        c.entity_tags(entity_id).await
    })
    .await
}

/// The entities carrying a tag.
#[tauri::command]
#[specta::specta]
pub async fn tagged_entities(
    state: State<'_, AppState>,
    tag_id: Uuid,
    limit: u32,
) -> AppResult<Vec<TreeNode>> {
    Ok(links::tagged_entities(&state.pool().await?, tag_id, limit).await?)
}

/// Adds and removes tags of one entity.
#[tauri::command]
#[specta::specta]
pub async fn edit_entity_tags(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: EntityTagsEdit,
) -> AppResult<EntityTags> {
    let (pool, actor) = state.request(&window)?;
    if crate::offline::is_offline(&app) {
        let id = input.entity_id;
        let (cache, _) =
            crate::offline::queue(&app, studio_offline::Mutation::EditTags { input }).await?;
        return Ok(EntityTags {
            node: cache.node(id).await?,
            tags: cache.entity_tags(id).await?,
        });
    }
    let applied =
        crate::offline::online_result(&app, links::edit_entity_tags(&pool, &actor, &input).await)
            .await?;
    Ok(announce(&app, &actor.source, applied))
}

/// The group configuration of an entity (None: it is not a group).
#[tauri::command]
#[specta::specta]
pub async fn entity_group(
    state: State<'_, AppState>,
    entity_id: Uuid,
) -> AppResult<Option<EntityGroup>> {
    Ok(links::entity_group(&state.pool().await?, entity_id).await?)
}

/// Makes an entity a group, or edits its configuration.
#[tauri::command]
#[specta::specta]
pub async fn configure_group(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: GroupConfig,
) -> AppResult<EntityGroup> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::configure_group(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn group_members(
    state: State<'_, AppState>,
    group_id: Uuid,
    limit: u32,
) -> AppResult<Vec<TreeNode>> {
    Ok(links::group_members(&state.pool().await?, group_id, limit).await?)
}

/// The groups an entity belongs to.
#[tauri::command]
#[specta::specta]
pub async fn groups_of(state: State<'_, AppState>, entity_id: Uuid) -> AppResult<Vec<EntityGroup>> {
    Ok(links::groups_of(&state.pool().await?, entity_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn edit_group_members(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: MembersEdit,
) -> AppResult<Vec<TreeNode>> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::edit_group_members(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn create_relationship(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: NewRelationship,
) -> AppResult<Relationship> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::create_relationship(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_relationship(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<Relationship> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = links::delete_relationship(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// The relationship types in use (suggestions for the view builder).
#[tauri::command]
#[specta::specta]
pub async fn relationship_types(state: State<'_, AppState>) -> AppResult<Vec<String>> {
    Ok(links::relationship_types(&state.pool().await?).await?)
}

/// An entity's relationships, both ways.
#[tauri::command]
#[specta::specta]
pub async fn relationships_of(
    state: State<'_, AppState>,
    entity_id: Uuid,
) -> AppResult<Vec<RelatedEntity>> {
    Ok(links::relationships_of(&state.pool().await?, entity_id).await?)
}

/// The entities within one or two relationships of one, for the graph.
#[tauri::command]
#[specta::specta]
pub async fn neighbourhood(
    state: State<'_, AppState>,
    entity_id: Uuid,
    hops: u8,
    limit: u32,
) -> AppResult<Neighbourhood> {
    Ok(links::neighbourhood(&state.pool().await?, entity_id, hops, limit).await?)
}
