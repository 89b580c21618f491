//! The records of the properties domain: groups, definitions, a type's
//! layout, an entity's property pane and the edits made to it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::records::{
    LayoutEntry, PropertyDefinition, PropertyGroup, PropertyValue, Rules, ValueType,
};

/// A new property group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertyGroupInput {
    pub key: String,
    pub name: String,
    pub description: Option<String>,
}

/// An edit of a group's name and description (its key is permanent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertyGroupUpdate {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub name: String,
    pub description: Option<String>,
}

/// A new property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinitionInput {
    pub group_id: Option<Uuid>,
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub value_type: ValueType,
    pub is_required: bool,
    pub is_sensitive: bool,
    pub is_searchable: bool,
    pub rules: Rules,
}

/// An edit of a property (its key is permanent). When the new type or rules
/// make stored values invalid, the edit is refused (rule `confirm`) unless
/// `accept_invalid` equals the number of values that would become invalid,
/// as [`DefinitionImpact`] reported it; those values are kept as they are
/// and shown as invalid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinitionUpdate {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub group_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub value_type: ValueType,
    pub is_required: bool,
    pub is_sensitive: bool,
    pub is_searchable: bool,
    pub rules: Rules,
    pub accept_invalid: Option<i64>,
}

/// What an edit of a property's type or rules would do to stored values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DefinitionImpact {
    /// Live values of the property.
    pub values: i64,
    /// Of those, how many the new type or rules would refuse.
    pub invalid: i64,
    /// Some of them, with the reason (sensitive values are not shown).
    pub samples: Vec<InvalidValue>,
}

/// A stored value that does not satisfy its property's type or rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct InvalidValue {
    pub entity_id: Uuid,
    pub entity_name: String,
    /// The value as stored (JSON), or None for a sensitive property.
    pub value: Option<String>,
    pub problem: String,
}

/// The properties an entity type shows, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TypeLayout {
    pub entity_type_id: Uuid,
    /// The entity type's version; a layout edit sends it back.
    pub updated_at: DateTime<Utc>,
    pub entries: Vec<LayoutEntry>,
}

/// A new layout for an entity type, aimed at the version the editor saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TypeLayoutUpdate {
    pub entity_type_id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub entries: Vec<LayoutEntry>,
}

/// An entity's properties, grouped, as its detail pane shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertyPane {
    pub entity_id: Uuid,
    /// The entity's version.
    pub updated_at: DateTime<Utc>,
    /// In group order; properties without a group come last.
    pub sections: Vec<PaneSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PaneSection {
    pub group: Option<PropertyGroup>,
    pub fields: Vec<PaneField>,
}

/// One property of an entity: its definition, its value (if any) and the
/// version of that value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PaneField {
    pub definition: PropertyDefinition,
    pub value: Option<PropertyValue>,
    /// The stored JSON when it is not a value of the property's type (it
    /// was written under an earlier type).
    pub raw: Option<String>,
    /// Why the stored value fails the property's current rules, if it does.
    pub problem: Option<String>,
    /// The value's version (None: no value); an edit sends it back.
    pub value_updated_at: Option<DateTime<Utc>>,
    /// Required by the property or by the entity's type.
    pub required: bool,
    /// Part of the entity type's layout (else shown because it has a value).
    pub in_layout: bool,
}

/// One property edit: a new value, or `None` to clear it. `expected_updated_at`
/// is the version of the value the editor saw (None: it saw no value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ValueEdit {
    pub definition_id: Uuid,
    pub expected_updated_at: Option<DateTime<Utc>>,
    pub value: Option<PropertyValue>,
}

/// Several property edits of one entity, made together (all or none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SetValues {
    pub entity_id: Uuid,
    pub edits: Vec<ValueEdit>,
}

/// Restores an entity's properties as they were after one audit event (its
/// history), as one new change; `expected_updated_at` is the entity's
/// version the person saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RestoreProperties {
    pub entity_id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub as_of_event_id: Uuid,
}
