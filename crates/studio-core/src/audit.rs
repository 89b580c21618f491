//! The audit trail: one `audit_events` row per mutation, written in the
//! mutation's own transaction so the two commit or roll back together.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::CoreResult;

/// Who is acting, and from where. Every mutation takes one.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The `users` row of the person, when known.
    pub user_id: Option<Uuid>,
    /// Where the change came from: "app", "cli", "seed", "import", ...
    pub source: &'static str,
    /// Groups the audit rows of one request (one user action).
    pub request_id: Uuid,
}

impl Actor {
    pub fn new(user_id: Option<Uuid>, source: &'static str) -> Self {
        Actor {
            user_id,
            source,
            request_id: Uuid::now_v7(),
        }
    }

    /// The actor for the person this pool logs in as.
    pub async fn for_session(pool: &PgPool, source: &'static str) -> CoreResult<Self> {
        let mut conn = pool.acquire().await?;
        let user_id = current_user_id(&mut conn).await?;
        Ok(Actor::new(Some(user_id), source))
    }

    /// The same person and source, for a new request.
    pub fn next_request(&self) -> Self {
        Actor::new(self.user_id, self.source)
    }
}

/// One audit row to write.
pub struct AuditRecord<'a> {
    pub action: &'a str,
    pub table_name: &'a str,
    pub record_id: Uuid,
    pub entity_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    rec: AuditRecord<'_>,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events
            (id, actor_user_id, action, table_name, record_id, entity_id, request_id, source, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(Uuid::now_v7())
    .bind(actor.user_id)
    .bind(rec.action)
    .bind(rec.table_name)
    .bind(rec.record_id)
    .bind(rec.entity_id)
    .bind(actor.request_id)
    .bind(actor.source)
    .bind(rec.before)
    .bind(rec.after)
    .execute(conn)
    .await?;
    Ok(())
}

/// Audits a change to an entity (`entities` row `id`).
pub async fn entity_change(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    id: Uuid,
    before: Option<Value>,
    after: Option<Value>,
) -> CoreResult<()> {
    record(
        conn,
        actor,
        AuditRecord {
            action,
            table_name: "entities",
            record_id: id,
            entity_id: Some(id),
            before,
            after,
        },
    )
    .await
}

/// Audits a change to an entity type.
pub async fn type_change(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    id: Uuid,
    before: Option<Value>,
    after: Option<Value>,
) -> CoreResult<()> {
    record(
        conn,
        actor,
        AuditRecord {
            action,
            table_name: "entity_type_definitions",
            record_id: id,
            entity_id: None,
            before,
            after,
        },
    )
    .await
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
