//! Property records shared beyond the properties domain (the change
//! pipeline, the read model, the front ends). The rules that act on them are
//! in `crate::properties`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The value types of seed 000 (`property_definitions.value_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    Text,
    Number,
    Boolean,
    Date,
    Json,
    IpAddress,
    Url,
    SecretReference,
    SingleSelect,
    MultiSelect,
}

/// A property value, by type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PropertyValue {
    Text(String),
    /// A decimal number as text: `-12.500`.
    Number(String),
    Boolean(bool),
    /// `YYYY-MM-DD`, or an RFC 3339 date-time with an offset.
    Date(String),
    /// JSON text.
    Json(String),
    IpAddress(String),
    Url(String),
    /// The id of the secret entity it refers to.
    SecretReference(Uuid),
    SingleSelect(String),
    MultiSelect(Vec<String>),
}

/// One option of a select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SelectOption {
    /// Stored in values; stable.
    pub key: String,
    pub label: String,
    /// `#rrggbb`, or None for the default colour.
    pub color: Option<String>,
}

/// The rules of a definition (`property_definitions.validation`), by type.
/// Every field is optional; an absent rule does not apply. Unknown fields
/// are refused, so a typo in a rule cannot silently switch it off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rules {
    /// text: most characters (default 10,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// text: fewest characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// text: a regular expression the whole value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// number: bounds, as decimal text; date: bounds as `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    /// number: whole numbers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integer: Option<bool>,
    /// date: allow a time of day (RFC 3339 with an offset); default dates only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_time: Option<bool>,
    /// json: most bytes (default 65,536) and nesting depth (default 32).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
    /// ip_address: which forms are allowed (default IPv4 and IPv6, no CIDR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr: Option<bool>,
    /// url: allowed schemes (default `http`, `https`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schemes: Option<Vec<String>>,
    /// single_select / multi_select: the options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<SelectOption>>,
    /// multi_select: most options chosen at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
}

/// A section of properties (seed 000 `property_groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertyGroup {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub display_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A property (seed 000 `property_definitions`), with its rules parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinition {
    pub id: Uuid,
    pub group_id: Option<Uuid>,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub value_type: ValueType,
    pub is_required: bool,
    pub is_sensitive: bool,
    pub is_searchable: bool,
    /// The system property `name`: shown in the header, renamed in the tree.
    pub is_system: bool,
    pub rules: Rules,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One property in an entity type's layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LayoutEntry {
    pub definition_id: Uuid,
    /// Required for entities of this type (beyond the property's own rule).
    pub is_required: bool,
}

/// The value change of one property, as the change pipeline records it:
/// stored JSON text before and after (None: no value). Values of sensitive
/// properties are never kept here in plain form (see `redacted`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueChange {
    pub definition_id: Uuid,
    pub key: String,
    pub sensitive: bool,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a bulk edit did to one entity: the stored JSON before and after
/// (property edits: the value, None for none; tag edits: None), redacted
/// for a sensitive property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkEntityChange {
    pub entity_id: Uuid,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a bulk edit changed, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkKind {
    /// One property set or cleared on every entity.
    Property {
        definition_id: Uuid,
        key: String,
        sensitive: bool,
    },
    /// One tag added to every entity.
    TagAdded { tag_id: Uuid },
    /// One tag removed from every entity.
    TagRemoved { tag_id: Uuid },
}

/// What stands for a sensitive value in audit rows and events.
pub const REDACTED: &str = "\"<redacted>\"";

/// The current state of a property value an edit was refused for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CurrentValue {
    pub entity_id: Uuid,
    pub definition_id: Uuid,
    pub key: String,
    pub value: Option<PropertyValue>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The id of the system property `name`, as SQL text. A macro so that SQL
/// constants can be assembled with `concat!` at compile time: the planner
/// sees a constant and can use the partial trigram index on names.
macro_rules! name_property_id {
    () => {
        "01900000-0000-7000-8000-000000000002"
    };
}
pub(crate) use name_property_id;

/// The id of the system property `name`.
pub const NAME_PROPERTY_ID: Uuid = match Uuid::try_parse(name_property_id!()) {
    Ok(id) => id,
    Err(_) => panic!("the name property id is not a uuid"),
};

/// The key of the system property `name`.
pub const NAME_PROPERTY_KEY: &str = "name";

/// The live `name` value `v` of the entity `e`, for a `FROM entities e`
/// (read it as `COALESCE(v.value #>> '{}', '')`). A macro, for `concat!`.
macro_rules! name_join {
    () => {
        concat!(
            "LEFT JOIN entity_property_values v
                    ON v.entity_id = e.id AND v.deleted_at IS NULL
                   AND v.property_definition_id = '",
            $crate::records::name_property_id!(),
            "'"
        )
    };
}
pub(crate) use name_join;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_fragments_carry_the_id() {
        let id = NAME_PROPERTY_ID.to_string();
        assert!(name_join!().contains(&id));
    }
}
