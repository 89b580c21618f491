//! The offline cache of one connection profile: the subtrees a person made
//! available offline, kept in a SQLite file of its own, and the outbox of
//! the edits they made while the server could not be reached.
//!
//! - `store.rs`: the file (WAL, synchronous writes), its migrations, the
//!   rows it keeps and how a batch of them is written;
//! - `sync.rs`: making a subtree available (size first, a streamed
//!   download with progress and cancel, all or nothing), refreshing by the
//!   audit stream's cursor (changes, deletions, moves out, lost access),
//!   removing one;
//! - `outbox.rs`: edits made offline (applied to the cache at once, queued
//!   with a mutation id), their replay through the core's own functions
//!   (exactly once), conflicts and their resolution, export;
//! - `read.rs`: the tree, search, details, property panes and saved views
//!   served from the cache, in the same shapes the server gives;
//! - `views.rs`: saved views evaluated in memory (the views' filter
//!   language over cached entities).
//!
//! Nothing here holds a secret's plaintext or key material: sensitive
//! values are not part of a snapshot and secret references are ids.

mod outbox;
mod read;
mod store;
mod sync;
pub mod views;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use studio_core::error::CoreError;
use uuid::Uuid;

pub use outbox::{ConflictField, OutboxEntry, OutboxStatus, ReplayReport, Resolution};
pub use studio_core::offline::{Mutation, SubtreeSize};
pub use sync::{AddOptions, RefreshReport};

pub type OfflineResult<T> = Result<T, OfflineError>;

/// What went wrong with the offline cache (typed; no database's text).
#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    /// The server refused or could not be reached.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The cache file could not be read or written.
    #[error("the offline cache could not be used: {0}")]
    Cache(String),
    /// The entity (or subtree) is not available offline.
    #[error("{0} is not available offline")]
    NotCached(String),
    /// Something the cache cannot do (a screen that needs the server).
    #[error("{0}")]
    Unsupported(String),
    /// The request is wrong (an overlapping subtree, an unknown entry).
    #[error("{0}")]
    Invalid(String),
}

impl From<sqlx::Error> for OfflineError {
    fn from(e: sqlx::Error) -> Self {
        OfflineError::Cache(match e {
            sqlx::Error::Database(db) => format!("SQLite error {}", db.code().unwrap_or_default()),
            other => other.to_string(),
        })
    }
}

impl From<sqlx::migrate::MigrateError> for OfflineError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        OfflineError::Cache(format!("its schema could not be brought up to date: {e}"))
    }
}

impl From<serde_json::Error> for OfflineError {
    fn from(e: serde_json::Error) -> Self {
        OfflineError::Cache(format!("a cached document could not be read: {e}"))
    }
}

/// A subtree kept offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OfflineScope {
    pub root_id: Uuid,
    pub name: String,
    pub path_label: String,
    pub state: ScopeState,
    /// Why a revoked scope's data was removed.
    pub reason: Option<String>,
    pub added_at: DateTime<Utc>,
    pub refreshed_at: DateTime<Utc>,
    pub entities: i64,
    pub values: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ScopeState {
    Ready,
    /// Access was lost (or the root deleted): its data is gone from the
    /// cache, its queued edits are kept.
    Revoked,
}

/// The cache at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OfflineStatus {
    pub path: String,
    pub scopes: Vec<OfflineScope>,
    pub pending: i64,
    pub conflicts: i64,
    pub refused: i64,
    /// The file and its write-ahead log, in bytes.
    pub file_bytes: i64,
    pub last_refresh: Option<DateTime<Utc>>,
}

/// A cache found for a start without the server (`OfflineCache::find_kept`).
pub struct KeptCache {
    pub cache: OfflineCache,
    /// The person's `users` row.
    pub owner: Uuid,
    pub session: studio_core::people::Session,
    pub last_refresh: Option<DateTime<Utc>>,
}

/// One connection profile's offline cache.
#[derive(Clone)]
pub struct OfflineCache {
    pool: SqlitePool,
    path: PathBuf,
}

impl OfflineCache {
    /// Opens (creating it if needed) the cache at `path`.
    pub async fn open(path: &Path) -> OfflineResult<Self> {
        let pool = store::open(path).await?;
        Ok(OfflineCache {
            pool,
            path: path.to_path_buf(),
        })
    }

