//! Property groups and definitions: create, edit, reorder, soft-delete and
//! restore. A definition's type and rules can change only when the stored
//! values they would make invalid have been counted and confirmed.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::kinds::Rules;
use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::db::{self, Catalog};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{
    CurrentRow, PropertyDefinition, PropertyGroup, PropertyValue, ValueType, VersionedId,
};

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 2_000;
/// How many invalid values an impact report shows.
const IMPACT_SAMPLES: usize = 20;

/// Checks a key (permanent, plain), a name and a description.
pub(crate) fn check_labels(
    key: Option<&str>,
    name: &str,
    description: Option<&str>,
) -> CoreResult<()> {
    if let Some(key) = key {
        if !crate::db::is_plain_identifier(key) {
            return Err(CoreError::invalid(
                Some("key"),
                Rule::Format,
                format!("key {key:?} must be lowercase letters, digits and underscores, starting with a letter"),
            ));
        }
    }
    if name.trim().is_empty() {
        return Err(CoreError::invalid(
            Some("name"),
            Rule::Required,
            "a name is needed",
        ));
    }
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            Some("name"),
            Rule::TooLong,
            format!("a name has at most {MAX_NAME} characters and no control characters"),
        ));
    }
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(CoreError::invalid(
            Some("description"),
            Rule::TooLong,
            format!("a description has at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------ groups

const GROUP_SELECT: &str = "SELECT id, key, name, description, display_order, created_at,
        updated_at, deleted_at FROM property_groups";

/// Property groups in display order; deleted ones too when asked.
#[instrument(skip_all)]
pub async fn list_property_groups(
    pool: &PgPool,
    include_deleted: bool,
) -> CoreResult<Vec<PropertyGroup>> {
    Ok(
        sqlx::query_as::<_, PropertyGroup>(sqlx::AssertSqlSafe(format!(
            "{GROUP_SELECT} WHERE $1 OR deleted_at IS NULL ORDER BY display_order, name"
        )))
        .bind(include_deleted)
        .fetch_all(pool)
        .await?,
    )
}

async fn group_row(conn: &mut PgConnection, id: Uuid, lock: bool) -> CoreResult<PropertyGroup> {
    let sql = format!(
        "{GROUP_SELECT} WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as::<_, PropertyGroup>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(CoreError::NotFound {
            what: "property group",
            id,
        })
}

async fn lock_group(
    conn: &mut PgConnection,
    id: Uuid,
    expected: Option<DateTime<Utc>>,
) -> CoreResult<PropertyGroup> {
    let group = group_row(conn, id, true).await?;
    if expected.is_some_and(|e| e != group.updated_at) {
        return Err(CoreError::Conflict {
            message: "this property group was changed by someone else since you loaded it".into(),
            current: CurrentRow::PropertyGroup(Box::new(group)),
        });
    }
    Ok(group)
}

/// Creates a property group, last in order.
#[instrument(skip_all, fields(key = %input.key))]
pub async fn create_property_group(
    pool: &PgPool,
    actor: &Actor,
    input: &PropertyGroupInput,
) -> CoreResult<Applied<PropertyGroup>> {
    crate::transaction!(pool, |tx| create_property_group_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn create_property_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &PropertyGroupInput,
) -> CoreResult<Applied<PropertyGroup>> {
    check_labels(Some(&input.key), &input.name, input.description.as_deref())?;
    let existing: Option<bool> =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM property_groups WHERE key = $1")
            .bind(&input.key)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(deleted) = existing {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Unique,
            if deleted {
                format!(
                    "a deleted group has the key {:?}: restore it instead",
                    input.key
                )
            } else {
                format!("a group with the key {:?} exists", input.key)
            },
        ));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO property_groups (id, key, name, description, display_order, created_at, updated_at)
         VALUES ($1, $2, $3, $4,
                 (SELECT COALESCE(max(display_order) + 1, 0) FROM property_groups), now(), now())",
    )
    .bind(id)
    .bind(&input.key)
    .bind(&input.name)
    .bind(&input.description)
    .execute(&mut *conn)
    .await?;
    let group = group_row(conn, id, false).await?;
    let change = Change::PropertyGroupCreated {
        group: group.clone(),
    };
    change::record(conn, actor, change, group).await
}

/// Edits a group's name and description.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn update_property_group(
    pool: &PgPool,
    actor: &Actor,
    input: &PropertyGroupUpdate,
) -> CoreResult<Applied<PropertyGroup>> {
    crate::transaction!(pool, |tx| update_property_group_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn update_property_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &PropertyGroupUpdate,
) -> CoreResult<Applied<PropertyGroup>> {
    check_labels(None, &input.name, input.description.as_deref())?;
    let before = lock_group(conn, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state(
            "a deleted group cannot be edited; restore it first",
        ));
    }
    sqlx::query(
        "UPDATE property_groups SET name = $2, description = $3, updated_at = clock_timestamp()
         WHERE id = $1",
    )
    .bind(input.id)
    .bind(&input.name)
    .bind(&input.description)
    .execute(&mut *conn)
    .await?;
    let after = group_row(conn, input.id, false).await?;
    let change = Change::PropertyGroupUpdated {
        before,
        after: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// Soft-deletes a group no live property belongs to.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn delete_property_group(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<PropertyGroup>> {
    crate::transaction!(pool, |tx| delete_property_group_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn delete_property_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<PropertyGroup>> {
    let before = lock_group(conn, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state("the group is already deleted"));
    }
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM property_definitions WHERE property_group_id = $1 AND deleted_at IS NULL",
    )
    .bind(input.id)
    .fetch_one(&mut *conn)
    .await?;
    if live > 0 {
        return Err(CoreError::InUse(format!(
            "{live} live {} in the group {:?}: move or delete them first",
            if live == 1 {
                "property is"
            } else {
                "properties are"
            },
            before.name
        )));
    }
    db::set_deleted(conn, Catalog::PropertyGroups, input.id, true).await?;
    let after = group_row(conn, input.id, false).await?;
    let change = Change::PropertyGroupDeleted {
        group: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// Brings a deleted group back.
#[instrument(skip_all, fields(%id))]
pub async fn restore_property_group(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<PropertyGroup>> {
    crate::transaction!(pool, |tx| restore_property_group_in(tx, actor, id)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn restore_property_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<PropertyGroup>> {
    let before = lock_group(conn, id, None).await?;
    if before.deleted_at.is_none() {
        return Err(CoreError::state("the group is not deleted"));
    }
    db::set_deleted(conn, Catalog::PropertyGroups, id, false).await?;
    let after = group_row(conn, id, false).await?;
    let change = Change::PropertyGroupRestored {
        group: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// Puts the live groups in the order given (every live group, once).
#[instrument(skip_all)]
pub async fn reorder_property_groups(
    pool: &PgPool,
    actor: &Actor,
    ids: &[Uuid],
) -> CoreResult<Applied<Vec<PropertyGroup>>> {
    crate::transaction!(pool, |tx| reorder_property_groups_in(tx, actor, ids)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn reorder_property_groups_in(
    conn: &mut PgConnection,
    actor: &Actor,
    ids: &[Uuid],
) -> CoreResult<Applied<Vec<PropertyGroup>>> {
    let live: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM property_groups WHERE deleted_at IS NULL ORDER BY id FOR UPDATE",
    )
    .fetch_all(&mut *conn)
    .await?;
    check_same_set(&live, ids, "groups")?;
    sqlx::query(
        "UPDATE property_groups g SET display_order = o.n - 1, updated_at = clock_timestamp()
         FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) WHERE g.id = o.id",
    )
    .bind(ids)
    .execute(&mut *conn)
    .await?;
    let groups = sqlx::query_as::<_, PropertyGroup>(sqlx::AssertSqlSafe(format!(
        "{GROUP_SELECT} WHERE deleted_at IS NULL ORDER BY display_order, name"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let change = Change::PropertyGroupsReordered { ids: ids.to_vec() };
    change::record(conn, actor, change, groups).await
}

/// The order given must name every live record exactly once.
fn check_same_set(live: &[Uuid], given: &[Uuid], what: &str) -> CoreResult<()> {
    let mut a = live.to_vec();
    let mut b = given.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    if a != b {
        return Err(CoreError::invalid(
            Some("ids"),
            Rule::Choice,
            format!("a new order names every live {what} exactly once; reload and try again"),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------- definitions

pub(crate) const DEFINITION_SELECT: &str = concat!(
    "SELECT d.id, d.property_group_id, d.key, d.name,
        d.description, d.value_type, d.is_required, d.is_sensitive, d.is_searchable,
        d.id = '",
    crate::records::name_property_id!(),
    "' AS is_system,
        d.validation, d.created_at, d.updated_at, d.deleted_at
    FROM property_definitions d"
);

/// A `property_definitions` row as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct DefinitionRow {
    id: Uuid,
    property_group_id: Option<Uuid>,
    key: String,
    name: String,
    description: Option<String>,
    value_type: String,
    is_required: bool,
    is_sensitive: bool,
    is_searchable: bool,
    is_system: bool,
    validation: serde_json::Value,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

impl DefinitionRow {
    pub(crate) fn into_definition(self) -> CoreResult<PropertyDefinition> {
        let value_type = ValueType::from_str(&self.value_type).map_err(|_| {
            CoreError::Database(format!(
                "property {:?} has the unknown value type {:?}",
                self.key, self.value_type
            ))
        })?;
        let rules = Rules::from_json(&self.validation).map_err(|_| {
            CoreError::Database(format!(
                "property {:?} has rules this build cannot read",
                self.key
            ))
        })?;
        Ok(PropertyDefinition {
            id: self.id,
            group_id: self.property_group_id,
            key: self.key,
            name: self.name,
            description: self.description,
            value_type,
            is_required: self.is_required,
            is_sensitive: self.is_sensitive,
            is_searchable: self.is_searchable,
            is_system: self.is_system,
            rules,
            created_at: self.created_at,
            updated_at: self.updated_at,
            deleted_at: self.deleted_at,
        })
    }
}

/// The live properties, in the caller's transaction.
pub async fn list_property_definitions_in(
    conn: &mut PgConnection,
) -> CoreResult<Vec<PropertyDefinition>> {
    let rows = sqlx::query_as::<_, DefinitionRow>(sqlx::AssertSqlSafe(format!(
        "{DEFINITION_SELECT} WHERE d.deleted_at IS NULL ORDER BY d.key"
    )))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(DefinitionRow::into_definition)
        .collect()
}

/// Every property (the system `name` included), by group and order.
#[instrument(skip_all)]
pub async fn list_property_definitions(
    pool: &PgPool,
    include_deleted: bool,
) -> CoreResult<Vec<PropertyDefinition>> {
    let rows = sqlx::query_as::<_, DefinitionRow>(sqlx::AssertSqlSafe(format!(
        "{DEFINITION_SELECT} LEFT JOIN property_groups g ON g.id = d.property_group_id
         WHERE $1 OR d.deleted_at IS NULL
         ORDER BY g.display_order NULLS LAST, d.name"
    )))
    .bind(include_deleted)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(DefinitionRow::into_definition)
        .collect()
}

/// One property.
pub async fn get_property_definition(
    conn: &mut PgConnection,
    id: Uuid,
) -> CoreResult<PropertyDefinition> {
    definition_row(conn, id, false).await
}

async fn definition_row(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> CoreResult<PropertyDefinition> {
    let sql = format!(
        "{DEFINITION_SELECT} WHERE d.id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as::<_, DefinitionRow>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(CoreError::NotFound {
            what: "property",
            id,
        })?
        .into_definition()
}

async fn lock_definition(
    conn: &mut PgConnection,
    id: Uuid,
    expected: Option<DateTime<Utc>>,
) -> CoreResult<PropertyDefinition> {
    let d = definition_row(conn, id, true).await?;
    if expected.is_some_and(|e| e != d.updated_at) {
        return Err(CoreError::Conflict {
            message: "this property was changed by someone else since you loaded it".into(),
            current: CurrentRow::PropertyDefinition(Box::new(d)),
        });
    }
    if d.is_system {
        return Err(CoreError::Forbidden(format!(
            "{:?} is a system property: it cannot be changed or deleted",
            d.key
        )));
    }
    Ok(d)
}

async fn check_group(conn: &mut PgConnection, group_id: Option<Uuid>) -> CoreResult<()> {
    if let Some(gid) = group_id {
        // FOR SHARE: the group cannot be deleted until we commit.
        let live: Option<bool> = sqlx::query_scalar(
            "SELECT deleted_at IS NULL FROM property_groups WHERE id = $1 FOR SHARE",
        )
        .bind(gid)
        .fetch_optional(&mut *conn)
        .await?;
        if live != Some(true) {
            return Err(CoreError::invalid(
                Some("groupId"),
                Rule::Reference,
                "the group does not exist or is deleted",
            ));
        }
    }
    Ok(())
}

/// Creates a property.
#[instrument(skip_all, fields(key = %input.key))]
pub async fn create_property_definition(
    pool: &PgPool,
    actor: &Actor,
    input: &PropertyDefinitionInput,
) -> CoreResult<Applied<PropertyDefinition>> {
    crate::transaction!(pool, |tx| create_property_definition_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn create_property_definition_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &PropertyDefinitionInput,
) -> CoreResult<Applied<PropertyDefinition>> {
    check_labels(Some(&input.key), &input.name, input.description.as_deref())?;
    input.rules.check(input.value_type)?;
    check_group(conn, input.group_id).await?;
    let existing: Option<bool> = sqlx::query_scalar(
        "SELECT deleted_at IS NOT NULL FROM property_definitions WHERE key = $1",
    )
    .bind(&input.key)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(deleted) = existing {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Unique,
            if deleted {
                format!(
                    "a deleted property has the key {:?}: restore it instead",
                    input.key
                )
            } else {
                format!("a property with the key {:?} exists", input.key)
            },
        ));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO property_definitions (id, property_group_id, key, name, description, value_type,
                is_required, is_sensitive, is_searchable, validation, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now())",
    )
    .bind(id)
    .bind(input.group_id)
    .bind(&input.key)
    .bind(&input.name)
    .bind(&input.description)
    .bind(input.value_type.as_str())
    .bind(input.is_required)
    .bind(input.is_sensitive)
    .bind(input.is_searchable)
    .bind(input.rules.to_json())
    .execute(&mut *conn)
    .await?;
    let definition = definition_row(conn, id, false).await?;
    let change = Change::PropertyDefinitionCreated {
        definition: definition.clone(),
    };
    change::record(conn, actor, change, definition).await
}

/// Why a stored value fails a type and rules, or None when it passes.
pub(crate) fn value_problem(
    key: &str,
    value_type: ValueType,
    rules: &Rules,
    stored: &str,
) -> Option<String> {
    match PropertyValue::from_json_text(value_type, stored) {
        None => Some(format!("not a {} value", value_type.as_str())),
        Some(v) => rules
            .validate(key, value_type, &v)
            .err()
            .map(|e| e.to_string()),
    }
}

/// What the edit would do to the property's stored values: how many the
/// new type and rules refuse, with some examples. Nothing is changed.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn property_definition_impact(
    pool: &PgPool,
    input: &PropertyDefinitionUpdate,
) -> CoreResult<DefinitionImpact> {
    let mut conn = pool.acquire().await?;
    let current = definition_row(&mut conn, input.id, false).await?;
    impact(&mut conn, &current, input.value_type, &input.rules).await
}

async fn impact(
    conn: &mut PgConnection,
    current: &PropertyDefinition,
    value_type: ValueType,
    rules: &Rules,
) -> CoreResult<DefinitionImpact> {
    rules.check(value_type)?;
    let mut values = 0i64;
    let mut invalid = 0i64;
    let mut samples = Vec::new();
    let mut after = Uuid::nil();
    loop {
        // Keyset pages, so a property with millions of values is read in
        // bounded memory.
        let page: Vec<(Uuid, Uuid, String, String)> = sqlx::query_as(concat!(
            "SELECT v.id, v.entity_id, v.value::text,
                    COALESCE((SELECT n.value #>> '{}' FROM entity_property_values n
                              WHERE n.entity_id = v.entity_id AND n.deleted_at IS NULL
                                AND n.property_definition_id = '",
            crate::records::name_property_id!(),
            "'), '')
             FROM entity_property_values v
             WHERE v.property_definition_id = $1 AND v.deleted_at IS NULL AND v.id > $2
             ORDER BY v.id LIMIT 5000"
        ))
        .bind(current.id)
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (_, entity_id, stored, entity_name) in page {
            values += 1;
            if let Some(problem) = value_problem(&current.key, value_type, rules, &stored) {
                invalid += 1;
                if samples.len() < IMPACT_SAMPLES {
                    samples.push(InvalidValue {
                        entity_id,
                        entity_name,
                        value: (!current.is_sensitive).then_some(stored),
                        problem,
                    });
                }
            }
        }
    }
    Ok(DefinitionImpact {
        values,
        invalid,
        samples,
    })
}

/// Edits a property. A change of type or rules that stored values fail is
/// refused (rule `confirm`) until `accept_invalid` names their number.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn update_property_definition(
    pool: &PgPool,
    actor: &Actor,
    input: &PropertyDefinitionUpdate,
) -> CoreResult<Applied<PropertyDefinition>> {
    crate::transaction!(pool, |tx| update_property_definition_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn update_property_definition_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &PropertyDefinitionUpdate,
) -> CoreResult<Applied<PropertyDefinition>> {
    check_labels(None, &input.name, input.description.as_deref())?;
    input.rules.check(input.value_type)?;
    let before = lock_definition(conn, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state(
            "a deleted property cannot be edited; restore it first",
        ));
    }
    check_group(conn, input.group_id).await?;
    let mut invalid_values = 0;
    if before.value_type != input.value_type || before.rules != input.rules {
        // Values are locked against edits while we count (the definition
        // row is locked FOR UPDATE and every value edit locks it FOR SHARE).
        let report = impact(conn, &before, input.value_type, &input.rules).await?;
        invalid_values = report.invalid;
        if report.invalid > 0 && input.accept_invalid != Some(report.invalid) {
            return Err(CoreError::invalid(
                None,
                Rule::Confirm,
                format!(
                    "{} of {} stored values would not satisfy the new {}: review them and confirm",
                    report.invalid,
                    report.values,
                    if before.value_type != input.value_type {
                        "type"
                    } else {
                        "rules"
                    }
                ),
            ));
        }
    }
    sqlx::query(
        "UPDATE property_definitions SET property_group_id = $2, name = $3, description = $4,
                value_type = $5, is_required = $6, is_sensitive = $7, is_searchable = $8,
                validation = $9, updated_at = clock_timestamp()
         WHERE id = $1",
    )
    .bind(input.id)
    .bind(input.group_id)
    .bind(&input.name)
    .bind(&input.description)
    .bind(input.value_type.as_str())
    .bind(input.is_required)
    .bind(input.is_sensitive)
    .bind(input.is_searchable)
    .bind(input.rules.to_json())
    .execute(&mut *conn)
    .await?;
    let after = definition_row(conn, input.id, false).await?;
    let change = Change::PropertyDefinitionUpdated {
        before: Box::new(before),
        after: Box::new(after.clone()),
        invalid_values,
    };
    change::record(conn, actor, change, after).await
}

/// Soft-deletes a property. Its values stay (soft) and come back with it.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn delete_property_definition(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<PropertyDefinition>> {
    crate::transaction!(pool, |tx| delete_property_definition_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn delete_property_definition_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<PropertyDefinition>> {
    let before = lock_definition(conn, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state("the property is already deleted"));
    }
    db::set_deleted(conn, Catalog::PropertyDefinitions, input.id, true).await?;
    let after = definition_row(conn, input.id, false).await?;
    let change = Change::PropertyDefinitionDeleted {
        definition: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// Brings a deleted property back, with its values.
#[instrument(skip_all, fields(%id))]
pub async fn restore_property_definition(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<PropertyDefinition>> {
    crate::transaction!(pool, |tx| restore_property_definition_in(tx, actor, id)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn restore_property_definition_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<PropertyDefinition>> {
    let before = lock_definition(conn, id, None).await?;
    if before.deleted_at.is_none() {
        return Err(CoreError::state("the property is not deleted"));
    }
    check_group(conn, before.group_id)
        .await
        .map_err(|_| CoreError::state("its group is deleted: restore the group first"))?;
    db::set_deleted(conn, Catalog::PropertyDefinitions, id, false).await?;
    let after = definition_row(conn, id, false).await?;
    let change = Change::PropertyDefinitionRestored {
        definition: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// Why `value` does not fit `definition` (its type, then its rules), if it
/// does not: the check a stored value gets, for a value not stored yet
/// (an edit made offline is checked with it before it is queued).
pub fn value_problem_of(definition: &PropertyDefinition, value: &PropertyValue) -> Option<String> {
    if value.value_type() != definition.value_type {
        return Some(format!(
            "{} takes a {} value",
            definition.name,
            definition.value_type.as_str()
        ));
    }
    value_problem(
        &definition.key,
        definition.value_type,
        &definition.rules,
        &value.to_json_text(),
    )
}
