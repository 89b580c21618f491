//! Property values: an entity's property pane, setting and clearing values
//! (checked by type and rules, against the version the editor saw), and
//! restoring the values an entity had at a point of its history.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::definitions::{value_problem, DefinitionRow, DEFINITION_SELECT};
use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{
    CurrentRow, CurrentValue, PropertyDefinition, PropertyGroup, PropertyValue, ValueChange,
    REDACTED,
};
use crate::registry::tree_node;

/// A definition with what one entity holds of it.
#[derive(sqlx::FromRow)]
struct FieldRow {
    #[sqlx(flatten)]
    definition: DefinitionRow,
    layout_order: Option<i32>,
    layout_required: Option<bool>,
    value: Option<String>,
    value_updated_at: Option<DateTime<Utc>>,
}

/// The pane's statements (shared with the benchmark's floor): the entity's
/// type and version (`$1` the entity)...
pub const PANE_ENTITY_SQL: &str = "SELECT entity_type_id, updated_at FROM entities WHERE id = $1";

/// ...the live groups...
pub const PANE_GROUPS_SQL: &str = "SELECT id, key, name, description, display_order, created_at,
        updated_at, deleted_at
    FROM property_groups WHERE deleted_at IS NULL ORDER BY display_order, name";

/// ...and the properties the entity shows (`$1` the entity, `$2` its type):
/// those of its type's layout and those it holds a value of.
pub fn pane_fields_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "{DEFINITION_SELECT}
             LEFT JOIN entity_type_properties l
                    ON l.property_definition_id = d.id AND l.entity_type_id = $2 AND l.deleted_at IS NULL
             LEFT JOIN entity_property_values v
                    ON v.property_definition_id = d.id AND v.entity_id = $1 AND v.deleted_at IS NULL
             WHERE d.deleted_at IS NULL AND d.id <> '{name}'
               AND (l.id IS NOT NULL OR v.id IS NOT NULL)",
            name = crate::records::NAME_PROPERTY_ID
        )
        .replace(
            "FROM property_definitions d",
            ", l.display_order AS layout_order, l.is_required AS layout_required,
               v.value::text AS value, v.updated_at AS value_updated_at
             FROM property_definitions d",
        )
    })
}

/// The properties of an entity, grouped and ordered as its pane shows them:
/// the properties of its type's layout, then any other property it holds a
/// value of. The system `name` is not among them (it is the header).
#[instrument(skip_all, fields(%entity_id))]
pub async fn property_pane(pool: &PgPool, entity_id: Uuid) -> CoreResult<PropertyPane> {
    let mut conn = pool.acquire().await?;
    pane_in(&mut conn, entity_id).await
}