    /// The file of `profile` in the folder `dir`.
    pub fn file_for(data_dir: &Path, profile: &str) -> PathBuf {
        let safe: String = profile
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        data_dir.join(format!("{safe}.sqlite"))
    }

    /// The studio's folder of offline caches (beside the embedded
    /// database's cluster: `ECO_STUDIO_DATA_DIR/offline` when set).
    pub fn default_dir() -> PathBuf {
        studio_localdb::default_cluster_root()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(std::env::temp_dir)
            .join("offline")
    }

    /// The cache of one database (as shown, `display`) and person, in the
    /// default folder.
    pub fn default_file(display: &str, user: Option<Uuid>) -> PathBuf {
        let who = user
            .map(|u| u.to_string())
            .unwrap_or_else(|| "anyone".into());
        Self::file_for(&Self::default_dir(), &format!("{display}-{who}"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the file (checkpointing its log).
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// The person whose data this is (set by the first download).
    pub async fn owner(&self) -> OfflineResult<Option<Uuid>> {
        Ok(store::meta(&self.pool, "owner")
            .await?
            .and_then(|s| Uuid::try_parse(&s).ok()))
    }

    /// The person's session as the server last gave it (kept by every
    /// download and refresh): who they are and what they hold.
    pub async fn session(&self) -> OfflineResult<Option<studio_core::people::Session>> {
        match store::meta(&self.pool, "session").await? {
            Some(json) => Ok(Some(serde_json::from_str(&json)?)),
            None => Ok(None),
        }
    }

    /// The cache in `dir` that the role `role` keeps of the database shown
    /// as `display`, with at least one subtree ready: what the app works
    /// from when it starts while that server cannot be reached. Returns
    /// the cache, its owner (the person's `users` row) and their session.
    pub async fn find_kept(
        dir: &Path,
        display: &str,
        role: &str,
    ) -> OfflineResult<Option<KeptCache>> {
        let prefix = Self::file_for(dir, &format!("{display}-"));
        let Some(prefix) = prefix.file_name().and_then(|n| n.to_str()) else {
            return Ok(None);
        };
        let prefix = prefix.trim_end_matches(".sqlite").to_string();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(OfflineError::Cache(format!("{}: {e}", dir.display()))),
        };
        let mut found: Option<KeptCache> = None;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(user) = name
                .strip_prefix(prefix.as_str())
                .and_then(|rest| rest.strip_suffix(".sqlite"))
                .and_then(|id| Uuid::try_parse(id).ok())
            else {
                continue;
            };
            let cache = Self::open(&entry.path()).await?;
            let session = cache.session().await?;
            let status = cache.status().await?;
            let usable = cache.owner().await? == Some(user)
                && session.as_ref().is_some_and(|s| s.role == role)
                && status.scopes.iter().any(|s| s.state == ScopeState::Ready);
            match session.filter(|_| usable) {
                Some(session)
                    if found
                        .as_ref()
                        .is_none_or(|f| f.last_refresh < status.last_refresh) =>
                {
                    if let Some(previous) = found.take() {
                        previous.cache.close().await;
                    }
                    found = Some(KeptCache {
                        cache,
                        owner: user,
                        session,
                        last_refresh: status.last_refresh,
                    });
                }
                _ => cache.close().await,
            }
        }
        Ok(found)
    }

    /// The subtrees, the outbox's counts and the file's size.
    pub async fn status(&self) -> OfflineResult<OfflineStatus> {
        let scopes = store::scopes(&self.pool).await?;
        let counts: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, count(*) FROM outbox GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        let count = |s: &str| {
            counts
                .iter()
                .find(|(k, _)| k == s)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        let mut file_bytes = 0i64;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            if let Ok(m) = std::fs::metadata(PathBuf::from(p)) {
                file_bytes += m.len() as i64;
            }
        }
        let last_refresh = scopes.iter().map(|s| s.refreshed_at).max();
        Ok(OfflineStatus {
            path: self.path.display().to_string(),
            scopes,
            pending: count("pending"),
            conflicts: count("conflict"),
            refused: count("refused"),
            file_bytes,
            last_refresh,
        })
    }

    /// Whether `id` is kept offline.
    pub async fn has_entity(&self, id: Uuid) -> OfflineResult<bool> {
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM entities WHERE id = ?1")
                .bind(id.to_string())
                .fetch_one(&self.pool)
                .await?
                > 0,
        )
    }
}
