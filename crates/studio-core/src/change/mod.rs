//! The change pipeline. Every mutation of the core ends in [`record`], in its
//! own transaction: it states what changed as a [`Change`], and `record`
//! writes the audit row for it (and, as the product grows, updates what is
//! derived from the registry) before the transaction commits. The mutation
//! returns the change to its caller inside an [`Applied`], and the desktop
//! shell turns it into the window's event. One path, so the audit trail,
//! derived data and events cannot drift apart.

mod actor;
mod audit;

pub use actor::{current_user_id, Actor, Source};
pub(crate) use audit::{write_rows, RowsBind};

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::{CoreError, CoreResult, Rule};
use crate::read_model;
use crate::records::{
    BulkEntityChange, BulkKind, EntityGroup, EntityType, LayoutEntry, PropertyDefinition,
    PropertyGroup, Relationship, SavedView, Tag, TagGroup, TreeNode, ValueChange,
};

/// What one mutation changed, with the before-state its audit row needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    EntityCreated {
        node: TreeNode,
    },
    EntityRenamed {
        node: TreeNode,
        old_name: Option<String>,
        old_path_label: String,
    },
    EntityMoved {
        node: TreeNode,
        old_parent_id: Option<Uuid>,
        old_path_label: String,
        /// Rows whose path was rewritten (the subtree, deleted rows included).
        rewritten: i64,
    },
    /// An entity and its live descendants were soft-deleted together.
    EntitiesDeleted {
        id: Uuid,
        parent_id: Option<Uuid>,
        path_label: String,
        count: i64,
        deleted_at: DateTime<Utc>,
    },
    /// One deletion was undone: the entity and the rows deleted with it.
    EntitiesRestored {
        node: TreeNode,
        count: i64,
        deleted_at: DateTime<Utc>,
    },
    /// A deleted subtree was removed for good.
    EntitiesPurged {
        id: Uuid,
        path_label: String,
        deleted_at: DateTime<Utc>,
        count: i64,
    },
    EntityTypeCreated {
        entity_type: EntityType,
    },
    EntityTypeUpdated {
        before: EntityType,
        after: EntityType,
    },
    EntityTypeDeleted {
        entity_type: EntityType,
    },
    EntityTypeRestored {
        entity_type: EntityType,
    },
    PropertyGroupCreated {
        group: PropertyGroup,
    },
    PropertyGroupUpdated {
        before: PropertyGroup,
        after: PropertyGroup,
    },
    PropertyGroupDeleted {
        group: PropertyGroup,
    },
    PropertyGroupRestored {
        group: PropertyGroup,
    },
    /// Groups put in a new order (ids in their new order).
    PropertyGroupsReordered {
        ids: Vec<Uuid>,
    },
    PropertyDefinitionCreated {
        definition: PropertyDefinition,
    },
    PropertyDefinitionUpdated {
        before: Box<PropertyDefinition>,
        after: Box<PropertyDefinition>,
        /// Stored values the new type or rules refuse (kept, confirmed).
        invalid_values: i64,
    },
    PropertyDefinitionDeleted {
        definition: PropertyDefinition,
    },
    PropertyDefinitionRestored {
        definition: PropertyDefinition,
    },
    /// The properties an entity type shows (and requires) changed.
    TypeLayoutChanged {
        entity_type_id: Uuid,
        before: Vec<LayoutEntry>,
        after: Vec<LayoutEntry>,
    },
    /// Property values of one entity were set or cleared. `node` is the
    /// entity as it is now (its version moved on); sensitive values are
    /// redacted in `values`.
    PropertyValuesChanged {
        node: TreeNode,
        values: Vec<ValueChange>,
    },
    TagGroupCreated {
        group: TagGroup,
    },
    TagGroupUpdated {
        before: TagGroup,
        after: TagGroup,
    },
    TagGroupDeleted {
        group: TagGroup,
    },
    TagGroupRestored {
        group: TagGroup,
    },
    SavedViewCreated {
        view: SavedView,
    },
    SavedViewUpdated {
        before: Box<SavedView>,
        after: Box<SavedView>,
    },
    SavedViewDeleted {
        view: SavedView,
    },
    SavedViewRestored {
        view: SavedView,
    },
    /// The view an entity type opens with was chosen (or cleared).
    TypeDefaultViewSet {
        entity_type_id: Uuid,
        before: Option<Uuid>,
        after: Option<Uuid>,
    },
    /// A tag's data (group, key, colour) was set on its entity.
    TagDefined {
        before: Option<Tag>,
        after: Tag,
    },
    /// Tags were added to or removed from one entity (`node`: as it is now).
    EntityTagsChanged {
        node: TreeNode,
        added: Vec<Uuid>,
        removed: Vec<Uuid>,
    },
    /// An entity was made a group, or its group configuration changed.
    GroupConfigured {
        before: Option<EntityGroup>,
        after: EntityGroup,
    },
    /// Members were added to or removed from a group.
    GroupMembersChanged {
        group_id: Uuid,
        added: Vec<Uuid>,
        removed: Vec<Uuid>,
    },
    RelationshipCreated {
        relationship: Relationship,
    },
    RelationshipDeleted {
        relationship: Relationship,
    },
    /// One edit applied to many entities in one request (bulk edit): one
    /// audit row per changed entity, all with the request's id.
    BulkEdited {
        kind: BulkKind,
        entities: Vec<BulkEntityChange>,
    },
    /// A generated registry was loaded in bulk (`eco-studio seed generate`).
    EntitiesGenerated {
        first_tenant_id: Uuid,
        /// What was generated (counts, seed, options): the audit row's `after`.
        summary: serde_json::Value,
    },
    PersonAdded {
        person: crate::records::Person,
    },
    PersonDeactivated {
        person: crate::records::Person,
    },
    /// A person's capabilities on a root were set (`before`: what they held
    /// there, if anything).
    ScopeGranted {
        before: Option<crate::records::Scope>,
        after: crate::records::Scope,
    },
    ScopeRevoked {
        scope: crate::records::Scope,
    },
    /// A root's vault key was created (never with key material).
    VaultKeyCreated {
        key_id: Uuid,
        root_id: Uuid,
        provider: String,
    },
    /// A key version was added.
    VaultKeyRotated {
        key_id: Uuid,
        root_id: Uuid,
        version: i32,
    },
    /// The minimum decryption version changed.
    VaultMinimumSet {
        key_id: Uuid,
        root_id: Uuid,
        before: i32,
        after: i32,
    },
    /// A secret got a new version (never with its value).
    SecretVersionWritten {
        secret_id: Uuid,
        root_id: Uuid,
        version: i32,
        key_version: i32,
        reason: Option<String>,
    },
    /// A secret's value was revealed to the person, for `reason`.
    SecretRevealed {
        secret_id: Uuid,
        root_id: Uuid,
        version: i32,
        reason: String,
    },
    /// Secret versions of a root were sealed again by its newest key version.
    SecretsRewrapped {
        root_id: Uuid,
        key_version: i32,
        count: i64,
    },
    /// Readings were imported (or generated) in bulk: one audit row with
    /// the counts.
    MetricsImported {
        summary: serde_json::Value,
    },
    AlertRaised {
        alert: crate::records::Alert,
    },
    /// An alert was acknowledged or resolved.
    AlertChanged {
        before: Box<crate::records::Alert>,
        after: Box<crate::records::Alert>,
    },
    /// A dashboard was created (no `before`) or saved with its widgets.
    DashboardSaved {
        before: Option<Box<crate::records::Dashboard>>,
        after: Box<crate::records::Dashboard>,
    },
    DashboardDeleted {
        dashboard: Box<crate::records::Dashboard>,
    },
    DashboardRestored {
        dashboard: Box<crate::records::Dashboard>,
    },
    /// Rows of a file were imported (created and updated entities have
    /// their own audit rows): one row with the run's counts.
    Imported {
        summary: serde_json::Value,
    },
    /// An import mapping preset was saved or deleted.
    ImportPresetChanged {
        action: &'static str,
        preset_id: Uuid,
        summary: serde_json::Value,
    },
    /// A domain pack was installed, upgraded or uninstalled: one row with
    /// what it did (its types, definitions, views... have their own rows).
    PackChanged {
        action: &'static str,
        summary: serde_json::Value,
    },
    /// A workflow was created, saved, published, enabled, deleted or
    /// restored; an execution was started, cancelled or retried; a vote was
    /// cast. `detail` is the audit row's `after`.
    Workflow {
        action: crate::records::WorkflowAction,
        record_id: Uuid,
        root_id: Option<Uuid>,
        detail: serde_json::Value,
    },
}

