//! Dashboards (list, open, save whole, delete, restore), one widget's data
//! at a time (so a failing widget fails alone and a filter change re-runs
//! only the widgets it concerns), the metrics and their import as a job,
//! and alerts (list, counts for the badge, raise, acknowledge, resolve).

use serde::Serialize;
use studio_core::alerts::{self, Alert, AlertCounts, AlertFilter, AlertStatus, RaiseAlert};
use studio_core::dashboards::{
    self, Dashboard, DashboardSummary, SaveDashboard, WidgetData, WidgetRequest,
};
use studio_core::metrics::{self, MetricInfo, OnBadRows};
use studio_core::records::VersionedId;
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::{announce, job_listener};
use crate::state::AppState;

/// The live dashboards the person sees.
#[tauri::command]
#[specta::specta]
pub async fn list_dashboards(state: State<'_, AppState>) -> AppResult<Vec<DashboardSummary>> {
    Ok(dashboards::list(&state.pool().await?).await?)
}

/// One dashboard with its widgets.
#[tauri::command]
#[specta::specta]
pub async fn get_dashboard(state: State<'_, AppState>, id: Uuid) -> AppResult<Dashboard> {
    Ok(dashboards::get(&state.pool().await?, id).await?)
}

/// Creates a dashboard (no id) or saves one over the version loaded.
#[tauri::command]
#[specta::specta]
pub async fn save_dashboard(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: SaveDashboard,
) -> AppResult<Dashboard> {
    let (pool, actor) = state.request(&window)?;
    let applied = dashboards::save(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_dashboard(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<Dashboard> {
    let (pool, actor) = state.request(&window)?;
    let applied = dashboards::delete(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn restore_dashboard(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<Dashboard> {
    let (pool, actor) = state.request(&window)?;
    let applied = dashboards::restore(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// What one widget shows, for the dashboard's variables and filters.
#[tauri::command]
#[specta::specta]
pub async fn widget_data(
    state: State<'_, AppState>,
    request: WidgetRequest,
) -> AppResult<WidgetData> {
    Ok(dashboards::widget_data(&state.pool().await?, &request).await?)
}

/// The metrics the person sees, with their series counts.
#[tauri::command]
#[specta::specta]
pub async fn list_metrics(state: State<'_, AppState>) -> AppResult<Vec<MetricInfo>> {
    Ok(metrics::list_metrics(&state.pool().await?).await?)
}

/// A started import of readings.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportStarted {
    pub job_id: Uuid,
    /// The file's size in bytes (progress counts bytes read).
    pub total: i64,
}

/// Imports readings from a CSV or JSON file as a background job.
#[tauri::command]
#[specta::specta]
pub async fn import_readings(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    path: String,
    on_bad_rows: OnBadRows,
) -> AppResult<ImportStarted> {
    let (pool, actor) = state.request(&window)?;
    let (job_id, total) = state
        .jobs()
        .import_metrics(&pool, &actor, path.into(), on_bad_rows, job_listener(app))
        .await?;
    Ok(ImportStarted { job_id, total })
}

#[tauri::command]
#[specta::specta]
pub async fn list_alerts(state: State<'_, AppState>, filter: AlertFilter) -> AppResult<Vec<Alert>> {
    Ok(alerts::list(&state.pool().await?, &filter).await?)
}

/// Open alerts by status and level, for the window's badge.
#[tauri::command]
#[specta::specta]
pub async fn alert_counts(state: State<'_, AppState>) -> AppResult<AlertCounts> {
    Ok(alerts::counts(&state.pool().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn raise_alert(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: RaiseAlert,
) -> AppResult<Alert> {
    let (pool, actor) = state.request(&window)?;
    let applied = alerts::raise(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn acknowledge_alert(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<Alert> {
    let (pool, actor) = state.request(&window)?;
    let applied = alerts::transition(&pool, &actor, &input, AlertStatus::Acknowledged).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_alert(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<Alert> {
    let (pool, actor) = state.request(&window)?;
    let applied = alerts::transition(&pool, &actor, &input, AlertStatus::Resolved).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// What a widget export holds: text (CSV) or bytes in base64 (a PNG).
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum WidgetExport {
    Text { text: String },
    Base64 { data: String },
}

/// Writes a widget's CSV or PNG to the person's Downloads folder (else
/// their home) under a free name; returns the path written.
#[tauri::command]
#[specta::specta]
pub fn save_widget_export(file_name: String, content: WidgetExport) -> AppResult<String> {
    use base64::Engine as _;
    let bytes = match content {
        WidgetExport::Text { text } => text.into_bytes(),
        WidgetExport::Base64 { data } => base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| {
                studio_core::CoreError::invalid(
                    Some("content"),
                    studio_core::Rule::Format,
                    format!("the picture is not base64: {e}"),
                )
            })?,
    };
    let path = super::views::suggest_export_path(file_name);
    std::fs::write(&path, bytes)
        .map_err(|e| studio_core::CoreError::Unavailable(format!("cannot write {path}: {e}")))?;
    Ok(path)
}
