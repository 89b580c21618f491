//! The audit row of a change: one `audit_events` row per change, written in
//! the change's own transaction so the two commit or roll back together.
//! This is the only place that inserts into `audit_events`.

use serde_json::{json, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Actor, Change};
use crate::error::CoreResult;

/// One audit row to write.
struct AuditRow {
    action: &'static str,
    table_name: &'static str,
    record_id: Uuid,
    entity_id: Option<Uuid>,
    before: Option<Value>,
    after: Option<Value>,
}

const ENTITIES: &str = "entities";
const ENTITY_TYPES: &str = "entity_type_definitions";

fn entity(action: &'static str, id: Uuid, before: Option<Value>, after: Option<Value>) -> AuditRow {
    AuditRow {
        action,
        table_name: ENTITIES,
        record_id: id,
        entity_id: Some(id),
        before,
        after,
    }
}

fn entity_type(
    action: &'static str,
    id: Uuid,
    before: Option<Value>,
    after: Option<Value>,
) -> AuditRow {
    AuditRow {
        action,
        table_name: ENTITY_TYPES,
        record_id: id,
        entity_id: None,
        before,
        after,
    }
}

/// What the audit trail keeps of a change.
fn row_of(change: &Change) -> AuditRow {
    match change {
        Change::EntityCreated { node } => entity(
            "entity.create",
            node.id,
            None,
            Some(json!({
                "type": node.type_key, "parent_id": node.parent_id,
                "name": node.name, "path_label": node.path_label,
            })),
        ),
        Change::EntityRenamed {
            node,
            old_name,
            old_path_label,
        } => entity(
            "entity.rename",
            node.id,
            Some(json!({ "name": old_name, "path_label": old_path_label })),
            Some(json!({ "name": node.name, "path_label": node.path_label })),
        ),
        Change::EntityMoved {
            node,
            old_parent_id,
            old_path_label,
            rewritten,
        } => entity(
            "entity.move",
            node.id,
            Some(json!({ "parent_id": old_parent_id, "path_label": old_path_label })),
            Some(json!({
                "parent_id": node.parent_id,
                "path_label": node.path_label,
                "rewritten": rewritten,
            })),
        ),
        Change::EntitiesDeleted {
            id,
            parent_id,
            path_label,
            count,
            deleted_at,
        } => entity(
            "entity.delete",
            *id,
            Some(json!({ "path_label": path_label, "parent_id": parent_id })),
            Some(json!({ "deleted": count, "deleted_at": deleted_at })),
        ),
        Change::EntitiesRestored {
            node,
            count,
            deleted_at,
        } => entity(
            "entity.restore",
            node.id,
            Some(json!({ "deleted_at": deleted_at })),
            Some(json!({ "restored": count })),
        ),
        Change::EntitiesPurged {
            id,
            path_label,
            deleted_at,
            count,
        } => entity(
            "entity.purge",
            *id,
            Some(json!({ "path_label": path_label, "deleted_at": deleted_at })),
            Some(json!({ "purged": count })),
        ),
        Change::EntityTypeCreated { entity_type: t } => entity_type(
            "entity_type.create",
            t.id,
            None,
            Some(json!({
                "key": t.key, "name": t.name, "description": t.description,
                "icon": t.icon, "is_system": t.is_system,
            })),
        ),
        Change::EntityTypeUpdated { before, after } => entity_type(
            "entity_type.update",
            after.id,
            Some(
                json!({ "name": before.name, "description": before.description, "icon": before.icon }),
            ),
            Some(
                json!({ "name": after.name, "description": after.description, "icon": after.icon }),
            ),
        ),
        Change::EntityTypeDeleted { entity_type: t } => entity_type(
            "entity_type.delete",
            t.id,
            Some(json!({ "key": t.key })),
            None,
        ),
        Change::EntityTypeRestored { entity_type: t } => entity_type(
            "entity_type.restore",
            t.id,
            None,
            Some(json!({ "key": t.key })),
        ),
        Change::EntitiesGenerated {
            first_tenant_id,
            summary,
        } => AuditRow {
            action: "entity.bulk_generate",
            table_name: ENTITIES,
            record_id: *first_tenant_id,
            entity_id: None,
            before: None,
            after: Some(summary.clone()),
        },
    }
}

/// Writes the audit row of `change`.
pub(super) async fn write(
    conn: &mut PgConnection,
    actor: &Actor,
    change: &Change,
) -> CoreResult<()> {
    let row = row_of(change);
    sqlx::query(
        "INSERT INTO audit_events
            (id, actor_user_id, action, table_name, record_id, entity_id, request_id, source, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(Uuid::now_v7())
    .bind(actor.user_id)
    .bind(row.action)
    .bind(row.table_name)
    .bind(row.record_id)
    .bind(row.entity_id)
    .bind(actor.request_id)
    .bind(actor.source.audit_name())
    .bind(row.before)
    .bind(row.after)
    .execute(conn)
    .await?;
    Ok(())
}
