//! What each node type does to the registry, in the caller's transaction
//! (the step's, or a test run's that is rolled back). The connection acts
//! as the person whose rights the node has: row-level security and the
//! core's checks answer for them. Waiting nodes (approval, delay) and the
//! HTTP request are the engine's: here they only compute their settings.

use serde_json::{json, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use super::dsl::{Node, NodeKind};
use super::template;
use crate::alerts::{self, RaiseAlert};
use crate::change::Actor;
use crate::error::{CoreError, CoreResult};
use crate::links::{self, EntityTagsEdit};
use crate::progress::CancelToken;
use crate::properties::{self, PropertyValue, SetValues, ValueEdit, ValueType};
use crate::records::{AlertLevel, AlertStatus, VersionedId};
use crate::registry::{self, CreateEntity, MoveEntity};

/// What a node ended with.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub outcome: String,
    pub output: Value,
}

impl Done {
    fn finished(output: Value) -> Self {
        Done {
            outcome: "done".into(),
            output,
        }
    }
}

/// Why a step failed: its message, and whether a retry may help.
#[derive(Debug, Clone, PartialEq)]
pub struct StepError {
    pub message: String,
    pub retryable: bool,
}

impl StepError {
    pub fn fatal(message: impl Into<String>) -> Self {
        StepError {
            message: message.into(),
            retryable: false,
        }
    }

    pub fn retry(message: impl Into<String>) -> Self {
        StepError {
            message: message.into(),
            retryable: true,
        }
    }
}

impl From<CoreError> for StepError {
    fn from(e: CoreError) -> Self {
        let retryable = matches!(
            e,
            CoreError::Retryable(_) | CoreError::Unavailable(_) | CoreError::Conflict { .. }
        );
        StepError {
            message: e.to_string(),
            retryable,
        }
    }
}

/// The run's context for templates: `entity`, `trigger`, `nodes`,
/// `execution`, `workflow`.
pub async fn context(
    conn: &mut PgConnection,
    entity: Option<Uuid>,
    trigger: &Value,
    outputs: &Value,
    execution: Value,
    workflow: Value,
) -> CoreResult<Value> {
    let entity = match entity {
        None => Value::Null,
        Some(id) => {
            let row: Option<(String, String, String, Uuid, Value)> = sqlx::query_as(
                "SELECT r.name, r.path_label, t.key, r.root_id, r.properties
                   FROM entity_read_model r JOIN entity_type_definitions t ON t.id = r.entity_type_id
                  WHERE r.entity_id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            match row {
                Some((name, path_label, type_key, root_id, properties)) => json!({
                    "id": id, "name": name, "pathLabel": path_label, "type": type_key,
                    "rootId": root_id, "properties": properties,
                }),
                // Deleted, or not visible to the acting person.
                None => json!({ "id": id }),
            }
        }
    };
    Ok(json!({
        "entity": entity,
        "trigger": trigger,
        "nodes": outputs,
        "execution": execution,
        "workflow": workflow,
    }))
}

pub fn render(text: &str, ctx: &Value) -> Result<String, StepError> {
    template::render(text, ctx).map_err(|e| StepError::fatal(e.0))
}

fn entity_of(entity: Option<Uuid>) -> Result<Uuid, StepError> {
    entity
        .ok_or_else(|| StepError::fatal("this node acts on the run's entity, and the run has none"))
}

async fn entity_version(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<chrono::DateTime<chrono::Utc>, StepError> {
    let v: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT updated_at FROM entities WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(CoreError::from)?;
    v.ok_or_else(|| {
        StepError::fatal(format!(
            "entity {id} is deleted or not visible to the workflow's publisher"
        ))
    })
}

async fn tag_id(conn: &mut PgConnection, key: &str) -> Result<Uuid, StepError> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT t.entity_id FROM tags t LEFT JOIN tag_groups g ON g.id = t.tag_group_id
          WHERE t.deleted_at IS NULL AND (t.key = $1 OR g.key || '.' || t.key = $1) LIMIT 2",
    )
    .bind(key)
    .fetch_all(&mut *conn)
    .await
    .map_err(CoreError::from)?;
    match ids.as_slice() {
        [one] => Ok(*one),
        [] => Err(StepError::fatal(format!("no tag has the key {key:?}"))),
        _ => Err(StepError::fatal(format!(
            "several tags have the key {key:?}: name it as group.key"
        ))),
    }
}

