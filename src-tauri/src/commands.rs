//! The window's commands: each parses its arguments, calls studio-core and
//! shapes the result. No SQL and no domain rules live here.

use serde::Serialize;
use studio_core::registry::{self, TreeNode};
use tauri::State;
use uuid::Uuid;

use crate::error::AppResult;
use crate::state::{AppState, StartupStatus};

/// Sent whenever the start-up status changes.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct StartupEvent {
    pub status: StartupStatus,
}

/// Where the app is in opening its database (the window asks on load, then
/// follows `StartupEvent`).
#[tauri::command]
#[specta::specta]
pub fn startup_status(state: State<'_, AppState>) -> StartupStatus {
    state.status()
}

/// The registry's roots.
#[tauri::command]
#[specta::specta]
pub async fn list_roots(state: State<'_, AppState>) -> AppResult<Vec<TreeNode>> {
    let ready = state.ready()?;
    Ok(registry::list_roots(&ready.db.pool).await?)
}

/// The children of one entity.
#[tauri::command]
#[specta::specta]
pub async fn list_children(
    state: State<'_, AppState>,
    parent_id: Uuid,
) -> AppResult<Vec<TreeNode>> {
    let ready = state.ready()?;
    Ok(registry::list_children(&ready.db.pool, parent_id).await?)
}
