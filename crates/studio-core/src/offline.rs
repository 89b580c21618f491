//! The server's side of offline work. A client (the `studio-offline` cache)
//! asks what a subtree weighs, reads a consistent snapshot of the subtrees
//! it keeps in pages, asks which entities changed since its cursor, and
//! replays the edits it queued while offline, each applied exactly once:
//! its mutation id is recorded in `offline_mutations` by the change
//! pipeline, in the transaction of its effect. Everything here runs as the
//! person (row-level security decides what they download and may change).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::change::{Actor, Change, Source};
use crate::db::pooling::ExecuteCommitted;
use crate::error::{CoreError, CoreResult};
use crate::links::{self, EntityTagsEdit};
use crate::progress::CancelToken;
use crate::properties::{self, SetValues};
use crate::records::{TreeNode, VersionedId};
use crate::registry::{self, CreateEntity, MoveEntity, RenameEntity};

/// An edit made offline, as it waits in a client's outbox and is replayed.
/// Each carries the version the person saw (the concurrency check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Mutation {
    SetValues {
        input: SetValues,
    },
    Rename {
        input: RenameEntity,
    },
    /// A new entity, with the id it was given offline (it keeps it).
    Create {
        id: Uuid,
        input: CreateEntity,
    },
    Move {
        input: MoveEntity,
    },
    Delete {
        input: VersionedId,
    },
    EditTags {
        input: EntityTagsEdit,
    },
}

impl Mutation {
    /// A short name (`set_values`, `rename`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Mutation::SetValues { .. } => "set_values",
            Mutation::Rename { .. } => "rename",
            Mutation::Create { .. } => "create",
            Mutation::Move { .. } => "move",
            Mutation::Delete { .. } => "delete",
            Mutation::EditTags { .. } => "edit_tags",
        }
    }

    /// The entity the edit is about.
    pub fn entity_id(&self) -> Uuid {
        match self {
            Mutation::SetValues { input } => input.entity_id,
            Mutation::Rename { input } => input.id,
            Mutation::Create { id, .. } => *id,
            Mutation::Move { input } => input.id,
            Mutation::Delete { input } => input.id,
            Mutation::EditTags { input } => input.entity_id,
        }
    }
}

/// What a replay did.
#[derive(Debug, Clone, PartialEq)]
pub enum Replayed {
    /// Applied now; the changes it made (for the window's events).
    Applied(Vec<Change>),
    /// Its id was recorded before: applied by an earlier replay.
    AlreadyApplied,
}

/// Replays one queued edit as `actor`'s person through the same core
/// function a live edit uses (and its version check). An edit whose id
/// is already recorded is not applied again. A refusal (a conflict, a
/// deleted entity, lost access, a rule) is the core's typed error.
pub async fn replay(
    pool: &PgPool,
    actor: &Actor,
    mutation_id: Uuid,
    mutation: &Mutation,
) -> CoreResult<Replayed> {
    if is_applied(pool, mutation_id).await? {
        return Ok(Replayed::AlreadyApplied);
    }
    let actor = Actor {
        user_id: actor.user_id,
        source: Source::Offline { mutation_id },
        request_id: mutation_id,
    };
    let outcome = match mutation {
        Mutation::SetValues { input } => properties::set_values(pool, &actor, input)
            .await
            .map(|a| a.changes),
        Mutation::Rename { input } => registry::rename(pool, &actor, input)
            .await
            .map(|a| a.changes),
        Mutation::Create { id, input } => {
            let id = *id;
            crate::transaction!(pool, |tx| registry::create_with_id_in(
                tx, &actor, input, id
            ))
            .await
            .map(|a| a.changes)
        }
        Mutation::Move { input } => {
            registry::move_entity(pool, &actor, input, &|_| {}, &CancelToken::new())
                .await
                .map(|a| a.changes)
        }
        Mutation::Delete { input } => registry::delete(pool, &actor, input)
            .await
            .map(|a| a.changes),
        Mutation::EditTags { input } => links::edit_entity_tags(pool, &actor, input)
            .await
            .map(|a| a.changes),
    };
    match outcome {
        Ok(changes) if changes.is_empty() => {
            // The edit changed nothing (the server already held it): no
            // change was recorded, so its id is recorded here.
            sqlx::query(
                "INSERT INTO offline_mutations
                     (id, user_id, kind, entity_id, applied_at, created_at, updated_at)
                 VALUES ($1, coalesce($2, eco_current_user_id()), $3, $4, now(), now(), now())
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(mutation_id)
            .bind(actor.user_id)
            .bind(mutation.kind())
            .bind(mutation.entity_id())
            .execute_committed(pool)
            .await?;
            Ok(Replayed::Applied(changes))
        }
        Ok(changes) => Ok(Replayed::Applied(changes)),
        // Applied meanwhile by another replay of the same outbox (its
        // record collided with ours): the edit is in, once.
        Err(e) => match is_applied(pool, mutation_id).await {
            Ok(true) => Ok(Replayed::AlreadyApplied),
            _ => Err(e),
        },
    }
}

/// Whether a mutation id is recorded (applied).
pub async fn is_applied(pool: &PgPool, mutation_id: Uuid) -> CoreResult<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM offline_mutations WHERE id = $1)")
            .bind(mutation_id)
            .fetch_one(pool)
            .await?,
    )
}

