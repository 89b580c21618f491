//! The audit row of a change: one `audit_events` row per change, written in
//! the change's own transaction so the two commit or roll back together.
//! This is the only place that inserts into `audit_events`.

use serde_json::{json, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Actor, Change};
use crate::error::CoreResult;
use crate::records::{
    BulkEntityChange, BulkKind, EntityGroup, LayoutEntry, PropertyDefinition, PropertyGroup,
    Relationship, SavedView, Tag, TagGroup, ValueChange, REDACTED,
};

/// One audit row to write.
struct AuditRow {
    action: &'static str,
    table_name: &'static str,
    record_id: Uuid,
    entity_id: Option<Uuid>,
    /// JSON text.
    before: Option<String>,
    after: Option<String>,
}

const ENTITIES: &str = "entities";
const ENTITY_TYPES: &str = "entity_type_definitions";
const GROUPS: &str = "property_groups";
const DEFINITIONS: &str = "property_definitions";
const TAG_GROUPS: &str = "tag_groups";
const USERS: &str = "users";
const SCOPES: &str = "user_root_entity_scopes";

fn person_json(p: &crate::records::Person) -> Value {
    json!({ "role": p.pg_role, "displayName": p.display_name, "isAdmin": p.is_admin })
}

fn scope_json(s: &crate::records::Scope) -> Value {
    json!({ "userId": s.user_id, "rootId": s.root_id, "capabilities": s.capabilities })
}

fn text(v: Option<Value>) -> Option<String> {
    v.map(|v| v.to_string())
}

fn entity(action: &'static str, id: Uuid, before: Option<Value>, after: Option<Value>) -> AuditRow {
    AuditRow {
        action,
        table_name: ENTITIES,
        record_id: id,
        entity_id: Some(id),
        before: text(before),
        after: text(after),
    }
}

fn record(
    action: &'static str,
    table_name: &'static str,
    id: Uuid,
    before: Option<Value>,
    after: Option<Value>,
) -> AuditRow {
    AuditRow {
        action,
        table_name,
        record_id: id,
        entity_id: None,
        before: text(before),
        after: text(after),
    }
}

/// `{"key": <stored JSON or null>, ...}` of one side of value changes.
fn values_object(values: &[ValueChange], side: impl Fn(&ValueChange) -> Option<&String>) -> String {
    let mut out = String::from("{");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&Value::String(v.key.clone()).to_string());
        out.push_str(": ");
        match side(v) {
            Some(_) if v.sensitive => out.push_str(REDACTED),
            Some(json) => out.push_str(json),
            None => out.push_str("null"),
        }
    }
    out.push('}');
    out
}

fn group_json(g: &PropertyGroup) -> Value {
    json!({ "key": g.key, "name": g.name, "description": g.description, "display_order": g.display_order })
}

fn definition_json(d: &PropertyDefinition) -> Value {
    json!({
        "key": d.key, "name": d.name, "description": d.description, "group_id": d.group_id,
        "value_type": d.value_type.as_str(), "is_required": d.is_required,
        "is_sensitive": d.is_sensitive, "is_searchable": d.is_searchable,
        "validation": d.rules,
    })
}

fn tag_group_json(g: &TagGroup) -> Value {
    json!({ "key": g.key, "name": g.name, "description": g.description,
            "selection_mode": g.selection_mode.as_str() })
}

fn saved_view_json(v: &SavedView) -> Value {
    json!({ "key": v.key, "name": v.name, "description": v.description,
            "view_type": v.view_type, "owner_user_id": v.owner_user_id,
            "root_entity_id": v.root_entity_id, "config": v.config })
}

fn alert_json(a: &crate::records::Alert) -> Value {
    json!({ "level": a.level, "message": a.message, "status": a.status, "source": a.source })
}

fn dashboard_json(d: &crate::records::Dashboard) -> Value {
    json!({ "key": d.key, "name": d.name, "description": d.description,
            "owner_user_id": d.owner_user_id, "root_entity_id": d.root_entity_id,
            "refresh_seconds": d.refresh_seconds, "variables": d.variables, "widgets": d.widgets })
}

