//! Saved views and running view documents: a page (by keyset), a count,
//! and the saved views' life cycle. The compiler and its checks live in
//! studio-core; these read as the window's person (or whom it views as).

use studio_core::records::{SavedView, VersionedId};
use studio_core::views::{self, Cursor, NewView, ViewCount, ViewDocument, ViewPage, ViewUpdate};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::announce;
use crate::state::AppState;

/// The live saved views the person sees.
#[tauri::command]
#[specta::specta]
pub async fn list_views(state: State<'_, AppState>) -> AppResult<Vec<SavedView>> {
    Ok(views::list_saved(&state.pool()?).await?)
}

/// One page of `document`, after `after` (the first page when none).
#[tauri::command]
#[specta::specta]
pub async fn view_page(
    state: State<'_, AppState>,
    document: ViewDocument,
    after: Option<Cursor>,
) -> AppResult<ViewPage> {
    Ok(views::page(&state.pool()?, &document, after.as_ref()).await?)
}

/// How many rows `document` has (exact up to a cap, else an estimate).
#[tauri::command]
#[specta::specta]
pub async fn view_count(
    state: State<'_, AppState>,
    document: ViewDocument,
) -> AppResult<ViewCount> {
    Ok(views::count(&state.pool()?, &document).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_view(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: NewView,
) -> AppResult<SavedView> {
    let (pool, actor) = state.request(&window)?;
    let applied = views::create_view(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn update_view(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: ViewUpdate,
) -> AppResult<SavedView> {
    let (pool, actor) = state.request(&window)?;
    let applied = views::update_view(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn duplicate_view(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
    shared: bool,
) -> AppResult<SavedView> {
    let (pool, actor) = state.request(&window)?;
    let applied = views::duplicate_view(&pool, &actor, id, shared).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_view(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<SavedView> {
    let (pool, actor) = state.request(&window)?;
    let applied = views::delete_view(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn restore_view(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<SavedView> {
    let (pool, actor) = state.request(&window)?;
    let applied = views::restore_view(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}
