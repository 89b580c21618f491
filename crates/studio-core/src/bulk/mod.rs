//! Bulk edit: one edit (set or clear a property, add or remove a tag) made
//! to a set of entities, previewed first, then applied all or nothing in one
//! transaction with one request id, in chunks so progress can be reported
//! and a cancel honoured before the commit. The input is a target set (ids,
//! or the entities of a type under a subtree), never UI state, so saved
//! views can feed it later.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;
use uuid::Uuid;

use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
use crate::progress::{CancelToken, OnProgress, Progress};
use crate::properties::{self as props};
use crate::records::{BulkEntityChange, BulkKind, PropertyValue, TreeNode, REDACTED};

/// The most entities one bulk edit may touch.
pub const MAX_TARGETS: usize = 1_000_000;
/// Entities written per statement (progress and cancel between chunks).
const CHUNK: usize = 2_000;
/// How many samples a preview shows.
const SAMPLES: usize = 10;

/// Which entities a bulk edit touches (live ones only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BulkTarget {
    /// These entities.
    Entities { ids: Vec<Uuid> },
    /// Every entity under `root_id` (itself included), of one type if given.
    #[serde(rename_all = "camelCase")]
    Subtree {
        root_id: Uuid,
        type_key: Option<String>,
    },
    /// The entities a view document matches (as the person sees them).
    View {
        document: crate::views::ViewDocument,
    },
}

/// What a bulk edit does to each entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BulkAction {
    /// Set a property (None clears it).
    #[serde(rename_all = "camelCase")]
    SetProperty {
        definition_id: Uuid,
        value: Option<PropertyValue>,
    },
    #[serde(rename_all = "camelCase")]
    AddTag { tag_id: Uuid },
    #[serde(rename_all = "camelCase")]
    RemoveTag { tag_id: Uuid },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BulkEdit {
    pub target: BulkTarget,
    pub action: BulkAction,
}

/// One entity of a preview: what it holds now and would hold after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BulkSample {
    pub entity: TreeNode,
    /// The stored JSON before and after (None: no value / tag absent;
    /// `"<redacted>"` for a sensitive property).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a bulk edit would do. Nothing is changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BulkPreview {
    /// Live entities in the target.
    pub targets: i64,
    /// Of those, how many the edit changes (the others hold it already).
    pub changing: i64,
    pub samples: Vec<BulkSample>,
}

/// What a bulk edit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    pub targets: i64,
    pub changed: i64,
}

