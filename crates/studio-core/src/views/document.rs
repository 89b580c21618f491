//! The view document (`admin_saved_views.config`): what a saved view
//! filters, shows and sorts. Version 1. Every field is checked by
//! [`super::compile`]; unknown fields are refused, so a typo cannot switch a
//! condition off silently.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The version this build writes and reads.
pub const VIEW_DOCUMENT_VERSION: u32 = 1;

/// A saved view's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ViewDocument {
    pub version: u32,
    /// None: every entity the person sees.
    #[serde(default)]
    pub filter: Option<Filter>,
    /// What the table shows, in order (`name`, `pathLabel`, `type`,
    /// `updatedAt`, or `property:<key>`).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Sort keys, most significant first; the entity id breaks ties.
    #[serde(default)]
    pub sort: Vec<SortKey>,
    /// A single-select property's key to group (a board's columns) by.
    #[serde(default)]
    pub group_by: Option<String>,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    #[serde(default)]
    pub view_type: ViewType,
}

fn default_page_size() -> u32 {
    50
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ViewType {
    #[default]
    Table,
    Board,
    Tree,
}

/// One condition, or a group of them. In JSON each is an object with one
/// field naming its kind: `{"all": [...]}`, `{"property": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Filter {
    /// Every condition holds (none: always true).
    All(Vec<Filter>),
    /// At least one holds (none: always false).
    Any(Vec<Filter>),
    Not(Box<Filter>),
    /// A property's value.
    Property(PropertyCondition),
    /// The entity is of one of these types (by key).
    Type(Vec<String>),
    /// The entity's tags.
    Tag(TagCondition),
    /// The entity is this one or lies under it.
    Under(Uuid),
    /// The name holds this text (any case).
    Text(String),
    /// When the entity last changed.
    Updated(TimeCondition),
    /// When the entity was created.
    Created(TimeCondition),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PropertyCondition {
    /// The property's key.
    pub key: String,
    pub op: Op,
    /// What the operator compares with; its form depends on the operator
    /// and the property's type (see [`super::compile`]).
    #[serde(default)]
    pub value: Option<serde_json::Value>,
}

/// The operators; each value type has its own (see [`Op::allowed_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Op {
    Equals,
    NotEquals,
    Contains,
    StartsWith,
    In,
    NotIn,
    IsEmpty,
    IsNotEmpty,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    Before,
    After,
    Today,
    InLastDays,
    InNextDays,
    ThisWeek,
    ThisMonth,
    ThisQuarter,
    ThisYear,
    HasAny,
    HasAll,
    HasNone,
    /// A URL whose host is this one (any case, without a port).
    HostIs,
    /// An IP address inside this subnet (`10.0.0.0/8`, `2001:db8::/32`).
    InSubnet,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagCondition {
    #[serde(rename = "match")]
    pub mode: TagMatch,
    /// Tag entities' ids.
    pub tags: Vec<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum TagMatch {
    Any,
    All,
    None,
}

/// A moment condition: `before` / `after` an RFC 3339 time or a
/// `YYYY-MM-DD` day, or within the last N days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeCondition {
    pub op: Op,
    #[serde(default)]
    pub value: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SortKey {
    /// `name`, `pathLabel`, `updatedAt` or `property:<key>`.
    pub field: String,
    #[serde(default)]
    pub descending: bool,
}
