//! Entity groups (seed 000): a group is an entity with group configuration;
//! its members are other entities, all of one type unless it allows mixed
//! types.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
use crate::properties::check_labels;
use crate::records::{EntityGroup, TreeNode};

const GROUP_SELECT: &str =
    "SELECT entity_id, key, name, description, allows_mixed_types, updated_at
    FROM entity_groups";

async fn group_of(
    conn: &mut PgConnection,
    entity: Uuid,
    lock: bool,
) -> CoreResult<Option<EntityGroup>> {
    let sql = format!(
        "{GROUP_SELECT} WHERE entity_id = $1 AND deleted_at IS NULL{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    Ok(sqlx::query_as::<_, EntityGroup>(sqlx::AssertSqlSafe(sql))
        .bind(entity)
        .fetch_optional(conn)
        .await?)
}

/// The group configuration of an entity, if it is a group.
#[instrument(skip_all, fields(%entity_id))]
pub async fn entity_group(pool: &PgPool, entity_id: Uuid) -> CoreResult<Option<EntityGroup>> {
    let mut conn = pool.acquire().await?;
    group_of(&mut conn, entity_id, false).await
}

/// Live member types of a group.
async fn member_types(conn: &mut PgConnection, group: Uuid) -> CoreResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT e.entity_type_id FROM entity_group_members m
         JOIN entities e ON e.id = m.member_entity_id AND e.deleted_at IS NULL
         WHERE m.group_entity_id = $1 AND m.deleted_at IS NULL",
    )
    .bind(group)
    .fetch_all(conn)
    .await?)
}

/// Makes an entity a group, or edits its group configuration.
#[instrument(skip_all, fields(entity_id = %input.entity_id))]
pub async fn configure_group(
    pool: &PgPool,
    actor: &Actor,
    input: &GroupConfig,
) -> CoreResult<Applied<EntityGroup>> {
    crate::transaction!(pool, |tx| configure_group_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn configure_group_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &GroupConfig,
) -> CoreResult<Applied<EntityGroup>> {
    check_labels(
        input.key.as_deref(),
        &input.name,
        input.description.as_deref(),
    )?;
    let live: Option<bool> =
        sqlx::query_scalar("SELECT deleted_at IS NULL FROM entities WHERE id = $1 FOR SHARE")
            .bind(input.entity_id)
            .fetch_optional(&mut *conn)
            .await?;
    match live {
        None => {
            return Err(CoreError::NotFound {
                what: "entity",
                id: input.entity_id,
            })
        }
        Some(false) => return Err(CoreError::state("a deleted entity cannot be made a group")),
        Some(true) => {}
    }
    let before = group_of(conn, input.entity_id, true).await?;
    if before.as_ref().map(|g| g.updated_at) != input.expected_updated_at {
        return Err(CoreError::Conflict {
            message: "this group was changed by someone else since you loaded it".into(),
            current: crate::records::CurrentRow::Missing,
        });
    }
    if !input.allows_mixed_types && member_types(conn, input.entity_id).await?.len() > 1 {
        return Err(CoreError::invalid(
            Some("allowsMixedTypes"),
            Rule::State,
            "its members are of several types: remove the others before allowing one type only",
        ));
    }
    match &before {
        None => {
            sqlx::query(
                "INSERT INTO entity_groups (id, entity_id, key, name, description, allows_mixed_types,
                                            created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, now(), now())",
            )
            .bind(Uuid::now_v7())
            .bind(input.entity_id)
            .bind(&input.key)
            .bind(&input.name)
            .bind(&input.description)
            .bind(input.allows_mixed_types)
            .execute(&mut *conn)
            .await?;
        }
        Some(_) => {
            sqlx::query(
                "UPDATE entity_groups SET key = $2, name = $3, description = $4,
                        allows_mixed_types = $5, updated_at = clock_timestamp()
                 WHERE entity_id = $1 AND deleted_at IS NULL",
            )
            .bind(input.entity_id)
            .bind(&input.key)
            .bind(&input.name)
            .bind(&input.description)
            .bind(input.allows_mixed_types)
            .execute(&mut *conn)
            .await?;
        }
    }
    let after = group_of(conn, input.entity_id, false)
        .await?
        .ok_or_else(|| CoreError::Database("the group configuration was not written".into()))?;
    let change = Change::GroupConfigured {
        before,
        after: after.clone(),
    };
    change::record(conn, actor, change, after).await
}

/// The live members of a group, by label.
#[instrument(skip_all, fields(%group_id))]
pub async fn group_members(pool: &PgPool, group_id: Uuid, limit: u32) -> CoreResult<Vec<TreeNode>> {
    Ok(sqlx::query_as::<_, TreeNode>(
        "SELECT r.entity_id AS id, r.parent_id, t.key AS type_key, t.name AS type_name, t.icon,
                r.name, r.path_label, r.child_count > 0 AS has_children, r.updated_at
         FROM entity_group_members m
         JOIN entity_read_model r ON r.entity_id = m.member_entity_id
         JOIN entity_type_definitions t ON t.id = r.entity_type_id
         WHERE m.group_entity_id = $1 AND m.deleted_at IS NULL
         ORDER BY r.path_label LIMIT $2",
    )
    .bind(group_id)
    .bind(i64::from(limit.clamp(1, 5_000)))
    .fetch_all(pool)
    .await?)
}

