//! The registry's records: the inputs and outcomes of its operations.
//! (The tree row and the entity type, which other domains share, are in
//! `crate::records`.)

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::records::TreeNode;

/// The longest display name accepted.
pub const MAX_NAME_CHARS: usize = 10_000;

/// A page of children, in path-label order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChildPage {
    pub nodes: Vec<TreeNode>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// One step of a breadcrumb, root first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Crumb {
    pub id: Uuid,
    pub name: String,
    pub type_key: String,
    pub icon: Option<String>,
}

/// An entity with everything its detail pane shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EntityDetail {
    pub node: TreeNode,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Ancestors, root first (not including the entity itself).
    pub breadcrumb: Vec<Crumb>,
}

/// A new entity type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EntityTypeInput {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub icon: Option<String>,
}

/// The editable fields of an entity type, with the version the editor saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EntityTypeUpdate {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub name: String,
    pub description: Option<String>,
    pub icon: Option<String>,
}

/// A new entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CreateEntity {
    pub type_key: String,
    pub parent_id: Option<Uuid>,
    pub name: String,
}

/// A rename of one version of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RenameEntity {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub name: String,
}

/// A move of one version of an entity (and its subtree) under a new parent,
/// or to the top level when `new_parent_id` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MoveEntity {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub new_parent_id: Option<Uuid>,
}

/// Where a moved entity is now, and where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MoveOutcome {
    pub node: TreeNode,
    pub old_parent_id: Option<Uuid>,
}

/// What a soft delete covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DeleteOutcome {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    /// Entities deleted: the entity and its live descendants.
    pub deleted: i64,
    pub deleted_at: DateTime<Utc>,
}

/// What a restore brought back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RestoreOutcome {
    pub node: TreeNode,
    pub restored: i64,
}

/// What a purge removed for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PurgeOutcome {
    pub id: Uuid,
    pub purged: i64,
}

/// The top of one deletion in the trash: an entity deleted together with
/// `deleted_count - 1` descendants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TrashItem {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub type_key: String,
    pub type_name: String,
    pub icon: Option<String>,
    pub name: String,
    pub path_label: String,
    pub deleted_at: DateTime<Utc>,
    pub deleted_count: i64,
    /// The parent is deleted too (restore the parent first).
    pub parent_deleted: bool,
    /// When a purge becomes possible (deleted_at + retention).
    pub purgeable_from: DateTime<Utc>,
}

/// Search results: the best matches, and how many there are (exact up to
/// the cap, then "more than").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub hits: Vec<TreeNode>,
    pub total: i64,
    /// `total` is the cap: there are at least that many.
    pub total_capped: bool,
}

/// One audit row of an entity's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub actor: Option<String>,
    pub source: Option<String>,
    pub request_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}
