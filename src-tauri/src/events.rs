//! The events the window receives, and how the core's results become them.
//! Commands and jobs hand their `Applied` results to [`announce`]; the wire
//! types here are the UI's contract and change only deliberately.

use serde::Serialize;
use studio_core::jobs::{JobEvent, JobOutcome};
use studio_core::records::TreeNode;
use studio_core::{Applied, Change, Source};
use tauri::AppHandle;
use tauri_specta::Event;
use uuid::Uuid;

use crate::error::AppError;
use crate::state::StartupStatus;

/// Sent whenever the start-up status changes.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct StartupEvent {
    pub status: StartupStatus,
}

/// What changed in the registry.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RegistryChange {
    #[serde(rename_all = "camelCase")]
    Created {
        node: TreeNode,
    },
    #[serde(rename_all = "camelCase")]
    Updated {
        node: TreeNode,
    },
    #[serde(rename_all = "camelCase")]
    Moved {
        node: TreeNode,
        old_parent_id: Option<Uuid>,
    },
    #[serde(rename_all = "camelCase")]
    Deleted {
        id: Uuid,
        parent_id: Option<Uuid>,
        count: i64,
    },
    #[serde(rename_all = "camelCase")]
    Restored {
        node: TreeNode,
        count: i64,
    },
    #[serde(rename_all = "camelCase")]
    Purged {
        id: Uuid,
    },
    TypesChanged,
    /// An entity's property values changed (its version moved on).
    #[serde(rename_all = "camelCase")]
    PropertiesChanged {
        node: TreeNode,
    },
    /// Tags were added to or removed from an entity (its version moved on).
    #[serde(rename_all = "camelCase")]
    TagsChanged {
        node: TreeNode,
    },
    /// Tag groups or tags' data changed.
    TagSchemaChanged,
    /// A group's configuration or members changed.
    #[serde(rename_all = "camelCase")]
    GroupChanged {
        group_id: Uuid,
    },
    /// A relationship between two entities was created or removed.
    #[serde(rename_all = "camelCase")]
    RelationshipsChanged {
        source_id: Uuid,
        target_id: Uuid,
    },
    /// Property groups, definitions or a type's layout changed: every
    /// property pane and the admin lists may show something else now.
    SchemaChanged,
    /// The vault changed: a root's key (rotation, minimum version,
    /// rewrap), a secret's versions or reveals, or the lock (both None).
    /// Never carries key material or a value.
    #[serde(rename_all = "camelCase")]
    VaultChanged {
        root_id: Option<Uuid>,
        secret_id: Option<Uuid>,
    },
    /// One edit was applied to many entities (bulk edit).
    #[serde(rename_all = "camelCase")]
    BulkEdited {
        count: i64,
    },
    /// Many entities changed at once (a bulk load): reload everything.
    Reloaded,
    /// Readings were imported: every chart may show more now.
    MetricsChanged,
    /// An alert was raised, acknowledged or resolved.
    #[serde(rename_all = "camelCase")]
    AlertsChanged {
        entity_id: Uuid,
    },
    /// A dashboard was created, saved, deleted or restored.
    #[serde(rename_all = "camelCase")]
    DashboardsChanged {
        id: Uuid,
    },
    /// A saved view was created, changed, deleted or restored.
    #[serde(rename_all = "camelCase")]
    ViewsChanged {
        id: Uuid,
    },
    /// A workflow, one of its runs or an approval changed.
    #[serde(rename_all = "camelCase")]
    WorkflowsChanged {
        id: Uuid,
    },
}