/// What making a subtree available offline will download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SubtreeSize {
    pub entities: i64,
    pub values: i64,
    /// An estimate of what it takes on disk.
    pub bytes: i64,
}

/// The size of the subtree under `root` that the person sees.
pub async fn subtree_size(pool: &PgPool, root: Uuid) -> CoreResult<SubtreeSize> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "WITH r AS (SELECT path FROM entities WHERE id = $1 AND deleted_at IS NULL),
              sel AS (SELECT e.id FROM r JOIN entities e ON e.path <@ r.path AND e.deleted_at IS NULL),
              ents AS (SELECT count(*) AS n,
                              coalesce(sum(pg_column_size(rm.properties) + 2 * octet_length(rm.path_label)), 0) AS b
                         FROM sel JOIN entity_read_model rm ON rm.entity_id = sel.id),
              vals AS (SELECT count(*) AS n, coalesce(sum(octet_length(v.value::text)), 0) AS b
                         FROM sel JOIN entity_property_values v
                              ON v.entity_id = sel.id AND v.deleted_at IS NULL
                         JOIN property_definitions d
                              ON d.id = v.property_definition_id AND NOT d.is_sensitive)
         SELECT ents.n, vals.n, (ents.b + ents.n * 400 + vals.b + vals.n * 120)::bigint
           FROM ents, vals WHERE EXISTS (SELECT 1 FROM r)",
    )
    .bind(root)
    .fetch_optional(pool)
    .await?;
    let (entities, values, bytes) = row.ok_or(CoreError::NotFound {
        what: "entity",
        id: root,
    })?;
    Ok(SubtreeSize {
        entities,
        values,
        bytes,
    })
}

/// One entity as a client caches it: its tree node, and what views and
/// search read (the read model's row).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CachedEntity {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub entity_type_id: Uuid,
    pub type_key: String,
    pub type_name: String,
    pub icon: Option<String>,
    pub name: String,
    pub path_label: String,
    pub has_children: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ancestor_ids: Vec<Uuid>,
    /// The read model's values by property key (sensitive ones left out).
    pub properties: String,
    pub tag_ids: Vec<Uuid>,
    /// The cached subtree it belongs to.
    pub scope_id: Uuid,
}

impl CachedEntity {
    pub fn node(&self) -> TreeNode {
        TreeNode {
            id: self.id,
            parent_id: self.parent_id,
            type_key: self.type_key.clone(),
            type_name: self.type_name.clone(),
            icon: self.icon.clone(),
            name: self.name.clone(),
            path_label: self.path_label.clone(),
            has_children: self.has_children,
            updated_at: self.updated_at,
        }
    }
}

/// A stored property value (JSON text) with its version. Values of
/// sensitive properties are never part of a snapshot.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CachedValue {
    pub entity_id: Uuid,
    pub definition_id: Uuid,
    pub value: String,
    pub updated_at: DateTime<Utc>,
}

/// A live relationship from a cached entity.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CachedRelationship {
    pub id: Uuid,
    pub source_id: Uuid,
    pub target_id: Uuid,
    pub relationship_type: String,
}

/// Which entities a snapshot reads.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Whole subtrees (their roots' ids).
    Subtrees(Vec<Uuid>),
    /// These entities, where they lie in one of these subtrees.
    Entities { ids: Vec<Uuid>, within: Vec<Uuid> },
}

/// A consistent, read-only view of the selected entities, read in pages
/// (server-side cursors in one repeatable-read transaction). `horizon` is
/// where the next refresh of the audit stream starts.
pub struct Snapshot {
    tx: Transaction<'static, Postgres>,
    pub horizon: DateTime<Utc>,
}