/// A property value from the text a template gave, by the property's type.
fn value_of(value_type: ValueType, text: &str) -> Result<PropertyValue, StepError> {
    let t = text.trim();
    let bad = || StepError::fatal(format!("{text:?} is not a value of this property's type"));
    Ok(match value_type {
        ValueType::Text => PropertyValue::Text(text.to_string()),
        ValueType::Number => PropertyValue::Number(t.to_string()),
        ValueType::Boolean => PropertyValue::Boolean(match t {
            "true" => true,
            "false" => false,
            _ => return Err(bad()),
        }),
        ValueType::Date => PropertyValue::Date(t.to_string()),
        ValueType::Json => PropertyValue::Json(t.to_string()),
        ValueType::IpAddress => PropertyValue::IpAddress(t.to_string()),
        ValueType::Url => PropertyValue::Url(t.to_string()),
        ValueType::SecretReference => {
            PropertyValue::SecretReference(Uuid::parse_str(t).map_err(|_| bad())?)
        }
        ValueType::SingleSelect => PropertyValue::SingleSelect(t.to_string()),
        ValueType::MultiSelect => PropertyValue::MultiSelect(
            serde_json::from_str::<Vec<String>>(t).unwrap_or_else(|_| {
                t.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
        ),
    })
}

/// Applies an acting node (not approval, delay, HTTP or notify) to the
/// run's entity.
pub async fn apply(
    conn: &mut PgConnection,
    actor: &Actor,
    node: &Node,
    entity: Option<Uuid>,
    ctx: &Value,
    catalog: &crate::views::Catalog,
) -> Result<Done, StepError> {
    match &node.kind {
        NodeKind::Condition { filter } => {
            let id = entity_of(entity)?;
            let holds = super::filter::holds(conn, catalog, filter, id).await?;
            Ok(Done {
                outcome: if holds { "true" } else { "false" }.into(),
                output: json!({ "matched": holds }),
            })
        }
        NodeKind::SetProperty { property, value } => {
            let id = entity_of(entity)?;
            let def: Option<(Uuid, String)> = sqlx::query_as(
                "SELECT id, value_type FROM property_definitions WHERE key = $1 AND deleted_at IS NULL",
            )
            .bind(property)
            .fetch_optional(&mut *conn)
            .await
            .map_err(CoreError::from)?;
            let (definition_id, value_type) = def
                .ok_or_else(|| StepError::fatal(format!("no property has the key {property:?}")))?;
            let value_type: ValueType = value_type.parse().map_err(|_| {
                StepError::fatal(format!("property {property:?} has an unknown type"))
            })?;
            let new = match value {
                Some(v) => Some(value_of(value_type, &render(v, ctx)?)?),
                None => None,
            };
            // The value's current version, read under the entity's lock
            // the write takes: the node writes over what is there now, and
            // a person's edit made meanwhile gets a conflict.
            let current: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
                "SELECT updated_at FROM entity_property_values
                  WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
            )
            .bind(id)
            .bind(definition_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(CoreError::from)?;
            // The change events go nowhere: no window waits on a runner.
            let _applied = properties::write_values_in(
                conn,
                actor,
                &SetValues {
                    entity_id: id,
                    edits: vec![ValueEdit {
                        definition_id,
                        expected_updated_at: current,
                        value: new.clone(),
                    }],
                },
            )
            .await?;
            Ok(Done::finished(
                json!({ "property": property, "value": new }),
            ))
        }
        NodeKind::AddTag { tag } | NodeKind::RemoveTag { tag } => {
            let id = entity_of(entity)?;
            let tag_id = tag_id(conn, tag).await?;
            let adding = matches!(node.kind, NodeKind::AddTag { .. });
            let expected_updated_at = entity_version(conn, id).await?;
            // The change events go nowhere: no window waits on a runner.
            let _applied = links::edit_entity_tags_in(
                conn,
                actor,
                &EntityTagsEdit {
                    entity_id: id,
                    expected_updated_at,
                    add: if adding { vec![tag_id] } else { vec![] },
                    remove: if adding { vec![] } else { vec![tag_id] },
                },
            )
            .await?;
            Ok(Done::finished(json!({ "tag": tag, "tagId": tag_id })))
        }
        NodeKind::CreateChild { type_key, name } => {
            let id = entity_of(entity)?;
            let created = registry::create_in(
                conn,
                actor,
                &CreateEntity {
                    type_key: type_key.clone(),
                    parent_id: Some(id),
                    name: render(name, ctx)?,
                },
            )
            .await?;
            Ok(Done::finished(json!({
                "id": created.value.id, "name": created.value.name, "pathLabel": created.value.path_label,
            })))
        }
        NodeKind::Move { parent } => {
            let id = entity_of(entity)?;
            let reference = render(parent, ctx)?;
            let target: Option<Uuid> = sqlx::query_scalar(
                "SELECT entity_id FROM entity_read_model WHERE entity_id = $1 OR path_label = $2 LIMIT 1",
            )
            .bind(Uuid::parse_str(reference.trim()).ok())
            .bind(reference.trim())
            .fetch_optional(&mut *conn)
            .await
            .map_err(CoreError::from)?;
            let target = target.ok_or_else(|| {
                StepError::fatal(format!("no entity has the id or path label {reference:?}"))
            })?;
            let expected_updated_at = entity_version(conn, id).await?;
            let moved = registry::move_entity_in(
                conn,
                actor,
                &MoveEntity {
                    id,
                    expected_updated_at,
                    new_parent_id: Some(target),
                },
                &|_| {},
                &CancelToken::new(),
            )
            .await?;
            Ok(Done::finished(json!({
                "parentId": target, "pathLabel": moved.value.node.path_label,
            })))
        }
        NodeKind::RaiseAlert { level, message } => {
            let id = entity_of(entity)?;
            let level: AlertLevel = serde_json::from_value(json!(level))
                .map_err(|_| StepError::fatal(format!("{level:?} is not an alert level")))?;
            let raised = alerts::raise_in(
                conn,
                actor,
                &RaiseAlert {
                    entity_id: id,
                    level,
                    message: render(message, ctx)?,
                },
            )
            .await?;
            Ok(Done::finished(json!({ "alertId": raised.value.id })))
        }
        NodeKind::ResolveAlert { alert } => {
            let ids: Vec<Uuid> = match alert {
                Some(t) => {
                    let text = render(t, ctx)?;
                    vec![Uuid::parse_str(text.trim())
                        .map_err(|_| StepError::fatal(format!("{text:?} is not an alert id")))?]
                }
                None => sqlx::query_scalar(
                    "SELECT id FROM alerts WHERE entity_id = $1 AND status <> 'resolved'
                        AND deleted_at IS NULL ORDER BY raised_at",
                )
                .bind(entity_of(entity)?)
                .fetch_all(&mut *conn)
                .await
                .map_err(CoreError::from)?,
            };
            let mut resolved = Vec::new();
            for id in ids {
                let current = alerts::get_in(conn, id).await?;
                if current.status == AlertStatus::Resolved {
                    continue;
                }
                // The change events go nowhere: no window waits on a runner.
                let _applied = alerts::transition_in(
                    conn,
                    actor,
                    &VersionedId {
                        id,
                        expected_updated_at: current.updated_at,
                    },
                    AlertStatus::Resolved,
                )
                .await?;
                resolved.push(id);
            }
            Ok(Done::finished(json!({ "resolved": resolved })))
        }
        NodeKind::Loop { .. }
        | NodeKind::Approval { .. }
        | NodeKind::Delay { .. }
        | NodeKind::HttpRequest { .. }
        | NodeKind::Notify { .. } => Err(StepError::fatal(format!(
            "a {} node is run by the engine",
            node.kind.type_name()
        ))),
    }
}

/// The people a notify node reaches, and its message.
pub async fn notify_targets(
    conn: &mut PgConnection,
    to: &[Uuid],
    fallback: Option<Uuid>,
) -> Result<Vec<Uuid>, StepError> {
    if to.is_empty() {
        return Ok(fallback.into_iter().collect());
    }
    let found: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = ANY ($1) AND deleted_at IS NULL")
            .bind(to)
            .fetch_all(&mut *conn)
            .await
            .map_err(CoreError::from)?;
    if let Some(missing) = to.iter().find(|id| !found.contains(id)) {
        return Err(StepError::fatal(format!(
            "person {missing} is not an active person"
        )));
    }
    Ok(found)
}
