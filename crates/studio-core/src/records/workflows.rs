//! Workflows, their versions, executions, steps, approvals and
//! notifications, as data: what the core, the change pipeline and the
//! window exchange. The document itself (nodes, edges, trigger) and the
//! rules are in `workflows`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A workflow as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowSummary {
    pub id: Uuid,
    pub key: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub root_id: Option<Uuid>,
    pub root_name: Option<String>,
    pub enabled: bool,
    /// The trigger kind of the published version (None: never published).
    pub trigger_kind: Option<String>,
    pub published_version: Option<i32>,
    pub published_at: Option<DateTime<Utc>>,
    /// The draft differs from the published version.
    pub has_unpublished_changes: bool,
    pub next_fire_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One published version (without its document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowVersionInfo {
    pub id: Uuid,
    pub workflow_id: Uuid,
    pub version: i32,
    pub published_by: Uuid,
    pub published_by_name: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum ExecutionStatus {
    Queued,
    Running,
    Waiting,
    Succeeded,
    Failed,
    Cancelled,
}

impl ExecutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Queued => "queued",
            ExecutionStatus::Running => "running",
            ExecutionStatus::Waiting => "waiting",
            ExecutionStatus::Succeeded => "succeeded",
            ExecutionStatus::Failed => "failed",
            ExecutionStatus::Cancelled => "cancelled",
        }
    }

    /// Finished: nothing more will run.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ExecutionStatus::Succeeded | ExecutionStatus::Failed | ExecutionStatus::Cancelled
        )
    }
}

/// An execution as the list and its page show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub id: Uuid,
    pub workflow_id: Uuid,
    pub workflow_name: String,
    pub version_id: Uuid,
    pub version: i32,
    pub entity_id: Option<Uuid>,
    pub entity_name: Option<String>,
    pub trigger_kind: String,
    pub trigger_data: serde_json::Value,
    pub initiated_by: Option<Uuid>,
    pub retry_of: Option<Uuid>,
    pub status: ExecutionStatus,
    pub current_node: Option<String>,
    pub attempt: i32,
    pub error: Option<String>,
    pub next_run_at: Option<DateTime<Utc>>,
    pub claimed_by: Option<String>,
    pub cancel_requested: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum StepStatus {
    Succeeded,
    Failed,
    Waiting,
    Skipped,
}

/// One attempt at one node of an execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExecutionStep {
    pub id: Uuid,
    pub execution_id: Uuid,
    pub node_id: String,
    pub node_type: String,
    pub position: i32,
    pub attempt: i32,
    pub status: StepStatus,
    pub outcome: Option<String>,
    pub input: serde_json::Value,
    pub output: Option<serde_json::Value>,
    pub error: Option<String>,
    pub runner: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    Expired,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum VoteDecision {
    Approve,
    Reject,
}

/// One person's vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ApprovalVote {
    pub user_id: Uuid,
    pub user_name: String,
    pub decision: VoteDecision,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An approval an execution waits for, with its votes so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequest {
    pub id: Uuid,
    pub execution_id: Uuid,
    pub workflow_name: String,
    pub node_id: String,
    pub entity_id: Option<Uuid>,
    pub entity_name: Option<String>,
    pub title: String,
    pub required: i32,
    pub approver_ids: Vec<Uuid>,
    pub capability: Option<String>,
    pub initiator_id: Option<Uuid>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub on_deadline: String,
    pub status: ApprovalStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    #[sqlx(skip)]
    pub votes: Vec<ApprovalVote>,
    /// The person asking may vote on it now.
    #[sqlx(skip)]
    pub can_vote: bool,
}

/// An in-app notification for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: Uuid,
    pub message: String,
    pub entity_id: Option<Uuid>,
    pub execution_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What a workflow change was, for its audit row and its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum WorkflowAction {
    Create,
    SaveDraft,
    Publish,
    Enable,
    Disable,
    Delete,
    Restore,
    Run,
    Cancel,
    Retry,
    Vote,
}

impl WorkflowAction {
    pub fn audit_name(self) -> &'static str {
        match self {
            WorkflowAction::Create => "workflow.create",
            WorkflowAction::SaveDraft => "workflow.save_draft",
            WorkflowAction::Publish => "workflow.publish",
            WorkflowAction::Enable => "workflow.enable",
            WorkflowAction::Disable => "workflow.disable",
            WorkflowAction::Delete => "workflow.delete",
            WorkflowAction::Restore => "workflow.restore",
            WorkflowAction::Run => "workflow.run",
            WorkflowAction::Cancel => "workflow.cancel",
            WorkflowAction::Retry => "workflow.retry",
            WorkflowAction::Vote => "workflow.vote",
        }
    }

    /// The table whose row the action concerns.
    pub fn table_name(self) -> &'static str {
        match self {
            WorkflowAction::Publish => "workflow_versions",
            WorkflowAction::Run | WorkflowAction::Cancel | WorkflowAction::Retry => {
                "workflow_executions"
            }
            WorkflowAction::Vote => "approval_votes",
            _ => "workflows",
        }
    }
}
