//! What each constraint of the schema means to a person: the one table from
//! which a violated constraint becomes a typed error (see `error.rs`). A test
//! (`tests/it/constraints.rs`) forces every constraint of the migrated
//! catalog and checks that it is listed here and maps as listed, so a new
//! constraint cannot be forgotten.
//!
//! This module depends on nothing else in the crate.

/// One constraint (or unique index) of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constraint {
    /// Its name in the catalog.
    pub name: &'static str,
    /// The table it is declared on.
    pub table: &'static str,
    /// The input field it concerns (the constrained column, as a form names
    /// it).
    pub field: &'static str,
    pub kind: ConstraintKind,
    /// The record, as a person says it ("an entity type").
    pub record: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// Primary key.
    PrimaryKey,
    /// A unique constraint or unique index.
    Unique,
    /// A foreign key; `references` is the table it points at.
    ForeignKey { references: &'static str },
}

const fn pk(table: &'static str, name: &'static str, record: &'static str) -> Constraint {
    Constraint {
        name,
        table,
        field: "id",
        kind: ConstraintKind::PrimaryKey,
        record,
    }
}

const fn unique(
    name: &'static str,
    table: &'static str,
    field: &'static str,
    record: &'static str,
) -> Constraint {
    Constraint {
        name,
        table,
        field,
        kind: ConstraintKind::Unique,
        record,
    }
}

const fn fk(
    name: &'static str,
    table: &'static str,
    field: &'static str,
    references: &'static str,
    record: &'static str,
) -> Constraint {
    Constraint {
        name,
        table,
        field,
        kind: ConstraintKind::ForeignKey { references },
        record,
    }
}