/// A dashboard's audit row carries its root as the entity, like a view's.
fn dashboard_row(
    action: &'static str,
    d: &crate::records::Dashboard,
    before: Option<&crate::records::Dashboard>,
    after: Option<&crate::records::Dashboard>,
) -> AuditRow {
    AuditRow {
        entity_id: d.root_entity_id,
        ..record(
            action,
            "dashboards",
            d.id,
            before.map(dashboard_json),
            after.map(dashboard_json),
        )
    }
}

/// A saved view's audit row carries its root as the entity, so only those
/// who see the root see its history (row-level security on the audit).
fn saved_view_row(
    action: &'static str,
    view: &SavedView,
    before: Option<&SavedView>,
    after: Option<&SavedView>,
) -> AuditRow {
    AuditRow {
        entity_id: view.root_entity_id,
        ..record(
            action,
            "admin_saved_views",
            view.id,
            before.map(saved_view_json),
            after.map(saved_view_json),
        )
    }
}

fn tag_json(t: &Tag) -> Value {
    json!({ "group_id": t.group_id, "key": t.key, "name": t.name, "color": t.color })
}

fn group_config_json(g: &EntityGroup) -> Value {
    json!({ "key": g.key, "name": g.name, "description": g.description,
            "allows_mixed_types": g.allows_mixed_types })
}

fn relationship_json(r: &Relationship) -> Value {
    json!({ "source_id": r.source_id, "target_id": r.target_id, "type": r.relationship_type })
}

fn layout_json(entries: &[LayoutEntry]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|e| json!({ "definition_id": e.definition_id, "is_required": e.is_required }))
            .collect(),
    )
}

