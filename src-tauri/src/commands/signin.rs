//! Signing in: the connection profiles of this computer's user, and
//! switching the window to another person (on this computer's database or
//! on a server). Passwords pass through once and are kept nowhere.

use serde::Deserialize;
use studio_core::people::{self, Session};
use studio_core::profiles::{self, ConnectionProfile, ConnectionReport, Profiles};
use studio_core::startup::{self, DatabaseKind, DatabaseTarget, Identity, Password};
use studio_core::vault::SecretText;
use studio_core::{Actor, CoreError, Rule, Source};
use tauri::{AppHandle, State};

use crate::error::{AppError, AppResult};
use crate::events::{self, RegistryChange};
use crate::state::{AppState, Ready, StartupStatus};

#[tauri::command]
#[specta::specta]
pub fn list_profiles() -> AppResult<Vec<ConnectionProfile>> {
    Ok(Profiles::default_location().list()?)
}

/// Adds a profile, or replaces the one called `replacing` (a password
/// kept for the old name moves to the new one).
#[tauri::command]
#[specta::specta]
pub fn save_profile(
    state: State<'_, AppState>,
    profile: ConnectionProfile,
    replacing: Option<String>,
) -> AppResult<()> {
    Profiles::default_location().save(&profile, replacing.as_deref())?;
    if let Some(old) = replacing.filter(|old| *old != profile.name.trim()) {
        let store = state.passwords();
        if let Ok(Some(password)) = store.load(&old) {
            store.save(profile.name.trim(), &password)?;
            store.forget(&old)?;
        }
    }
    Ok(())
}

/// Removes a profile and the password the keychain keeps for it.
#[tauri::command]
#[specta::specta]
pub fn remove_profile(state: State<'_, AppState>, name: String) -> AppResult<()> {
    Profiles::default_location().remove(&name)?;
    if let Err(e) = state.passwords().forget(&name) {
        tracing::warn!("the profile's password could not be removed from the keychain: {e}");
    }
    Ok(())
}

/// Whether to offer the first-run choice between this computer's database
/// and a server.
#[tauri::command]
#[specta::specta]
pub fn welcome_needed() -> bool {
    !Profiles::default_location().welcome_done()
}

/// Records that the first-run choice was made.
#[tauri::command]
#[specta::specta]
pub fn finish_welcome() -> AppResult<()> {
    Ok(Profiles::default_location().finish_welcome()?)
}

/// The names of the profiles whose password the OS keychain keeps.
#[tauri::command]
#[specta::specta]
pub fn profile_passwords(state: State<'_, AppState>) -> AppResult<Vec<String>> {
    let store = state.passwords();
    let mut names = Vec::new();
    for profile in Profiles::default_location().list()? {
        if matches!(store.load(&profile.name), Ok(Some(_))) {
            names.push(profile.name);
        }
    }
    Ok(names)
}

/// Keeps a profile's password in the OS keychain (never in a file).
#[tauri::command]
#[specta::specta]
pub fn remember_profile_password(
    state: State<'_, AppState>,
    name: String,
    password: SecretText,
) -> AppResult<()> {
    Profiles::default_location().get(&name)?;
    if password.expose().is_empty() {
        return Err(AppError::from(CoreError::invalid(
            Some("password"),
            Rule::Required,
            "type the password to keep",
        )));
    }
    Ok(state.passwords().save(&name, &password)?)
}

#[tauri::command]
#[specta::specta]
pub fn forget_profile_password(state: State<'_, AppState>, name: String) -> AppResult<()> {
    Ok(state.passwords().forget(&name)?)
}

/// Connects once with a profile (saved or not) and says what it found;
/// without a password, the one the keychain keeps for the profile's name.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    profile: ConnectionProfile,
    password: Option<SecretText>,
) -> AppResult<ConnectionReport> {
    profile.validate()?;
    let password = match password.filter(|p| !p.expose().is_empty()) {
        Some(p) => p,
        None => state.passwords().load(&profile.name)?.ok_or_else(|| {
            AppError::from(CoreError::invalid(
                Some("password"),
                Rule::Required,
                "type the password (none is kept for this profile)",
            ))
        })?,
    };
    Ok(profiles::test_connection(&profile, &password).await?)
}

/// Who signs in, and where.
#[derive(Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    /// A connection profile's name; none for this computer's database.
    pub profile: Option<String>,
    /// The role to sign in as (a profile's own when none). None on this
    /// computer's database: its administrator, who needs no password here.
    pub user: Option<String>,
    pub password: Option<String>,
}

