//! An entity's history: its audit rows, newest first.

use sqlx::PgPool;
use uuid::Uuid;

use super::records::HistoryEntry;
use crate::error::CoreResult;

/// The audit rows of one entity, newest first (at most `limit`, capped at 1,000).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn entity_history(pool: &PgPool, id: Uuid, limit: u32) -> CoreResult<Vec<HistoryEntry>> {
    Ok(sqlx::query_as::<_, HistoryEntry>(
        "SELECT a.id, a.occurred_at, a.action, COALESCE(u.display_name, a.actor_pg_role) AS actor,
                a.source, a.request_id, a.before, a.after
         FROM audit_events a LEFT JOIN users u ON u.id = a.actor_user_id
         WHERE a.entity_id = $1
         ORDER BY a.occurred_at DESC, a.id DESC
         LIMIT $2",
    )
    .bind(id)
    .bind(i64::from(limit.clamp(1, 1_000)))
    .fetch_all(pool)
    .await?)
}
