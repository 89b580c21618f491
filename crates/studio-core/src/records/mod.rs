//! The product's shared vocabulary: the records several domains, the change
//! pipeline and the front ends exchange. The tree row every pane shows, an
//! entity type, a change aimed at one version of a record, the current state
//! of a record a change was refused for; and (in `properties`) property
//! groups, definitions, their rules and values. Only data lives here: the
//! rules that act on it are in the domains' folders. Nothing here depends on
//! the rest of the crate.

mod dashboards;
mod links;
mod people;
mod properties;
mod views;
mod workflows;

pub use dashboards::*;
pub use links::*;
pub use people::*;
pub use properties::*;
pub(crate) use properties::{name_join, name_property_id};
pub use views::*;
pub use workflows::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The key of the system entity type of secrets (made by the migrations):
/// their values live sealed in the vault, and they stay in their root.
pub const SECRET_TYPE: &str = "secret";

/// One row of the tree: what the browser needs to draw a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TreeNode {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub type_key: String,
    pub type_name: String,
    pub icon: Option<String>,
    pub name: String,
    pub path_label: String,
    pub has_children: bool,
    /// The version the client saw; every change sends it back.
    pub updated_at: DateTime<Utc>,
}

/// An entity type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EntityType {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub icon: Option<String>,
    pub is_system: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// How many live entities are of this type.
    pub live_entities: i64,
}

/// A change aimed at one version of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VersionedId {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
}

/// The current state of a record a change was refused for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", content = "row", rename_all = "camelCase")]
pub enum CurrentRow {
    Entity(Box<TreeNode>),
    EntityType(Box<EntityType>),
    /// A property value (the property pane).
    PropertyValue(Box<CurrentValue>),
    PropertyGroup(Box<PropertyGroup>),
    PropertyDefinition(Box<PropertyDefinition>),
    TagGroup(Box<TagGroup>),
    Relationship(Box<Relationship>),
    SavedView(Box<SavedView>),
    Dashboard(Box<Dashboard>),
    Alert(Box<Alert>),
    /// The record is gone (deleted or purged).
    Missing,
}