/// The result of a mutation applied in a transaction, and the changes it
/// made (none when it found nothing to do). The changes take effect when
/// the transaction commits; the pool-level forms of the operations return
/// them after the commit.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "the changes of a mutation are to be announced"]
pub struct Applied<T> {
    pub value: T,
    pub changes: Vec<Change>,
}

impl<T> Applied<T> {
    /// A result that changed nothing.
    pub fn unchanged(value: T) -> Self {
        Applied {
            value,
            changes: Vec::new(),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Applied<U> {
        Applied {
            value: f(self.value),
            changes: self.changes,
        }
    }

    /// Moves this result's changes into `changes` (when several operations
    /// share a transaction) and returns its value.
    pub fn collect_into(self, changes: &mut Vec<Change>) -> T {
        changes.extend(self.changes);
        self.value
    }
}

/// Brings what is derived from the registry (the read model) in step with
/// one change, in the change's transaction.
async fn derive(conn: &mut PgConnection, change: &Change) -> CoreResult<()> {
    match change {
        Change::EntityCreated { node } => {
            read_model::add_subtree(conn, node.id).await?;
        }
        Change::EntityRenamed {
            node,
            old_path_label,
            ..
        } => read_model::rename_subtree(conn, node.id, node.path_label != *old_path_label).await?,
        Change::EntityMoved { node, .. } => {
            read_model::move_subtree(conn, node.id).await?;
            // Series and alerts are read under their entity's root.
            for table in ["metric_series", "alerts"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} t SET root_entity_id = r.root_id, updated_at = clock_timestamp()
                       FROM entity_read_model r
                      WHERE r.entity_id = t.entity_id AND t.root_entity_id <> r.root_id
                        AND (r.entity_id = $1 OR $1 = ANY (r.ancestor_ids))"
                )))
                .bind(node.id)
                .execute(&mut *conn)
                .await?;
            }
        }
        Change::EntitiesDeleted { id, .. } => {
            read_model::remove_subtree(conn, *id).await?;
        }
        Change::EntitiesRestored { node, .. } => {
            read_model::add_subtree(conn, node.id).await?;
        }
        Change::PropertyValuesChanged { node, .. } | Change::EntityTagsChanged { node, .. } => {
            read_model::refresh_values(conn, &[node.id]).await?
        }
        Change::BulkEdited { entities, .. } => {
            let ids: Vec<Uuid> = entities.iter().map(|e| e.entity_id).collect();
            for chunk in ids.chunks(5_000) {
                read_model::refresh_values(conn, chunk).await?;
            }
        }
        Change::PropertyDefinitionUpdated { before, after, .. } => {
            if before.is_searchable != after.is_searchable
                || before.is_sensitive != after.is_sensitive
            {
                read_model::refresh_property(conn, after.id).await?;
            }
        }
        Change::PropertyDefinitionDeleted { definition }
        | Change::PropertyDefinitionRestored { definition } => {
            read_model::refresh_property(conn, definition.id).await?
        }
        // Purged rows left the read model when they were deleted; types,
        // groups, orders and layouts are read where they are stored; a bulk
        // generation rebuilds the read model itself (it is one statement
        // for a million rows, not a million changes).
        Change::EntitiesPurged { .. }
        | Change::EntityTypeCreated { .. }
        | Change::EntityTypeUpdated { .. }
        | Change::EntityTypeDeleted { .. }
        | Change::EntityTypeRestored { .. }
        | Change::PropertyGroupCreated { .. }
        | Change::PropertyGroupUpdated { .. }
        | Change::PropertyGroupDeleted { .. }
        | Change::PropertyGroupRestored { .. }
        | Change::PropertyGroupsReordered { .. }
        | Change::PropertyDefinitionCreated { .. }
        | Change::TypeLayoutChanged { .. }
        | Change::TagGroupCreated { .. }
        | Change::TagGroupUpdated { .. }
        | Change::TagGroupDeleted { .. }
        | Change::TagGroupRestored { .. }
        | Change::SavedViewCreated { .. }
        | Change::SavedViewUpdated { .. }
        | Change::SavedViewDeleted { .. }
        | Change::SavedViewRestored { .. }
        | Change::TypeDefaultViewSet { .. }
        | Change::TagDefined { .. }
        | Change::GroupConfigured { .. }
        | Change::GroupMembersChanged { .. }
        | Change::RelationshipCreated { .. }
        | Change::RelationshipDeleted { .. }
        | Change::EntitiesGenerated { .. }
        | Change::PersonAdded { .. }
        | Change::PersonDeactivated { .. }
        | Change::ScopeGranted { .. }
        | Change::ScopeRevoked { .. }
        | Change::VaultKeyCreated { .. }
        | Change::VaultKeyRotated { .. }
        | Change::VaultMinimumSet { .. }
        | Change::SecretVersionWritten { .. }
        | Change::SecretRevealed { .. }
        | Change::SecretsRewrapped { .. }
        | Change::MetricsImported { .. }
        | Change::AlertRaised { .. }
        | Change::AlertChanged { .. }
        | Change::DashboardSaved { .. }
        | Change::DashboardDeleted { .. }
        | Change::DashboardRestored { .. }
        | Change::Imported { .. }
        | Change::PackChanged { .. }
        | Change::ImportPresetChanged { .. }
        | Change::Workflow { .. } => {}
    }
    Ok(())
}

