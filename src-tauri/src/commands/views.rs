//! Saved views and running view documents: a page (by keyset), a count,
//! and the saved views' life cycle. The compiler and its checks live in
//! studio-core; these read as the window's person (or whom it views as).

use std::path::{Path, PathBuf};

use serde::Serialize;
use studio_core::records::{SavedView, VersionedId};
use studio_core::views::{self, Cursor, ExportFormat, NewView, ViewCount, ViewDocument};
use studio_core::views::{SetTypeDefaultView, TypeDefaultView, ViewPage, ViewTree, ViewUpdate};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::{announce, job_listener};
use crate::state::AppState;

/// The live saved views the person sees.
#[tauri::command]
#[specta::specta]
pub async fn list_views(app: AppHandle, state: State<'_, AppState>) -> AppResult<Vec<SavedView>> {
    let pool = state.pool().await?;
    crate::offline::read(&app, views::list_saved(&pool), |c| async move {
        c.saved_views().await
    })
    .await
}

/// One page of `document`, after `after` (the first page when none).
#[tauri::command]
#[specta::specta]
pub async fn view_page(
    app: AppHandle,
    state: State<'_, AppState>,
    document: ViewDocument,
    after: Option<Cursor>,
) -> AppResult<ViewPage> {
    let pool = state.pool().await?;
    let (kept_document, kept_after) = (document.clone(), after.clone());
    crate::offline::read(
        &app,
        views::page(&pool, &document, after.as_ref()),
        |c| async move { c.view_page(&kept_document, kept_after.as_ref()).await },
    )
    .await
}

/// How many rows `document` has (exact up to a cap, else an estimate).
#[tauri::command]
#[specta::specta]
pub async fn view_count(
    app: AppHandle,
    state: State<'_, AppState>,
    document: ViewDocument,
) -> AppResult<ViewCount> {
    let pool = state.pool().await?;
    let kept_document = document.clone();
    crate::offline::read(&app, views::count(&pool, &document), |c| async move {
        c.view_count(&kept_document).await
    })
    .await
}

/// The views entity types open with (those the person can see).
#[tauri::command]
#[specta::specta]
pub async fn type_default_views(
    app: AppHandle,
    state: State<'_, AppState>,
) -> AppResult<Vec<TypeDefaultView>> {
    let pool = state.pool().await?;
    // Offline, types open with the view made from their layout.
    crate::offline::read(&app, views::type_default_views(&pool), |_| async move {
        Ok(Vec::new())
    })
    .await
}

/// Chooses (or clears) the shared view an entity type opens with.
#[tauri::command]
#[specta::specta]
pub async fn set_type_default_view(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: SetTypeDefaultView,
) -> AppResult<Option<TypeDefaultView>> {
    let (pool, actor) = state.request(&window)?;
    let applied = views::set_type_default_view(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// The view a type opens with when none was chosen (made from its layout).
#[tauri::command]
#[specta::specta]
pub async fn generated_type_view(
    state: State<'_, AppState>,
    entity_type_id: Uuid,
) -> AppResult<ViewDocument> {
    Ok(views::generated_type_view(&state.pool().await?, entity_type_id).await?)
}

/// Reads a pasted view document (of any version this build knows) and
/// checks it as the person sees the schema, without running it: the
/// document brought up to date, or a typed error pointing into it.
#[tauri::command]
#[specta::specta]
pub async fn check_view(state: State<'_, AppState>, text: String) -> AppResult<ViewDocument> {
    Ok(views::check(&state.pool().await?, &text).await?)
}

/// The first matches of `document` in their hierarchy, with the ancestors
/// that do not match (the window greys those).
#[tauri::command]
#[specta::specta]
pub async fn view_tree(state: State<'_, AppState>, document: ViewDocument) -> AppResult<ViewTree> {
    Ok(views::tree(&state.pool().await?, &document).await?)
}

/// A running export: its job (progress as `JobProgress` events, cancel
/// with `cancel_job`) and how many rows it expects.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportStarted {
    pub job_id: Uuid,
    pub total: i64,
}

/// Exports the rows of `document` to the file at `path` in the background.
#[tauri::command]
#[specta::specta]
pub async fn export_view(
    app: AppHandle,
    state: State<'_, AppState>,
    document: ViewDocument,
    format: ExportFormat,
    path: String,
    external_source: Option<String>,
) -> AppResult<ExportStarted> {
    let pool = state.pool().await?;
    let (job_id, total) = state
        .jobs()
        .export_view(
            &pool,
            &document,
            format,
            PathBuf::from(path),
            external_source.filter(|s| !s.trim().is_empty()),
            job_listener(app),
        )
        .await?;
    Ok(ExportStarted { job_id, total })
}

/// Where an export named `file_name` would go unless the person picks
/// elsewhere: their Downloads folder (else their home), with ` (2)`, ` (3)`…
/// added to the name when one such file exists already.
#[tauri::command]
#[specta::specta]
pub fn suggest_export_path(file_name: String) -> String {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let folder = home
        .as_ref()
        .map(|h| h.join("Downloads"))
        .filter(|d| d.is_dir())
        .or(home)
        .unwrap_or_else(std::env::temp_dir);
    free_name(&folder, &file_name).display().to_string()
}

/// `name` in `folder`, or the first free `stem (n).ext`.
fn free_name(folder: &Path, name: &str) -> PathBuf {
    let clean: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let clean = if clean.trim().is_empty() {
        "export".to_string()
    } else {
        clean
    };
    let first = folder.join(&clean);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match clean.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (clean.clone(), String::new()),
    };
    (2..)
        .map(|n| folder.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .expect("some free name")
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

#[cfg(test)]
mod tests {
    use super::free_name;

    #[test]
    fn an_export_name_never_overwrites_and_stays_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(free_name(dir.path(), "v.csv"), dir.path().join("v.csv"));
        std::fs::write(dir.path().join("v.csv"), "").unwrap();
        std::fs::write(dir.path().join("v (2).csv"), "").unwrap();
        assert_eq!(free_name(dir.path(), "v.csv"), dir.path().join("v (3).csv"));
        assert_eq!(
            free_name(dir.path(), "../etc/passwd"),
            dir.path().join(".._etc_passwd")
        );
        assert_eq!(free_name(dir.path(), " "), dir.path().join("export"));
    }
}
