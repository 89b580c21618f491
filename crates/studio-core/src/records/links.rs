//! Tag, group and relationship records shared beyond their domains (the
//! change pipeline, the front ends).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How many tags of one group an entity may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SelectionMode {
    Single,
    Multi,
}

impl SelectionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SelectionMode::Single => "single",
            SelectionMode::Multi => "multi",
        }
    }
}

/// A group of tags (seed 000 `tag_groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TagGroup {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub selection_mode: SelectionMode,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A tag: an entity with tag data (seed 000 `tags`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// The tag's entity.
    pub id: Uuid,
    pub group_id: Option<Uuid>,
    pub key: String,
    pub name: String,
    /// `#rrggbb`, or None for the default colour.
    pub color: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A group's configuration (seed 000 `entity_groups`): the group is an
/// entity, its members are other entities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EntityGroup {
    /// The group's entity.
    pub entity_id: Uuid,
    pub key: Option<String>,
    pub name: String,
    pub description: Option<String>,
    /// False: every member has the same entity type.
    pub allows_mixed_types: bool,
    pub updated_at: DateTime<Utc>,
}

/// A typed, associative link between two entities (never containment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub id: Uuid,
    pub source_id: Uuid,
    pub target_id: Uuid,
    pub relationship_type: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
