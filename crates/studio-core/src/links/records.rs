//! Inputs and outcomes of tags, groups and relationships.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::records::{Relationship, SelectionMode, Tag, TreeNode};

/// A new tag group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TagGroupInput {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub selection_mode: SelectionMode,
}

/// An edit of a tag group (its key is permanent). Making it single-choice
/// is refused while an entity carries two of its tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TagGroupUpdate {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub name: String,
    pub description: Option<String>,
    pub selection_mode: SelectionMode,
}

/// A new tag: an entity (under the registry's tag library) with tag data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewTag {
    pub group_id: Option<Uuid>,
    pub key: String,
    pub name: String,
    pub color: Option<String>,
}

/// An edit of a tag's group and colour (its name is its entity's: rename
/// the entity; its key is permanent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TagUpdate {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub group_id: Option<Uuid>,
    pub color: Option<String>,
}

/// Tags to add to and remove from one entity, at the entity's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EntityTagsEdit {
    pub entity_id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub add: Vec<Uuid>,
    pub remove: Vec<Uuid>,
}

/// An entity's tags after an edit, and the entity as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EntityTags {
    pub node: TreeNode,
    pub tags: Vec<Tag>,
}

/// Makes an entity a group, or edits its group configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct GroupConfig {
    pub entity_id: Uuid,
    /// The configuration's version (None: the entity is not a group yet).
    pub expected_updated_at: Option<DateTime<Utc>>,
    pub key: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub allows_mixed_types: bool,
}

/// Members to add to and remove from a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MembersEdit {
    pub group_id: Uuid,
    pub add: Vec<Uuid>,
    pub remove: Vec<Uuid>,
}

/// A new relationship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewRelationship {
    pub source_id: Uuid,
    pub target_id: Uuid,
    pub relationship_type: String,
}

/// Which way a relationship points, seen from an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    Outgoing,
    Incoming,
}

/// A relationship of an entity, with the entity at its other end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RelatedEntity {
    pub relationship: Relationship,
    pub direction: Direction,
    pub other: TreeNode,
}

/// The entities within some hops of one, and the relationships between
/// them (for drawing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Neighbourhood {
    pub center: Uuid,
    pub nodes: Vec<TreeNode>,
    pub edges: Vec<Relationship>,
    /// More entities were within reach than the limit let in.
    pub truncated: bool,
}