impl From<&Change> for RegistryChange {
    fn from(change: &Change) -> Self {
        match change {
            Change::EntityCreated { node } => RegistryChange::Created { node: node.clone() },
            Change::EntityRenamed { node, .. } => RegistryChange::Updated { node: node.clone() },
            Change::EntityMoved {
                node,
                old_parent_id,
                ..
            } => RegistryChange::Moved {
                node: node.clone(),
                old_parent_id: *old_parent_id,
            },
            Change::EntitiesDeleted {
                id,
                parent_id,
                count,
                ..
            } => RegistryChange::Deleted {
                id: *id,
                parent_id: *parent_id,
                count: *count,
            },
            Change::EntitiesRestored { node, count, .. } => RegistryChange::Restored {
                node: node.clone(),
                count: *count,
            },
            Change::EntitiesPurged { id, .. } => RegistryChange::Purged { id: *id },
            Change::EntityTypeCreated { .. }
            | Change::EntityTypeUpdated { .. }
            | Change::EntityTypeDeleted { .. }
            | Change::EntityTypeRestored { .. } => RegistryChange::TypesChanged,
            Change::PropertyValuesChanged { node, .. } => {
                RegistryChange::PropertiesChanged { node: node.clone() }
            }
            Change::PropertyGroupCreated { .. }
            | Change::PropertyGroupUpdated { .. }
            | Change::PropertyGroupDeleted { .. }
            | Change::PropertyGroupRestored { .. }
            | Change::PropertyGroupsReordered { .. }
            | Change::PropertyDefinitionCreated { .. }
            | Change::PropertyDefinitionUpdated { .. }
            | Change::PropertyDefinitionDeleted { .. }
            | Change::PropertyDefinitionRestored { .. }
            | Change::TypeLayoutChanged { .. } => RegistryChange::SchemaChanged,
            Change::EntityTagsChanged { node, .. } => {
                RegistryChange::TagsChanged { node: node.clone() }
            }
            Change::TagGroupCreated { .. }
            | Change::TagGroupUpdated { .. }
            | Change::TagGroupDeleted { .. }
            | Change::TagGroupRestored { .. }
            | Change::TagDefined { .. } => RegistryChange::TagSchemaChanged,
            Change::SavedViewCreated { view }
            | Change::SavedViewDeleted { view }
            | Change::SavedViewRestored { view } => RegistryChange::ViewsChanged { id: view.id },
            Change::SavedViewUpdated { after, .. } => RegistryChange::ViewsChanged { id: after.id },
            Change::TypeDefaultViewSet { before, after, .. } => RegistryChange::ViewsChanged {
                id: after.or(*before).unwrap_or_default(),
            },
            Change::GroupConfigured { after, .. } => RegistryChange::GroupChanged {
                group_id: after.entity_id,
            },
            Change::GroupMembersChanged { group_id, .. } => RegistryChange::GroupChanged {
                group_id: *group_id,
            },
            Change::RelationshipCreated { relationship: r }
            | Change::RelationshipDeleted { relationship: r } => {
                RegistryChange::RelationshipsChanged {
                    source_id: r.source_id,
                    target_id: r.target_id,
                }
            }
            Change::BulkEdited { entities, .. } => RegistryChange::BulkEdited {
                count: entities.len() as i64,
            },
            // What a person sees may change with people and scopes.
            Change::EntitiesGenerated { .. }
            | Change::Imported { .. }
            | Change::PackChanged { .. }
            | Change::ImportPresetChanged { .. }
            | Change::PersonAdded { .. }
            | Change::PersonDeactivated { .. }
            | Change::ScopeGranted { .. }
            | Change::ScopeRevoked { .. } => RegistryChange::Reloaded,
            Change::VaultKeyCreated { root_id, .. }
            | Change::VaultKeyRotated { root_id, .. }
            | Change::VaultMinimumSet { root_id, .. }
            | Change::SecretsRewrapped { root_id, .. } => RegistryChange::VaultChanged {
                root_id: Some(*root_id),
                secret_id: None,
            },
            Change::MetricsImported { .. } => RegistryChange::MetricsChanged,
            Change::AlertRaised { alert } => RegistryChange::AlertsChanged {
                entity_id: alert.entity_id,
            },
            Change::AlertChanged { after, .. } => RegistryChange::AlertsChanged {
                entity_id: after.entity_id,
            },
            Change::DashboardSaved { after: d, .. }
            | Change::DashboardDeleted { dashboard: d }
            | Change::DashboardRestored { dashboard: d } => {
                RegistryChange::DashboardsChanged { id: d.id }
            }
            Change::Workflow { record_id, .. } => {
                RegistryChange::WorkflowsChanged { id: *record_id }
            }
            Change::SecretVersionWritten {
                root_id, secret_id, ..
            }
            | Change::SecretRevealed {
                root_id, secret_id, ..
            } => RegistryChange::VaultChanged {
                root_id: Some(*root_id),
                secret_id: Some(*secret_id),
            },
        }
    }
}

/// Sent after every change to the registry, naming where it came from.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct RegistryChanged {
    pub source: Source,
    pub change: RegistryChange,
}

