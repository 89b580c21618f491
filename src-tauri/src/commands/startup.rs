//! Start-up status.

use tauri::State;

use crate::state::{AppState, StartupStatus};

/// Where the app is in opening its database (the window asks on load, then
/// follows `StartupEvent`).
#[tauri::command]
#[specta::specta]
pub fn startup_status(state: State<'_, AppState>) -> StartupStatus {
    state.status()
}
