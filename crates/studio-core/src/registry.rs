//! The registry: entity types, entities in the ltree hierarchy, and the
//! tree's read paths.

use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use crate::audit::{self, Actor, AuditRecord};
use crate::error::{CoreError, CoreResult};
use crate::slug;

/// The longest display name accepted.
pub const MAX_NAME_CHARS: usize = 10_000;

/// One row of the tree: what the browser needs to draw a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TreeNode {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub type_key: String,
    pub type_name: String,
    pub icon: Option<String>,
    pub name: String,
    pub path_label: String,
    pub has_children: bool,
}

/// An entity type to create when missing.
#[derive(Debug, Clone)]
pub struct EntityTypeSpec<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub icon: Option<&'a str>,
    pub is_system: bool,
}

/// A new entity: its type, where it goes, and its display name.
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
    let key = spec.key;
    if !crate::db::is_plain_identifier(key) {
        return Err(CoreError::validation(format!(
            "type key {key:?} must be lowercase letters, digits and underscores"
        )));
    }
    if let Some(id) = sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM entity_type_definitions WHERE key = $1 AND deleted_at IS NULL",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?
    {
        return Ok(id);
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO entity_type_definitions
            (id, key, name, description, icon, is_system, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now(), now())",
    )
    .bind(id)
    .bind(key)
    .bind(spec.name)
    .bind(spec.description)
    .bind(spec.icon)
    .bind(spec.is_system)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        AuditRecord {
            action: "entity_type.create",
            table_name: "entity_type_definitions",
            record_id: id,
            entity_id: None,
            before: None,
            after: Some(json!({
                "key": key, "name": spec.name, "description": spec.description,
                "icon": spec.icon, "is_system": spec.is_system,
            })),
        },
    )
    .await?;
    Ok(id)
}

/// Creates an entity under its parent (or as a root) with its `name`
/// property, in the caller's transaction, audited.
pub async fn create_entity(
    conn: &mut PgConnection,
    actor: &Actor,
    new: &NewEntity<'_>,
) -> CoreResult<CreatedEntity> {
    validate_name(new.name)?;
    let type_id: Uuid = sqlx::query_scalar(
        "SELECT id FROM entity_type_definitions WHERE key = $1 AND deleted_at IS NULL",
    )
    .bind(new.type_key)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| CoreError::validation(format!("unknown entity type {:?}", new.type_key)))?;

    // Lock the parent so siblings are created one at a time (slug choice)
    // and the parent cannot be deleted or moved underneath us.
    let (parent_path, parent_label) = match new.parent_id {
        Some(pid) => {
            let row: Option<(String, String, bool)> = sqlx::query_as(
                "SELECT path::text, path_label, deleted_at IS NOT NULL
                 FROM entities WHERE id = $1 FOR UPDATE",
            )
            .bind(pid)
            .fetch_optional(&mut *conn)
            .await?;
            match row {
                None => {
                    return Err(CoreError::NotFound {
                        what: "entity",
                        id: pid,
                    })
                }
                Some((_, _, true)) => {
                    return Err(CoreError::validation(
                        "cannot create an entity under a deleted parent",
                    ))
                }
                Some((path, label, false)) => (Some(path), Some(label)),
            }
        }
        None => (None, None),
    };

    let id = Uuid::now_v7();
    let base = slug::slugify(new.name, new.type_key);
    let path_label = free_path_label(conn, parent_label.as_deref(), &base, id).await?;
    let path = match &parent_path {
        Some(p) => format!("{p}.{}", slug::id_label(id)),
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
         SELECT $1, $2, d.id, to_jsonb($3::text), now(), now()
         FROM property_definitions d WHERE d.key = 'name' AND d.deleted_at IS NULL",
    )
    .bind(Uuid::now_v7())
    .bind(id)
    .bind(new.name)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        AuditRecord {
            action: "entity.create",
            table_name: "entities",
            record_id: id,
            entity_id: Some(id),
            before: None,
            after: Some(json!({
                "type": new.type_key, "parent_id": new.parent_id,
                "name": new.name, "path_label": path_label,
            })),
        },
    )
    .await?;
    Ok(CreatedEntity { id, path_label })
}

/// Picks a `path_label` under the parent that no entity (live or deleted)
/// holds: the slug, then `slug_2`, `slug_3`, then the slug with a piece of
/// the new id, which is unique.
async fn free_path_label(
    conn: &mut PgConnection,
    parent_label: Option<&str>,
    base: &str,
    id: Uuid,
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
        .find(|c| !taken.contains(c))
        .cloned()
        .unwrap_or_else(|| candidates[3].clone()))
}

const TREE_SELECT: &str = "
    SELECT e.id, e.parent_entity_id AS parent_id, t.key AS type_key, t.name AS type_name, t.icon,
           COALESCE(v.value #>> '{}', '') AS name, e.path_label,
           EXISTS (SELECT 1 FROM entities c
                   WHERE c.parent_entity_id = e.id AND c.deleted_at IS NULL) AS has_children
    FROM entities e
    JOIN entity_type_definitions t ON t.id = e.entity_type_id
    LEFT JOIN entity_property_values v
           ON v.entity_id = e.id AND v.deleted_at IS NULL
          AND v.property_definition_id = (SELECT id FROM property_definitions WHERE key = 'name')";

/// The live roots of the registry, in path-label order.
pub async fn list_roots<'e>(db: impl PgExecutor<'e>) -> CoreResult<Vec<TreeNode>> {
    let sql = format!(
        "{TREE_SELECT} WHERE e.parent_entity_id IS NULL AND e.deleted_at IS NULL ORDER BY e.path_label"
    );
    Ok(sqlx::query_as::<_, TreeNode>(sqlx::AssertSqlSafe(sql))
        .fetch_all(db)
        .await?)
}

/// The live children of a live entity, in path-label order.
pub async fn list_children(pool: &PgPool, parent_id: Uuid) -> CoreResult<Vec<TreeNode>> {
    let mut conn = pool.acquire().await?;
    let sql = format!(
        "{TREE_SELECT} WHERE e.parent_entity_id = $1 AND e.deleted_at IS NULL ORDER BY e.path_label"
    );
    let rows = sqlx::query_as::<_, TreeNode>(sqlx::AssertSqlSafe(sql))
        .bind(parent_id)
        .fetch_all(&mut *conn)
        .await?;
    if rows.is_empty() {
        let live: Option<bool> =
            sqlx::query_scalar("SELECT deleted_at IS NULL FROM entities WHERE id = $1")
                .bind(parent_id)
                .fetch_optional(&mut *conn)
                .await?;
        if live != Some(true) {
            return Err(CoreError::NotFound {
                what: "entity",
                id: parent_id,
            });
        }
    }
    Ok(rows)
}

/// How many live entities the registry holds.
pub async fn count_live_entities<'e>(db: impl PgExecutor<'e>) -> CoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM entities WHERE deleted_at IS NULL")
            .fetch_one(db)
            .await?,
    )
}