impl Snapshot {
    pub async fn begin(pool: &PgPool, selection: &Selection) -> CoreResult<Snapshot> {
        let mut tx = pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        // The horizon first: the snapshot is taken by this statement, so
        // anything it cannot see started at or after the horizon.
        let horizon: DateTime<Utc> = sqlx::query_scalar("SELECT eco_change_horizon()")
            .fetch_one(&mut *tx)
            .await?;
        let sel = selection_sql(selection);
        let statements = [
            format!(
                "DECLARE offline_entities NO SCROLL CURSOR FOR
                 WITH sel AS ({sel})
                 SELECT e.id, e.parent_entity_id AS parent_id, e.entity_type_id,
                        t.key AS type_key, t.name AS type_name, t.icon, rm.name, e.path_label,
                        rm.child_count > 0 AS has_children, e.created_at, e.updated_at,
                        rm.ancestor_ids, rm.properties::text AS properties, rm.tag_ids,
                        sel.scope_id
                   FROM sel
                   JOIN entities e ON e.id = sel.id
                   JOIN entity_read_model rm ON rm.entity_id = e.id
                   JOIN entity_type_definitions t ON t.id = e.entity_type_id"
            ),
            format!(
                "DECLARE offline_values NO SCROLL CURSOR FOR
                 WITH sel AS ({sel})
                 SELECT v.entity_id, v.property_definition_id AS definition_id,
                        v.value::text AS value, v.updated_at
                   FROM sel
                   JOIN entity_property_values v ON v.entity_id = sel.id AND v.deleted_at IS NULL
                   JOIN property_definitions d ON d.id = v.property_definition_id
                  WHERE NOT d.is_sensitive"
            ),
            format!(
                "DECLARE offline_relationships NO SCROLL CURSOR FOR
                 WITH sel AS ({sel})
                 SELECT r.id, r.source_entity_id AS source_id, r.target_entity_id AS target_id,
                        r.relationship_type
                   FROM sel
                   JOIN entity_relationships r ON r.source_entity_id = sel.id AND r.deleted_at IS NULL"
            ),
        ];
        for sql in statements {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
        }
        Ok(Snapshot { tx, horizon })
    }

    /// The next page of entities (empty when all were read).
    pub async fn entities(&mut self, n: u32) -> CoreResult<Vec<CachedEntity>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "FETCH {n} FROM offline_entities"
        )))
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// The next page of values.
    pub async fn values(&mut self, n: u32) -> CoreResult<Vec<CachedValue>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "FETCH {n} FROM offline_values"
        )))
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// The next page of relationships.
    pub async fn relationships(&mut self, n: u32) -> CoreResult<Vec<CachedRelationship>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "FETCH {n} FROM offline_relationships"
        )))
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Ends the snapshot (nothing was written).
    pub async fn finish(self) -> CoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// `(id, scope_id)` of the selected live entities. Only ids are inlined
/// (formatted UUIDs), never text.
fn selection_sql(selection: &Selection) -> String {
    fn array(ids: &[Uuid]) -> String {
        let inner: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        format!("'{{{}}}'::uuid[]", inner.join(","))
    }
    match selection {
        Selection::Subtrees(roots) => format!(
            "SELECT e.id, r.id AS scope_id
               FROM entities r
               JOIN entities e ON e.path <@ r.path AND e.deleted_at IS NULL
              WHERE r.id = ANY({}) AND r.deleted_at IS NULL",
            array(roots)
        ),
        Selection::Entities { ids, within } => format!(
            "SELECT e.id, r.id AS scope_id
               FROM unnest({}) AS i(id)
               JOIN entities e ON e.id = i.id AND e.deleted_at IS NULL
               JOIN entities r ON r.id = ANY({}) AND r.deleted_at IS NULL AND e.path <@ r.path",
            array(ids),
            array(within)
        ),
    }
}

/// The entities the audit stream says changed at or after `since`, with
/// the actions, and whether anything not about an entity changed (types,
/// properties, views: the client rereads those). `horizon` is the next
/// cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangesSince {
    pub horizon: DateTime<Utc>,
    pub entities: Vec<(Uuid, Vec<String>)>,
    pub catalog_changed: bool,
}

pub async fn changes_since(pool: &PgPool, since: DateTime<Utc>) -> CoreResult<ChangesSince> {
    let mut conn = pool.acquire().await?;
    let horizon: DateTime<Utc> = sqlx::query_scalar("SELECT eco_change_horizon()")
        .fetch_one(&mut *conn)
        .await?;
    let entities: Vec<(Uuid, Vec<String>)> = sqlx::query_as(
        "SELECT entity_id, array_agg(DISTINCT action)
           FROM audit_events
          WHERE occurred_at >= $1 AND entity_id IS NOT NULL
          GROUP BY entity_id",
    )
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let catalog_changed: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM audit_events WHERE occurred_at >= $1 AND entity_id IS NULL)",
    )
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ChangesSince {
        horizon,
        entities,
        catalog_changed,
    })
}

/// Which of `roots` the person still sees, live.
pub async fn visible_roots(pool: &PgPool, roots: &[Uuid]) -> CoreResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT e.id FROM unnest($1::uuid[]) AS r(id)
           JOIN entities e ON e.id = r.id AND e.deleted_at IS NULL",
    )
    .bind(roots)
    .fetch_all(pool)
    .await?)
}

/// The server's clock (a client compares it with its own cursor).
pub async fn server_now(pool: &PgPool) -> CoreResult<DateTime<Utc>> {
    Ok(sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(pool)
        .await?)
}