// A password must not reach a log through a derived Debug.
impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("profile", &self.profile)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Switches the window to another person. On success everything shown is
/// read again as them; on failure nothing changes and the error says why.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    input: SignIn,
) -> AppResult<Session> {
    if !state.jobs().running().is_empty() {
        return Err(AppError::from(CoreError::Forbidden(
            "background jobs are still running as the person signed in now: wait for them \
             or cancel them first"
                .into(),
        )));
    }
    let (target, identity) = resolve(input, state.passwords().as_ref())?;
    let mut opened = match startup::open_as(&target, identity.clone(), |_| {}).await {
        Ok(opened) => opened,
        Err(e) => {
            // A server that does not answer, with a copy kept here: work
            // from it until the server answers.
            let Some((ready, session)) =
                crate::offline::start_unreached(&app, &target, &identity, &e).await
            else {
                return Err(e.into());
            };
            tracing::info!(
                "signed in as {} on {}, offline",
                session.role,
                ready.db.display
            );
            put_in_place(&app, &state, ready, false).await;
            crate::offline::announce(&app, None).await;
            return Ok(session);
        }
    };
    state.offline().forget_unreached();
    // Whoever started this computer's database stops it at exit: when the
    // new session is on the same one, that duty passes to it.
    let previous_started_it = state
        .ready()
        .is_ok_and(|r| r.db.cluster_started && r.db.kind == DatabaseKind::Embedded);
    let hand_over = previous_started_it && opened.kind == DatabaseKind::Embedded;
    if hand_over {
        opened.cluster_started = true;
    }
    let actor = Actor::for_session(
        &opened.pool,
        Source::Window {
            label: "main".into(),
        },
    )
    .await?;
    let session = people::session(&opened.pool).await?;
    tracing::info!("signed in as {} on {}", session.role, opened.display);
    put_in_place(&app, &state, Ready { db: opened, actor }, hand_over).await;
    Ok(session)
}

/// Makes `ready` the window's database and person, closes the one it
/// replaces and tells the window to read everything again. `just_close`:
/// only the replaced one's pool is closed (the new one took over stopping
/// this computer's database at exit, or the replaced one was the same
/// server's, opened while it did not answer).
pub(crate) async fn put_in_place(
    app: &AppHandle,
    state: &AppState,
    ready: Ready,
    just_close: bool,
) {
    state.start_runner(&ready);
    let (info, previous, view) = state.set_ready(ready);
    if let Some(view) = view {
        view.pool.close().await;
    }
    if let Some(previous) = previous {
        let db = previous.db.clone();
        if just_close {
            db.pool.close().await;
        } else {
            // Stops the local cluster only if this app started it and nobody
            // else still uses it.
            tauri::async_runtime::spawn(async move {
                if let Err(e) = startup::close(db).await {
                    tracing::warn!("closing the previous database failed: {e}");
                }
            });
        }
    }
    crate::publish(app, StartupStatus::Ready { database: info });
    events::emit(app, &Source::Startup, RegistryChange::Reloaded);
}

/// The database and the identity a sign-in asks for.
fn resolve(
    input: SignIn,
    passwords: &dyn studio_core::profiles::PasswordStore,
) -> AppResult<(DatabaseTarget, Identity)> {
    let password = input.password.filter(|p| !p.is_empty()).map(Password::new);
    let user = input
        .user
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    let missing_password = || {
        AppError::from(CoreError::invalid(
            Some("password"),
            Rule::Required,
            "type the password of the role you sign in as",
        ))
    };
    match input.profile {
        None => {
            let target = DatabaseTarget::Embedded {
                root: studio_localdb::default_cluster_root(),
            };
            match user {
                None => Ok((target, Identity::Person)),
                Some(role) => {
                    let password = password.ok_or_else(missing_password)?;
                    Ok((target, Identity::SignIn { role, password }))
                }
            }
        }
        Some(name) => {
            let profile = Profiles::default_location().get(&name)?;
            // The profile's own role may use the password the keychain keeps.
            let kept = if user.is_none() && password.is_none() {
                passwords.load(&name)?.map(|p| Password::new(p.expose()))
            } else {
                None
            };
            let role = user.unwrap_or_else(|| profile.user.clone());
            let password = password.or(kept).ok_or_else(missing_password)?;
            Ok((
                DatabaseTarget::Url(profile.url()?),
                Identity::SignIn { role, password },
            ))
        }
    }
}
