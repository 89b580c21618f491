//! Background jobs (moves of large subtrees): progress events, cancel.

use serde::Serialize;
use studio_core::db::PgPool;
use studio_core::registry::{self, CancelToken, MoveEntity, TreeNode};
use studio_core::Actor;
use tauri::{AppHandle, Manager, State};
use tauri_specta::Event;
use uuid::Uuid;

use super::registry::{announce, RegistryChange};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Where a job is.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum JobState {
    Running,
    #[serde(rename_all = "camelCase")]
    Committed {
        node: TreeNode,
        old_parent_id: Option<Uuid>,
    },
    Cancelled,
    #[serde(rename_all = "camelCase")]
    Failed {
        error: AppError,
    },
}

/// Progress of a background job.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    pub job_id: Uuid,
    pub done: i64,
    pub total: i64,
    pub state: JobState,
}

fn report(app: &AppHandle, progress: JobProgress) {
    if let Err(e) = progress.emit(app) {
        tracing::warn!("could not send job progress: {e}");
    }
}

pub(crate) fn spawn_move(
    app: AppHandle,
    pool: PgPool,
    actor: Actor,
    input: MoveEntity,
    old_parent_id: Option<Uuid>,
    total: i64,
) -> Uuid {
    let job_id = Uuid::now_v7();
    let cancel = CancelToken::new();
    app.state::<AppState>().add_job(job_id, cancel.clone());
    tauri::async_runtime::spawn(async move {
        let progress_app = app.clone();
        let on_progress = move |p: registry::MoveProgress| {
            report(
                &progress_app,
                JobProgress {
                    job_id,
                    done: p.done,
                    total: p.total,
                    state: JobState::Running,
                },
            );
        };
        let result = registry::move_entity(&pool, &actor, &input, &on_progress, &cancel).await;
        app.state::<AppState>().remove_job(job_id);
        let state = match result {
            Ok(node) => {
                announce(
                    &app,
                    "job",
                    RegistryChange::Moved {
                        node: node.clone(),
                        old_parent_id,
                    },
                );
                JobState::Committed {
                    node,
                    old_parent_id,
                }
            }
            Err(studio_core::CoreError::Cancelled) => JobState::Cancelled,
            Err(e) => JobState::Failed { error: e.into() },
        };
        tracing::info!(%job_id, "move job ended: {state:?}");
        let done = if matches!(state, JobState::Committed { .. }) {
            total
        } else {
            0
        };
        report(
            &app,
            JobProgress {
                job_id,
                done,
                total,
                state,
            },
        );
    });
    job_id
}

/// Asks a running job to stop before it commits. False when no such job
/// runs (it finished already).
#[tauri::command]
#[specta::specta]
pub fn cancel_job(state: State<'_, AppState>, job_id: Uuid) -> bool {
    state.cancel_job(job_id)
}

/// Ids of the jobs still running.
#[tauri::command]
#[specta::specta]
pub fn running_jobs(state: State<'_, AppState>) -> AppResult<Vec<Uuid>> {
    Ok(state.job_ids())
}