/// [`property_pane`] on the caller's connection.
pub async fn pane_in(conn: &mut PgConnection, entity_id: Uuid) -> CoreResult<PropertyPane> {
    let (type_id, updated_at): (Uuid, DateTime<Utc>) = sqlx::query_as(PANE_ENTITY_SQL)
        .bind(entity_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound {
            what: "entity",
            id: entity_id,
        })?;
    let rows = sqlx::query_as::<_, FieldRow>(sqlx::AssertSqlSafe(pane_fields_sql()))
        .bind(entity_id)
        .bind(type_id)
        .fetch_all(&mut *conn)
        .await?;
    let groups: Vec<PropertyGroup> = sqlx::query_as(PANE_GROUPS_SQL)
        .fetch_all(&mut *conn)
        .await?;
    let inputs = rows
        .into_iter()
        .map(|row| {
            Ok(PaneInput {
                definition: row.definition.into_definition()?,
                layout_order: row.layout_order,
                layout_required: row.layout_required,
                value: row.value,
                value_updated_at: row.value_updated_at,
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    Ok(assemble_pane(entity_id, updated_at, groups, inputs))
}

/// One property an entity's pane shows: its definition, its place in the
/// type's layout (if any) and the stored value (JSON text) with its version.
#[derive(Debug, Clone)]
pub struct PaneInput {
    pub definition: PropertyDefinition,
    pub layout_order: Option<i32>,
    pub layout_required: Option<bool>,
    pub value: Option<String>,
    pub value_updated_at: Option<DateTime<Utc>>,
}

/// Puts a pane together from its properties and the live groups: values
/// decoded and checked against their property's rules, the layout's order
/// first, then by name, grouped in group order (ungrouped last). The pane
/// read from PostgreSQL and the one read from an offline cache are both
/// made here.
pub fn assemble_pane(
    entity_id: Uuid,
    updated_at: DateTime<Utc>,
    groups: Vec<PropertyGroup>,
    rows: Vec<PaneInput>,
) -> PropertyPane {
    let mut fields: Vec<(Option<i32>, PaneField)> = Vec::with_capacity(rows.len());
    for row in rows {
        let definition = row.definition;
        let (value, raw, problem) = match &row.value {
            None => (None, None, None),
            Some(stored) => {
                let decoded = PropertyValue::from_json_text(definition.value_type, stored);
                let problem = value_problem(
                    &definition.key,
                    definition.value_type,
                    &definition.rules,
                    stored,
                );
                let raw = decoded.is_none().then(|| stored.clone());
                (decoded, raw, problem)
            }
        };
        let required = definition.is_required || row.layout_required == Some(true);
        fields.push((
            row.layout_order,
            PaneField {
                in_layout: row.layout_order.is_some(),
                required,
                value_updated_at: row.value_updated_at,
                value,
                raw,
                problem,
                definition,
            },
        ));
    }
    // The layout's order first, then by name.
    fields.sort_by(|(a, fa), (b, fb)| {
        (a.is_none(), a, &fa.definition.name).cmp(&(b.is_none(), b, &fb.definition.name))
    });
    let mut sections: Vec<PaneSection> = groups
        .into_iter()
        .map(|g| PaneSection {
            group: Some(g),
            fields: Vec::new(),
        })
        .collect();
    let mut ungrouped = PaneSection {
        group: None,
        fields: Vec::new(),
    };
    for (_, field) in fields {
        match sections
            .iter_mut()
            .find(|s| s.group.as_ref().map(|g| g.id) == field.definition.group_id)
        {
            Some(section) => section.fields.push(field),
            None => ungrouped.fields.push(field),
        }
    }
    sections.retain(|s| !s.fields.is_empty());
    if !ungrouped.fields.is_empty() {
        sections.push(ungrouped);
    }
    PropertyPane {
        entity_id,
        updated_at,
        sections,
    }
}

/// Sets and clears property values of one entity, all or none.
#[instrument(skip_all, fields(entity_id = %input.entity_id, edits = input.edits.len()))]
pub async fn set_values(
    pool: &PgPool,
    actor: &Actor,
    input: &SetValues,
) -> CoreResult<Applied<PropertyPane>> {
    crate::transaction!(pool, |tx| set_values_in(tx, actor, input)).await
}

/// [`set_values`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn set_values_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &SetValues,
) -> CoreResult<Applied<PropertyPane>> {
    let written = write_values_in(conn, actor, input).await?;
    let pane = pane_in(conn, input.entity_id).await?;
    Ok(written.map(|()| pane))
}

/// [`set_values_in`] without reading the pane back (for bulk work).
#[instrument(level = "debug", skip_all)]
pub async fn write_values_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &SetValues,
) -> CoreResult<Applied<()>> {
    let entity = input.entity_id;
    crate::people::require_on_entity(conn, entity, crate::people::Capability::Write).await?;
    let row: Option<(Uuid, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT entity_type_id, deleted_at FROM entities WHERE id = $1 FOR UPDATE")
            .bind(entity)
            .fetch_optional(&mut *conn)
            .await?;
    let (type_id, deleted_at) = row.ok_or(CoreError::NotFound {
        what: "entity",
        id: entity,
    })?;
    if deleted_at.is_some() {
        return Err(CoreError::state(
            "a deleted entity's properties cannot be changed; restore it first",
        ));
    }
    let ids: Vec<Uuid> = input.edits.iter().map(|e| e.definition_id).collect();
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(CoreError::invalid(
            None,
            Rule::Unique,
            "a property can be edited once per request",
        ));
    }
    // FOR SHARE: a definition cannot change type or rules while we write.
    let definitions: HashMap<Uuid, PropertyDefinition> =
        sqlx::query_as::<_, DefinitionRow>(sqlx::AssertSqlSafe(format!(
            "{DEFINITION_SELECT} WHERE d.id = ANY($1) FOR SHARE"
        )))
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| r.into_definition().map(|d| (d.id, d)))
        .collect::<CoreResult<_>>()?;
    let layout_required: HashSet<Uuid> = sqlx::query_scalar(
        "SELECT property_definition_id FROM entity_type_properties
         WHERE entity_type_id = $1 AND is_required AND deleted_at IS NULL",
    )
    .bind(type_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let current: HashMap<Uuid, (Uuid, String, DateTime<Utc>)> =
        sqlx::query_as::<_, (Uuid, Uuid, String, DateTime<Utc>)>(
            "SELECT property_definition_id, id, value::text, updated_at FROM entity_property_values
             WHERE entity_id = $1 AND property_definition_id = ANY($2) AND deleted_at IS NULL
             FOR UPDATE",
        )
        .bind(entity)
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(def, id, value, at)| (def, (id, value, at)))
        .collect();

    // Check everything first: a refused edit changes nothing.
    let mut planned: Vec<(&PropertyDefinition, &ValueEdit)> = Vec::new();
    for edit in &input.edits {
        let Some(def) = definitions.get(&edit.definition_id) else {
            return Err(CoreError::invalid(
                None,
                Rule::Reference,
                format!("property {} does not exist", edit.definition_id),
            ));
        };
        if def.deleted_at.is_some() {
            return Err(CoreError::invalid(
                Some(&def.key),
                Rule::Reference,
                format!("{} is deleted", def.key),
            ));
        }
        if def.is_system {
            return Err(CoreError::Forbidden(format!(
                "{:?} is a system property: rename the entity instead",
                def.key
            )));
        }
        let now = current.get(&def.id);
        if now.map(|(_, _, at)| *at) != edit.expected_updated_at {
            let value = now.and_then(|(_, v, _)| PropertyValue::from_json_text(def.value_type, v));
            return Err(CoreError::Conflict {
                message: format!(
                    "{} was changed by someone else since you loaded it",
                    def.name
                ),
                current: CurrentRow::PropertyValue(Box::new(CurrentValue {
                    entity_id: entity,
                    definition_id: def.id,
                    key: def.key.clone(),
                    value: if def.is_sensitive { None } else { value },
                    updated_at: now.map(|(_, _, at)| *at),
                })),
            });
        }
        match &edit.value {
            Some(value) => {
                check_value(conn, def, value, true).await?;
            }
            None => {
                if def.is_required || layout_required.contains(&def.id) {
                    return Err(CoreError::invalid(
                        Some(&def.key),
                        Rule::Required,
                        format!("{} is required and cannot be cleared", def.name),
                    ));
                }
            }
        }
        planned.push((def, edit));
    }

    let mut changes: Vec<ValueChange> = Vec::new();
    for (def, edit) in planned {
        let before = current.get(&def.id);
        let after: Option<String> = match (&edit.value, before) {
            (None, None) => continue,
            (None, Some((id, _, _))) => {
                sqlx::query(
                    "UPDATE entity_property_values SET deleted_at = clock_timestamp(),
                            updated_at = clock_timestamp() WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *conn)
                .await?;
                None
            }
            (Some(value), Some((id, _, _))) => {
                // An equal value (jsonb equality: 1.5 equals 1.50) is no change.
                let written: Option<String> = sqlx::query_scalar(
                    "UPDATE entity_property_values SET value = $2::jsonb, updated_at = clock_timestamp()
                     WHERE id = $1 AND value IS DISTINCT FROM $2::jsonb RETURNING value::text",
                )
                .bind(id)
                .bind(value.to_json_text())
                .fetch_optional(&mut *conn)
                .await?;
                match written {
                    Some(w) => Some(w),
                    None => continue,
                }
            }
            (Some(value), None) => Some(
                sqlx::query_scalar(
                    "INSERT INTO entity_property_values
                        (id, entity_id, property_definition_id, value, created_at, updated_at)
                     VALUES ($1, $2, $3, $4::jsonb, now(), clock_timestamp())
                     RETURNING value::text",
                )
                .bind(Uuid::now_v7())
                .bind(entity)
                .bind(def.id)
                .bind(value.to_json_text())
                .fetch_one(&mut *conn)
                .await?,
            ),
        };
        let redact = |v: Option<String>| {
            if def.is_sensitive {
                v.map(|_| REDACTED.to_string())
            } else {
                v
            }
        };
        changes.push(ValueChange {
            definition_id: def.id,
            key: def.key.clone(),
            sensitive: def.is_sensitive,
            before: redact(before.map(|(_, v, _)| v.clone())),
            after: redact(after),
        });
    }
    if changes.is_empty() {
        return Ok(Applied::unchanged(()));
    }
    sqlx::query("UPDATE entities SET updated_at = clock_timestamp() WHERE id = $1")
        .bind(entity)
        .execute(&mut *conn)
        .await?;
    let node = tree_node(conn, entity).await?;
    let change = Change::PropertyValuesChanged {
        node,
        values: changes,
    };
    change::record(conn, actor, change, ()).await
}

/// Restores an entity's property values to what they were right after the
/// audit event `as_of_event_id` (one of its history), as one new change.
/// Sensitive values are not in the history (redacted) and are left as they
/// are; their keys are returned in `skipped`.
#[instrument(skip_all, fields(entity_id = %input.entity_id))]
pub async fn restore_properties(
    pool: &PgPool,
    actor: &Actor,
    input: &RestoreProperties,
) -> CoreResult<Applied<PropertiesRestored>> {
    crate::transaction!(pool, |tx| restore_properties_in(tx, actor, input)).await
}

/// What a restore of past values did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PropertiesRestored {
    pub pane: PropertyPane,
    /// Properties that could not be restored, with why.
    pub skipped: Vec<String>,
}

