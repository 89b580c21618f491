//! Background jobs: cancel, list. (The jobs themselves run in studio-core;
//! their events are shaped in `events`.)

use tauri::State;
use uuid::Uuid;

use crate::error::AppResult;
use crate::state::AppState;

/// Asks a running job to stop before it commits. False when no such job
/// runs (it finished already).
#[tauri::command]
#[specta::specta]
pub fn cancel_job(state: State<'_, AppState>, job_id: Uuid) -> bool {
    state.jobs().cancel(job_id)
}

/// Ids of the jobs still running.
#[tauri::command]
#[specta::specta]
pub fn running_jobs(state: State<'_, AppState>) -> AppResult<Vec<Uuid>> {
    Ok(state.jobs().running())
}
