//! Start-up status.

use serde::Serialize;
use tauri::State;

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
