//! Entity types: create, edit, soft-delete and restore. System types cannot
//! be changed or deleted; a type in use by live entities cannot be deleted.

use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::db::{self, Catalog};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{CurrentRow, EntityType, VersionedId};

/// An entity type to create when missing (seeding, packs, the generator).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct EntityTypeSpec<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub icon: Option<&'a str>,
    #[serde(default)]
    pub is_system: bool,
}

const TYPE_SELECT: &str = "
    SELECT t.id, t.key, t.name, t.description, t.icon, t.is_system, t.created_at, t.updated_at,
           t.deleted_at,
           (SELECT count(*) FROM entities e
             WHERE e.entity_type_id = t.id AND e.deleted_at IS NULL) AS live_entities
    FROM entity_type_definitions t";

/// The longest type name and description accepted.
const MAX_TYPE_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 2_000;

/// Entity types by name; deleted ones too when asked.
#[instrument(skip_all)]
pub async fn list_entity_types(
    pool: &PgPool,
    include_deleted: bool,
) -> CoreResult<Vec<EntityType>> {
    let sql = format!("{TYPE_SELECT} WHERE $1 OR t.deleted_at IS NULL ORDER BY t.name, t.key");
    Ok(sqlx::query_as::<_, EntityType>(sqlx::AssertSqlSafe(sql))
        .bind(include_deleted)
        .fetch_all(pool)
        .await?)
}

pub async fn get_entity_type(conn: &mut PgConnection, id: Uuid) -> CoreResult<EntityType> {
    let sql = format!("{TYPE_SELECT} WHERE t.id = $1");
    sqlx::query_as::<_, EntityType>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(CoreError::NotFound {
            what: "entity type",
            id,
        })
}

fn validate_type_fields(
    name: &str,
    description: Option<&str>,
    icon: Option<&str>,
) -> CoreResult<()> {
    if name.trim().is_empty() {
        return Err(CoreError::invalid(
            Some("name"),
            Rule::Required,
            "a type needs a name",
        ));
    }
    if name.chars().count() > MAX_TYPE_NAME || name.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            Some("name"),
            if name.chars().any(char::is_control) {
                Rule::Format
            } else {
                Rule::TooLong
            },
            format!("a type name has at most {MAX_TYPE_NAME} characters and no control characters"),
        ));
    }
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(CoreError::invalid(
            Some("description"),
            Rule::TooLong,
            format!("a description has at most {MAX_DESCRIPTION} characters"),
        ));
    }
    if icon.is_some_and(|i| {
        i.is_empty() || i.len() > 64 || !i.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }) {
        return Err(CoreError::invalid(
            Some("icon"),
            Rule::Format,
            "an icon is a name of letters, digits and dashes (e.g. \"building\")",
        ));
    }
    Ok(())
}

/// Returns the id of the live entity type `spec.key`, creating it (audited)
/// when it does not exist yet, in the caller's transaction.
pub async fn ensure_entity_type(
    conn: &mut PgConnection,
    actor: &Actor,
    spec: &EntityTypeSpec<'_>,
) -> CoreResult<Applied<Uuid>> {
    if let Some(id) = sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM entity_type_definitions WHERE key = $1 AND deleted_at IS NULL",
    )
    .bind(spec.key)
    .fetch_optional(&mut *conn)
    .await?
    {
        return Ok(Applied::unchanged(id));
    }
    let input = EntityTypeInput {
        key: spec.key.to_string(),
        name: spec.name.to_string(),
        description: spec.description.map(str::to_string),
        icon: spec.icon.map(str::to_string),
    };
    Ok(insert_entity_type(conn, actor, &input, spec.is_system)
        .await?
        .map(|t| t.id))
}

/// Creates an entity type (audited). Its key is permanent.
#[instrument(skip_all, fields(key = %input.key))]
pub async fn create_entity_type(
    pool: &PgPool,
    actor: &Actor,
    input: &EntityTypeInput,
) -> CoreResult<Applied<EntityType>> {
    crate::transaction!(pool, |tx| insert_entity_type(tx, actor, input, false)).await
}

/// [`create_entity_type`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn create_entity_type_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &EntityTypeInput,
) -> CoreResult<Applied<EntityType>> {
    insert_entity_type(conn, actor, input, false).await
}

