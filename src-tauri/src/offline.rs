//! Working without the server. The app keeps one offline cache per
//! database and person (`<app data>/offline/…sqlite`), watches whether the
//! server answers, and while it does not, serves the tree, search,
//! details, panes and saved views from the cache and queues edits in its
//! outbox. When the server answers again the outbox replays by itself
//! (and again every few seconds while edits wait), then the cache is
//! refreshed; kept subtrees are also refreshed on a schedule.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use studio_core::people::Session;
use studio_core::progress::CancelToken;
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::{Actor, CoreError, Source};
use studio_offline::{OfflineCache, OfflineError, OfflineStatus, ReplayReport};
use tauri::{AppHandle, Manager};
use tauri_specta::Event;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::events::{RegistryChange, RegistryChanged};
use crate::state::{AppState, Ready};

/// How long the server may take to answer the connection check.
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// How often the connection is checked (and waiting edits replayed).
const TICK: Duration = Duration::from_secs(3);

/// Whether the server answers, and since when it does not.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub online: bool,
    pub since: Option<DateTime<Utc>>,
}

/// Sent when the connection or the offline cache changes (a download, a
/// refresh, an edit queued, a replay).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct OfflineChanged {
    pub connection: Connection,
    pub status: Option<OfflineStatus>,
    pub replay: Option<ReplayReport>,
}

/// A download's progress and end.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct OfflineProgress {
    pub root_id: Uuid,
    pub done: i64,
    pub total: i64,
    pub state: DownloadState,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum DownloadState {
    Running,
    #[serde(rename_all = "camelCase")]
    Done {
        scope: studio_offline::OfflineScope,
    },
    Cancelled,
    #[serde(rename_all = "camelCase")]
    Failed {
        error: AppError,
    },
}

/// The app's offline side: the open cache, the connection, downloads.
#[derive(Default)]
pub struct OfflineState {
    cache: tokio::sync::Mutex<Option<(PathBuf, OfflineCache)>>,
    offline_since: RwLock<Option<DateTime<Utc>>>,
    downloads: Mutex<HashMap<Uuid, CancelToken>>,
    syncing: tokio::sync::Mutex<()>,
    /// The server the app started without (it did not answer): opened
    /// properly as soon as it answers.
    unreached: Mutex<Option<Unreached>>,
}

/// An opening that waits for its server (see [`start_unreached`]).
struct Unreached {
    target: DatabaseTarget,
    identity: Identity,
    /// The last reason the server could not be opened (logged once each).
    last_error: Option<String>,
}

impl OfflineState {
    pub fn connection(&self) -> Connection {
        let since = *self.offline_since.read().expect("offline lock");
        Connection {
            online: since.is_none(),
            since,
        }
    }

    pub fn is_offline(&self) -> bool {
        self.offline_since.read().expect("offline lock").is_some()
    }

    /// Records the server as gone (true when it was reachable until now).
    fn went_offline(&self) -> bool {
        let mut since = self.offline_since.write().expect("offline lock");
        if since.is_none() {
            *since = Some(Utc::now());
            true
        } else {
            false
        }
    }

    /// Records the server as back (true when it was gone until now).
    fn came_back(&self) -> bool {
        self.offline_since
            .write()
            .expect("offline lock")
            .take()
            .is_some()
    }

    /// Forgets a server waited for (someone signed in elsewhere).
    pub fn forget_unreached(&self) {
        self.unreached.lock().expect("unreached lock").take();
    }

    pub fn track_download(&self, root: Uuid, cancel: CancelToken) {
        self.downloads
            .lock()
            .expect("downloads lock")
            .insert(root, cancel);
    }

    pub fn end_download(&self, root: Uuid) {
        self.downloads.lock().expect("downloads lock").remove(&root);
    }

