//! Relationships (seed 000): typed, associative links between entities,
//! never containment (that is the tree). Listed both ways, and walked a hop
//! or two for the neighbourhood graph.

use std::collections::HashSet;

use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use super::records::*;
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{CurrentRow, Relationship, TreeNode, VersionedId};

const RELATIONSHIP_SELECT: &str = "SELECT id, source_entity_id AS source_id,
        target_entity_id AS target_id, relationship_type, created_at, updated_at
    FROM entity_relationships";

/// The tree row of each of these live entities.
const NODES_SQL: &str = "SELECT r.entity_id AS id, r.parent_id, t.key AS type_key,
        t.name AS type_name, t.icon, r.name, r.path_label, r.child_count > 0 AS has_children,
        r.updated_at
    FROM entity_read_model r JOIN entity_type_definitions t ON t.id = r.entity_type_id
    WHERE r.entity_id = ANY($1)";

fn check_type(t: &str) -> CoreResult<()> {
    if !crate::db::is_plain_identifier(t) {
        return Err(CoreError::invalid(
            Some("relationshipType"),
            Rule::Format,
            "a relationship type is lowercase letters, digits and underscores (e.g. feeds, backs_up)",
        ));
    }
    Ok(())
}

/// Links two live entities with a relationship of a type.
#[instrument(skip_all, fields(source = %input.source_id, target = %input.target_id))]
pub async fn create_relationship(
    pool: &PgPool,
    actor: &Actor,
    input: &NewRelationship,
) -> CoreResult<Applied<Relationship>> {
    crate::transaction!(pool, |tx| create_relationship_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn create_relationship_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &NewRelationship,
) -> CoreResult<Applied<Relationship>> {
    check_type(&input.relationship_type)?;
    if input.source_id == input.target_id {
        return Err(CoreError::invalid(
            Some("targetId"),
            Rule::Cycle,
            "an entity cannot be related to itself",
        ));
    }
    let live: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM entities WHERE id = ANY($1) AND deleted_at IS NULL FOR SHARE",
    )
    .bind([input.source_id, input.target_id])
    .fetch_all(&mut *conn)
    .await?;
    if live.len() != 2 {
        return Err(CoreError::invalid(
            Some("targetId"),
            Rule::Reference,
            "both ends must be live entities",
        ));
    }
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM entity_relationships
                        WHERE source_entity_id = $1 AND target_entity_id = $2
                          AND relationship_type = $3 AND deleted_at IS NULL)",
    )
    .bind(input.source_id)
    .bind(input.target_id)
    .bind(&input.relationship_type)
    .fetch_one(&mut *conn)
    .await?;
    if exists {
        return Err(CoreError::invalid(
            Some("relationshipType"),
            Rule::Unique,
            format!(
                "these entities are already linked by {:?}",
                input.relationship_type
            ),
        ));
    }
    let id = Uuid::now_v7();
    let relationship: Relationship = sqlx::query_as(
        "INSERT INTO entity_relationships
            (id, source_entity_id, target_entity_id, relationship_type, created_at, updated_at)
         VALUES ($1, $2, $3, $4, now(), now())
         RETURNING id, source_entity_id AS source_id, target_entity_id AS target_id,
                   relationship_type, created_at, updated_at",
    )
    .bind(id)
    .bind(input.source_id)
    .bind(input.target_id)
    .bind(&input.relationship_type)
    .fetch_one(&mut *conn)
    .await?;
    let change = Change::RelationshipCreated {
        relationship: relationship.clone(),
    };
    change::record(conn, actor, change, relationship).await
}

/// Removes a relationship (soft).
#[instrument(skip_all, fields(id = %input.id))]
pub async fn delete_relationship(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<Relationship>> {
    crate::transaction!(pool, |tx| delete_relationship_in(tx, actor, input)).await
}

#[instrument(level = "debug", skip_all)]
pub async fn delete_relationship_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<Relationship>> {
    let current: Option<(Relationship, bool)> = sqlx::query_as::<_, Relationship>(
        sqlx::AssertSqlSafe(format!("{RELATIONSHIP_SELECT} WHERE id = $1 FOR UPDATE")),
    )
    .bind(input.id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| (r, true));
    let Some((relationship, _)) = current else {
        return Err(CoreError::NotFound {
            what: "relationship",
            id: input.id,
        });
    };
    let deleted: bool =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM entity_relationships WHERE id = $1")
            .bind(input.id)
            .fetch_one(&mut *conn)
            .await?;
    if deleted {
        return Err(CoreError::state("the relationship is already removed"));
    }
    if relationship.updated_at != input.expected_updated_at {
        return Err(CoreError::Conflict {
            message: "this relationship was changed by someone else since you loaded it".into(),
            current: CurrentRow::Relationship(Box::new(relationship)),
        });
    }
    sqlx::query(
        "UPDATE entity_relationships SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
         WHERE id = $1",
    )
    .bind(input.id)
    .execute(&mut *conn)
    .await?;
    let change = Change::RelationshipDeleted {
        relationship: relationship.clone(),
    };
    change::record(conn, actor, change, relationship).await
}

/// The most relationship types [`relationship_types`] lists.
pub const RELATIONSHIP_TYPES_LIMIT: i64 = 500;

/// The relationship types in use between entities the person sees, by
/// name (for suggestions; any text is a valid type).
pub async fn relationship_types(pool: &PgPool) -> CoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT relationship_type FROM entity_relationships
          WHERE deleted_at IS NULL ORDER BY 1 LIMIT $1",
    )
    .bind(RELATIONSHIP_TYPES_LIMIT)
    .fetch_all(pool)
    .await?)
}

