//! Creating, renaming and soft-deleting entities.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::locks::{
    lock_in_root, lock_roots, locked_entity, moved_concurrently, path_of, roots_for_path,
    LockedEntity,
};
use super::model::*;
use super::read::tree_node;
use crate::audit::{self, Actor};
use crate::error::{CoreError, CoreResult};
use crate::slug;

/// An entity type to create when missing (seeding, packs).
#[derive(Debug, Clone)]
pub struct EntityTypeSpec<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub icon: Option<&'a str>,
    pub is_system: bool,
}

/// A new entity, borrowed (for seeding and bulk work in one transaction).
#[derive(Debug, Clone)]
pub struct NewEntity<'a> {
    pub type_key: &'a str,
    pub parent_id: Option<Uuid>,
    pub name: &'a str,
}

/// What creating an entity produced.
#[derive(Debug, Clone)]
pub struct CreatedEntity {
    pub id: Uuid,
    pub path_label: String,
}

/// Checks a display name: not blank, at most [`MAX_NAME_CHARS`] characters,
/// no control characters. The name is stored exactly as given.
pub fn validate_name(name: &str) -> CoreResult<()> {
    if name.trim().is_empty() {
        return Err(CoreError::validation("a name cannot be empty"));
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(CoreError::validation(format!(
            "a name can have at most {MAX_NAME_CHARS} characters (this one has {chars})"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(CoreError::validation(
            "a name cannot contain control characters (line breaks, tabs, ...)",
        ));
    }
    Ok(())
}

/// Returns the id of the live entity type `spec.key`, creating it (audited)
/// when it does not exist yet.
pub async fn ensure_entity_type(
    conn: &mut PgConnection,
    actor: &Actor,
    spec: &EntityTypeSpec<'_>,
) -> CoreResult<Uuid> {
    if let Some(id) = sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM entity_type_definitions WHERE key = $1 AND deleted_at IS NULL",
    )
    .bind(spec.key)
    .fetch_optional(&mut *conn)
    .await?
    {
        return Ok(id);
    }
    let created = super::types::insert_entity_type(
        conn,
        actor,
        &EntityTypeInput {
            key: spec.key.to_string(),
            name: spec.name.to_string(),
            description: spec.description.map(str::to_string),
            icon: spec.icon.map(str::to_string),
        },
        spec.is_system,
    )
    .await?;
    Ok(created.id)
}

/// Creates an entity in its own transaction and returns its tree row.
pub async fn create(pool: &PgPool, actor: &Actor, input: &CreateEntity) -> CoreResult<TreeNode> {
    super::retrying(|| async {
        let mut tx = pool.begin().await?;
        let created = create_entity(
            &mut tx,
            actor,
            &NewEntity {
                type_key: &input.type_key,
                parent_id: input.parent_id,
                name: &input.name,
            },
        )
        .await?;
        let node = tree_node(&mut tx, created.id).await?;
        tx.commit().await?;
        Ok(node)
    })
    .await
}

/// Creates an entity under its parent (or as a root) with its `name`
/// property, in the caller's transaction, audited.
pub async fn create_entity(
    conn: &mut PgConnection,
    actor: &Actor,
    new: &NewEntity<'_>,
) -> CoreResult<CreatedEntity> {
    validate_name(new.name)?;
    // FOR SHARE: a type cannot be deleted while an entity of it is being
    // created (the deletion waits, then counts this entity).
    let type_id: Uuid = sqlx::query_scalar(
        "SELECT id FROM entity_type_definitions WHERE key = $1 AND deleted_at IS NULL FOR SHARE",
    )
    .bind(new.type_key)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| CoreError::validation(format!("unknown entity type {:?}", new.type_key)))?;

    // Siblings are created one at a time per root (slug choice), and the
    // parent cannot be deleted or moved underneath us.
    let parent = match new.parent_id {
        Some(pid) => {
            let parent = lock_in_root(conn, pid).await?;
            if parent.deleted_at.is_some() {
                return Err(CoreError::validation(
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

    let id = Uuid::now_v7();
    let base = slug::slugify(new.name, new.type_key);
    let parent_label = parent.as_ref().map(|p| p.path_label.as_str());
    let path_label = free_path_label(conn, parent_label, &base, id, None).await?;
    let path = match &parent {
        Some(p) => format!("{}.{}", p.path, slug::id_label(id)),
        None => slug::id_label(id),
    };

    sqlx::query(
        "INSERT INTO entities (id, entity_type_id, parent_entity_id, path, path_label, created_at, updated_at)
         VALUES ($1, $2, $3, $4::ltree, $5, now(), now())",
    )
    .bind(id)
    .bind(type_id)
    .bind(new.parent_id)
    .bind(&path)
    .bind(&path_label)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO entity_property_values (id, entity_id, property_definition_id, value, created_at, updated_at)
         VALUES ($1, $2, $3, to_jsonb($4::text), now(), now())",
    )
    .bind(Uuid::now_v7())
    .bind(id)
    .bind(NAME_PROPERTY_ID)
    .bind(new.name)
    .execute(&mut *conn)
    .await?;
    audit::entity_change(
        conn,
        actor,
        "entity.create",
        id,
        None,
        Some(json!({
            "type": new.type_key, "parent_id": new.parent_id,
            "name": new.name, "path_label": path_label,
        })),
    )
    .await?;
    Ok(CreatedEntity { id, path_label })
}

/// Renames an entity: its `name` property, and the slug in its own and its
/// descendants' `path_label` (its `path` never changes).
pub async fn rename(pool: &PgPool, actor: &Actor, input: &RenameEntity) -> CoreResult<TreeNode> {
    validate_name(&input.name)?;
    super::retrying(|| async {
        let mut tx = pool.begin().await?;
        let entity = lock_for_change(&mut tx, input.id, input.expected_updated_at).await?;
        if entity.deleted_at.is_some() {
            return Err(CoreError::validation(
                "a deleted entity cannot be renamed; restore it first",
            ));
        }
        let old_name: Option<String> = sqlx::query_scalar(
            "SELECT value #>> '{}' FROM entity_property_values
             WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
        )
        .bind(entity.id)
        .bind(NAME_PROPERTY_ID)
        .fetch_optional(&mut *tx)
        .await?;

        let parent_label = parent_label_of(&entity.path_label);
        let base = slug::slugify(&input.name, &entity.type_key);
        let current_slug = last_segment(&entity.path_label);
        let new_label =
            if current_slug == base || keeps_suffixed_slug(current_slug, &base, entity.id) {
                entity.path_label.clone()
            } else {
                free_path_label(
                    &mut tx,
                    parent_label,
                    &base,
                    entity.id,
                    Some(&entity.path_label),
                )
                .await?
            };
        if new_label != entity.path_label {
            rewrite_labels(&mut tx, &entity.path, &entity.path_label, &new_label).await?;
        }
        sqlx::query(
            "UPDATE entity_property_values SET value = to_jsonb($3::text), updated_at = now()
             WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
        )
        .bind(entity.id)
        .bind(NAME_PROPERTY_ID)
        .bind(&input.name)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE entities SET updated_at = clock_timestamp() WHERE id = $1")
            .bind(entity.id)
            .execute(&mut *tx)
            .await?;
        audit::entity_change(
            &mut tx,
            actor,
            "entity.rename",
            entity.id,
            Some(json!({ "name": old_name, "path_label": entity.path_label })),
            Some(json!({ "name": input.name, "path_label": new_label })),
        )
        .await?;
        let node = tree_node(&mut tx, entity.id).await?;
        tx.commit().await?;
        Ok(node)
    })
    .await
}

/// Soft-deletes an entity and its live descendants, all with one
/// `deleted_at`, so a restore brings back exactly this deletion.
pub async fn delete(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<DeleteOutcome> {
    super::retrying(|| async {
        let mut tx = pool.begin().await?;
        let entity = lock_for_change(&mut tx, input.id, input.expected_updated_at).await?;
        if entity.deleted_at.is_some() {
            return Err(CoreError::validation("the entity is already deleted"));
        }
        let (deleted, deleted_at): (i64, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
            "WITH d AS (
                UPDATE entities SET deleted_at = $2, updated_at = $2
                WHERE path <@ $1::ltree AND deleted_at IS NULL
                RETURNING 1)
             SELECT count(*), $2 FROM d",
        )
        .bind(&entity.path)
        .bind(now_micros(&mut tx).await?)
        .fetch_one(&mut *tx)
        .await?;
        audit::entity_change(
            &mut tx,
            actor,
            "entity.delete",
            entity.id,
            Some(json!({ "path_label": entity.path_label, "parent_id": entity.parent_id })),
            Some(json!({ "deleted": deleted, "deleted_at": deleted_at })),
        )
        .await?;
        tx.commit().await?;
        Ok(DeleteOutcome {
            id: entity.id,
            parent_id: entity.parent_id,
            deleted,
            deleted_at,
        })
    })
    .await
}

/// The transaction's clock, truncated to what PostgreSQL stores.
pub(super) async fn now_micros(
    conn: &mut PgConnection,
) -> CoreResult<chrono::DateTime<chrono::Utc>> {
    Ok(sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(conn)
        .await?)
}

/// Locks the roots of an entity, then the entity, and checks the version
/// the caller saw. A mismatch is a `Conflict` carrying the current row.
pub(super) async fn lock_for_change(
    conn: &mut PgConnection,
    id: Uuid,
    expected: chrono::DateTime<chrono::Utc>,
) -> CoreResult<LockedEntity> {
    let path = path_of(conn, id).await?;
    let roots = roots_for_path(&path);
    lock_roots(conn, &roots).await?;
    let entity = locked_entity(conn, id).await?;
    if roots_for_path(&entity.path) != roots {
        // Moved between the read and the lock: start over.
        return Err(moved_concurrently());
    }
    check_version(conn, &entity, expected).await?;
    Ok(entity)
}

pub(super) async fn check_version(
    conn: &mut PgConnection,
    entity: &LockedEntity,
    expected: chrono::DateTime<chrono::Utc>,
) -> CoreResult<()> {
    if entity.updated_at != expected {
        let current = if entity.deleted_at.is_some() {
            CurrentRow::Missing
        } else {
            CurrentRow::Entity(Box::new(tree_node(conn, entity.id).await?))
        };
        return Err(CoreError::Conflict {
            message: "this entity was changed by someone else since you loaded it".into(),
            current,
        });
    }
    Ok(())
}

/// Rewrites the `path_label` prefix `old` to `new` for the subtree at `path`.
pub(super) async fn rewrite_labels(
    conn: &mut PgConnection,
    path: &str,
    old: &str,
    new: &str,
) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE entities SET path_label = $3 || substr(path_label, length($2) + 1)
         WHERE path <@ $1::ltree",
    )
    .bind(path)
    .bind(old)
    .bind(new)
    .execute(conn)
    .await?
    .rows_affected())
}

fn last_segment(label: &str) -> &str {
    label.rsplit('.').next().unwrap_or(label)
}

pub(super) fn parent_label_of(label: &str) -> Option<&str> {
    label.rsplit_once('.').map(|(p, _)| p)
}

/// `pump_2`, `pump_3` or `pump_<own id piece>` (the forms
/// [`free_path_label`] gives a duplicate) keep their label when renamed to
/// something that slugs to `pump`; any other tail is part of the old name.
fn keeps_suffixed_slug(current: &str, base: &str, id: Uuid) -> bool {
    let id_hex = slug::id_label(id);
    let own_piece = &id_hex[id_hex.len() - 10..];
    current
        .strip_prefix(base)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|tail| tail == "2" || tail == "3" || tail == own_piece)
}

/// Picks a `path_label` under the parent that no entity (live or deleted)
/// holds: the slug, then `slug_2`, `slug_3`, then the slug with a piece of
/// the entity's id, which is unique. `own` is the entity's current label,
/// which it may keep.
pub(super) async fn free_path_label(
    conn: &mut PgConnection,
    parent_label: Option<&str>,
    base: &str,
    id: Uuid,
    own: Option<&str>,
) -> CoreResult<String> {
    let full = |s: &str| match parent_label {
        Some(p) => format!("{p}.{s}"),
        None => s.to_string(),
    };
    let id_hex = slug::id_label(id);
    let candidates = [
        full(base),
        full(&format!("{base}_2")),
        full(&format!("{base}_3")),
        full(&format!("{base}_{}", &id_hex[id_hex.len() - 10..])),
    ];
    let taken: Vec<String> =
        sqlx::query_scalar("SELECT path_label FROM entities WHERE path_label = ANY($1)")
            .bind(&candidates[..3])
            .fetch_all(&mut *conn)
            .await?;
    Ok(candidates
        .iter()
        .find(|c| !taken.contains(c) || own == Some(c.as_str()))
        .cloned()
        .unwrap_or_else(|| candidates[3].clone()))
}