fn entity_type(
    action: &'static str,
    id: Uuid,
    before: Option<Value>,
    after: Option<Value>,
) -> AuditRow {
    record(action, ENTITY_TYPES, id, before, after)
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
            after: Some(summary.to_string()),
        },
        Change::Imported { summary } => AuditRow {
            action: "import.run",
            table_name: "sync_imports",
            record_id: summary
                .get("run_id")
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok())
                .unwrap_or_else(Uuid::nil),
            entity_id: None,
            before: None,
            after: Some(summary.to_string()),
        },
        Change::ImportPresetChanged {
            action,
            preset_id,
            summary,
        } => AuditRow {
            action,
            table_name: "import_presets",
            record_id: *preset_id,
            entity_id: None,
            before: None,
            after: Some(summary.to_string()),
        },
        Change::PackChanged { action, summary } => AuditRow {
            action,
            table_name: "installed_packs",
            record_id: summary
                .get("id")
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok())
                .unwrap_or_else(Uuid::nil),
            entity_id: None,
            before: None,
            after: Some(summary.to_string()),
        },
        Change::PersonAdded { person } => record(
            "person.add",
            USERS,
            person.id,
            None,
            Some(person_json(person)),
        ),
        Change::PersonDeactivated { person } => record(
            "person.deactivate",
            USERS,
            person.id,
            None,
            Some(person_json(person)),
        ),
        // Scope rows name their root as the entity, so only the people who
        // see the root see them in its history.
        Change::ScopeGranted { before, after } => AuditRow {
            action: "scope.grant",
            table_name: SCOPES,
            record_id: after.id,
            entity_id: Some(after.root_id),
            before: text(before.as_ref().map(scope_json)),
            after: text(Some(scope_json(after))),
        },
        Change::VaultKeyCreated {
            key_id,
            root_id,
            provider,
        } => AuditRow {
            action: "vault.key.create",
            table_name: "tenant_encryption_keys",
            record_id: *key_id,
            entity_id: Some(*root_id),
            before: None,
            after: text(Some(json!({ "provider": provider, "version": 1 }))),
        },
        Change::VaultKeyRotated {
            key_id,
            root_id,
            version,
        } => AuditRow {
            action: "vault.key.rotate",
            table_name: "tenant_encryption_keys",
            record_id: *key_id,
            entity_id: Some(*root_id),
            before: text(Some(json!({ "version": version - 1 }))),
            after: text(Some(json!({ "version": version }))),
        },
        Change::VaultMinimumSet {
            key_id,
            root_id,
            before,
            after,
        } => AuditRow {
            action: "vault.key.minimum",
            table_name: "tenant_encryption_keys",
            record_id: *key_id,
            entity_id: Some(*root_id),
            before: text(Some(json!({ "minimumVersion": before }))),
            after: text(Some(json!({ "minimumVersion": after }))),
        },
        Change::SecretVersionWritten {
            secret_id,
            version,
            key_version,
            reason,
            ..
        } => AuditRow {
            action: "secret.write",
            table_name: "vault_secret_versions",
            record_id: *secret_id,
            entity_id: Some(*secret_id),
            before: None,
            after: text(Some(
                json!({ "version": version, "keyVersion": key_version, "reason": reason }),
            )),
        },
        Change::SecretRevealed {
            secret_id,
            version,
            reason,
            ..
        } => AuditRow {
            action: "secret.reveal",
            table_name: "vault_secret_versions",
            record_id: *secret_id,
            entity_id: Some(*secret_id),
            before: None,
            after: text(Some(json!({ "version": version, "reason": reason }))),
        },
        Change::SecretsRewrapped {
            root_id,
            key_version,
            count,
        } => AuditRow {
            action: "vault.rewrap",
            table_name: "vault_secret_versions",
            record_id: *root_id,
            entity_id: Some(*root_id),
            before: None,
            after: text(Some(json!({ "keyVersion": key_version, "count": count }))),
        },
        Change::MetricsImported { summary } => AuditRow {
            action: "metrics.import",
            table_name: "metric_samples",
            record_id: Uuid::now_v7(),
            entity_id: None,
            before: None,
            after: text(Some(summary.clone())),
        },
        Change::AlertRaised { alert } => AuditRow {
            action: "alert.raise",
            table_name: "alerts",
            record_id: alert.id,
            entity_id: Some(alert.entity_id),
            before: None,
            after: text(Some(alert_json(alert))),
        },
        Change::AlertChanged { before, after } => AuditRow {
            action: match after.status {
                crate::records::AlertStatus::Acknowledged => "alert.acknowledge",
                _ => "alert.resolve",
            },
            table_name: "alerts",
            record_id: after.id,
            entity_id: Some(after.entity_id),
            before: text(Some(alert_json(before))),
            after: text(Some(alert_json(after))),
        },
        Change::DashboardSaved { before, after } => dashboard_row(
            if before.is_some() {
                "dashboard.update"
            } else {
                "dashboard.create"
            },
            after,
            before.as_deref(),
            Some(after),
        ),
        Change::DashboardDeleted { dashboard } => {
            dashboard_row("dashboard.delete", dashboard, Some(dashboard), None)
        }
        Change::DashboardRestored { dashboard } => {
            dashboard_row("dashboard.restore", dashboard, None, Some(dashboard))
        }
        Change::Workflow {
            action,
            record_id,
            root_id,
            detail,
        } => AuditRow {
            action: action.audit_name(),
            table_name: action.table_name(),
            record_id: *record_id,
            entity_id: *root_id,
            before: None,
            after: text(Some(detail.clone())),
        },
        Change::ScopeRevoked { scope } => AuditRow {
            action: "scope.revoke",
            table_name: SCOPES,
            record_id: scope.id,
            entity_id: Some(scope.root_id),
            before: text(Some(scope_json(scope))),
            after: None,
        },
        Change::PropertyGroupCreated { group } => record(
            "property_group.create",
            GROUPS,
            group.id,
            None,
            Some(group_json(group)),
        ),
        Change::PropertyGroupUpdated { before, after } => record(
            "property_group.update",
            GROUPS,
            after.id,
            Some(group_json(before)),
            Some(group_json(after)),
        ),
        Change::PropertyGroupDeleted { group } => record(
            "property_group.delete",
            GROUPS,
            group.id,
            Some(json!({ "key": group.key })),
            None,
        ),
        Change::PropertyGroupRestored { group } => record(
            "property_group.restore",
            GROUPS,
            group.id,
            None,
            Some(json!({ "key": group.key })),
        ),
        Change::PropertyGroupsReordered { ids } => record(
            "property_group.reorder",
            GROUPS,
            ids.first().copied().unwrap_or_default(),
            None,
            Some(json!({ "order": ids })),
        ),
        Change::PropertyDefinitionCreated { definition } => record(
            "property_definition.create",
            DEFINITIONS,
            definition.id,
            None,
            Some(definition_json(definition)),
        ),
        Change::PropertyDefinitionUpdated {
            before,
            after,
            invalid_values,
        } => {
            let mut after_json = definition_json(after);
            after_json["invalid_values"] = json!(invalid_values);
            record(
                "property_definition.update",
                DEFINITIONS,
                after.id,
                Some(definition_json(before)),
                Some(after_json),
            )
        }
        Change::PropertyDefinitionDeleted { definition } => record(
            "property_definition.delete",
            DEFINITIONS,
            definition.id,
            Some(json!({ "key": definition.key })),
            None,
        ),
        Change::PropertyDefinitionRestored { definition } => record(
            "property_definition.restore",
            DEFINITIONS,
            definition.id,
            None,
            Some(json!({ "key": definition.key })),
        ),
        Change::TypeLayoutChanged {
            entity_type_id,
            before,
            after,
        } => record(
            "entity_type.layout",
            "entity_type_properties",
            *entity_type_id,
            Some(layout_json(before)),
            Some(layout_json(after)),
        ),
        Change::TagGroupCreated { group } => record(
            "tag_group.create",
            TAG_GROUPS,
            group.id,
            None,
            Some(tag_group_json(group)),
        ),
        Change::TagGroupUpdated { before, after } => record(
            "tag_group.update",
            TAG_GROUPS,
            after.id,
            Some(tag_group_json(before)),
            Some(tag_group_json(after)),
        ),
        Change::TagGroupDeleted { group } => record(
            "tag_group.delete",
            TAG_GROUPS,
            group.id,
            Some(json!({ "key": group.key })),
            None,
        ),
        Change::TagGroupRestored { group } => record(
            "tag_group.restore",
            TAG_GROUPS,
            group.id,
            None,
            Some(json!({ "key": group.key })),
        ),
        Change::SavedViewCreated { view } => saved_view_row("view.create", view, None, Some(view)),
        Change::SavedViewUpdated { before, after } => {
            saved_view_row("view.update", after, Some(before), Some(after))
        }
        Change::SavedViewDeleted { view } => saved_view_row("view.delete", view, Some(view), None),
        Change::SavedViewRestored { view } => {
            saved_view_row("view.restore", view, None, Some(view))
        }
        Change::TypeDefaultViewSet {
            entity_type_id,
            before,
            after,
        } => record(
            "type.default_view",
            "entity_type_default_views",
            *entity_type_id,
            before.map(|v| json!({ "saved_view_id": v })),
            after.map(|v| json!({ "saved_view_id": v })),
        ),
        Change::TagDefined { before, after } => AuditRow {
            action: "tag.define",
            table_name: "tags",
            record_id: after.id,
            entity_id: Some(after.id),
            before: text(before.as_ref().map(tag_json)),
            after: text(Some(tag_json(after))),
        },
        Change::EntityTagsChanged {
            node,
            added,
            removed,
        } => AuditRow {
            action: "entity.tags",
            table_name: "entity_tags",
            record_id: node.id,
            entity_id: Some(node.id),
            before: text(Some(json!({ "removed": removed }))),
            after: text(Some(json!({ "added": added }))),
        },
        Change::GroupConfigured { before, after } => AuditRow {
            action: "group.configure",
            table_name: "entity_groups",
            record_id: after.entity_id,
            entity_id: Some(after.entity_id),
            before: text(before.as_ref().map(group_config_json)),
            after: text(Some(group_config_json(after))),
        },
        Change::GroupMembersChanged {
            group_id,
            added,
            removed,
        } => AuditRow {
            action: "group.members",
            table_name: "entity_group_members",
            record_id: *group_id,
            entity_id: Some(*group_id),
            before: text(Some(json!({ "removed": removed }))),
            after: text(Some(json!({ "added": added }))),
        },
        Change::RelationshipCreated { relationship: r } => AuditRow {
            action: "relationship.create",
            table_name: "entity_relationships",
            record_id: r.id,
            entity_id: Some(r.source_id),
            before: None,
            after: text(Some(relationship_json(r))),
        },
        Change::RelationshipDeleted { relationship: r } => AuditRow {
            action: "relationship.delete",
            table_name: "entity_relationships",
            record_id: r.id,
            entity_id: Some(r.source_id),
            before: text(Some(relationship_json(r))),
            after: None,
        },
        Change::BulkEdited { .. } => unreachable!("bulk edits are written by write_bulk"),
        Change::PropertyValuesChanged { node, values } => AuditRow {
            action: "entity.properties",
            table_name: "entity_property_values",
            record_id: node.id,
            entity_id: Some(node.id),
            before: Some(values_object(values, |v| v.before.as_ref())),
            after: Some(values_object(values, |v| v.after.as_ref())),
        },
    }
}

