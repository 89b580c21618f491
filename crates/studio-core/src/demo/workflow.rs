//! The demo's workflow: when a device of Northwind reports a fault (its
//! `status` becomes `fault`), raise a critical alert, ask an administrator
//! of the root to approve a maintenance visit (within two days), then POST
//! the visit to the maintenance service's webhook; a refusal notifies
//! whoever is told of the run. Published and enabled by the person who
//! seeds the demo, so editing a device's status in the demo runs it. The webhook's address is a local receiver
//! (`eco-studio webhook listen --port 8787`).

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::change::{Actor, Change};
use crate::error::CoreResult;
use crate::records::VersionedId;
use crate::workflows::{self, dsl, NewWorkflow, SetEnabled};

/// The demo workflow's key.
pub const WORKFLOW_KEY: &str = "fault_maintenance_visit";
/// Where the demo's webhook goes.
pub const WEBHOOK_URL: &str = "http://127.0.0.1:8787/maintenance-visits";

/// The demo workflow's document.
pub fn fault_document() -> serde_json::Value {
    json!({
        "version": 1,
        "trigger": {
            "kind": "entityEvent",
            "events": ["propertyChanged"],
            "properties": ["status"],
            "filter": {"property": {"key": "status", "op": "in", "value": ["fault"]}},
            "includeWorkflowChanges": false
        },
        "nodes": [
            {"id": "raise_alert", "name": "Raise an alert", "type": "raiseAlert",
             "position": {"x": 0, "y": 0},
             "config": {"level": "critical", "message": "{{ entity.name }} reported a fault"}},
            {"id": "approve_visit", "name": "Approve a maintenance visit", "type": "approval",
             "position": {"x": 0, "y": 140},
             "config": {"title": "Send a maintenance visit to {{ entity.name }}?", "approvers": [],
                        "capability": "admin", "required": 1, "deadlineHours": 48.0, "onDeadline": "rejected"}},
            {"id": "book_visit", "name": "Book the visit", "type": "httpRequest",
             "position": {"x": -160, "y": 290}, "timeoutMs": 5000,
             "retry": {"maxAttempts": 4, "backoffMs": 2000, "factor": 2.0, "maxBackoffMs": 60000},
             "config": {"method": "POST", "url": WEBHOOK_URL,
                        "headers": {"content-type": "application/json"},
                        "body": "{\"device\": {{ entity.id | json }}, \"name\": {{ entity.name | json }}, \"path\": {{ entity.pathLabel | json }}, \"alert\": {{ nodes.raise_alert.alertId | json }}}"}},
            {"id": "tell_refused", "name": "Tell of the refusal", "type": "notify",
             "position": {"x": 160, "y": 290},
             "config": {"message": "The maintenance visit to {{ entity.name }} was not approved"}}
        ],
        "edges": [
            {"from": "raise_alert", "to": "approve_visit"},
            {"from": "approve_visit", "to": "book_visit", "outcome": "approved"},
            {"from": "approve_visit", "to": "tell_refused", "outcome": "rejected"}
        ]
    })
}

/// Creates, publishes and enables the demo workflow on Northwind.
pub(super) async fn seed(
    tx: &mut PgConnection,
    actor: &Actor,
    changes: &mut Vec<Change>,
) -> CoreResult<()> {
    let root: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM entities WHERE path_label = 'northwind_energy' AND deleted_at IS NULL",
    )
    .fetch_optional(&mut *tx)
    .await?;
    // A workflow acts with its publisher's rights: the seeding person
    // publishes and enables it. Seeded without a person, it stays a draft
    // for an administrator to publish.
    let created = workflows::create_in(
        tx,
        actor,
        &NewWorkflow {
            name: "Fault → maintenance visit".into(),
            root_id: root,
            key: Some(WORKFLOW_KEY.into()),
            description: Some(
                "When a device reports a fault: alert, approve a visit, book it by webhook".into(),
            ),
        },
        Some(&dsl::from_value(fault_document())?),
    )
    .await?
    .collect_into(changes);
    if actor.user_id.is_none() {
        return Ok(());
    }
    let published = workflows::publish_in(
        tx,
        actor,
        &VersionedId {
            id: created.summary.id,
            expected_updated_at: created.summary.updated_at,
        },
    )
    .await?
    .collect_into(changes);
    workflows::set_enabled_in(
        tx,
        actor,
        &SetEnabled {
            id: published.summary.id,
            expected_updated_at: published.summary.updated_at,
            enabled: true,
        },
    )
    .await?
    .collect_into(changes);
    Ok(())
}
