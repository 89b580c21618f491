//! Creating, renaming and soft-deleting entities. Each operation has a
//! transaction form (`*_in`, on the caller's connection, so several can share
//! one transaction) and a pool form that runs it in its own transaction,
//! retried on collisions.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::labels::{self, free_path_label, keeps_suffixed_slug, last_segment, parent_label_of};
use super::locks::{lock_for_change, lock_in_root, lock_roots};
use super::read::tree_node;
use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::db;
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::NAME_PROPERTY_ID;
use crate::records::{TreeNode, VersionedId};

/// Checks a display name: not blank, at most [`MAX_NAME_CHARS`] characters,
/// no control characters. The name is stored exactly as given.
pub fn validate_name(name: &str) -> CoreResult<()> {
    let field = Some("name");
    if name.trim().is_empty() {
        return Err(CoreError::invalid(
            field,
            Rule::Required,
            "a name cannot be empty",
        ));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(CoreError::invalid(
            field,
            Rule::TooLong,
            format!("a name can have at most {MAX_NAME_CHARS} characters (this one has {chars})"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            field,
            Rule::Format,
            "a name cannot contain control characters (line breaks, tabs, ...)",
        ));
    }
    Ok(())
}

/// Creates an entity in its own transaction and returns its tree row.
#[instrument(skip_all, fields(parent = ?input.parent_id, type_key = %input.type_key))]
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    input: &CreateEntity,
) -> CoreResult<Applied<TreeNode>> {
    crate::transaction!(pool, |tx| create_in(tx, actor, input)).await
}

/// Creates an entity under its parent (or as a root) with its `name`
/// property, in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn create_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &CreateEntity,
) -> CoreResult<Applied<TreeNode>> {
    create_with_id_in(conn, actor, input, Uuid::now_v7()).await
}

/// [`create_in`] with the new entity's id chosen by the caller (an entity
/// created offline keeps the id it was given there).
pub async fn create_with_id_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &CreateEntity,
    id: Uuid,
) -> CoreResult<Applied<TreeNode>> {
    validate_name(&input.name)?;
    // FOR SHARE: a type cannot be deleted while an entity of it is being
    // created (the deletion waits, then counts this entity).
    let (type_id, type_name, icon): (Uuid, String, Option<String>) = sqlx::query_as(
        "SELECT id, name, icon FROM entity_type_definitions
         WHERE key = $1 AND deleted_at IS NULL FOR SHARE",
    )
    .bind(&input.type_key)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        CoreError::invalid(
            Some("typeKey"),
            Rule::Reference,
            format!("unknown entity type {:?}", input.type_key),
        )
    })?;

    // Siblings are created one at a time per root (slug choice), and the
    // parent cannot be deleted or moved underneath us.
    let parent = match input.parent_id {
        Some(pid) => {
            let parent = lock_in_root(conn, pid).await?;
            if parent.deleted_at.is_some() {
                return Err(CoreError::invalid(
                    Some("parentId"),
                    Rule::Reference,
                    "cannot create an entity under a deleted parent",
                ));
            }
            Some(parent)
        }
        None => {
            lock_roots(conn, &[]).await?;
            None
        }
    };

    let base = labels::slugify(&input.name, &input.type_key);
    let parent_label = parent.as_ref().map(|p| p.path_label.as_str());
    let path_label = free_path_label(conn, parent_label, &base, id, None).await?;
    let path = match &parent {
        Some(p) => format!("{}.{}", p.path, labels::id_label(id)),
        None => labels::id_label(id),
    };

    let updated_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO entities (id, entity_type_id, parent_entity_id, path, path_label, created_at, updated_at)
         VALUES ($1, $2, $3, $4::ltree, $5, now(), now())
         RETURNING updated_at",
    )
    .bind(id)
    .bind(type_id)
    .bind(input.parent_id)
    .bind(&path)
    .bind(&path_label)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO entity_property_values (id, entity_id, property_definition_id, value, created_at, updated_at)
         VALUES ($1, $2, $3, to_jsonb($4::text), now(), now())",
    )
    .bind(Uuid::now_v7())
    .bind(id)
    .bind(NAME_PROPERTY_ID)
    .bind(&input.name)
    .execute(&mut *conn)
    .await?;
    let node = TreeNode {
        id,
        parent_id: input.parent_id,
        type_key: input.type_key.clone(),
        type_name,
        icon,
        name: input.name.clone(),
        path_label,
        has_children: false,
        updated_at,
    };
    change::record(
        conn,
        actor,
        Change::EntityCreated { node: node.clone() },
        node,
    )
    .await
}