    pub fn cancel_download(&self, root: Uuid) -> bool {
        match self.downloads.lock().expect("downloads lock").get(&root) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}

impl From<OfflineError> for AppError {
    fn from(e: OfflineError) -> Self {
        match e {
            OfflineError::Core(core) => AppError::from(core),
            OfflineError::NotCached(_) | OfflineError::Unsupported(_) => AppError::Offline {
                message: e.to_string(),
            },
            OfflineError::Invalid(message) => AppError::Validation {
                message,
                field: None,
                rule: studio_core::Rule::State,
            },
            OfflineError::Cache(_) => AppError::Database {
                message: e.to_string(),
            },
        }
    }
}

/// The cache of the open database and its person, opened on first use.
pub async fn cache(app: &AppHandle) -> AppResult<OfflineCache> {
    let state = app.state::<AppState>();
    let ready = state.ready()?;
    let path = OfflineCache::default_file(&ready.db.display, ready.actor.user_id);
    let mut slot = state.offline().cache.lock().await;
    if let Some((open_path, cache)) = &*slot {
        if *open_path == path {
            return Ok(cache.clone());
        }
    }
    let cache = OfflineCache::open(&path).await?;
    *slot = Some((path, cache.clone()));
    Ok(cache)
}

/// A read: from the server, or from the cache while the server is gone
/// (and at once when a request finds it gone).
pub async fn read<T, Online, Offline, OfflineFut>(
    app: &AppHandle,
    online: Online,
    offline: Offline,
) -> AppResult<T>
where
    Online: Future<Output = Result<T, CoreError>>,
    Offline: FnOnce(OfflineCache) -> OfflineFut,
    OfflineFut: Future<Output = Result<T, OfflineError>>,
{
    let state = app.state::<AppState>();
    if !state.offline().is_offline() {
        match online.await {
            Err(CoreError::Unavailable(message)) => {
                mark_offline(app).await;
                tracing::warn!("the server cannot be reached: {message}");
            }
            other => return other.map_err(AppError::from),
        }
    }
    let cache = cache(app).await?;
    Ok(offline(cache).await?)
}

/// Whether a change goes to the outbox (the server is gone). A change that
/// finds the server gone as it is sent is refused, not queued: it may have
/// reached the server, and only queued edits carry the id that makes a
/// second application impossible.
pub fn is_offline(app: &AppHandle) -> bool {
    app.state::<AppState>().offline().is_offline()
}

/// The result of a change sent to the server; a server found gone marks
/// the app offline (the next attempt is queued).
pub async fn online_result<T>(app: &AppHandle, result: Result<T, CoreError>) -> AppResult<T> {
    if let Err(CoreError::Unavailable(_)) = &result {
        mark_offline(app).await;
    }
    result.map_err(AppError::from)
}

/// Queues an offline edit and tells the window.
pub async fn queue(
    app: &AppHandle,
    mutation: studio_offline::Mutation,
) -> AppResult<(OfflineCache, studio_offline::OutboxEntry)> {
    let cache = cache(app).await?;
    let entry = cache.enqueue(mutation).await?;
    reload_window(app);
    announce(app, None).await;
    Ok((cache, entry))
}

/// Sends the connection and the cache's state to the window.
pub async fn announce(app: &AppHandle, replay: Option<ReplayReport>) {
    let state = app.state::<AppState>();
    let status = match cache(app).await {
        Ok(c) => c.status().await.ok(),
        Err(_) => None,
    };
    let event = OfflineChanged {
        connection: state.offline().connection(),
        status,
        replay,
    };
    if let Err(e) = event.emit(app) {
        tracing::warn!("could not send the offline event: {e}");
    }
}

/// Tells the window to read everything again: its reads now come from
/// elsewhere (the cache, or the server again), or an edit changed what the
/// cache shows.
fn reload_window(app: &AppHandle) {
    let _ = RegistryChanged {
        change: RegistryChange::Reloaded,
        source: studio_core::Source::Window {
            label: "main".into(),
        },
    }
    .emit(app);
}

/// Marks the server gone; the window's tree and panes are read again, from
/// the cache now, so nothing the window shows is the server's last answer
/// left standing.
async fn mark_offline(app: &AppHandle) {
    if app.state::<AppState>().offline().went_offline() {
        tracing::warn!("working offline: the server does not answer");
        reload_window(app);
        announce(app, None).await;
    }
}

/// Replays waiting edits, then refreshes the kept subtrees (one round at a
/// time). Returns what the replay did.
pub async fn sync(app: &AppHandle) -> AppResult<ReplayReport> {
    let state = app.state::<AppState>();
    let _one = state.offline().syncing.lock().await;
    // Started without the server: it is opened first (or its reason shown).
    open_unreached_server(app).await?;
    let ready = state.ready()?;
    let cache = cache(app).await?;
    let report = cache.replay(&ready.db.pool, &ready.actor).await?;
    if report.stopped.is_none() {
        if let Err(e) = cache.refresh(&ready.db.pool, &CancelToken::new()).await {
            tracing::warn!("refreshing the offline cache failed: {e}");
        }
    }
    if report.applied + report.conflicts + report.refused + report.already_applied > 0 {
        reload_window(app);
    }
    announce(app, Some(report.clone())).await;
    Ok(report)
}

/// Starts work from the offline cache when `error` says the server of
/// `target` cannot be reached and this computer keeps a cache of it for the
/// person `identity` signs in as: the app is offline from the start, the
/// window reads the cache and queues edits, and the server is opened
/// properly (checked, the person's session read) as soon as it answers,
/// after which the queued edits are sent. None when the error is another
/// one or no such cache is kept: the caller reports the error.
pub async fn start_unreached(
    app: &AppHandle,
    target: &DatabaseTarget,
    identity: &Identity,
    error: &CoreError,
) -> Option<(Ready, Session)> {
    if !matches!(error, CoreError::Unavailable(_)) {
        return None;
    }
    let role = startup::person_role(target, identity).ok().flatten()?;
    let shown = target.display();
    let kept = match OfflineCache::find_kept(&OfflineCache::default_dir(), &shown, &role).await {
        Ok(Some(kept)) => kept,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!("the offline caches could not be read: {e}");
            return None;
        }
    };
    let db = match startup::open_unreached(target, identity) {
        Ok(db) => db,
        Err(e) => {
            tracing::warn!("cannot work from the offline cache: {e}");
            return None;
        }
    };
    tracing::warn!(
        "{shown} does not answer ({error}): working from the offline cache {}",
        kept.cache.path().display()
    );
    let state = app.state::<AppState>();
    *state.offline().cache.lock().await = Some((kept.cache.path().to_path_buf(), kept.cache));
    *state.offline().unreached.lock().expect("unreached lock") = Some(Unreached {
        target: target.clone(),
        identity: identity.clone(),
        last_error: None,
    });
    state.offline().went_offline();
    let actor = Actor::new(
        Some(kept.owner),
        Source::Window {
            label: "main".into(),
        },
    );
    Some((Ready { db, actor }, kept.session))
}

