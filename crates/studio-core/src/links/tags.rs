//! Tags (seed 000): tag groups with a selection mode the core enforces,
//! tags that are entities with tag data (kept under the registry's tag
//! library root), and the tags of each entity.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::db::{self, Catalog};
use crate::error::{CoreError, CoreResult, Rule};
use crate::properties::check_labels;
use crate::records::{CurrentRow, SelectionMode, Tag, TagGroup, TreeNode, VersionedId};
use crate::registry::{self, locks, CreateEntity, EntityTypeSpec};

/// The entity type of tags, and of the root that holds them.
const TAG_TYPE: EntityTypeSpec<'static> = EntityTypeSpec {
    key: "tag",
    name: "Tag",
    description: Some("A label entities carry, in a tag group"),
    icon: Some("tag"),
    is_system: true,
};
const LIBRARY_TYPE: EntityTypeSpec<'static> = EntityTypeSpec {
    key: "tag_library",
    name: "Tag library",
    description: Some("Holds the registry's tags"),
    icon: Some("tags"),
    is_system: true,
};

// -------------------------------------------------------------- tag groups

#[derive(sqlx::FromRow)]
struct TagGroupRow {
    id: Uuid,
    key: String,
    name: String,
    description: Option<String>,
    selection_mode: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

impl TagGroupRow {
    fn into_group(self) -> TagGroup {
        TagGroup {
            id: self.id,
            key: self.key,
            name: self.name,
            description: self.description,
            selection_mode: if self.selection_mode == "single" {
                SelectionMode::Single
            } else {
                SelectionMode::Multi
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
            deleted_at: self.deleted_at,
        }
    }
}

const TAG_GROUP_SELECT: &str = "SELECT id, key, name, description, selection_mode, created_at,
        updated_at, deleted_at FROM tag_groups";

/// Tag groups by name; deleted ones too when asked.
#[instrument(skip_all)]
pub async fn list_tag_groups(pool: &PgPool, include_deleted: bool) -> CoreResult<Vec<TagGroup>> {
    Ok(
        sqlx::query_as::<_, TagGroupRow>(sqlx::AssertSqlSafe(format!(
            "{TAG_GROUP_SELECT} WHERE $1 OR deleted_at IS NULL ORDER BY name, key"
        )))
        .bind(include_deleted)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(TagGroupRow::into_group)
        .collect(),
    )
}

async fn tag_group_row(conn: &mut PgConnection, id: Uuid, lock: bool) -> CoreResult<TagGroup> {
    let sql = format!(
        "{TAG_GROUP_SELECT} WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as::<_, TagGroupRow>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(CoreError::NotFound {
            what: "tag group",
            id,
        })?
        .into_group())
}

async fn lock_tag_group(
    conn: &mut PgConnection,
    id: Uuid,
    expected: Option<DateTime<Utc>>,
) -> CoreResult<TagGroup> {
    let group = tag_group_row(conn, id, true).await?;
    if expected.is_some_and(|e| e != group.updated_at) {
        return Err(CoreError::Conflict {
            message: "this tag group was changed by someone else since you loaded it".into(),
            current: CurrentRow::TagGroup(Box::new(group)),
        });
    }
    Ok(group)
}

#[instrument(skip_all, fields(key = %input.key))]
pub async fn create_tag_group(
    pool: &PgPool,
    actor: &Actor,
    input: &TagGroupInput,
) -> CoreResult<Applied<TagGroup>> {
    crate::transaction!(pool, |tx| create_tag_group_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn create_tag_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &TagGroupInput,
) -> CoreResult<Applied<TagGroup>> {
    check_labels(Some(&input.key), &input.name, input.description.as_deref())?;
    let existing: Option<bool> =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM tag_groups WHERE key = $1")
            .bind(&input.key)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(deleted) = existing {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Unique,
            if deleted {
                format!(
                    "a deleted tag group has the key {:?}: restore it instead",
                    input.key
                )
            } else {
                format!("a tag group with the key {:?} exists", input.key)
            },
        ));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO tag_groups (id, key, name, description, selection_mode, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, now(), now())",
    )
    .bind(id)
    .bind(&input.key)
    .bind(&input.name)
    .bind(&input.description)
    .bind(input.selection_mode.as_str())
    .execute(&mut *conn)
    .await?;
    let group = tag_group_row(conn, id, false).await?;
    let change = Change::TagGroupCreated {
        group: group.clone(),
    };
    change::record(conn, actor, change, group).await
}

