//! The vault: lock state, per-root keys (create, rotate, minimum version,
//! rewrap as a job) and secrets (list, versions, create, write, reveal).
//! A revealed value is in the reveal's answer only: never in an event or
//! a log.

use serde::{Deserialize, Serialize};
use studio_core::vault::{
    self, CreateSecret, KeyProviderKind, RevealedSecret, SecretSummary, SecretText,
    SecretVersionInfo, TenantKey, VaultStatus,
};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::{self, announce, job_listener, RegistryChange};
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn vault_status(state: State<'_, AppState>) -> AppResult<VaultStatus> {
    let pool = state.pool().await?;
    Ok(vault::status(&pool, state.vault()).await?)
}

/// Unlocks the vault for this session; the passphrase (when given) opens
/// passphrase keys and is held in memory until the vault locks.
#[tauri::command]
#[specta::specta]
pub async fn vault_unlock(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: Option<SecretText>,
) -> AppResult<VaultStatus> {
    let pool = state.own_pool()?;
    state
        .vault()
        .unlock(&pool, passphrase.filter(|p| !p.expose().is_empty()))
        .await?;
    announce_lock(&app);
    Ok(vault::status(&pool, state.vault()).await?)
}

/// Locks the vault: the passphrase and every key are wiped from memory.
#[tauri::command]
#[specta::specta]
pub async fn vault_lock(app: AppHandle, state: State<'_, AppState>) -> AppResult<VaultStatus> {
    state.vault().lock();
    announce_lock(&app);
    let pool = state.pool().await?;
    Ok(vault::status(&pool, state.vault()).await?)
}

/// Sets the idle time after which the vault locks itself.
#[tauri::command]
#[specta::specta]
pub fn vault_set_idle(state: State<'_, AppState>, seconds: u32) {
    state
        .vault()
        .set_idle_limit(std::time::Duration::from_secs(u64::from(seconds)));
}

/// Tells every window the lock state changed.
pub fn announce_lock(app: &AppHandle) {
    events::emit(
        app,
        &studio_core::Source::Startup,
        RegistryChange::VaultChanged {
            root_id: None,
            secret_id: None,
        },
    );
}

#[tauri::command]
#[specta::specta]
pub async fn vault_create_key(
    window: Window,
    app: AppHandle,
    state: State<'_, AppState>,
    root_id: Uuid,
    provider: KeyProviderKind,
) -> AppResult<TenantKey> {
    let (pool, actor) = state.request(&window)?;
    let applied = vault::create_key(&pool, state.vault(), &actor, root_id, provider).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn vault_rotate(
    window: Window,
    app: AppHandle,
    state: State<'_, AppState>,
    root_id: Uuid,
) -> AppResult<TenantKey> {
    let (pool, actor) = state.request(&window)?;
    let applied = vault::rotate_key(&pool, state.vault(), &actor, root_id).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn vault_set_minimum(
    window: Window,
    app: AppHandle,
    state: State<'_, AppState>,
    root_id: Uuid,
    minimum: i32,
) -> AppResult<TenantKey> {
    let (pool, actor) = state.request(&window)?;
    let applied = vault::set_minimum_version(&pool, &actor, root_id, minimum).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// A rewrap running in the background.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RewrapStarted {
    pub job_id: Uuid,
    /// Secret versions behind the newest key version.
    pub total: i64,
}

#[tauri::command]
#[specta::specta]
pub async fn vault_rewrap(
    window: Window,
    app: AppHandle,
    state: State<'_, AppState>,
    root_id: Uuid,
) -> AppResult<RewrapStarted> {
    let (pool, actor) = state.request(&window)?;
    let (job_id, total) = state
        .jobs()
        .rewrap(&pool, state.vault(), &actor, root_id, job_listener(app))
        .await?;
    Ok(RewrapStarted { job_id, total })
}

#[tauri::command]
#[specta::specta]
pub async fn list_secrets(
    state: State<'_, AppState>,
    root_id: Option<Uuid>,
) -> AppResult<Vec<SecretSummary>> {
    let pool = state.pool().await?;
    Ok(vault::list_secrets(&pool, root_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn secret_versions(
    state: State<'_, AppState>,
    secret_id: Uuid,
) -> AppResult<Vec<SecretVersionInfo>> {
    let pool = state.pool().await?;
    Ok(vault::secret_versions(&pool, secret_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_secret(
    window: Window,
    app: AppHandle,
    state: State<'_, AppState>,
    input: CreateSecret,
) -> AppResult<SecretSummary> {
    let (pool, actor) = state.request(&window)?;
    let applied = vault::create_secret(&pool, state.vault(), &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// A new value for a secret.
#[derive(Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WriteSecret {
    pub secret_id: Uuid,
    pub value: SecretText,
    pub reason: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn write_secret(
    window: Window,
    app: AppHandle,
    state: State<'_, AppState>,
    input: WriteSecret,
) -> AppResult<SecretVersionInfo> {
    let (pool, actor) = state.request(&window)?;
    let applied = vault::write_secret(
        &pool,
        state.vault(),
        &actor,
        input.secret_id,
        &input.value,
        input.reason.as_deref(),
    )
    .await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Decrypts a version of a secret for the person (audited with `reason`).
#[tauri::command]
#[specta::specta]
pub async fn reveal_secret(
    window: Window,
    app: AppHandle,
    state: State<'_, AppState>,
    secret_id: Uuid,
    version: Option<i32>,
    reason: String,
) -> AppResult<RevealedSecret> {
    let (pool, actor) = state.request(&window)?;
    let applied = vault::reveal(&pool, state.vault(), &actor, secret_id, version, &reason).await?;
    Ok(announce(&app, &actor.source, applied))
}
