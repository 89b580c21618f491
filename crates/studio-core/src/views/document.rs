//! The view document (`admin_saved_views.config`): what a saved view
//! filters, shows and sorts. Version 2. Every field is checked by
//! [`super::compile`]; unknown fields are refused, so a typo cannot switch a
//! condition off silently. Documents of older versions are brought up to
//! date by [`upgrade`] when they are read.
//!
//! Versions: 1 listed columns as field names; 2 makes each column an object
//! (`{"field": "name", "width": 240}`) so a table keeps its column widths.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult, Rule};

/// The version this build writes and reads.
pub const VIEW_DOCUMENT_VERSION: u32 = 2;

/// A saved view's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ViewDocument {
    pub version: u32,
    /// None: every entity the person sees.
    #[serde(default)]
    pub filter: Option<Filter>,
    /// What the table shows, in order.
    #[serde(default)]
    pub columns: Vec<Column>,
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

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Column {
    /// `name`, `pathLabel`, `type`, `updatedAt`, or `property:<key>`.
    pub field: String,
    /// Its width in pixels, as the person left it (None: the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
}

impl From<&str> for Column {
    fn from(field: &str) -> Self {
        Column::new(field)
    }
}

impl Column {
    pub fn new(field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            width: None,
        }
    }
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
    /// The entity has a relationship of a type to or from an entity that
    /// matches a sub-filter.
    Related(RelatedCondition),
}

/// A relationship condition: `{"type": "feeds", "direction": "outgoing",
/// "filter": {...}}`. Without a filter any entity at the other end will do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RelatedCondition {
    /// The relationship type, as relationships store it.
    #[serde(rename = "type")]
    pub relationship_type: String,
    pub direction: RelatedDirection,
    /// What the entity at the other end must match.
    #[serde(default)]
    pub filter: Option<Box<Filter>>,
}

/// Which way a relationship points, seen from the entity being filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum RelatedDirection {
    /// From this entity to the other.
    Outgoing,
    /// From the other to this entity.
    Incoming,
    Either,
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

/// Reads a stored or pasted document of any version this build knows,
/// bringing it up to [`VIEW_DOCUMENT_VERSION`]. A document from a newer
/// build, or one that is not a view document, is a `Validation` error.
pub fn upgrade(mut value: serde_json::Value) -> CoreResult<ViewDocument> {
    let version = value
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| {
            CoreError::invalid(
                Some("version"),
                Rule::Required,
                "a view document says its version (a whole number)",
            )
        })?;
    if version == 0 || version > u64::from(VIEW_DOCUMENT_VERSION) {
        return Err(CoreError::invalid(
            Some("version"),
            Rule::Choice,
            format!(
                "this view document has version {version}; this build reads versions 1 to {VIEW_DOCUMENT_VERSION}"
            ),
        ));
    }
    if version == 1 {
        // Columns were field names.
        if let Some(columns) = value
            .get_mut("columns")
            .and_then(serde_json::Value::as_array_mut)
        {
            for column in columns.iter_mut() {
                if let serde_json::Value::String(field) = column {
                    *column = serde_json::json!({ "field": field });
                }
            }
        }
        value["version"] = serde_json::json!(2);
    }
    serde_json::from_value(value).map_err(|e| {
        CoreError::invalid(
            Some("document"),
            Rule::Format,
            format!("not a view document: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_columns_become_objects() {
        let doc = upgrade(serde_json::json!({
            "version": 1,
            "columns": ["name", "property:cost"],
            "sort": [{"field": "name"}]
        }))
        .unwrap();
        assert_eq!(doc.version, VIEW_DOCUMENT_VERSION);
        assert_eq!(
            doc.columns,
            vec![Column::new("name"), Column::new("property:cost")]
        );
    }

    #[test]
    fn current_documents_pass_through() {
        let doc = upgrade(serde_json::json!({
            "version": 2,
            "columns": [{"field": "name", "width": 300}]
        }))
        .unwrap();
        assert_eq!(doc.columns[0].width, Some(300));
    }

    #[test]
    fn newer_missing_and_damaged_versions_are_refused() {
        for bad in [
            serde_json::json!({"version": 3}),
            serde_json::json!({"version": 0}),
            serde_json::json!({"columns": []}),
            serde_json::json!({"version": "2"}),
            serde_json::json!({"version": 1, "columns": [7]}),
        ] {
            let err = upgrade(bad.clone()).unwrap_err();
            assert!(matches!(err, CoreError::Validation(_)), "{bad}: {err:?}");
        }
    }
}