#[instrument(skip_all, fields(id = %input.id))]
pub async fn update_tag_group(
    pool: &PgPool,
    actor: &Actor,
    input: &TagGroupUpdate,
) -> CoreResult<Applied<TagGroup>> {
    crate::transaction!(pool, |tx| update_tag_group_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn update_tag_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &TagGroupUpdate,
) -> CoreResult<Applied<TagGroup>> {
    check_labels(None, &input.name, input.description.as_deref())?;
    let before = lock_tag_group(conn, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state(
            "a deleted tag group cannot be edited; restore it first",
        ));
    }
    if input.selection_mode == SelectionMode::Single
        && before.selection_mode == SelectionMode::Multi
    {
        let doubled: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (
                SELECT et.entity_id FROM entity_tags et
                JOIN tags t ON t.entity_id = et.tag_entity_id AND t.deleted_at IS NULL
                WHERE t.tag_group_id = $1 AND et.deleted_at IS NULL
                GROUP BY et.entity_id HAVING count(*) > 1) x",
        )
        .bind(input.id)
        .fetch_one(&mut *conn)
        .await?;
        if doubled > 0 {
            return Err(CoreError::invalid(
                Some("selectionMode"),
                Rule::State,
                format!("{doubled} entities carry several tags of this group: a single-choice group allows one"),
            ));
        }
    }
    sqlx::query(
        "UPDATE tag_groups SET name = $2, description = $3, selection_mode = $4,
                updated_at = clock_timestamp() WHERE id = $1",
    )
    .bind(input.id)
    .bind(&input.name)
    .bind(&input.description)
    .bind(input.selection_mode.as_str())
    .execute(&mut *conn)
    .await?;
    let after = tag_group_row(conn, input.id, false).await?;
    let change = Change::TagGroupUpdated {
        before,
        after: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// Soft-deletes a tag group no live tag belongs to.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn delete_tag_group(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<TagGroup>> {
    crate::transaction!(pool, |tx| delete_tag_group_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn delete_tag_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<TagGroup>> {
    let before = lock_tag_group(conn, input.id, Some(input.expected_updated_at)).await?;
    if before.deleted_at.is_some() {
        return Err(CoreError::state("the tag group is already deleted"));
    }
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tags t JOIN entities e ON e.id = t.entity_id AND e.deleted_at IS NULL
         WHERE t.tag_group_id = $1 AND t.deleted_at IS NULL",
    )
    .bind(input.id)
    .fetch_one(&mut *conn)
    .await?;
    if live > 0 {
        return Err(CoreError::InUse(format!(
            "{live} live {} in the group {:?}: delete them or move them to another group first",
            if live == 1 { "tag is" } else { "tags are" },
            before.name
        )));
    }
    db::set_deleted(conn, Catalog::TagGroups, input.id, true).await?;
    let after = tag_group_row(conn, input.id, false).await?;
    let change = Change::TagGroupDeleted {
        group: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

#[instrument(skip_all, fields(%id))]
pub async fn restore_tag_group(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<TagGroup>> {
    crate::transaction!(pool, |tx| restore_tag_group_in(tx, actor, id)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn restore_tag_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<TagGroup>> {
    let before = lock_tag_group(conn, id, None).await?;
    if before.deleted_at.is_none() {
        return Err(CoreError::state("the tag group is not deleted"));
    }
    db::set_deleted(conn, Catalog::TagGroups, id, false).await?;
    let after = tag_group_row(conn, id, false).await?;
    let change = Change::TagGroupRestored {
        group: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

// -------------------------------------------------------------------- tags

const TAG_SELECT: &str = "SELECT t.entity_id AS id, t.tag_group_id AS group_id, t.key,
        COALESCE(e.name, t.name) AS name, t.color, t.updated_at,
        COALESCE(t.deleted_at, x.deleted_at) AS deleted_at
    FROM tags t
    JOIN entities x ON x.id = t.entity_id
    LEFT JOIN entity_read_model e ON e.entity_id = t.entity_id";

/// Every live tag, by group and name.
#[instrument(skip_all)]
pub async fn list_tags(pool: &PgPool) -> CoreResult<Vec<Tag>> {
    Ok(sqlx::query_as::<_, Tag>(sqlx::AssertSqlSafe(format!(
        "{TAG_SELECT} WHERE t.deleted_at IS NULL AND x.deleted_at IS NULL
         ORDER BY t.tag_group_id NULLS LAST, name"
    )))
    .fetch_all(pool)
    .await?)
}

async fn tags_by_id(conn: &mut PgConnection, ids: &[Uuid]) -> CoreResult<Vec<Tag>> {
    Ok(sqlx::query_as::<_, Tag>(sqlx::AssertSqlSafe(format!(
        "{TAG_SELECT} WHERE t.entity_id = ANY($1)"
    )))
    .bind(ids)
    .fetch_all(conn)
    .await?)
}

fn check_colour(color: Option<&str>) -> CoreResult<()> {
    if let Some(c) = color {
        if !(c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())) {
            return Err(CoreError::invalid(
                Some("color"),
                Rule::Format,
                format!("{c:?} is not a #rrggbb colour"),
            ));
        }
    }
    Ok(())
}

async fn check_tag_group(conn: &mut PgConnection, group: Option<Uuid>) -> CoreResult<()> {
    if let Some(g) = group {
        let live: Option<bool> =
            sqlx::query_scalar("SELECT deleted_at IS NULL FROM tag_groups WHERE id = $1 FOR SHARE")
                .bind(g)
                .fetch_optional(&mut *conn)
                .await?;
        if live != Some(true) {
            return Err(CoreError::invalid(
                Some("groupId"),
                Rule::Reference,
                "the tag group does not exist or is deleted",
            ));
        }
    }
    Ok(())
}

/// The root entity that holds the registry's tags, created on first use.
async fn tag_library(
    conn: &mut PgConnection,
    actor: &Actor,
    changes: &mut Vec<Change>,
) -> CoreResult<Uuid> {
    let find =
        "SELECT e.id FROM entities e JOIN entity_type_definitions t ON t.id = e.entity_type_id
                WHERE t.key = 'tag_library' AND e.parent_entity_id IS NULL AND e.deleted_at IS NULL
                ORDER BY e.created_at LIMIT 1";
    if let Some(id) = sqlx::query_scalar(find).fetch_optional(&mut *conn).await? {
        return Ok(id);
    }
    // Roots are created one at a time: look again under that lock.
    locks::lock_top_level(conn).await?;
    if let Some(id) = sqlx::query_scalar(find).fetch_optional(&mut *conn).await? {
        return Ok(id);
    }
    registry::ensure_entity_type(conn, actor, &LIBRARY_TYPE)
        .await?
        .collect_into(changes);
    let library = registry::create_in(
        conn,
        actor,
        &CreateEntity {
            type_key: LIBRARY_TYPE.key.into(),
            parent_id: None,
            name: "Tags".into(),
        },
    )
    .await?
    .collect_into(changes);
    Ok(library.id)
}

/// Creates a tag: an entity under the tag library, with its tag data.
#[instrument(skip_all, fields(key = %input.key))]
pub async fn create_tag(pool: &PgPool, actor: &Actor, input: &NewTag) -> CoreResult<Applied<Tag>> {
    crate::transaction!(pool, |tx| create_tag_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn create_tag_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &NewTag,
) -> CoreResult<Applied<Tag>> {
    check_labels(Some(&input.key), &input.name, None)?;
    check_colour(input.color.as_deref())?;
    check_tag_group(conn, input.group_id).await?;
    let taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM tags WHERE tag_group_id IS NOT DISTINCT FROM $1 AND key = $2
                        AND deleted_at IS NULL)",
    )
    .bind(input.group_id)
    .bind(&input.key)
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Unique,
            format!("the group already has a tag with the key {:?}", input.key),
        ));
    }
    let mut changes = Vec::new();
    let library = tag_library(conn, actor, &mut changes).await?;
    registry::ensure_entity_type(conn, actor, &TAG_TYPE)
        .await?
        .collect_into(&mut changes);
    let node = registry::create_in(
        conn,
        actor,
        &CreateEntity {
            type_key: TAG_TYPE.key.into(),
            parent_id: Some(library),
            name: input.name.clone(),
        },
    )
    .await?
    .collect_into(&mut changes);
    sqlx::query(
        "INSERT INTO tags (id, entity_id, tag_group_id, key, name, color, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now(), now())",
    )
    .bind(Uuid::now_v7())
    .bind(node.id)
    .bind(input.group_id)
    .bind(&input.key)
    .bind(&input.name)
    .bind(&input.color)
    .execute(&mut *conn)
    .await?;
    let tag = tags_by_id(conn, &[node.id]).await?.remove(0);
    let recorded = change::record(
        conn,
        actor,
        Change::TagDefined {
            before: None,
            after: tag.clone(),
        },
        tag,
    )
    .await?;
    changes.extend(recorded.changes);
    Ok(Applied {
        value: recorded.value,
        changes,
    })
}

/// Moves a tag to another group or changes its colour.
#[instrument(skip_all, fields(id = %input.id))]
pub async fn update_tag(
    pool: &PgPool,
    actor: &Actor,
    input: &TagUpdate,
) -> CoreResult<Applied<Tag>> {
    crate::transaction!(pool, |tx| update_tag_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn update_tag_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &TagUpdate,
) -> CoreResult<Applied<Tag>> {
    check_colour(input.color.as_deref())?;
    check_tag_group(conn, input.group_id).await?;
    sqlx::query("SELECT 1 FROM tags WHERE entity_id = $1 AND deleted_at IS NULL FOR UPDATE")
        .bind(input.id)
        .execute(&mut *conn)
        .await?;
    let before = tags_by_id(conn, &[input.id])
        .await?
        .into_iter()
        .find(|t| t.deleted_at.is_none())
        .ok_or(CoreError::NotFound {
            what: "tag",
            id: input.id,
        })?;
    if before.updated_at != input.expected_updated_at {
        return Err(CoreError::Conflict {
            message: "this tag was changed by someone else since you loaded it".into(),
            current: CurrentRow::Missing,
        });
    }
    sqlx::query(
        "UPDATE tags SET tag_group_id = $2, color = $3, updated_at = clock_timestamp()
         WHERE entity_id = $1 AND deleted_at IS NULL",
    )
    .bind(input.id)
    .bind(input.group_id)
    .bind(&input.color)
    .execute(&mut *conn)
    .await?;
    let after = tags_by_id(conn, &[input.id]).await?.remove(0);
    let change = Change::TagDefined {
        before: Some(before),
        after: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// The live tags an entity carries.
#[instrument(skip_all, fields(%entity_id))]
pub async fn entity_tags(pool: &PgPool, entity_id: Uuid) -> CoreResult<Vec<Tag>> {
    let mut conn = pool.acquire().await?;
    tags_of(&mut conn, entity_id).await
}

async fn tags_of(conn: &mut PgConnection, entity_id: Uuid) -> CoreResult<Vec<Tag>> {
    Ok(sqlx::query_as::<_, Tag>(sqlx::AssertSqlSafe(format!(
        "{TAG_SELECT} JOIN entity_tags et ON et.tag_entity_id = t.entity_id AND et.deleted_at IS NULL
         WHERE et.entity_id = $1 AND t.deleted_at IS NULL AND x.deleted_at IS NULL
         ORDER BY t.tag_group_id NULLS LAST, name"
    )))
    .bind(entity_id)
    .fetch_all(conn)
    .await?)
}

/// Live entities carrying a tag (at most `limit`, by label).
#[instrument(skip_all, fields(%tag_id))]
pub async fn tagged_entities(pool: &PgPool, tag_id: Uuid, limit: u32) -> CoreResult<Vec<TreeNode>> {
    Ok(sqlx::query_as::<_, TreeNode>(
        "SELECT r.entity_id AS id, r.parent_id, t.key AS type_key, t.name AS type_name, t.icon,
                r.name, r.path_label, r.child_count > 0 AS has_children, r.updated_at
         FROM entity_read_model r JOIN entity_type_definitions t ON t.id = r.entity_type_id
         WHERE r.tag_ids @> ARRAY[$1]::uuid[]
         ORDER BY r.path_label LIMIT $2",
    )
    .bind(tag_id)
    .bind(i64::from(limit.clamp(1, 5_000)))
    .fetch_all(pool)
    .await?)
}

/// Adds and removes tags of one entity, at the entity's version. A
/// single-choice group allows one tag per entity.
#[instrument(skip_all, fields(entity_id = %input.entity_id))]
pub async fn edit_entity_tags(
    pool: &PgPool,
    actor: &Actor,
    input: &EntityTagsEdit,
) -> CoreResult<Applied<EntityTags>> {
    crate::transaction!(pool, |tx| edit_entity_tags_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn edit_entity_tags_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &EntityTagsEdit,
) -> CoreResult<Applied<EntityTags>> {
    let entity = input.entity_id;
    crate::people::require_on_entity(conn, entity, crate::people::Capability::Write).await?;
    let row: Option<(DateTime<Utc>, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT updated_at, deleted_at FROM entities WHERE id = $1 FOR UPDATE")
            .bind(entity)
            .fetch_optional(&mut *conn)
            .await?;
    let (version, deleted) = row.ok_or(CoreError::NotFound {
        what: "entity",
        id: entity,
    })?;
    if deleted.is_some() {
        return Err(CoreError::state(
            "a deleted entity's tags cannot be changed; restore it first",
        ));
    }
    if version != input.expected_updated_at {
        return Err(CoreError::Conflict {
            message: "this entity was changed by someone else since you loaded it".into(),
            current: CurrentRow::Entity(Box::new(registry::tree_node(conn, entity).await?)),
        });
    }
    // The tags to add must be live tags (their groups FOR SHARE: a group's
    // selection mode cannot change under us).
    let wanted: Vec<Uuid> = input.add.iter().chain(&input.remove).copied().collect();
    let known: HashMap<Uuid, Tag> = tags_by_id(conn, &wanted)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    for id in &input.add {
        match known.get(id) {
            Some(t) if t.deleted_at.is_none() => {}
            _ => {
                return Err(CoreError::invalid(
                    Some("add"),
                    Rule::Reference,
                    format!("{id} is not a live tag"),
                ))
            }
        }
    }
    if input.add.iter().any(|a| input.remove.contains(a)) {
        return Err(CoreError::invalid(
            Some("add"),
            Rule::Unique,
            "a tag cannot be added and removed at once",
        ));
    }
    let current: Vec<Uuid> = sqlx::query_scalar(
        "SELECT tag_entity_id FROM entity_tags WHERE entity_id = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(entity)
    .fetch_all(&mut *conn)
    .await?;
    let added: Vec<Uuid> = dedup(input.add.iter().filter(|t| !current.contains(t)).copied());
    let removed: Vec<Uuid> = dedup(input.remove.iter().filter(|t| current.contains(t)).copied());
    if added.is_empty() && removed.is_empty() {
        let node = registry::tree_node(conn, entity).await?;
        let tags = tags_of(conn, entity).await?;
        return Ok(Applied::unchanged(EntityTags { node, tags }));
    }
    // Single-choice groups: at most one of their tags after the edit.
    let after: Vec<Uuid> = current
        .iter()
        .filter(|t| !removed.contains(t))
        .chain(&added)
        .copied()
        .collect();
    sqlx::query(
        "SELECT 1 FROM tag_groups WHERE id IN (SELECT tag_group_id FROM tags WHERE entity_id = ANY($1))
         FOR SHARE",
    )
    .bind(&after)
    .execute(&mut *conn)
    .await?;
    let single: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT g.id, g.name, count(*) FROM tags t JOIN tag_groups g ON g.id = t.tag_group_id
         WHERE t.entity_id = ANY($1) AND t.deleted_at IS NULL AND g.selection_mode = 'single'
         GROUP BY g.id, g.name HAVING count(*) > 1",
    )
    .bind(&after)
    .fetch_all(&mut *conn)
    .await?;
    if let Some((_, name, n)) = single.first() {
        return Err(CoreError::invalid(
            Some("add"),
            Rule::Choice,
            format!("{name:?} allows one tag per entity ({n} chosen): remove the other first"),
        ));
    }
    if !removed.is_empty() {
        sqlx::query(
            "UPDATE entity_tags SET deleted_at = clock_timestamp()
             WHERE entity_id = $1 AND tag_entity_id = ANY($2) AND deleted_at IS NULL",
        )
        .bind(entity)
        .bind(&removed)
        .execute(&mut *conn)
        .await?;
    }
    if !added.is_empty() {
        sqlx::query(
            "INSERT INTO entity_tags (id, entity_id, tag_entity_id, created_at)
             SELECT gen_random_uuid(), $1, t, now() FROM unnest($2::uuid[]) t",
        )
        .bind(entity)
        .bind(&added)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE entities SET updated_at = clock_timestamp() WHERE id = $1")
        .bind(entity)
        .execute(&mut *conn)
        .await?;
    let node = registry::tree_node(conn, entity).await?;
    let tags = tags_of(conn, entity).await?;
    let change = Change::EntityTagsChanged {
        node: node.clone(),
        added,
        removed,
    };
    change::record(conn, actor, change, EntityTags { node, tags }).await
}

fn dedup(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}
