//! What the app holds while it runs: the start-up status and, once ready,
//! the open database.

use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use studio_core::db::PgPool;
use studio_core::jobs::Jobs;
use studio_core::people::Person;
use studio_core::profiles::PasswordStore;
use studio_core::registry::PurgePolicy;
use studio_core::startup::{DatabaseKind, OpenedDatabase};
use studio_core::vault::Vault;
use studio_core::{Actor, Source};
use tauri::Window;

use crate::error::{AppError, AppResult};

/// Where the app is in opening its database.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum StartupStatus {
    Starting { message: String },
    Ready { database: DatabaseInfo },
    Failed { error: AppError },
}

/// What the window shows of the database it works on (never a password).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseInfo {
    pub kind: DatabaseKind,
    pub display: String,
    pub server_version: String,
    /// This build of Eco Studio.
    pub app_version: String,
    /// The schema version the database was checked to have on connect
    /// (its latest migration, which is this build's).
    pub schema_version: String,
    /// Reads go to a replica.
    pub replica: bool,
}

pub struct Ready {
    pub db: OpenedDatabase,
    pub actor: Actor,
}

/// "View as": a read-only pool that sees what one person sees.
pub struct ViewAs {
    pub person: Person,
    pub pool: PgPool,
}

/// The primary's pool, for a command that changes something. When the
/// last copy is dropped (the command's work done), reads through the
/// replica wait for what it wrote (`Replicated::note_write`).
#[derive(Clone)]
pub struct WritePool {
    pool: PgPool,
    _noted: Option<Arc<NoteWrite>>,
}

struct NoteWrite(Arc<studio_core::db::Replicated>);

impl Drop for NoteWrite {
    fn drop(&mut self) {
        self.0.note_write();
    }
}

impl WritePool {
    fn of(ready: &Ready) -> Self {
        if let Some(reads) = &ready.db.reads {
            // Also before: a read that starts while the write runs waits
            // for the primary's position then, and the drop covers the rest.
            reads.note_write();
        }
        WritePool {
            pool: ready.db.pool.clone(),
            _noted: ready.db.reads.clone().map(|r| Arc::new(NoteWrite(r))),
        }
    }

    /// The pool itself, for work that outlives the command (a job); such
    /// work notes nothing.
    pub fn into_pool(self) -> PgPool {
        self.pool.clone()
    }
}

impl std::ops::Deref for WritePool {
    type Target = PgPool;
    fn deref(&self) -> &PgPool {
        &self.pool
    }
}