/// The live entities of the target, in id order, locked when `lock`.
async fn resolve(
    conn: &mut PgConnection,
    target: &BulkTarget,
    lock: bool,
) -> CoreResult<Vec<Uuid>> {
    let ids: Vec<Uuid> = match target {
        BulkTarget::Entities { ids } => {
            if ids.len() > MAX_TARGETS {
                return Err(CoreError::invalid(
                    Some("target"),
                    Rule::TooLong,
                    format!("a bulk edit touches at most {MAX_TARGETS} entities"),
                ));
            }
            let sql = format!(
                "SELECT id FROM entities WHERE id = ANY($1) AND deleted_at IS NULL ORDER BY id{}",
                if lock { " FOR UPDATE" } else { "" }
            );
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(ids)
                .fetch_all(&mut *conn)
                .await?
        }
        BulkTarget::Subtree { root_id, type_key } => {
            let path: Option<String> =
                sqlx::query_scalar("SELECT path::text FROM entities WHERE id = $1")
                    .bind(root_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            let path = path.ok_or(CoreError::NotFound {
                what: "entity",
                id: *root_id,
            })?;
            let sql = format!(
                "SELECT e.id FROM entities e JOIN entity_type_definitions t ON t.id = e.entity_type_id
                 WHERE e.path >= $1::ltree AND e.path < ($1 || '0')::ltree AND e.deleted_at IS NULL
                   AND ($2::text IS NULL OR t.key = $2)
                 ORDER BY e.id{}",
                if lock { " FOR UPDATE OF e" } else { "" }
            );
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(&path)
                .bind(type_key)
                .fetch_all(&mut *conn)
                .await?
        }
        BulkTarget::View { document } => {
            let compiled = crate::views::compile_for(conn, document).await?;
            let sql = format!(
                "SELECT e.id FROM entities e
                  WHERE e.deleted_at IS NULL
                    AND e.id IN (SELECT r.entity_id FROM entity_read_model r WHERE {} LIMIT {})
                  ORDER BY e.id{}",
                compiled.filter,
                MAX_TARGETS + 1,
                if lock { " FOR UPDATE OF e" } else { "" }
            );
            let rows = crate::views::query_with(&sql, &compiled.binds)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|r| sqlx::Row::try_get::<Uuid, _>(r, 0))
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    if ids.len() > MAX_TARGETS {
        return Err(CoreError::invalid(
            Some("target"),
            Rule::TooLong,
            format!(
                "a bulk edit touches at most {MAX_TARGETS} entities ({} here)",
                ids.len()
            ),
        ));
    }
    Ok(ids)
}

/// The plan of an edit: what each targeted entity holds now, and what it
/// would hold after (None on both sides for entities it leaves as they are).
struct Plan {
    targets: Vec<Uuid>,
    kind: BulkKind,
    /// Entities it changes, with their stored JSON before and after.
    changes: Vec<BulkEntityChange>,
    /// The value to write, as jsonb text (property edits).
    write: Option<String>,
}

async fn plan(conn: &mut PgConnection, edit: &BulkEdit, lock: bool) -> CoreResult<Plan> {
    let targets = resolve(conn, &edit.target, lock).await?;
    match &edit.action {
        BulkAction::SetProperty {
            definition_id,
            value,
        } => {
            let def = props::get_property_definition(conn, *definition_id)
                .await
                .map_err(|_| {
                    CoreError::invalid(
                        Some("definitionId"),
                        Rule::Reference,
                        "the property does not exist",
                    )
                })?;
            if def.deleted_at.is_some() || def.is_system {
                return Err(CoreError::invalid(
                    Some("definitionId"),
                    Rule::Reference,
                    format!(
                        "{} cannot be bulk edited (deleted, or the system name)",
                        def.key
                    ),
                ));
            }
            if lock {
                sqlx::query("SELECT 1 FROM property_definitions WHERE id = $1 FOR SHARE")
                    .bind(def.id)
                    .execute(&mut *conn)
                    .await?;
            }
            let write = match value {
                Some(v) => {
                    props::check_value(conn, &def, v, lock).await?;
                    // The stored form (jsonb canonical text) of the new value.
                    Some(
                        sqlx::query_scalar::<_, String>("SELECT $1::jsonb::text")
                            .bind(v.to_json_text())
                            .fetch_one(&mut *conn)
                            .await?,
                    )
                }
                None => {
                    if def.is_required {
                        return Err(CoreError::invalid(
                            Some(&def.key),
                            Rule::Required,
                            format!("{} is required and cannot be cleared", def.name),
                        ));
                    }
                    let required_by_type: i64 = sqlx::query_scalar(
                        "SELECT count(*) FROM entities e JOIN entity_type_properties l
                           ON l.entity_type_id = e.entity_type_id AND l.property_definition_id = $2
                          AND l.is_required AND l.deleted_at IS NULL
                         WHERE e.id = ANY($1)",
                    )
                    .bind(&targets)
                    .bind(def.id)
                    .fetch_one(&mut *conn)
                    .await?;
                    if required_by_type > 0 {
                        return Err(CoreError::invalid(
                            Some(&def.key),
                            Rule::Required,
                            format!("{required_by_type} of these entities require {} (their type's layout)", def.name),
                        ));
                    }
                    None
                }
            };
            let lock_values = if lock { " FOR UPDATE" } else { "" };
            let current: HashMap<Uuid, String> = sqlx::query_as::<_, (Uuid, String)>(sqlx::AssertSqlSafe(format!(
                "SELECT entity_id, value::text FROM entity_property_values
                 WHERE property_definition_id = $1 AND entity_id = ANY($2) AND deleted_at IS NULL{lock_values}"
            )))
            .bind(def.id)
            .bind(&targets)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
            let redact = |v: Option<String>| {
                if def.is_sensitive {
                    v.map(|_| REDACTED.to_string())
                } else {
                    v
                }
            };
            let changes = targets
                .iter()
                .filter_map(|id| {
                    let before = current.get(id).cloned();
                    (before != write).then(|| BulkEntityChange {
                        entity_id: *id,
                        before: redact(before),
                        after: redact(write.clone()),
                    })
                })
                .collect();
            Ok(Plan {
                targets,
                kind: BulkKind::Property {
                    definition_id: def.id,
                    key: def.key,
                    sensitive: def.is_sensitive,
                },
                changes,
                write,
            })
        }
        BulkAction::AddTag { tag_id } | BulkAction::RemoveTag { tag_id } => {
            let adding = matches!(edit.action, BulkAction::AddTag { .. });
            let tag: Option<(Option<Uuid>, Option<String>)> = sqlx::query_as(
                "SELECT t.tag_group_id, g.selection_mode FROM tags t
                 JOIN entities e ON e.id = t.entity_id AND e.deleted_at IS NULL
                 LEFT JOIN tag_groups g ON g.id = t.tag_group_id
                 WHERE t.entity_id = $1 AND t.deleted_at IS NULL",
            )
            .bind(tag_id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((group, mode)) = tag else {
                return Err(CoreError::invalid(
                    Some("tagId"),
                    Rule::Reference,
                    "not a live tag",
                ));
            };
            let carrying: HashSet<Uuid> = sqlx::query_scalar(
                "SELECT entity_id FROM entity_tags
                 WHERE tag_entity_id = $1 AND entity_id = ANY($2) AND deleted_at IS NULL",
            )
            .bind(tag_id)
            .bind(&targets)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
            if adding && mode.as_deref() == Some("single") {
                let other: i64 = sqlx::query_scalar(
                    "SELECT count(DISTINCT et.entity_id) FROM entity_tags et
                     JOIN tags t ON t.entity_id = et.tag_entity_id AND t.deleted_at IS NULL
                     WHERE et.entity_id = ANY($1) AND et.deleted_at IS NULL
                       AND t.tag_group_id = $2 AND et.tag_entity_id <> $3",
                )
                .bind(&targets)
                .bind(group)
                .bind(tag_id)
                .fetch_one(&mut *conn)
                .await?;
                if other > 0 {
                    return Err(CoreError::invalid(
                        Some("tagId"),
                        Rule::Choice,
                        format!("{other} of these entities carry another tag of this single-choice group: remove it first"),
                    ));
                }
            }
            let changes = targets
                .iter()
                .filter(|id| carrying.contains(id) != adding)
                .map(|id| BulkEntityChange {
                    entity_id: *id,
                    before: None,
                    after: None,
                })
                .collect();
            Ok(Plan {
                targets,
                kind: if adding {
                    BulkKind::TagAdded { tag_id: *tag_id }
                } else {
                    BulkKind::TagRemoved { tag_id: *tag_id }
                },
                changes,
                write: None,
            })
        }
    }
}

/// What a bulk edit would do: how many entities it targets and changes,
/// and some of them before and after. Nothing is changed.
#[instrument(skip_all)]
pub async fn bulk_preview(pool: &PgPool, edit: &BulkEdit) -> CoreResult<BulkPreview> {
    let mut conn = pool.acquire().await?;
    let plan = plan(&mut conn, edit, false).await?;
    let sample_ids: Vec<Uuid> = plan
        .changes
        .iter()
        .take(SAMPLES)
        .map(|c| c.entity_id)
        .collect();
    let nodes: Vec<TreeNode> = sqlx::query_as(
        "SELECT r.entity_id AS id, r.parent_id, t.key AS type_key, t.name AS type_name, t.icon,
                r.name, r.path_label, r.child_count > 0 AS has_children, r.updated_at
         FROM entity_read_model r JOIN entity_type_definitions t ON t.id = r.entity_type_id
         WHERE r.entity_id = ANY($1)",
    )
    .bind(&sample_ids)
    .fetch_all(&mut *conn)
    .await?;
    let samples = plan
        .changes
        .iter()
        .take(SAMPLES)
        .filter_map(|c| {
            let entity = nodes.iter().find(|n| n.id == c.entity_id)?.clone();
            let (before, after) = match plan.kind {
                BulkKind::Property { .. } => (c.before.clone(), c.after.clone()),
                BulkKind::TagAdded { .. } => (None, Some("tagged".into())),
                BulkKind::TagRemoved { .. } => (Some("tagged".into()), None),
            };
            Some(BulkSample {
                entity,
                before,
                after,
            })
        })
        .collect();
    Ok(BulkPreview {
        targets: plan.targets.len() as i64,
        changing: plan.changes.len() as i64,
        samples,
    })
}

/// Applies a bulk edit in its own transaction (retried on collisions).
#[instrument(skip_all)]
pub async fn bulk_apply(
    pool: &PgPool,
    actor: &Actor,
    edit: &BulkEdit,
    progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Applied<BulkOutcome>> {
    crate::transaction!(pool, |tx| bulk_apply_in(tx, actor, edit, progress, cancel)).await
}

/// [`bulk_apply`] in the caller's transaction. A refused entity (a rule,
/// a cancel, any error) leaves every entity as it was.
#[instrument(level = "debug", skip_all)]
pub async fn bulk_apply_in(
    conn: &mut PgConnection,
    actor: &Actor,
    edit: &BulkEdit,
    progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Applied<BulkOutcome>> {
    let plan = plan(conn, edit, true).await?;
    let total = plan.changes.len() as i64;
    progress(Progress { done: 0, total });
    let mut done = 0i64;
    for chunk in plan.changes.chunks(CHUNK) {
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        let ids: Vec<Uuid> = chunk.iter().map(|c| c.entity_id).collect();
        match (&plan.kind, &plan.write) {
            (BulkKind::Property { definition_id, .. }, Some(value)) => {
                sqlx::query(
                    "UPDATE entity_property_values SET value = $3::jsonb, updated_at = clock_timestamp()
                     WHERE property_definition_id = $1 AND entity_id = ANY($2) AND deleted_at IS NULL",
                )
                .bind(definition_id)
                .bind(&ids)
                .bind(value)
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "INSERT INTO entity_property_values
                        (id, entity_id, property_definition_id, value, created_at, updated_at)
                     SELECT gen_random_uuid(), e, $1, $3::jsonb, now(), clock_timestamp()
                     FROM unnest($2::uuid[]) e
                     WHERE NOT EXISTS (SELECT 1 FROM entity_property_values v
                                       WHERE v.entity_id = e AND v.property_definition_id = $1
                                         AND v.deleted_at IS NULL)",
                )
                .bind(definition_id)
                .bind(&ids)
                .bind(value)
                .execute(&mut *conn)
                .await?;
            }
            (BulkKind::Property { definition_id, .. }, None) => {
                sqlx::query(
                    "UPDATE entity_property_values SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
                     WHERE property_definition_id = $1 AND entity_id = ANY($2) AND deleted_at IS NULL",
                )
                .bind(definition_id)
                .bind(&ids)
                .execute(&mut *conn)
                .await?;
            }
            (BulkKind::TagAdded { tag_id }, _) => {
                sqlx::query(
                    "INSERT INTO entity_tags (id, entity_id, tag_entity_id, created_at)
                     SELECT gen_random_uuid(), e, $1, now() FROM unnest($2::uuid[]) e",
                )
                .bind(tag_id)
                .bind(&ids)
                .execute(&mut *conn)
                .await?;
            }
            (BulkKind::TagRemoved { tag_id }, _) => {
                sqlx::query(
                    "UPDATE entity_tags SET deleted_at = clock_timestamp()
                     WHERE tag_entity_id = $1 AND entity_id = ANY($2) AND deleted_at IS NULL",
                )
                .bind(tag_id)
                .bind(&ids)
                .execute(&mut *conn)
                .await?;
            }
        }
        sqlx::query("UPDATE entities SET updated_at = clock_timestamp() WHERE id = ANY($1)")
            .bind(&ids)
            .execute(&mut *conn)
            .await?;
        done += ids.len() as i64;
        progress(Progress { done, total });
    }
    if cancel.is_cancelled() {
        return Err(CoreError::Cancelled);
    }
    let outcome = BulkOutcome {
        targets: plan.targets.len() as i64,
        changed: total,
    };
    if plan.changes.is_empty() {
        return Ok(Applied::unchanged(outcome));
    }
    let change = Change::BulkEdited {
        kind: plan.kind,
        entities: plan.changes,
    };
    change::record(conn, actor, change, outcome).await
}