/// Writes the audit row of `change`.
pub(super) async fn write(
    conn: &mut PgConnection,
    actor: &Actor,
    change: &Change,
) -> CoreResult<()> {
    if let Change::BulkEdited { kind, entities } = change {
        return write_bulk(conn, actor, kind, entities).await;
    }
    let row = row_of(change);
    sqlx::query(
        "INSERT INTO audit_events
            (id, actor_user_id, action, table_name, record_id, entity_id, request_id, source, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)",
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

/// The rows of a bulk edit: one per changed entity, shaped like the rows of
/// the same edit made to one entity (so history and restore read them
/// alike), written in one statement per batch.
async fn write_bulk(
    conn: &mut PgConnection,
    actor: &Actor,
    kind: &BulkKind,
    entities: &[BulkEntityChange],
) -> CoreResult<()> {
    let (action, table) = match kind {
        BulkKind::Property { .. } => ("entity.properties", "entity_property_values"),
        BulkKind::TagAdded { .. } | BulkKind::TagRemoved { .. } => ("entity.tags", "entity_tags"),
    };
    for chunk in entities.chunks(5_000) {
        let ids: Vec<Uuid> = chunk.iter().map(|e| e.entity_id).collect();
        let (before, after): (Vec<String>, Vec<String>) = chunk
            .iter()
            .map(|e| match kind {
                BulkKind::Property { key, sensitive, .. } => {
                    let one = |v: &Option<String>| {
                        let value = ValueChange {
                            definition_id: Uuid::nil(),
                            key: key.clone(),
                            sensitive: *sensitive,
                            before: v.clone(),
                            after: None,
                        };
                        values_object(std::slice::from_ref(&value), |v| v.before.as_ref())
                    };
                    (one(&e.before), one(&e.after))
                }
                BulkKind::TagAdded { tag_id } => (
                    json!({ "removed": [] }).to_string(),
                    json!({ "added": [tag_id] }).to_string(),
                ),
                BulkKind::TagRemoved { tag_id } => (
                    json!({ "removed": [tag_id] }).to_string(),
                    json!({ "added": [] }).to_string(),
                ),
            })
            .unzip();
        sqlx::query(
            "INSERT INTO audit_events
                (id, actor_user_id, action, table_name, record_id, entity_id, request_id, source, before, after)
             SELECT gen_random_uuid(), $1, $2, $3, x.id, x.id, $4, $5, x.before::jsonb, x.after::jsonb
             FROM unnest($6::uuid[], $7::text[], $8::text[]) AS x(id, before, after)",
        )
        .bind(actor.user_id)
        .bind(action)
        .bind(table)
        .bind(actor.request_id)
        .bind(actor.source.audit_name())
        .bind(&ids)
        .bind(&before)
        .bind(&after)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A parameter of [`write_rows`]' row source.
pub(crate) enum RowsBind<'a> {
    Uuids(&'a [Uuid]),
    Texts(&'a [String]),
    Text(&'a str),
}

/// The rows of a set-based change (an import): one audit row per row of
/// `rows`, a SELECT of (record id, entity id, before, after) whose own
/// parameters start at `$6`, bound from `binds` in order. Returns the rows
/// written.
pub(crate) async fn write_rows(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &'static str,
    table_name: &'static str,
    rows: &str,
    binds: &[RowsBind<'_>],
) -> CoreResult<u64> {
    let sql = format!(
        "INSERT INTO audit_events
            (id, actor_user_id, action, table_name, record_id, entity_id, request_id, source, before, after)
         SELECT gen_random_uuid(), $1, $2, $3, r.record_id, r.entity_id, $4, $5, r.before, r.after
           FROM ({rows}) AS r(record_id, entity_id, before, after)"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(actor.user_id)
        .bind(action)
        .bind(table_name)
        .bind(actor.request_id)
        .bind(actor.source.audit_name());
    for b in binds {
        q = match b {
            RowsBind::Uuids(v) => q.bind(*v),
            RowsBind::Texts(v) => q.bind(*v),
            RowsBind::Text(v) => q.bind(*v),
        };
    }
    Ok(q.execute(conn).await?.rows_affected())
}