async fn insert_entity_type(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &EntityTypeInput,
    is_system: bool,
) -> CoreResult<Applied<EntityType>> {
    if !crate::db::is_plain_identifier(&input.key) {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Format,
            format!(
                "type key {:?} must be lowercase letters, digits and underscores, starting with a letter",
                input.key
            ),
        ));
    }
    validate_type_fields(
        &input.name,
        input.description.as_deref(),
        input.icon.as_deref(),
    )?;
    let existing: Option<bool> = sqlx::query_scalar(
        "SELECT deleted_at IS NOT NULL FROM entity_type_definitions WHERE key = $1",
    )
    .bind(&input.key)
    .fetch_optional(&mut *conn)
    .await?;
    match existing {
        Some(true) => {
            return Err(CoreError::invalid(
                Some("key"),
                Rule::Unique,
                format!(
                    "a deleted type has the key {:?}: restore it instead",
                    input.key
                ),
            ))
        }
        Some(false) => {
            return Err(CoreError::invalid(
                Some("key"),
                Rule::Unique,
                format!("a type with the key {:?} exists", input.key),
            ))
        }
        None => {}
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO entity_type_definitions (id, key, name, description, icon, is_system, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now(), now())",
    )
    .bind(id)
    .bind(&input.key)
    .bind(&input.name)
    .bind(&input.description)
    .bind(&input.icon)
    .bind(is_system)
    .execute(&mut *conn)
    .await?;
    let created = get_entity_type(conn, id).await?;
    let change = Change::EntityTypeCreated {
        entity_type: created.clone(),
    };
    change::record(conn, actor, change, created).await
}

async fn lock_type(
    conn: &mut PgConnection,
    id: Uuid,
    expected: Option<chrono::DateTime<chrono::Utc>>,
) -> CoreResult<EntityType> {
    sqlx::query("SELECT 1 FROM entity_type_definitions WHERE id = $1 FOR UPDATE")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let current = get_entity_type(conn, id).await?;
    if let Some(expected) = expected {
        if current.updated_at != expected {
            return Err(CoreError::Conflict {
                message: "this type was changed by someone else since you loaded it".into(),
                current: CurrentRow::EntityType(Box::new(current)),
            });
        }
    }
    if current.is_system {
        return Err(CoreError::Forbidden(format!(
            "{:?} is a system type: it cannot be changed or deleted",
            current.key
        )));
    }
    Ok(current)
}

/// Edits a type's name, description and icon.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn update_entity_type(
    pool: &PgPool,
    actor: &Actor,
    input: &EntityTypeUpdate,
) -> CoreResult<Applied<EntityType>> {
    crate::transaction!(pool, |tx| update_entity_type_in(tx, actor, input)).await
}

/// [`update_entity_type`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn update_entity_type_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &EntityTypeUpdate,
) -> CoreResult<Applied<EntityType>> {
    validate_type_fields(
        &input.name,
        input.description.as_deref(),
        input.icon.as_deref(),
    )?;
    let before = lock_type(conn, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state(
            "a deleted type cannot be edited; restore it first",
        ));
    }
    sqlx::query(
        "UPDATE entity_type_definitions SET name = $2, description = $3, icon = $4,
                updated_at = clock_timestamp()
         WHERE id = $1",
    )
    .bind(input.id)
    .bind(&input.name)
    .bind(&input.description)
    .bind(&input.icon)
    .execute(&mut *conn)
    .await?;
    let after = get_entity_type(conn, input.id).await?;
    let change = Change::EntityTypeUpdated {
        before,
        after: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// Soft-deletes a type no live entity uses.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn delete_entity_type(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<EntityType>> {
    crate::transaction!(pool, |tx| delete_entity_type_in(tx, actor, input)).await
}

/// [`delete_entity_type`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn delete_entity_type_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<EntityType>> {
    let before = lock_type(conn, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state("the type is already deleted"));
    }
    // The row lock above holds off new entities of this type (they take it
    // FOR SHARE) while we count.
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities WHERE entity_type_id = $1 AND deleted_at IS NULL",
    )
    .bind(input.id)
    .fetch_one(&mut *conn)
    .await?;
    if live > 0 {
        return Err(CoreError::InUse(format!(
            "{live} live {} of type {:?} exist: move, retype or delete them first",
            if live == 1 { "entity" } else { "entities" },
            before.name
        )));
    }
    db::set_deleted(conn, Catalog::EntityTypes, input.id, true).await?;
    let after = get_entity_type(conn, input.id).await?;
    let change = Change::EntityTypeDeleted {
        entity_type: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// Brings a deleted type back.
#[instrument(skip_all, fields(%id))]
pub async fn restore_entity_type(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<EntityType>> {
    crate::transaction!(pool, |tx| restore_entity_type_in(tx, actor, id)).await
}

/// [`restore_entity_type`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn restore_entity_type_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<EntityType>> {
    let before = lock_type(conn, id, None).await?;
    if before.deleted_at.is_none() {
        return Err(CoreError::state("the type is not deleted"));
    }
    db::set_deleted(conn, Catalog::EntityTypes, id, false).await?;
    let after = get_entity_type(conn, id).await?;
    let change = Change::EntityTypeRestored {
        entity_type: after.clone(),
    };
    change::record(conn, actor, change, after).await
}
