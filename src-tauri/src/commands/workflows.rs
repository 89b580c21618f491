//! Workflows: the list, one workflow with its draft and versions, saving
//! the draft (over the version loaded), checking a document, publishing,
//! enabling, deleting, versions and their diff, a sandboxed test run;
//! runs (start, list, one with its steps, cancel, retry); the approvals
//! inbox and votes; the person's notifications.

use studio_core::records::{
    ApprovalRequest, Execution, Notification, VersionedId, WorkflowSummary,
};
use studio_core::workflows::approvals::{self, CastVote};
use studio_core::workflows::engine::{
    self, ExecutionDetail, ExecutionFilter, RetryExecution, RunWorkflow,
};
use studio_core::workflows::sandbox::{self, TestRun, TestRunInput};
use studio_core::workflows::{
    self, NewWorkflow, SaveDraft, SetEnabled, WorkflowDetail, WorkflowDiff, WorkflowVersion,
};
use studio_core::ValidationError;
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::announce;
use crate::state::AppState;

/// The live workflows the person sees.
#[tauri::command]
#[specta::specta]
pub async fn list_workflows(state: State<'_, AppState>) -> AppResult<Vec<WorkflowSummary>> {
    Ok(workflows::list(&state.pool().await?, false).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_workflow(state: State<'_, AppState>, id: Uuid) -> AppResult<WorkflowDetail> {
    Ok(workflows::get(&state.pool().await?, id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_workflow(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: NewWorkflow,
) -> AppResult<WorkflowDetail> {
    let (pool, actor) = state.request(&window)?;
    let applied = workflows::create(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Saves the draft over the version the editor loaded (a conflict when
/// someone saved since).
#[tauri::command]
#[specta::specta]
pub async fn save_workflow_draft(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: SaveDraft,
) -> AppResult<WorkflowDetail> {
    let (pool, actor) = state.request(&window)?;
    let applied = workflows::save_draft(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Every problem of a document, each with its path (empty: publishable).
#[tauri::command]
#[specta::specta]
pub async fn check_workflow(document: serde_json::Value) -> AppResult<Vec<ValidationError>> {
    Ok(workflows::problems(document))
}

#[tauri::command]
#[specta::specta]
pub async fn publish_workflow(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<WorkflowDetail> {
    let (pool, actor) = state.request(&window)?;
    let applied = workflows::publish(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn set_workflow_enabled(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: SetEnabled,
) -> AppResult<WorkflowDetail> {
    let (pool, actor) = state.request(&window)?;
    let applied = workflows::set_enabled(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_workflow(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<WorkflowSummary> {
    let (pool, actor) = state.request(&window)?;
    let applied = workflows::delete(&pool, &actor, &input, false).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn restore_workflow(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: VersionedId,
) -> AppResult<WorkflowSummary> {
    let (pool, actor) = state.request(&window)?;
    let applied = workflows::delete(&pool, &actor, &input, true).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// One published version with its document.
#[tauri::command]
#[specta::specta]
pub async fn workflow_version(
    state: State<'_, AppState>,
    version_id: Uuid,
) -> AppResult<WorkflowVersion> {
    Ok(workflows::version(&state.pool().await?, version_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn diff_workflow_versions(
    state: State<'_, AppState>,
    from: Uuid,
    to: Uuid,
) -> AppResult<WorkflowDiff> {
    Ok(workflows::diff_versions(&state.pool().await?, from, to).await?)
}

/// Runs a draft on an entity in a transaction that is rolled back.
#[tauri::command]
#[specta::specta]
pub async fn test_run_workflow(
    window: Window,
    state: State<'_, AppState>,
    input: TestRunInput,
) -> AppResult<TestRun> {
    let (pool, actor) = state.request(&window)?;
    Ok(sandbox::test_run(&pool, &actor, &input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn run_workflow(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: RunWorkflow,
) -> AppResult<Vec<Execution>> {
    let (pool, actor) = state.request(&window)?;
    let applied = engine::run(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn list_executions(
    state: State<'_, AppState>,
    filter: ExecutionFilter,
) -> AppResult<Vec<Execution>> {
    Ok(engine::list_executions(&state.pool().await?, &filter).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_execution(state: State<'_, AppState>, id: Uuid) -> AppResult<ExecutionDetail> {
    Ok(engine::execution(&state.pool().await?, id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_execution(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<Execution> {
    let (pool, actor) = state.request(&window)?;
    let applied = engine::cancel(&pool, &actor, id).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Retries a failed execution from its failed step or from its trigger,
/// on the version it ran.
#[tauri::command]
#[specta::specta]
pub async fn retry_execution(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: RetryExecution,
) -> AppResult<Execution> {
    let (pool, actor) = state.request(&window)?;
    let applied = engine::retry(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn list_approvals(
    state: State<'_, AppState>,
    pending_only: bool,
) -> AppResult<Vec<ApprovalRequest>> {
    Ok(approvals::inbox(&state.pool().await?, pending_only).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn vote_approval(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: CastVote,
) -> AppResult<ApprovalRequest> {
    let (pool, actor) = state.request(&window)?;
    let applied = approvals::vote(&pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn list_notifications(state: State<'_, AppState>) -> AppResult<Vec<Notification>> {
    Ok(approvals::notifications(&state.pool().await?).await?)
}

/// Marks notifications read; returns how many changed.
#[tauri::command]
#[specta::specta]
pub async fn mark_notifications_read(state: State<'_, AppState>, ids: Vec<Uuid>) -> AppResult<u32> {
    Ok(approvals::mark_read(&*state.own_pool()?, &ids).await? as u32)
}