/// Renames an entity: its `name` property, and the slug in its own and its
/// descendants' `path_label` (its `path` never changes).
#[instrument(skip_all, fields(id = %input.id))]
pub async fn rename(
    pool: &PgPool,
    actor: &Actor,
    input: &RenameEntity,
) -> CoreResult<Applied<TreeNode>> {
    crate::transaction!(pool, |tx| rename_in(tx, actor, input)).await
}

/// [`rename`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn rename_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &RenameEntity,
) -> CoreResult<Applied<TreeNode>> {
    validate_name(&input.name)?;
    let entity = lock_for_change(conn, input.id, input.expected_updated_at).await?;
    if entity.deleted_at.is_some() {
        return Err(CoreError::state(
            "a deleted entity cannot be renamed; restore it first",
        ));
    }
    let old_name: Option<String> = sqlx::query_scalar(
        "SELECT value #>> '{}' FROM entity_property_values
         WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
    )
    .bind(entity.id)
    .bind(NAME_PROPERTY_ID)
    .fetch_optional(&mut *conn)
    .await?;

    let parent_label = parent_label_of(&entity.path_label);
    let base = labels::slugify(&input.name, &entity.type_key);
    let current_slug = last_segment(&entity.path_label);
    let new_label = if current_slug == base || keeps_suffixed_slug(current_slug, &base, entity.id) {
        entity.path_label.clone()
    } else {
        free_path_label(
            conn,
            parent_label,
            &base,
            entity.id,
            Some(&entity.path_label),
        )
        .await?
    };
    if new_label != entity.path_label {
        labels::rewrite_labels(conn, &entity.path, &entity.path_label, &new_label).await?;
    }
    sqlx::query(
        "UPDATE entity_property_values SET value = to_jsonb($3::text), updated_at = now()
         WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
    )
    .bind(entity.id)
    .bind(NAME_PROPERTY_ID)
    .bind(&input.name)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE entities SET updated_at = clock_timestamp() WHERE id = $1")
        .bind(entity.id)
        .execute(&mut *conn)
        .await?;
    let node = tree_node(conn, entity.id).await?;
    let change = Change::EntityRenamed {
        node: node.clone(),
        old_name,
        old_path_label: entity.path_label,
    };
    change::record(conn, actor, change, node).await
}

/// Soft-deletes an entity and its live descendants, all with one
/// `deleted_at`, so a restore brings back exactly this deletion.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn delete(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<DeleteOutcome>> {
    crate::transaction!(pool, |tx| delete_in(tx, actor, input)).await
}

/// [`delete`] in the caller's transaction.
#[instrument(level = "debug", skip_all)]
pub async fn delete_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<DeleteOutcome>> {
    let entity = lock_for_change(conn, input.id, input.expected_updated_at).await?;
    if entity.deleted_at.is_some() {
        return Err(CoreError::state("the entity is already deleted"));
    }
    let stamp = db::clock(conn).await?;
    let (deleted, deleted_at): (i64, DateTime<Utc>) = sqlx::query_as(
        "WITH d AS (
            UPDATE entities SET deleted_at = $2, updated_at = $2
            WHERE path <@ $1::ltree AND deleted_at IS NULL
            RETURNING 1)
         SELECT count(*), $2 FROM d",
    )
    .bind(&entity.path)
    .bind(stamp)
    .fetch_one(&mut *conn)
    .await?;
    let outcome = DeleteOutcome {
        id: entity.id,
        parent_id: entity.parent_id,
        deleted,
        deleted_at,
    };
    let change = Change::EntitiesDeleted {
        id: entity.id,
        parent_id: entity.parent_id,
        path_label: entity.path_label,
        count: deleted,
        deleted_at,
    };
    change::record(conn, actor, change, outcome).await
}
