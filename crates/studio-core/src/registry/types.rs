//! Entity types: create, edit, soft-delete and restore. System types cannot
//! be changed or deleted; a type in use by live entities cannot be deleted.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::model::*;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult};

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
        return Err(CoreError::validation("a type needs a name"));
    }
    if name.chars().count() > MAX_TYPE_NAME || name.chars().any(char::is_control) {
        return Err(CoreError::validation(format!(
            "a type name has at most {MAX_TYPE_NAME} characters and no control characters"
        )));
    }
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(CoreError::validation(format!(
            "a description has at most {MAX_DESCRIPTION} characters"
        )));
    }
    if icon.is_some_and(|i| {
        i.is_empty() || i.len() > 64 || !i.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }) {
        return Err(CoreError::validation(
            "an icon is a name of letters, digits and dashes (e.g. \"building\")",
        ));
    }
    Ok(())
}

/// Creates an entity type (audited). Its key is permanent.
pub async fn create_entity_type(
    pool: &PgPool,
    actor: &Actor,
    input: &EntityTypeInput,
) -> CoreResult<EntityType> {
    let mut tx = pool.begin().await?;
    let created = insert_entity_type(&mut tx, actor, input, false).await?;
    tx.commit().await?;
    Ok(created)
}

pub(crate) async fn insert_entity_type(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &EntityTypeInput,
    is_system: bool,
) -> CoreResult<EntityType> {
    if !crate::db::is_plain_identifier(&input.key) {
        return Err(CoreError::validation(format!(
            "type key {:?} must be lowercase letters, digits and underscores, starting with a letter",
            input.key
        )));
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
            return Err(CoreError::validation(format!(
                "a deleted type has the key {:?}: restore it instead",
                input.key
            )))
        }
        Some(false) => {
            return Err(CoreError::validation(format!(
                "a type with the key {:?} exists",
                input.key
            )))
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
    audit::type_change(
        conn,
        actor,
        "entity_type.create",
        id,
        None,
        Some(json!({
            "key": input.key, "name": input.name, "description": input.description,
            "icon": input.icon, "is_system": is_system,
        })),
    )
    .await?;
    get_entity_type(conn, id).await
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
pub async fn update_entity_type(
    pool: &PgPool,
    actor: &Actor,
    input: &EntityTypeUpdate,
) -> CoreResult<EntityType> {
    validate_type_fields(
        &input.name,
        input.description.as_deref(),
        input.icon.as_deref(),
    )?;
    let mut tx = pool.begin().await?;
    let before = lock_type(&mut tx, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::validation(
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
    .execute(&mut *tx)
    .await?;
    audit::type_change(
        &mut tx,
        actor,
        "entity_type.update",
        input.id,
        Some(
            json!({ "name": before.name, "description": before.description, "icon": before.icon }),
        ),
        Some(json!({ "name": input.name, "description": input.description, "icon": input.icon })),
    )
    .await?;
    let after = get_entity_type(&mut tx, input.id).await?;
    tx.commit().await?;
    Ok(after)
}

/// Soft-deletes a type no live entity uses.
pub async fn delete_entity_type(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<EntityType> {
    let mut tx = pool.begin().await?;
    let before = lock_type(&mut tx, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::validation("the type is already deleted"));
    }
    // Lock out new entities of this type while we decide.
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities WHERE entity_type_id = $1 AND deleted_at IS NULL",
    )
    .bind(input.id)
    .fetch_one(&mut *tx)
    .await?;
    if live > 0 {
        return Err(CoreError::InUse(format!(
            "{live} live {} of type {:?} exist: move, retype or delete them first",
            if live == 1 { "entity" } else { "entities" },
            before.name
        )));
    }
    sqlx::query(
        "UPDATE entity_type_definitions SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
         WHERE id = $1",
    )
    .bind(input.id)
    .execute(&mut *tx)
    .await?;
    audit::type_change(
        &mut tx,
        actor,
        "entity_type.delete",
        input.id,
        Some(json!({ "key": before.key })),
        None,
    )
    .await?;
    let after = get_entity_type(&mut tx, input.id).await?;
    tx.commit().await?;
    Ok(after)
}

/// Brings a deleted type back.
pub async fn restore_entity_type(pool: &PgPool, actor: &Actor, id: Uuid) -> CoreResult<EntityType> {
    let mut tx = pool.begin().await?;
    let before = lock_type(&mut tx, id, None).await?;
    if before.deleted_at.is_none() {
        return Err(CoreError::validation("the type is not deleted"));
    }
    sqlx::query(
        "UPDATE entity_type_definitions SET deleted_at = NULL, updated_at = clock_timestamp() WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::type_change(
        &mut tx,
        actor,
        "entity_type.restore",
        id,
        None,
        Some(json!({ "key": before.key })),
    )
    .await?;
    let after = get_entity_type(&mut tx, id).await?;
    tx.commit().await?;
    Ok(after)
}
