//! People, their scopes, and who this window works as.

use studio_core::people::{self, AddedPerson, GrantScope, NewPerson, Person, Scope, Session};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::{self, announce, RegistryChange};
use crate::state::{AppState, ViewAs};
use studio_core::Source;

/// Who the app is signed in as, and what they may do on each root.
#[tauri::command]
#[specta::specta]
pub async fn current_session(app: AppHandle, state: State<'_, AppState>) -> AppResult<Session> {
    let pool = state.pool().await?;
    // Offline: the session the server gave when the cache was last filled.
    crate::offline::read(&app, people::session(&pool), |cache| async move {
        cache.session().await?.ok_or_else(|| {
            studio_offline::OfflineError::Unsupported(
                "who you are is not known offline: the offline copy was made before it was kept"
                    .into(),
            )
        })
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_people(state: State<'_, AppState>) -> AppResult<Vec<Person>> {
    Ok(people::list_people(&state.pool().await?).await?)
}

/// Adds a person; a generated password comes back once and is kept nowhere.
#[tauri::command]
#[specta::specta]
pub async fn add_person(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: NewPerson,
) -> AppResult<AddedPerson> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = people::add_person(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn deactivate_person(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<Person> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = people::deactivate_person(pool, &actor, id).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// The live scopes the signed-in person sees, of one person or of all.
#[tauri::command]
#[specta::specta]
pub async fn list_scopes(
    state: State<'_, AppState>,
    user_id: Option<Uuid>,
) -> AppResult<Vec<Scope>> {
    Ok(people::list_scopes(&state.pool().await?, user_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn grant_scope(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    input: GrantScope,
) -> AppResult<Scope> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = people::grant_scope(pool, &actor, &input).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn revoke_scope(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<Scope> {
    let (pool, actor) = state.request(&window)?;
    let pool = &pool;
    let applied = people::revoke_scope(pool, &actor, id).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Starts viewing the registry as `id` sees it (read-only; a global
/// administrator's, no password needed). Returns that person's session.
#[tauri::command]
#[specta::specta]
pub async fn start_view_as(
    app: AppHandle,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<Session> {
    let own = state.own_pool()?;
    let (person, pool) = people::view_as(&own, id).await?;
    let session = people::session(&pool).await?;
    if let Some(previous) = state.set_view_as(Some(ViewAs { person, pool })) {
        previous.pool.close().await;
    }
    announce_reload(&app);
    Ok(session)
}

/// Stops viewing as another person; returns the signed-in person's session.
#[tauri::command]
#[specta::specta]
pub async fn stop_view_as(app: AppHandle, state: State<'_, AppState>) -> AppResult<Session> {
    if let Some(previous) = state.set_view_as(None) {
        previous.pool.close().await;
    }
    announce_reload(&app);
    Ok(people::session(&*state.own_pool()?).await?)
}

/// The person being viewed as, if any.
#[tauri::command]
#[specta::specta]
pub async fn viewing_as(state: State<'_, AppState>) -> AppResult<Option<Person>> {
    Ok(state.viewing_as())
}

/// Everything a window shows may differ for the other person.
fn announce_reload(app: &AppHandle) {
    events::emit(app, &Source::Startup, RegistryChange::Reloaded);
}