#[instrument(level = "debug", skip_all)]
pub async fn restore_properties_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &RestoreProperties,
) -> CoreResult<Applied<PropertiesRestored>> {
    let entity = input.entity_id;
    let version: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT updated_at FROM entities WHERE id = $1 FOR UPDATE")
            .bind(entity)
            .fetch_optional(&mut *conn)
            .await?;
    let version = version.ok_or(CoreError::NotFound {
        what: "entity",
        id: entity,
    })?;
    if version != input.expected_updated_at {
        return Err(CoreError::Conflict {
            message: "this entity was changed by someone else since you loaded it".into(),
            current: CurrentRow::Entity(Box::new(tree_node(conn, entity).await?)),
        });
    }
    let point: Option<(DateTime<Utc>, Uuid)> =
        sqlx::query_as("SELECT occurred_at, id FROM audit_events WHERE id = $1 AND entity_id = $2")
            .bind(input.as_of_event_id)
            .bind(entity)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((at, event)) = point else {
        return Err(CoreError::invalid(
            Some("asOfEventId"),
            Rule::Reference,
            "that event is not in this entity's history",
        ));
    };
    // The value each property had then is the `before` of the first later
    // change of it.
    let later: Vec<(String, String)> = sqlx::query_as(
        "SELECT b.key, b.value::text
         FROM audit_events a, jsonb_each(a.before) b
         WHERE a.entity_id = $1 AND a.action = 'entity.properties'
           AND (a.occurred_at, a.id) > ($2, $3)
         ORDER BY a.occurred_at, a.id",
    )
    .bind(entity)
    .bind(at)
    .bind(event)
    .fetch_all(&mut *conn)
    .await?;
    let mut target: Vec<(String, String)> = Vec::new();
    for (key, value) in later {
        if !target.iter().any(|(k, _)| *k == key) {
            target.push((key, value));
        }
    }
    let keys: Vec<String> = target.iter().map(|(k, _)| k.clone()).collect();
    let definitions: Vec<PropertyDefinition> =
        sqlx::query_as::<_, DefinitionRow>(sqlx::AssertSqlSafe(format!(
            "{DEFINITION_SELECT} WHERE d.key = ANY($1) AND d.deleted_at IS NULL"
        )))
        .bind(&keys)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(DefinitionRow::into_definition)
        .collect::<CoreResult<_>>()?;
    let versions: HashMap<Uuid, DateTime<Utc>> = sqlx::query_as::<_, (Uuid, DateTime<Utc>)>(
        "SELECT property_definition_id, updated_at FROM entity_property_values
         WHERE entity_id = $1 AND deleted_at IS NULL",
    )
    .bind(entity)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut edits = Vec::new();
    let mut skipped = Vec::new();
    for (key, stored) in target {
        let Some(def) = definitions.iter().find(|d| d.key == key) else {
            skipped.push(format!("{key}: the property is deleted"));
            continue;
        };
        if stored == REDACTED || def.is_sensitive {
            skipped.push(format!(
                "{key}: sensitive values are not kept in the history"
            ));
            continue;
        }
        let value = if stored == "null" {
            None
        } else {
            match PropertyValue::from_json_text(def.value_type, &stored) {
                Some(v) => Some(v),
                None => {
                    skipped.push(format!(
                        "{key}: the old value is not a {} value",
                        def.value_type.as_str()
                    ));
                    continue;
                }
            }
        };
        edits.push(ValueEdit {
            definition_id: def.id,
            expected_updated_at: versions.get(&def.id).copied(),
            value,
        });
    }
    let applied = set_values_in(
        conn,
        actor,
        &SetValues {
            entity_id: entity,
            edits,
        },
    )
    .await?;
    Ok(applied.map(|pane| PropertiesRestored { pane, skipped }))
}