/// Every primary key, unique constraint, unique index and foreign key of the
/// schema. (The schema has no CHECK or exclusion constraints yet; a
/// violation of one maps by its kind alone.)
pub const CONSTRAINTS: &[Constraint] = &[
    // Primary keys.
    pk(
        "entity_type_definitions",
        "entity_type_definitions_pkey",
        "an entity type",
    ),
    pk("entities", "entities_pkey", "an entity"),
    pk(
        "entity_relationships",
        "entity_relationships_pkey",
        "a relationship",
    ),
    pk("entity_groups", "entity_groups_pkey", "a group"),
    pk(
        "entity_group_members",
        "entity_group_members_pkey",
        "a group membership",
    ),
    pk(
        "user_root_entity_scopes",
        "user_root_entity_scopes_pkey",
        "a root scope",
    ),
    pk(
        "tenant_encryption_keys",
        "tenant_encryption_keys_pkey",
        "a tenant key",
    ),
    pk(
        "tenant_encryption_key_versions",
        "tenant_encryption_key_versions_pkey",
        "a tenant key version",
    ),
    pk(
        "vault_secret_versions",
        "vault_secret_versions_pkey",
        "a secret version",
    ),
    pk(
        "property_groups",
        "property_groups_pkey",
        "a property group",
    ),
    pk(
        "property_definitions",
        "property_definitions_pkey",
        "a property",
    ),
    pk(
        "entity_property_values",
        "entity_property_values_pkey",
        "a property value",
    ),
    pk("tag_groups", "tag_groups_pkey", "a tag group"),
    pk("tags", "tags_pkey", "a tag"),
    pk("entity_tags", "entity_tags_pkey", "a tag assignment"),
    pk(
        "admin_saved_views",
        "admin_saved_views_pkey",
        "a saved view",
    ),
    pk(
        "entity_type_default_views",
        "entity_type_default_views_pkey",
        "a type's view",
    ),
    pk("users", "users_pkey", "a person"),
    pk("audit_events", "audit_events_pkey", "an audit event"),
    pk(
        "entity_type_properties",
        "entity_type_properties_pkey",
        "a property of a type",
    ),
    pk(
        "entity_read_model",
        "entity_read_model_pkey",
        "a read-model row",
    ),
    // Unique keys.
    unique(
        "entity_type_definitions_key_key",
        "entity_type_definitions",
        "key",
        "an entity type",
    ),
    unique("entities_path_label_key", "entities", "name", "an entity"),
    unique(
        "entity_type_default_views_entity_type_id_key",
        "entity_type_default_views",
        "entity_type_id",
        "a type's view",
    ),
    unique(
        "entity_groups_entity_id_key",
        "entity_groups",
        "entity_id",
        "a group",
    ),
    unique(
        "property_groups_key_key",
        "property_groups",
        "key",
        "a property group",
    ),
    unique(
        "property_definitions_key_key",
        "property_definitions",
        "key",
        "a property",
    ),
    unique("tag_groups_key_key", "tag_groups", "key", "a tag group"),
    unique("tags_entity_id_key", "tags", "entity_id", "a tag"),
    unique(
        "uq_entity_group_members_active",
        "entity_group_members",
        "member_entity_id",
        "a group membership",
    ),
    unique(
        "uq_entity_property_values_active",
        "entity_property_values",
        "property_definition_id",
        "a property value",
    ),
    unique("uq_users_pg_role_active", "users", "pg_role", "a person"),
    unique(
        "uq_tenant_encryption_keys_live_root",
        "tenant_encryption_keys",
        "root_entity_id",
        "a root's vault key",
    ),
    unique(
        "uq_tenant_encryption_key_versions_version",
        "tenant_encryption_key_versions",
        "version",
        "a key version",
    ),
    unique(
        "uq_vault_secret_versions_version",
        "vault_secret_versions",
        "version",
        "a secret version",
    ),
    unique(
        "uq_entity_type_properties_active",
        "entity_type_properties",
        "property_definition_id",
        "a property of a type",
    ),
    unique(
        "uq_entity_tags_active",
        "entity_tags",
        "tag_entity_id",
        "a tag assignment",
    ),
    unique(
        "uq_entity_relationships_active",
        "entity_relationships",
        "relationship_type",
        "a relationship",
    ),
    unique("uq_tags_group_key_active", "tags", "key", "a tag"),
    // Foreign keys.
    fk(
        "entities_entity_type_id_fkey",
        "entities",
        "entity_type_id",
        "entity_type_definitions",
        "an entity",
    ),
    fk(
        "entities_parent_entity_id_fkey",
        "entities",
        "parent_entity_id",
        "entities",
        "an entity",
    ),
    fk(
        "entity_relationships_source_entity_id_fkey",
        "entity_relationships",
        "source_entity_id",
        "entities",
        "a relationship",
    ),
    fk(
        "entity_relationships_target_entity_id_fkey",
        "entity_relationships",
        "target_entity_id",
        "entities",
        "a relationship",
    ),
    fk(
        "entity_groups_entity_id_fkey",
        "entity_groups",
        "entity_id",
        "entities",
        "a group",
    ),
    fk(
        "entity_group_members_group_entity_id_fkey",
        "entity_group_members",
        "group_entity_id",
        "entities",
        "a group membership",
    ),
    fk(
        "entity_group_members_member_entity_id_fkey",
        "entity_group_members",
        "member_entity_id",
        "entities",
        "a group membership",
    ),
    fk(
        "user_root_entity_scopes_root_entity_id_fkey",
        "user_root_entity_scopes",
        "root_entity_id",
        "entities",
        "a root scope",
    ),
    fk(
        "tenant_encryption_keys_root_entity_id_fkey",
        "tenant_encryption_keys",
        "root_entity_id",
        "entities",
        "a tenant key",
    ),
    fk(
        "tenant_encryption_key_versions_tenant_encryption_key_id_fkey",
        "tenant_encryption_key_versions",
        "tenant_encryption_key_id",
        "tenant_encryption_keys",
        "a tenant key version",
    ),
    fk(
        "vault_secret_versions_secret_entity_id_fkey",
        "vault_secret_versions",
        "secret_entity_id",
        "entities",
        "a secret version",
    ),
    fk(
        "vault_secret_versions_root_entity_id_fkey",
        "vault_secret_versions",
        "root_entity_id",
        "entities",
        "a secret version",
    ),
    fk(
        "vault_secret_versions_tenant_encryption_key_version_id_fkey",
        "vault_secret_versions",
        "tenant_encryption_key_version_id",
        "tenant_encryption_key_versions",
        "a secret version",
    ),
    fk(
        "property_definitions_property_group_id_fkey",
        "property_definitions",
        "property_group_id",
        "property_groups",
        "a property",
    ),
    fk(
        "entity_property_values_entity_id_fkey",
        "entity_property_values",
        "entity_id",
        "entities",
        "a property value",
    ),
    fk(
        "entity_property_values_property_definition_id_fkey",
        "entity_property_values",
        "property_definition_id",
        "property_definitions",
        "a property value",
    ),
    fk(
        "tags_entity_id_fkey",
        "tags",
        "entity_id",
        "entities",
        "a tag",
    ),
    fk(
        "tags_tag_group_id_fkey",
        "tags",
        "tag_group_id",
        "tag_groups",
        "a tag",
    ),
    fk(
        "entity_tags_entity_id_fkey",
        "entity_tags",
        "entity_id",
        "entities",
        "a tag assignment",
    ),
    fk(
        "entity_tags_tag_entity_id_fkey",
        "entity_tags",
        "tag_entity_id",
        "entities",
        "a tag assignment",
    ),
    fk(
        "admin_saved_views_root_entity_id_fkey",
        "admin_saved_views",
        "root_entity_id",
        "entities",
        "a saved view",
    ),
    fk(
        "entity_type_default_views_entity_type_id_fkey",
        "entity_type_default_views",
        "entity_type_id",
        "entity_type_definitions",
        "a type's view",
    ),
    fk(
        "entity_type_default_views_saved_view_id_fkey",
        "entity_type_default_views",
        "saved_view_id",
        "admin_saved_views",
        "a type's view",
    ),
    fk(
        "audit_events_actor_user_id_fkey",
        "audit_events",
        "actor_user_id",
        "users",
        "an audit event",
    ),
    fk(
        "entity_type_properties_entity_type_id_fkey",
        "entity_type_properties",
        "entity_type_id",
        "entity_type_definitions",
        "a property of a type",
    ),
    fk(
        "entity_type_properties_property_definition_id_fkey",
        "entity_type_properties",
        "property_definition_id",
        "property_definitions",
        "a property of a type",
    ),
    fk(
        "entity_read_model_entity_id_fkey",
        "entity_read_model",
        "entity_id",
        "entities",
        "a read-model row",
    ),
    pk("dashboards", "dashboards_pkey", "a dashboard"),
    pk(
        "dashboard_widgets",
        "dashboard_widgets_pkey",
        "a dashboard widget",
    ),
    pk("metric_series", "metric_series_pkey", "a metric series"),
    pk("alerts", "alerts_pkey", "an alert"),
    unique("uq_dashboards_key", "dashboards", "key", "a dashboard"),
    unique(
        "uq_metric_series_entity_metric",
        "metric_series",
        "metric_key",
        "a metric series",
    ),
    fk(
        "dashboards_owner_user_id_fkey",
        "dashboards",
        "owner_user_id",
        "users",
        "a dashboard",
    ),
    fk(
        "dashboards_root_entity_id_fkey",
        "dashboards",
        "root_entity_id",
        "entities",
        "a dashboard",
    ),
    fk(
        "dashboard_widgets_dashboard_id_fkey",
        "dashboard_widgets",
        "dashboard_id",
        "dashboards",
        "a dashboard widget",
    ),
    fk(
        "metric_series_entity_id_fkey",
        "metric_series",
        "entity_id",
        "entities",
        "a metric series",
    ),
    fk(
        "metric_series_root_entity_id_fkey",
        "metric_series",
        "root_entity_id",
        "entities",
        "a metric series",
    ),
    fk(
        "alerts_entity_id_fkey",
        "alerts",
        "entity_id",
        "entities",
        "an alert",
    ),
    fk(
        "alerts_root_entity_id_fkey",
        "alerts",
        "root_entity_id",
        "entities",
        "an alert",
    ),
    fk(
        "alerts_raised_by_user_id_fkey",
        "alerts",
        "raised_by_user_id",
        "users",
        "an alert",
    ),
    fk(
        "alerts_acknowledged_by_user_id_fkey",
        "alerts",
        "acknowledged_by_user_id",
        "users",
        "an alert",
    ),
    fk(
        "alerts_resolved_by_user_id_fkey",
        "alerts",
        "resolved_by_user_id",
        "users",
        "an alert",
    ),
    pk("workflows", "workflows_pkey", "a workflow"),
    pk(
        "workflow_versions",
        "workflow_versions_pkey",
        "a workflow version",
    ),
    pk(
        "workflow_executions",
        "workflow_executions_pkey",
        "a workflow execution",
    ),
    pk(
        "workflow_execution_steps",
        "workflow_execution_steps_pkey",
        "an execution step",
    ),
    pk(
        "approval_requests",
        "approval_requests_pkey",
        "an approval request",
    ),
    pk("approval_votes", "approval_votes_pkey", "an approval vote"),
    pk("notifications", "notifications_pkey", "a notification"),
    pk(
        "workflow_dispatch",
        "workflow_dispatch_pkey",
        "the workflow dispatch position",
    ),
    unique("uq_workflows_key", "workflows", "key", "a workflow"),
    unique(
        "uq_workflow_versions_number",
        "workflow_versions",
        "version",
        "a workflow version",
    ),
    unique(
        "uq_workflow_executions_event",
        "workflow_executions",
        "trigger_event_id",
        "a workflow execution",
    ),
    unique(
        "uq_workflow_execution_steps_attempt",
        "workflow_execution_steps",
        "position",
        "an execution step",
    ),
    unique(
        "uq_workflow_execution_steps_done",
        "workflow_execution_steps",
        "position",
        "an execution step",
    ),
    unique(
        "uq_approval_requests_step",
        "approval_requests",
        "position",
        "an approval request",
    ),
    unique(
        "uq_approval_votes_person",
        "approval_votes",
        "user_id",
        "an approval vote",
    ),
    fk(
        "workflows_root_entity_id_fkey",
        "workflows",
        "root_entity_id",
        "entities",
        "a workflow",
    ),
    fk(
        "workflows_created_by_user_id_fkey",
        "workflows",
        "created_by_user_id",
        "users",
        "a workflow",
    ),
    fk(
        "fk_workflows_published_version",
        "workflows",
        "published_version_id",
        "workflow_versions",
        "a workflow",
    ),
    fk(
        "workflow_versions_workflow_id_fkey",
        "workflow_versions",
        "workflow_id",
        "workflows",
        "a workflow version",
    ),
    fk(
        "workflow_versions_published_by_user_id_fkey",
        "workflow_versions",
        "published_by_user_id",
        "users",
        "a workflow version",
    ),
    fk(
        "workflow_executions_workflow_id_fkey",
        "workflow_executions",
        "workflow_id",
        "workflows",
        "a workflow execution",
    ),
    fk(
        "workflow_executions_version_id_fkey",
        "workflow_executions",
        "version_id",
        "workflow_versions",
        "a workflow execution",
    ),
    fk(
        "workflow_executions_root_entity_id_fkey",
        "workflow_executions",
        "root_entity_id",
        "entities",
        "a workflow execution",
    ),
    fk(
        "workflow_executions_entity_id_fkey",
        "workflow_executions",
        "entity_id",
        "entities",
        "a workflow execution",
    ),
    fk(
        "workflow_executions_initiated_by_user_id_fkey",
        "workflow_executions",
        "initiated_by_user_id",
        "users",
        "a workflow execution",
    ),
    fk(
        "workflow_execution_steps_execution_id_fkey",
        "workflow_execution_steps",
        "execution_id",
        "workflow_executions",
        "an execution step",
    ),
    fk(
        "approval_requests_execution_id_fkey",
        "approval_requests",
        "execution_id",
        "workflow_executions",
        "an approval request",
    ),
    fk(
        "approval_requests_entity_id_fkey",
        "approval_requests",
        "entity_id",
        "entities",
        "an approval request",
    ),
    fk(
        "approval_requests_root_entity_id_fkey",
        "approval_requests",
        "root_entity_id",
        "entities",
        "an approval request",
    ),
    fk(
        "approval_requests_initiator_user_id_fkey",
        "approval_requests",
        "initiator_user_id",
        "users",
        "an approval request",
    ),
    fk(
        "approval_votes_request_id_fkey",
        "approval_votes",
        "request_id",
        "approval_requests",
        "an approval vote",
    ),
    fk(
        "approval_votes_user_id_fkey",
        "approval_votes",
        "user_id",
        "users",
        "an approval vote",
    ),
    fk(
        "notifications_user_id_fkey",
        "notifications",
        "user_id",
        "users",
        "a notification",
    ),
    fk(
        "notifications_entity_id_fkey",
        "notifications",
        "entity_id",
        "entities",
        "a notification",
    ),
    fk(
        "notifications_execution_id_fkey",
        "notifications",
        "execution_id",
        "workflow_executions",
        "a notification",
    ),
    pk("external_refs", "external_refs_pkey", "an external id"),
    pk("sync_imports", "sync_imports_pkey", "an import run"),
    pk(
        "offline_mutations",
        "offline_mutations_pkey",
        "an applied offline edit",
    ),
    fk(
        "offline_mutations_user_id_fkey",
        "offline_mutations",
        "user_id",
        "users",
        "an applied offline edit",
    ),
    pk("import_presets", "import_presets_pkey", "an import preset"),
    pk(
        "installed_packs",
        "installed_packs_pkey",
        "an installed pack",
    ),
    unique(
        "uq_external_refs_source_id_active",
        "external_refs",
        "external_id",
        "an external id of this source",
    ),
    unique(
        "uq_import_presets_name_active",
        "import_presets",
        "name",
        "an import preset",
    ),
    unique(
        "uq_installed_packs_key_active",
        "installed_packs",
        "key",
        "an installed pack",
    ),
    fk(
        "external_refs_entity_id_fkey",
        "external_refs",
        "entity_id",
        "entities",
        "an external id",
    ),
    fk(
        "sync_imports_created_by_fkey",
        "sync_imports",
        "created_by",
        "users",
        "an import run",
    ),
    fk(
        "import_presets_owner_user_id_fkey",
        "import_presets",
        "owner_user_id",
        "users",
        "an import preset",
    ),
    fk(
        "installed_packs_installed_by_fkey",
        "installed_packs",
        "installed_by",
        "users",
        "an installed pack",
    ),
];

/// The constraint of this name, if the schema has it.
pub fn find(name: &str) -> Option<&'static Constraint> {
    CONSTRAINTS.iter().find(|c| c.name == name)
}

/// A person's word for a table's rows ("entities" → "an entity").
pub fn record_of_table(table: &str) -> &'static str {
    CONSTRAINTS
        .iter()
        .find(|c| c.table == table && matches!(c.kind, ConstraintKind::PrimaryKey))
        .map_or("a record", |c| c.record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_table_has_its_primary_key() {
        let mut names: Vec<_> = CONSTRAINTS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a constraint is listed twice");
        for c in CONSTRAINTS {
            assert!(
                CONSTRAINTS
                    .iter()
                    .any(|p| p.table == c.table && p.kind == ConstraintKind::PrimaryKey),
                "{} is on {}, whose primary key is not listed",
                c.name,
                c.table
            );
        }
    }

    #[test]
    fn a_table_reads_as_its_record() {
        assert_eq!(record_of_table("entities"), "an entity");
        assert_eq!(record_of_table("no_such_table"), "a record");
    }
}