/// The one way a mutation records what it did, in its transaction: the
/// audit row, then everything derived from the change. Returns the value
/// with the change, for the mutation to return.
pub async fn record<T>(
    conn: &mut PgConnection,
    actor: &Actor,
    change: Change,
    value: T,
) -> CoreResult<Applied<T>> {
    audit::write(conn, actor, &change).await?;
    derive(conn, &change).await?;
    if let Source::Offline { mutation_id } = actor.source {
        note_applied(conn, actor, mutation_id, &change).await?;
    }
    Ok(Applied {
        value,
        changes: vec![change],
    })
}

/// Records a replayed offline mutation's id with its effect (called by
/// [`record`], in the mutation's transaction). A second record of the id in
/// the same transaction is the same application; in another transaction
/// it is refused (the edit was applied already) and that transaction
/// rolls back.
async fn note_applied(
    conn: &mut PgConnection,
    actor: &Actor,
    mutation_id: Uuid,
    change: &Change,
) -> CoreResult<()> {
    let (kind, entity_id) = match change {
        Change::EntityCreated { node } => ("create", Some(node.id)),
        Change::EntityRenamed { node, .. } => ("rename", Some(node.id)),
        Change::EntityMoved { node, .. } => ("move", Some(node.id)),
        Change::EntitiesDeleted { id, .. } => ("delete", Some(*id)),
        Change::PropertyValuesChanged { node, .. } => ("set_values", Some(node.id)),
        Change::EntityTagsChanged { node, .. } => ("edit_tags", Some(node.id)),
        _ => ("other", None),
    };
    let user_id = match actor.user_id {
        Some(id) => id,
        None => current_user_id(conn).await?,
    };
    let same_transaction: bool = sqlx::query_scalar(
        "WITH ins AS (
             INSERT INTO offline_mutations
                 (id, user_id, kind, entity_id, applied_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, now(), now(), now())
             ON CONFLICT (id) DO NOTHING
             RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM ins)
             OR EXISTS (SELECT 1 FROM offline_mutations
                         WHERE id = $1 AND applied_xact = pg_current_xact_id())",
    )
    .bind(mutation_id)
    .bind(user_id)
    .bind(kind)
    .bind(entity_id)
    .fetch_one(&mut *conn)
    .await?;
    if same_transaction {
        Ok(())
    } else {
        Err(CoreError::invalid(
            None,
            Rule::Unique,
            format!("the offline edit {mutation_id} was applied already"),
        ))
    }
}
