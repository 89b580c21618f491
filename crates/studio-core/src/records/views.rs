//! The records of saved views.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A saved view: its document (`config`) and who it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SavedView {
    pub id: Uuid,
    /// Stable name for the command line and links (optional, unique among
    /// live views).
    pub key: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub view_type: String,
    /// None: shared with everyone who sees its root (or everyone, unpinned).
    pub owner_user_id: Option<Uuid>,
    /// The root it belongs to: only those who see the root see the view.
    pub root_entity_id: Option<Uuid>,
    /// The view document (JSON), as saved.
    pub config: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
