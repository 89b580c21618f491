//! Alerts on entities: raised (by a person, the command line or a
//! workflow), acknowledged, resolved. Each step is a checked transition
//! against the version the caller saw, audited through the change pipeline.
//! An alert is seen by those who see its entity's root.

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
pub use crate::records::{Alert, AlertLevel, AlertStatus};
use crate::records::{CurrentRow, VersionedId};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RaiseAlert {
    pub entity_id: Uuid,
    pub level: AlertLevel,
    pub message: String,
}

/// Which alerts to list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AlertFilter {
    /// Only these statuses (empty: pending and acknowledged).
    #[serde(default)]
    pub statuses: Vec<AlertStatus>,
    /// Only alerts of this entity (or, with `subtree`, under it).
    #[serde(default)]
    pub entity_id: Option<Uuid>,
    #[serde(default)]
    pub subtree: bool,
    /// At most this many, newest first (default 100, at most 1,000).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Open alerts by level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AlertCounts {
    pub pending: i64,
    pub acknowledged: i64,
    pub critical: i64,
}

const ALERT_SELECT: &str = "SELECT a.id, a.entity_id, a.root_entity_id, r.name AS entity_name,
        r.path_label AS entity_path_label, a.level, a.message, a.status, a.source, a.raised_at,
        a.raised_by_user_id, a.acknowledged_at, a.acknowledged_by_user_id, a.resolved_at,
        a.resolved_by_user_id, a.updated_at
   FROM alerts a JOIN entity_read_model r ON r.entity_id = a.entity_id";

fn statuses(filter: &AlertFilter) -> Vec<String> {
    if filter.statuses.is_empty() {
        vec!["pending".into(), "acknowledged".into()]
    } else {
        filter
            .statuses
            .iter()
            .map(|s| s.as_str().to_string())
            .collect()
    }
}

pub async fn list(pool: &PgPool, filter: &AlertFilter) -> CoreResult<Vec<Alert>> {
    let mut conn = pool.acquire().await?;
    list_in(&mut conn, filter).await
}

pub async fn list_in(conn: &mut PgConnection, filter: &AlertFilter) -> CoreResult<Vec<Alert>> {
    let limit = i64::from(filter.limit.unwrap_or(100).clamp(1, 1_000));
    let sql = format!(
        "{ALERT_SELECT}
          WHERE a.deleted_at IS NULL AND a.status = ANY ($1)
            AND ($2::uuid IS NULL OR a.entity_id = $2 OR ($3 AND $2 = ANY (r.ancestor_ids)))
          ORDER BY a.raised_at DESC, a.id LIMIT $4"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(statuses(filter))
        .bind(filter.entity_id)
        .bind(filter.subtree)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?)
}

/// Open alerts the person sees, for the window's badge.
pub async fn counts(pool: &PgPool) -> CoreResult<AlertCounts> {
    let (pending, acknowledged, critical): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'pending'),
                count(*) FILTER (WHERE status = 'acknowledged'),
                count(*) FILTER (WHERE level = 'critical')
           FROM alerts a
          WHERE deleted_at IS NULL AND status <> 'resolved'
            AND EXISTS (SELECT 1 FROM entity_read_model r WHERE r.entity_id = a.entity_id)",
    )
    .fetch_one(pool)
    .await?;
    Ok(AlertCounts {
        pending,
        acknowledged,
        critical,
    })
}

