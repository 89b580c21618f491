//! Bulk edit: preview, then apply (in the background for large targets).

use serde::Serialize;
use studio_core::bulk::{self, BulkEdit, BulkOutcome, BulkPreview};
use studio_core::jobs::BulkStart;
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::{announce, job_listener};
use crate::state::AppState;

/// What a bulk edit would do (nothing is changed).
#[tauri::command]
#[specta::specta]
pub async fn bulk_preview(state: State<'_, AppState>, edit: BulkEdit) -> AppResult<BulkPreview> {
    Ok(bulk::bulk_preview(&state.pool().await?, &edit).await?)
}

/// How a bulk edit went: done at once, or running as a background job whose
/// progress arrives as `JobProgress` events.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BulkStarted {
    #[serde(rename_all = "camelCase")]
    Done { outcome: BulkOutcome },
    #[serde(rename_all = "camelCase")]
    Background { job_id: Uuid, total: i64 },
}

/// Applies a bulk edit, all or nothing.
#[tauri::command]
#[specta::specta]
pub async fn bulk_edit(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    edit: BulkEdit,
) -> AppResult<BulkStarted> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let started = state
        .jobs()
        .bulk_edit(pool, &actor, &edit, job_listener(app.clone()))
        .await?;
    Ok(match started {
        BulkStart::Done(applied) => BulkStarted::Done {
            outcome: announce(&app, &actor.source, applied),
        },
        BulkStart::Background { job_id, total } => BulkStarted::Background { job_id, total },
    })
}
