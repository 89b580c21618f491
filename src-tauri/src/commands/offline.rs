//! Offline work: making subtrees available, the cache's state, the outbox
//! and its conflicts. The routing of reads and edits while the server is
//! gone is in `crate::offline`.

use serde::Serialize;
use studio_core::offline::SubtreeSize;
use studio_core::progress::{CancelToken, Progress};
use studio_offline::{
    AddOptions, OfflineStatus, OutboxEntry, OutboxStatus, RefreshReport, ReplayReport, Resolution,
};
use tauri::{AppHandle, Manager, State};
use tauri_specta::Event;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::offline::{self, Connection, DownloadState, OfflineProgress};
use crate::state::AppState;

/// The connection, the cache and the entities with edits not yet sent.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OfflineOverview {
    pub connection: Connection,
    pub status: OfflineStatus,
    pub pending_entities: Vec<Uuid>,
}

#[tauri::command]
#[specta::specta]
pub async fn offline_overview(
    app: AppHandle,
    state: State<'_, AppState>,
) -> AppResult<OfflineOverview> {
    let cache = offline::cache(&app).await?;
    Ok(OfflineOverview {
        connection: state.offline().connection(),
        status: cache.status().await?,
        pending_entities: cache.pending_entities().await?,
    })
}

/// What making a subtree available offline would download.
#[tauri::command]
#[specta::specta]
pub async fn offline_size(state: State<'_, AppState>, root_id: Uuid) -> AppResult<SubtreeSize> {
    Ok(studio_core::offline::subtree_size(&*state.own_pool()?, root_id).await?)
}

/// Starts downloading a subtree; `OfflineProgress` events follow (cancel
/// with `offline_cancel`).
#[tauri::command]
#[specta::specta]
pub async fn offline_add(
    app: AppHandle,
    state: State<'_, AppState>,
    root_id: Uuid,
) -> AppResult<()> {
    if state.offline().is_offline() {
        return Err(AppError::Offline {
            message: "a subtree can be made available offline only while the server answers".into(),
        });
    }
    let pool = state.own_pool()?;
    let cache = offline::cache(&app).await?;
    let cancel = CancelToken::new();
    state.offline().track_download(root_id, cancel.clone());
    tauri::async_runtime::spawn(async move {
        let progress_app = app.clone();
        let options = AddOptions {
            progress: Some(std::sync::Arc::new(move |p: Progress| {
                let _ = OfflineProgress {
                    root_id,
                    done: p.done,
                    total: p.total,
                    state: DownloadState::Running,
                }
                .emit(&progress_app);
            })),
        };
        let result = cache.add(&pool, root_id, &options, &cancel).await;
        app.state::<AppState>().offline().end_download(root_id);
        let state = match result {
            Ok(scope) => DownloadState::Done { scope },
            Err(studio_offline::OfflineError::Core(studio_core::CoreError::Cancelled)) => {
                DownloadState::Cancelled
            }
            Err(e) => DownloadState::Failed {
                error: AppError::from(e),
            },
        };
        let _ = OfflineProgress {
            root_id,
            done: 0,
            total: 0,
            state,
        }
        .emit(&app);
        offline::announce(&app, None).await;
    });
    Ok(())
}

/// Cancels a running download (nothing of it is kept).
#[tauri::command]
#[specta::specta]
pub async fn offline_cancel(state: State<'_, AppState>, root_id: Uuid) -> AppResult<bool> {
    Ok(state.offline().cancel_download(root_id))
}

/// Brings the kept subtrees up to date now.
#[tauri::command]
#[specta::specta]
pub async fn offline_refresh(
    app: AppHandle,
    state: State<'_, AppState>,
) -> AppResult<RefreshReport> {
    let pool = state.own_pool()?;
    let cache = offline::cache(&app).await?;
    let report = cache.refresh(&pool, &CancelToken::new()).await?;
    offline::announce(&app, None).await;
    Ok(report)
}

/// Removes a subtree from this computer (queued edits stay).
#[tauri::command]
#[specta::specta]
pub async fn offline_remove(app: AppHandle, root_id: Uuid) -> AppResult<()> {
    offline::cache(&app).await?.remove(root_id).await?;
    offline::announce(&app, None).await;
    Ok(())
}

/// The outbox (only these statuses when any are given), oldest first.
#[tauri::command]
#[specta::specta]
pub async fn offline_outbox(
    app: AppHandle,
    statuses: Vec<OutboxStatus>,
) -> AppResult<Vec<OutboxEntry>> {
    Ok(offline::cache(&app).await?.outbox(&statuses).await?)
}

/// Settles a conflict, then sends what waits (when the server answers).
#[tauri::command]
#[specta::specta]
pub async fn offline_resolve(
    app: AppHandle,
    state: State<'_, AppState>,
    seq: i64,
    resolution: Resolution,
) -> AppResult<OutboxEntry> {
    let pool = state.own_pool()?;
    let entry = offline::cache(&app)
        .await?
        .resolve(&pool, seq, resolution)
        .await?;
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = offline::sync(&handle).await {
            tracing::warn!("sending queued edits failed: {e}");
        }
    });
    Ok(entry)
}

/// Sends queued edits and refreshes the cache now.
#[tauri::command]
#[specta::specta]
pub async fn offline_sync(app: AppHandle) -> AppResult<ReplayReport> {
    offline::sync(&app).await
}

/// Writes the outbox's entries of these statuses to a JSON file; returns
/// how many.
#[tauri::command]
#[specta::specta]
pub async fn offline_export(
    app: AppHandle,
    path: String,
    statuses: Vec<OutboxStatus>,
) -> AppResult<u32> {
    let cache = offline::cache(&app).await?;
    let entries = cache.outbox(&statuses).await?;
    let text = cache.export_outbox(&statuses).await?;
    std::fs::write(&path, text).map_err(|e| AppError::Validation {
        message: format!("{path} could not be written: {e}"),
        field: Some("path".into()),
        rule: studio_core::Rule::State,
    })?;
    Ok(entries.len() as u32)
}