pub struct AppState {
    status: RwLock<StartupStatus>,
    /// The open database and who works on it; replaced when someone else
    /// signs in.
    ready: RwLock<Option<Arc<Ready>>>,
    /// The database taken back at exit (so it is closed exactly once).
    closing: Mutex<bool>,
    /// Running background jobs and how to cancel them.
    jobs: Arc<Jobs>,
    purge_policy: PurgePolicy,
    /// Set while an administrator views the registry as another person.
    view_as: RwLock<Option<ViewAs>>,
    /// The vault of this session (locked at start and at every sign-in).
    vault: Arc<Vault>,
    /// Where connection profiles' passwords are kept (the OS keychain).
    passwords: Arc<dyn PasswordStore>,
    /// Stops the workflow runner of the open embedded database.
    runner: Mutex<Option<tokio::sync::watch::Sender<bool>>>,
    /// The offline cache and whether the server answers.
    offline: crate::offline::OfflineState,
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            status: RwLock::new(StartupStatus::Starting {
                message: "Starting…".into(),
            }),
            ready: RwLock::new(None),
            closing: Mutex::new(false),
            jobs: Jobs::new(),
            purge_policy: purge_policy_from_env(),
            view_as: RwLock::new(None),
            vault: Vault::with_keychain(studio_keychain::OsKeychain::connect),
            passwords: Arc::new(studio_keychain::KeychainPasswords),
            runner: Mutex::new(None),
            offline: crate::offline::OfflineState::default(),
        }
    }

    pub fn offline(&self) -> &crate::offline::OfflineState {
        &self.offline
    }

    /// Runs workflows in the app while it works on its own embedded
    /// database (as the schema owner). On a server, `eco-studio worker`
    /// processes run them; the app runs none.
    pub fn start_runner(&self, ready: &Ready) {
        self.stop_runner();
        if ready.db.kind != DatabaseKind::Embedded {
            return;
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        *self.runner.lock().expect("runner lock") = Some(stop);
        let vault = Arc::clone(&self.vault);
        let Some(opening) = ready.db.owner_pool() else {
            return;
        };
        tauri::async_runtime::spawn(async move {
            let pool = match opening.await {
                Ok(pool) => pool,
                Err(e) => {
                    tracing::warn!("the workflow runner could not connect: {e}");
                    return;
                }
            };
            let mut opts = studio_core::workflows::engine::EngineOptions::new(format!(
                "app-{}",
                std::process::id()
            ));
            opts.concurrency = 2;
            opts.vault = Some(vault);
            match studio_core::workflows::engine::Engine::new(pool.clone(), opts).await {
                Ok(engine) => engine.run(stopped).await,
                Err(e) => tracing::warn!("the workflow runner did not start: {e}"),
            }
            pool.close().await;
        });
    }

    /// Stops the in-app workflow runner (a step in flight finishes).
    pub fn stop_runner(&self) {
        if let Some(stop) = self.runner.lock().expect("runner lock").take() {
            let _ = stop.send(true);
        }
    }

    pub fn vault(&self) -> &Arc<Vault> {
        &self.vault
    }

    pub fn passwords(&self) -> &Arc<dyn PasswordStore> {
        &self.passwords
    }

    pub fn purge_policy(&self) -> PurgePolicy {
        self.purge_policy
    }

    pub fn jobs(&self) -> &Arc<Jobs> {
        &self.jobs
    }

    /// The pool reads go through, once the database is open: the person
    /// being viewed as, if any, else the signed-in person's, on the read
    /// replica when the profile names one (which has then replayed the
    /// person's own writes, or the read goes to the primary).
    pub async fn pool(&self) -> AppResult<PgPool> {
        let ready = self.ready()?;
        if let Some(view) = &*self.view_as.read().expect("view-as lock") {
            return Ok(view.pool.clone());
        }
        Ok(match &ready.db.reads {
            Some(reads) => reads.read_pool().await,
            None => ready.db.pool.clone(),
        })
    }

    /// The pool and the actor of a new change from `window` (refused while
    /// viewing as another person: that view is read-only).
    pub fn request(&self, window: &Window) -> AppResult<(WritePool, Actor)> {
        let ready = self.ready()?;
        if let Some(view) = &*self.view_as.read().expect("view-as lock") {
            return Err(AppError::from(studio_core::CoreError::Forbidden(format!(
                "you are viewing as {}: nothing can be changed until you stop",
                view.person.display_name
            ))));
        }
        let actor = ready.actor.request_from(Source::Window {
            label: window.label().to_string(),
        });
        Ok((WritePool::of(&ready), actor))
    }

    /// The signed-in person's own pool (never the viewed one), on the
    /// primary.
    pub fn own_pool(&self) -> AppResult<WritePool> {
        let ready = self.ready()?;
        Ok(WritePool::of(&ready))
    }

    /// Starts or stops viewing as a person; returns the pool it replaced.
    pub fn set_view_as(&self, view: Option<ViewAs>) -> Option<ViewAs> {
        std::mem::replace(&mut *self.view_as.write().expect("view-as lock"), view)
    }

    /// The person being viewed as.
    pub fn viewing_as(&self) -> Option<Person> {
        self.view_as
            .read()
            .expect("view-as lock")
            .as_ref()
            .map(|v| v.person.clone())
    }

    pub fn status(&self) -> StartupStatus {
        self.status.read().expect("status lock").clone()
    }

    pub fn set_status(&self, status: StartupStatus) {
        *self.status.write().expect("status lock") = status;
    }

    /// Puts `ready` in place (at start-up, or when someone signs in) and
    /// returns what the window shows of it and the one it replaced (for the
    /// caller to close). Viewing as someone ends with the old session.
    pub fn set_ready(&self, ready: Ready) -> (DatabaseInfo, Option<Arc<Ready>>, Option<ViewAs>) {
        let info = DatabaseInfo {
            kind: ready.db.kind,
            display: ready.db.display.clone(),
            server_version: ready.db.server.version.clone(),
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            schema_version: studio_core::db::MIGRATOR
                .iter()
                .map(|m| m.version)
                .max()
                .unwrap_or(0)
                .to_string(),
            replica: ready.db.reads.is_some(),
        };
        let previous = self
            .ready
            .write()
            .expect("ready lock")
            .replace(Arc::new(ready));
        let view = self.set_view_as(None);
        // Keys opened for the previous person or database go with them.
        self.vault.lock();
        (info, previous, view)
    }

    pub fn ready(&self) -> AppResult<Arc<Ready>> {
        self.ready
            .read()
            .expect("ready lock")
            .clone()
            .ok_or(AppError::NotReady)
    }

    /// The open database for shutting down, once.
    pub fn take_for_close(&self) -> Option<OpenedDatabase> {
        let mut closing = self.closing.lock().expect("closing lock");
        if *closing {
            return None;
        }
        *closing = true;
        self.ready
            .read()
            .expect("ready lock")
            .as_ref()
            .map(|r| r.db.clone())
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// `ECO_PURGE_RETENTION_DAYS` (default 30) sets how long deletions stay
/// restorable before they may be purged.
fn purge_policy_from_env() -> PurgePolicy {
    match std::env::var("ECO_PURGE_RETENTION_DAYS")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
    {
        Some(days) if days >= 0 => PurgePolicy {
            retention: chrono_days(days),
        },
        _ => PurgePolicy::default(),
    }
}

fn chrono_days(days: i64) -> studio_core::registry::RetentionDuration {
    studio_core::registry::RetentionDuration::days(days)
}