/// Opens the server the app started without, now that it answers, and
/// puts it in place of the one waiting for it. Nothing to do when the app
/// waits for no server. An error leaves it waiting (the watcher logs each
/// new reason once; "Try now" shows it, e.g. a password the server refuses).
async fn open_unreached_server(app: &AppHandle) -> Result<(), CoreError> {
    let state = app.state::<AppState>();
    let Some(mut waiting) = state
        .offline()
        .unreached
        .lock()
        .expect("unreached lock")
        .take()
    else {
        return Ok(());
    };
    let opened = async {
        let opened = startup::open_as(&waiting.target, waiting.identity.clone(), |_| {}).await?;
        let actor = Actor::for_session(
            &opened.pool,
            Source::Window {
                label: "main".into(),
            },
        )
        .await?;
        Ok::<_, CoreError>(Ready { db: opened, actor })
    }
    .await;
    match opened {
        Ok(ready) => {
            tracing::info!("{} answers: opened it", ready.db.display);
            // Someone signed in elsewhere meanwhile: this opening is not wanted.
            if state
                .ready()
                .is_ok_and(|r| r.db.display != ready.db.display)
            {
                ready.db.pool.close().await;
                return Ok(());
            }
            crate::commands::signin::put_in_place(app, &state, ready, true).await;
            Ok(())
        }
        Err(e) => {
            let message = e.to_string();
            if waiting.last_error.as_deref() != Some(message.as_str()) {
                tracing::warn!("the server does not open yet: {message}");
                waiting.last_error = Some(message);
            }
            let mut slot = state.offline().unreached.lock().expect("unreached lock");
            if slot.is_none() {
                *slot = Some(waiting);
            }
            Err(e)
        }
    }
}

/// Watches the server: marks the app offline when it stops answering and
/// online when it answers again; replays waiting edits whenever it is
/// online, and refreshes the cache every `ECO_OFFLINE_REFRESH_SECS`
/// (default 300).
pub async fn watch(app: AppHandle) {
    let refresh_every = std::env::var("ECO_OFFLINE_REFRESH_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(300);
    let mut last_refresh = std::time::Instant::now();
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        let state = app.state::<AppState>();
        // Started without the server: nothing else until it is opened.
        if open_unreached_server(&app).await.is_err() {
            continue;
        }
        let Ok(ready) = state.ready() else { continue };
        let answered = tokio::time::timeout(
            PING_TIMEOUT,
            studio_core::offline::server_now(&ready.db.pool),
        )
        .await;
        match answered {
            Ok(Ok(_)) => {
                if state.offline().came_back() {
                    tracing::info!("the server answers again: replaying queued edits");
                    reload_window(&app);
                    announce(&app, None).await;
                }
                let waiting = match cache(&app).await {
                    Ok(c) => c.status().await.map(|s| s.pending).unwrap_or(0),
                    Err(_) => 0,
                };
                let due = last_refresh.elapsed().as_secs() >= refresh_every;
                if waiting > 0 || due {
                    if let Err(e) = sync(&app).await {
                        tracing::warn!("offline sync failed: {e}");
                    }
                    if due {
                        last_refresh = std::time::Instant::now();
                    }
                }
            }
            Ok(Err(CoreError::Unavailable(_))) | Err(_) => mark_offline(&app).await,
            Ok(Err(e)) => tracing::debug!("the connection check failed: {e}"),
        }
    }
}
