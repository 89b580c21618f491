//! Approvals: the inbox of requests a person sees, and their votes. A vote
//! is one per person (a second press changes nothing), refused for the
//! execution's initiator and for anyone not named or without the
//! capability (row-level security checks it again); it wakes the execution,
//! whose runner counts the votes and decides.

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::change::{self, Actor, Applied, Change};
use crate::db::pooling::ExecuteCommitted;
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{ApprovalRequest, ApprovalVote, Notification, VoteDecision, WorkflowAction};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CastVote {
    pub request_id: Uuid,
    pub decision: VoteDecision,
    #[serde(default)]
    pub comment: Option<String>,
}

const REQUEST_SELECT: &str = "SELECT a.id, a.execution_id, w.name AS workflow_name, a.node_id, a.entity_id,
        r.name AS entity_name, a.title, a.required, a.approver_user_ids AS approver_ids, a.capability,
        a.initiator_user_id AS initiator_id, a.deadline_at, a.on_deadline, a.status, a.decided_at, a.created_at
   FROM approval_requests a
   JOIN workflow_executions e ON e.id = a.execution_id
   JOIN workflows w ON w.id = e.workflow_id
   LEFT JOIN entity_read_model r ON r.entity_id = a.entity_id";

async fn fill(
    conn: &mut PgConnection,
    mut requests: Vec<ApprovalRequest>,
) -> CoreResult<Vec<ApprovalRequest>> {
    let me = crate::change::current_user_id(conn).await.ok();
    for r in &mut requests {
        r.votes = sqlx::query_as(
            "SELECT v.user_id, coalesce(u.display_name, '') AS user_name, v.decision, v.comment, v.created_at
               FROM approval_votes v LEFT JOIN users u ON u.id = v.user_id
              WHERE v.request_id = $1 AND v.deleted_at IS NULL ORDER BY v.created_at",
        )
        .bind(r.id)
        .fetch_all(&mut *conn)
        .await?;
        let eligible = match me {
            Some(me) if Some(me) != r.initiator_id && !r.votes.iter().any(|v| v.user_id == me) => {
                r.approver_ids.contains(&me)
                    || match &r.capability {
                        Some(cap) => sqlx::query_scalar::<_, Option<bool>>(
                            "SELECT eco_has_capability(subpath(path, 0, 1)::text::uuid, $2)
                               FROM entities WHERE id = (SELECT root_entity_id FROM approval_requests WHERE id = $1)",
                        )
                        .bind(r.id)
                        .bind(cap)
                        .fetch_optional(&mut *conn)
                        .await?
                        .flatten()
                        .unwrap_or(false),
                        None => false,
                    }
            }
            _ => false,
        };
        r.can_vote = eligible && r.status == crate::records::ApprovalStatus::Pending;
    }
    Ok(requests)
}

pub(crate) async fn for_execution(
    conn: &mut PgConnection,
    execution: Uuid,
) -> CoreResult<Vec<ApprovalRequest>> {
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{REQUEST_SELECT} WHERE a.execution_id = $1 ORDER BY a.position"
    )))
    .bind(execution)
    .fetch_all(&mut *conn)
    .await?;
    fill(conn, rows).await
}

/// The requests the person sees (pending ones only, or the latest 200).
pub async fn inbox(pool: &PgPool, pending_only: bool) -> CoreResult<Vec<ApprovalRequest>> {
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{REQUEST_SELECT} WHERE a.deleted_at IS NULL AND (NOT $1 OR a.status = 'pending')
          ORDER BY a.created_at DESC LIMIT 200"
    )))
    .bind(pending_only)
    .fetch_all(&mut *conn)
    .await?;
    fill(&mut conn, rows).await
}

async fn request_in(conn: &mut PgConnection, id: Uuid) -> CoreResult<ApprovalRequest> {
    let row: ApprovalRequest = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{REQUEST_SELECT} WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CoreError::NotFound {
        what: "approval request",
        id,
    })?;
    Ok(fill(conn, vec![row]).await?.remove(0))
}

pub async fn vote(
    pool: &PgPool,
    actor: &Actor,
    input: &CastVote,
) -> CoreResult<Applied<ApprovalRequest>> {
    crate::transaction!(pool, |tx| vote_in(tx, actor, input)).await
}

pub async fn vote_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &CastVote,
) -> CoreResult<Applied<ApprovalRequest>> {
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > 2_000) {
        return Err(CoreError::invalid(
            Some("comment"),
            Rule::TooLong,
            "a comment holds at most 2,000 characters",
        ));
    }
    let me = crate::change::current_user_id(conn).await?;
    let request = request_in(conn, input.request_id).await?;
    if request.status != crate::records::ApprovalStatus::Pending {
        return Err(CoreError::state(format!(
            "this request is {} already",
            serde_json::to_value(request.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        )));
    }
    if request.initiator_id == Some(me) {
        return Err(CoreError::Forbidden(
            "you started this execution: someone else must approve it".into(),
        ));
    }
    if request.votes.iter().any(|v| v.user_id == me) {
        return Err(CoreError::invalid(
            Some("requestId"),
            Rule::Unique,
            "you have voted on this request already; a vote counts once",
        ));
    }
    if !request.can_vote {
        return Err(CoreError::Forbidden(
            "you are not one of this request's approvers".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO approval_votes (id, request_id, user_id, decision, comment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp())",
    )
    .bind(Uuid::now_v7())
    .bind(input.request_id)
    .bind(me)
    .bind(input.decision)
    .bind(comment)
    .execute(&mut *conn)
    .await
    .map_err(|e| match CoreError::from(e) {
        CoreError::Database(_) => CoreError::Forbidden("you may not vote on this request".into()),
        other => other,
    })?;
    sqlx::query("SELECT eco_wake_approval($1)")
        .bind(input.request_id)
        .execute(&mut *conn)
        .await?;
    let root: Option<Uuid> =
        sqlx::query_scalar("SELECT root_entity_id FROM approval_requests WHERE id = $1")
            .bind(input.request_id)
            .fetch_one(&mut *conn)
            .await?;
    let after = request_in(conn, input.request_id).await?;
    change::record(
        conn,
        actor,
        Change::Workflow {
            action: WorkflowAction::Vote,
            record_id: input.request_id,
            root_id: root,
            detail: serde_json::json!({ "decision": input.decision, "executionId": after.execution_id }),
        },
        after,
    )
    .await
}

/// The person's notifications, newest first (the latest 200).
pub async fn notifications(pool: &PgPool) -> CoreResult<Vec<Notification>> {
    Ok(sqlx::query_as(
        "SELECT id, message, entity_id, execution_id, read_at, created_at FROM notifications
          WHERE deleted_at IS NULL AND user_id = eco_current_user_id()
          ORDER BY created_at DESC LIMIT 200",
    )
    .fetch_all(pool)
    .await?)
}

/// Marks the person's notifications read; returns how many changed.
pub async fn mark_read(pool: &PgPool, ids: &[Uuid]) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE notifications SET read_at = clock_timestamp(), updated_at = clock_timestamp()
          WHERE id = ANY ($1) AND read_at IS NULL AND user_id = eco_current_user_id()",
    )
    .bind(ids)
    .execute_committed(pool)
    .await?
    .rows_affected())
}

/// A vote's record, for tests and the command line.
pub fn decision_name(v: &ApprovalVote) -> &'static str {
    match v.decision {
        VoteDecision::Approve => "approve",
        VoteDecision::Reject => "reject",
    }
}