/// The groups an entity is a member of.
#[instrument(skip_all, fields(%entity_id))]
pub async fn groups_of(pool: &PgPool, entity_id: Uuid) -> CoreResult<Vec<EntityGroup>> {
    Ok(sqlx::query_as::<_, EntityGroup>(
        "SELECT g.entity_id, g.key, g.name, g.description, g.allows_mixed_types, g.updated_at
         FROM entity_group_members m
         JOIN entity_groups g ON g.entity_id = m.group_entity_id AND g.deleted_at IS NULL
         JOIN entities e ON e.id = g.entity_id AND e.deleted_at IS NULL
         WHERE m.member_entity_id = $1 AND m.deleted_at IS NULL
         ORDER BY g.name",
    )
    .bind(entity_id)
    .fetch_all(pool)
    .await?)
}

/// Adds and removes members of a group. Adding a member twice is refused;
/// a group of one type refuses members of another.
#[instrument(skip_all, fields(group_id = %input.group_id))]
pub async fn edit_group_members(
    pool: &PgPool,
    actor: &Actor,
    input: &MembersEdit,
) -> CoreResult<Applied<Vec<TreeNode>>> {
    crate::transaction!(pool, |tx| edit_group_members_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn edit_group_members_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &MembersEdit,
) -> CoreResult<Applied<Vec<TreeNode>>> {
    let group = group_of(conn, input.group_id, true).await?.ok_or_else(|| {
        CoreError::invalid(
            Some("groupId"),
            Rule::Reference,
            "this entity is not a group",
        )
    })?;
    if input.add.contains(&input.group_id) {
        return Err(CoreError::invalid(
            Some("add"),
            Rule::Cycle,
            "a group cannot be a member of itself",
        ));
    }
    let adding: Vec<(Uuid, Uuid, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT id, entity_type_id, deleted_at FROM entities WHERE id = ANY($1) FOR SHARE",
    )
    .bind(&input.add)
    .fetch_all(&mut *conn)
    .await?;
    for id in &input.add {
        match adding.iter().find(|(e, _, _)| e == id) {
            Some((_, _, None)) => {}
            _ => {
                return Err(CoreError::invalid(
                    Some("add"),
                    Rule::Reference,
                    format!("{id} is not a live entity"),
                ))
            }
        }
    }
    let current: Vec<Uuid> = sqlx::query_scalar(
        "SELECT member_entity_id FROM entity_group_members
         WHERE group_entity_id = $1 AND deleted_at IS NULL",
    )
    .bind(input.group_id)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(dup) = input.add.iter().find(|a| current.contains(a)) {
        return Err(CoreError::invalid(
            Some("add"),
            Rule::Unique,
            format!("{dup} is already a member of {:?}", group.name),
        ));
    }
    let removed: Vec<Uuid> = input
        .remove
        .iter()
        .filter(|r| current.contains(r))
        .copied()
        .collect();
    if !group.allows_mixed_types {
        let mut types: Vec<Uuid> = member_types(conn, input.group_id).await?;
        if !removed.is_empty() {
            types = sqlx::query_scalar(
                "SELECT DISTINCT e.entity_type_id FROM entity_group_members m
                 JOIN entities e ON e.id = m.member_entity_id AND e.deleted_at IS NULL
                 WHERE m.group_entity_id = $1 AND m.deleted_at IS NULL
                   AND NOT (m.member_entity_id = ANY($2))",
            )
            .bind(input.group_id)
            .bind(&removed)
            .fetch_all(&mut *conn)
            .await?;
        }
        types.extend(adding.iter().map(|(_, t, _)| *t));
        types.sort_unstable();
        types.dedup();
        if types.len() > 1 {
            return Err(CoreError::invalid(
                Some("add"),
                Rule::Type,
                format!("{:?} holds members of one type only", group.name),
            ));
        }
    }
    if !removed.is_empty() {
        sqlx::query(
            "UPDATE entity_group_members SET deleted_at = clock_timestamp()
             WHERE group_entity_id = $1 AND member_entity_id = ANY($2) AND deleted_at IS NULL",
        )
        .bind(input.group_id)
        .bind(&removed)
        .execute(&mut *conn)
        .await?;
    }
    let mut added = input.add.clone();
    added.dedup();
    if !added.is_empty() {
        sqlx::query(
            "INSERT INTO entity_group_members (id, group_entity_id, member_entity_id, created_at)
             SELECT gen_random_uuid(), $1, m, now() FROM unnest($2::uuid[]) m",
        )
        .bind(input.group_id)
        .bind(&added)
        .execute(&mut *conn)
        .await?;
    }
    let members: Vec<TreeNode> = sqlx::query_as(
        "SELECT r.entity_id AS id, r.parent_id, t.key AS type_key, t.name AS type_name, t.icon,
                r.name, r.path_label, r.child_count > 0 AS has_children, r.updated_at
         FROM entity_group_members m
         JOIN entity_read_model r ON r.entity_id = m.member_entity_id
         JOIN entity_type_definitions t ON t.id = r.entity_type_id
         WHERE m.group_entity_id = $1 AND m.deleted_at IS NULL ORDER BY r.path_label",
    )
    .bind(input.group_id)
    .fetch_all(&mut *conn)
    .await?;
    if added.is_empty() && removed.is_empty() {
        return Ok(Applied::unchanged(members));
    }
    let change = Change::GroupMembersChanged {
        group_id: input.group_id,
        added,
        removed,
    };
    change::record(conn, actor, change, members).await
}