/// Checks `value` against `def`: its type and rules, and for a secret
/// reference that the secret exists (and, with `lock`, keeps it from being
/// deleted until the transaction ends).
pub(crate) async fn check_value(
    conn: &mut PgConnection,
    def: &PropertyDefinition,
    value: &PropertyValue,
    lock: bool,
) -> CoreResult<()> {
    def.rules.validate(&def.key, def.value_type, value)?;
    if let PropertyValue::SecretReference(target) = value {
        let sql = if lock {
            "SELECT e.deleted_at IS NULL AND t.key = $2 FROM entities e
             JOIN entity_type_definitions t ON t.id = e.entity_type_id
             WHERE e.id = $1 FOR SHARE OF e"
        } else {
            "SELECT e.deleted_at IS NULL AND t.key = $2 FROM entities e
             JOIN entity_type_definitions t ON t.id = e.entity_type_id WHERE e.id = $1"
        };
        let live: Option<bool> = sqlx::query_scalar(sql)
            .bind(target)
            .bind(crate::records::SECRET_TYPE)
            .fetch_optional(&mut *conn)
            .await?;
        if live != Some(true) {
            return Err(CoreError::invalid(
                Some(&def.key),
                Rule::Reference,
                format!(
                    "{} must refer to a live secret (an entity of the secret type)",
                    def.key
                ),
            ));
        }
    }
    Ok(())
}