async fn alert_row(conn: &mut PgConnection, id: Uuid, lock: bool) -> CoreResult<Alert> {
    if lock {
        sqlx::query("SELECT 1 FROM alerts WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ALERT_SELECT} WHERE a.id = $1 AND a.deleted_at IS NULL"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CoreError::NotFound { what: "alert", id })
}

pub async fn raise(pool: &PgPool, actor: &Actor, input: &RaiseAlert) -> CoreResult<Applied<Alert>> {
    crate::transaction!(pool, |tx| raise_in(tx, actor, input)).await
}

pub async fn raise_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &RaiseAlert,
) -> CoreResult<Applied<Alert>> {
    let message = input.message.trim();
    let n = message.chars().count();
    if n == 0 || n > 2_000 {
        return Err(CoreError::invalid(
            Some("message"),
            Rule::Required,
            "an alert needs a message of 1 to 2,000 characters",
        ));
    }
    let root: Uuid =
        sqlx::query_scalar("SELECT root_id FROM entity_read_model WHERE entity_id = $1")
            .bind(input.entity_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CoreError::NotFound {
                what: "entity",
                id: input.entity_id,
            })?;
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO alerts (id, entity_id, root_entity_id, level, message, status, source, raised_at,
                             raised_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, now(), $7, now(), now())",
    )
    .bind(id)
    .bind(input.entity_id)
    .bind(root)
    .bind(input.level)
    .bind(message)
    .bind(actor.source.audit_name())
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?;
    let alert = alert_row(conn, id, false).await?;
    change::record(
        conn,
        actor,
        Change::AlertRaised {
            alert: alert.clone(),
        },
        alert,
    )
    .await
}

/// Moves an alert on: pending → acknowledged → resolved (or pending →
/// resolved), against the version the caller saw.
pub async fn transition(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
    to: AlertStatus,
) -> CoreResult<Applied<Alert>> {
    crate::transaction!(pool, |tx| transition_in(tx, actor, input, to)).await
}

pub async fn transition_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
    to: AlertStatus,
) -> CoreResult<Applied<Alert>> {
    let before = alert_row(conn, input.id, true).await?;
    if before.updated_at != input.expected_updated_at {
        return Err(CoreError::Conflict {
            message: "this alert was changed by someone else since you loaded it".into(),
            current: CurrentRow::Alert(Box::new(before)),
        });
    }
    let allowed = matches!(
        (before.status, to),
        (AlertStatus::Pending, AlertStatus::Acknowledged)
            | (AlertStatus::Pending, AlertStatus::Resolved)
            | (AlertStatus::Acknowledged, AlertStatus::Resolved)
    );
    if !allowed {
        return Err(CoreError::invalid(
            Some("status"),
            Rule::State,
            format!(
                "an alert that is {} cannot become {}",
                before.status.as_str(),
                to.as_str()
            ),
        ));
    }
    let column = match to {
        AlertStatus::Acknowledged => "acknowledged",
        _ => "resolved",
    };
    let changed = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE alerts SET status = $2, {column}_at = clock_timestamp(), {column}_by_user_id = $3,
                updated_at = clock_timestamp() WHERE id = $1"
    )))
    .bind(input.id)
    .bind(to.as_str())
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(CoreError::Forbidden("you may not change this alert".into()));
    }
    let after = alert_row(conn, input.id, false).await?;
    let change = Change::AlertChanged {
        before: Box::new(before),
        after: Box::new(after.clone()),
    };
    change::record(conn, actor, change, after).await
}

/// One live alert the person sees.
pub async fn get(pool: &PgPool, id: Uuid) -> CoreResult<Alert> {
    let mut conn = pool.acquire().await?;
    alert_row(&mut conn, id, false).await
}

/// [`get`] in the caller's transaction.
pub async fn get_in(conn: &mut PgConnection, id: Uuid) -> CoreResult<Alert> {
    alert_row(conn, id, false).await
}

/// A live entity the person sees, named by its id or its path label.
pub async fn entity_by_reference(pool: &PgPool, reference: &str) -> CoreResult<Uuid> {
    let id = Uuid::parse_str(reference).ok();
    sqlx::query_scalar(
        "SELECT entity_id FROM entity_read_model WHERE entity_id = $1 OR path_label = $2 LIMIT 1",
    )
    .bind(id)
    .bind(reference)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        CoreError::invalid(
            Some("entity"),
            Rule::Reference,
            format!("no entity has the id or path label {reference:?}"),
        )
    })
}