/// An entity's live relationships, both ways, with the entity at the other
/// end (live ones only).
#[instrument(skip_all, fields(%entity_id))]
pub async fn relationships_of(pool: &PgPool, entity_id: Uuid) -> CoreResult<Vec<RelatedEntity>> {
    let mut conn = pool.acquire().await?;
    let rels = sqlx::query_as::<_, Relationship>(sqlx::AssertSqlSafe(format!(
        "{RELATIONSHIP_SELECT} WHERE deleted_at IS NULL AND (source_entity_id = $1 OR target_entity_id = $1)
         ORDER BY relationship_type, created_at"
    )))
    .bind(entity_id)
    .fetch_all(&mut *conn)
    .await?;
    let others: Vec<Uuid> = rels
        .iter()
        .map(|r| {
            if r.source_id == entity_id {
                r.target_id
            } else {
                r.source_id
            }
        })
        .collect();
    let nodes: Vec<TreeNode> = sqlx::query_as(NODES_SQL)
        .bind(&others)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rels
        .into_iter()
        .filter_map(|relationship| {
            let (direction, other) = if relationship.source_id == entity_id {
                (Direction::Outgoing, relationship.target_id)
            } else {
                (Direction::Incoming, relationship.source_id)
            };
            let other = nodes.iter().find(|n| n.id == other)?.clone();
            Some(RelatedEntity {
                relationship,
                direction,
                other,
            })
        })
        .collect())
}

/// The live entities within `hops` (1 or 2) relationships of one, and the
/// relationships among them; at most `limit` entities.
#[instrument(skip_all, fields(%entity_id, hops))]
pub async fn neighbourhood(
    pool: &PgPool,
    entity_id: Uuid,
    hops: u8,
    limit: u32,
) -> CoreResult<Neighbourhood> {
    let hops = hops.clamp(1, 2);
    let limit = limit.clamp(2, 500) as usize;
    let mut conn = pool.acquire().await?;
    let mut reached: Vec<Uuid> = vec![entity_id];
    let mut seen: HashSet<Uuid> = reached.iter().copied().collect();
    let mut frontier = reached.clone();
    let mut truncated = false;
    for _ in 0..hops {
        let next: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT r.source_entity_id, r.target_entity_id FROM entity_relationships r
             JOIN entities s ON s.id = r.source_entity_id AND s.deleted_at IS NULL
             JOIN entities t ON t.id = r.target_entity_id AND t.deleted_at IS NULL
             WHERE r.deleted_at IS NULL
               AND (r.source_entity_id = ANY($1) OR r.target_entity_id = ANY($1))",
        )
        .bind(&frontier)
        .fetch_all(&mut *conn)
        .await?;
        let mut new_frontier = Vec::new();
        for (s, t) in next {
            for id in [s, t] {
                if seen.insert(id) {
                    if reached.len() >= limit {
                        truncated = true;
                        continue;
                    }
                    reached.push(id);
                    new_frontier.push(id);
                }
            }
        }
        frontier = new_frontier;
        if frontier.is_empty() {
            break;
        }
    }
    let nodes: Vec<TreeNode> = sqlx::query_as(NODES_SQL)
        .bind(&reached)
        .fetch_all(&mut *conn)
        .await?;
    let edges = sqlx::query_as::<_, Relationship>(sqlx::AssertSqlSafe(format!(
        "{RELATIONSHIP_SELECT} WHERE deleted_at IS NULL
           AND source_entity_id = ANY($1) AND target_entity_id = ANY($1)
         ORDER BY created_at"
    )))
    .bind(&reached)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Neighbourhood {
        center: entity_id,
        nodes,
        edges,
        truncated,
    })
}