/// Sends one event per change of `applied` (as coming from `source`) and
/// returns its value, for the command to return.
pub fn announce<T>(app: &AppHandle, source: &Source, applied: Applied<T>) -> T {
    for change in &applied.changes {
        emit(app, source, change.into());
    }
    applied.value
}

/// Sends one registry event (a failure to send is logged, not returned:
/// the change itself is done).
pub fn emit(app: &AppHandle, source: &Source, change: RegistryChange) {
    let event = RegistryChanged {
        source: source.clone(),
        change,
    };
    if let Err(e) = event.emit(app) {
        tracing::warn!("could not send a registry event: {e}");
    }
}

/// Where a job is.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum JobState {
    Running,
    #[serde(rename_all = "camelCase")]
    Committed {
        node: TreeNode,
        old_parent_id: Option<Uuid>,
    },
    /// A bulk edit committed, changing `changed` entities.
    #[serde(rename_all = "camelCase")]
    Edited {
        changed: i64,
    },
    /// An export wrote `rows` rows to `path`.
    #[serde(rename_all = "camelCase")]
    Exported {
        rows: u64,
        path: String,
    },
    /// A rewrap ended: `rewrapped` secret versions moved to `key_version`,
    /// `remaining` still behind (cancelled, or on retired key versions).
    #[serde(rename_all = "camelCase")]
    Rewrapped {
        rewrapped: i64,
        key_version: i32,
        remaining: i64,
    },
    /// An import of readings ended (see the report: it may have stored
    /// nothing when bad records abort it).
    #[serde(rename_all = "camelCase")]
    Imported {
        report: studio_core::metrics::ImportReport,
    },
    /// An import of rows ended: `report.status` says whether it was written.
    #[serde(rename_all = "camelCase")]
    RowsImported {
        report: studio_core::import::SyncReport,
    },
    Cancelled,
    #[serde(rename_all = "camelCase")]
    Failed {
        error: AppError,
    },
}

/// Progress of a background job.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    pub job_id: Uuid,
    pub done: i64,
    pub total: i64,
    pub state: JobState,
}

/// Turns a job's events into `JobProgress` events, and its committed
/// changes into `RegistryChanged` events (the registry changes first, so the
/// window has fresh data when it hears the job is done).
pub fn job_listener(app: AppHandle) -> studio_core::jobs::JobListener {
    std::sync::Arc::new(move |event| {
        let progress = match event {
            JobEvent::Progress { job_id, progress } => JobProgress {
                job_id,
                done: progress.done,
                total: progress.total,
                state: JobState::Running,
            },
            JobEvent::Finished {
                job_id,
                total,
                outcome,
            } => {
                let (done, state) = match *outcome {
                    JobOutcome::Moved(applied) => {
                        let moved = announce(&app, &Source::Job { job_id }, applied);
                        (
                            total,
                            JobState::Committed {
                                node: moved.node,
                                old_parent_id: moved.old_parent_id,
                            },
                        )
                    }
                    JobOutcome::Edited(applied) => {
                        let edited = announce(&app, &Source::Job { job_id }, applied);
                        (
                            total,
                            JobState::Edited {
                                changed: edited.changed,
                            },
                        )
                    }
                    JobOutcome::Exported { rows, path } => (
                        i64::try_from(rows).unwrap_or(i64::MAX),
                        JobState::Exported {
                            rows,
                            path: path.display().to_string(),
                        },
                    ),
                    JobOutcome::Rewrapped(applied) => {
                        let outcome = announce(&app, &Source::Job { job_id }, applied);
                        (
                            outcome.rewrapped,
                            JobState::Rewrapped {
                                rewrapped: outcome.rewrapped,
                                key_version: outcome.key_version,
                                remaining: outcome.remaining,
                            },
                        )
                    }
                    JobOutcome::Imported(applied) => {
                        let report = announce(&app, &Source::Job { job_id }, applied);
                        (total, JobState::Imported { report })
                    }
                    JobOutcome::RowsImported(applied) => {
                        let report = announce(&app, &Source::Job { job_id }, applied);
                        (total, JobState::RowsImported { report })
                    }
                    JobOutcome::Cancelled => (0, JobState::Cancelled),
                    JobOutcome::Failed(e) => (0, JobState::Failed { error: e.into() }),
                };
                JobProgress {
                    job_id,
                    done,
                    total,
                    state,
                }
            }
        };
        if let Err(e) = progress.emit(&app) {
            tracing::warn!("could not send job progress: {e}");
        }
    })
}
