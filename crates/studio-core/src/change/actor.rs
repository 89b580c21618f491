//! Who is acting, and from where.

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::CoreResult;

/// Where a change comes from. Carried by every mutation (through its
/// [`Actor`]), written to its audit row and sent with its event, so a pane
/// can tell its own changes from others'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Source {
    /// A window of the desktop app (its label).
    Window { label: String },
    /// A background job of the desktop app (started by a window).
    Job { job_id: Uuid },
    /// The `eco-studio` command line.
    Cli,
    /// The benchmark suite (`eco-studio bench`).
    Bench,
    /// An automated test suite.
    Test,
    /// The studio itself while opening a database (the first
    /// administrator of an embedded database).
    Startup,
    /// A step of a workflow execution (acting with the rights of the
    /// person who published the workflow's version).
    #[serde(rename_all = "camelCase")]
    Workflow { execution_id: Uuid },
    /// An edit made offline, replayed from a client's outbox; its
    /// mutation id is recorded with its effect (applied exactly once).
    #[serde(rename_all = "camelCase")]
    Offline { mutation_id: Uuid },
}

impl Source {
    /// The `audit_events.source` text.
    pub fn audit_name(&self) -> &'static str {
        match self {
            Source::Window { .. } | Source::Job { .. } => "app",
            Source::Cli => "cli",
            Source::Bench => "bench",
            Source::Test => "test",
            Source::Startup => "startup",
            Source::Workflow { .. } => "workflow",
            Source::Offline { .. } => "offline",
        }
    }
}

/// Who is acting, and from where. Every mutation takes one.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The `users` row of the person, when known.
    pub user_id: Option<Uuid>,
    pub source: Source,
    /// Groups the audit rows of one request (one user action).
    pub request_id: Uuid,
}

impl Actor {
    pub fn new(user_id: Option<Uuid>, source: Source) -> Self {
        Actor {
            user_id,
            source,
            request_id: Uuid::now_v7(),
        }
    }

    /// The actor for the person this pool logs in as.
    pub async fn for_session(pool: &PgPool, source: Source) -> CoreResult<Self> {
        let mut conn = pool.acquire().await?;
        let user_id = current_user_id(&mut conn).await?;
        Ok(Actor::new(Some(user_id), source))
    }

    /// The same person, for a new request from `source`.
    pub fn request_from(&self, source: Source) -> Self {
        Actor::new(self.user_id, source)
    }

    /// The same person and source, for a new request.
    pub fn next_request(&self) -> Self {
        Actor::new(self.user_id, self.source.clone())
    }
}

/// The `users` row of the role this connection logs in as, created on first
/// use so every audit row can name a person.
pub async fn current_user_id(conn: &mut PgConnection) -> CoreResult<Uuid> {
    let existing: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM users WHERE pg_role = current_user AND deleted_at IS NULL",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (id, pg_role, display_name, created_at, updated_at)
         VALUES ($1, current_user, current_user, now(), now())
         ON CONFLICT (pg_role) WHERE deleted_at IS NULL AND pg_role IS NOT NULL
         DO UPDATE SET updated_at = users.updated_at
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}
