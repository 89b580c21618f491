//! Workflows: a draft document edited against its version, immutable
//! published versions, and executions that always run the version they
//! started on.
//!
//! - `dsl`: the document and its validator; `template`: the `{{ path }}`
//!   holes of node settings; `cron`: schedules in a time zone;
//! - `engine`: executions and steps as rows, claimed by runners with
//!   `FOR UPDATE SKIP LOCKED` under a lease; triggers from the audit stream
//!   and schedules; retries, cancel, take-over of a dead runner's claims;
//! - `nodes`: what each node type does (in the step's transaction, with the
//!   publisher's rights); `http`: the HTTP node's request, signed;
//! - `approvals`: votes and the inbox; `sandbox`: a test run of a draft
//!   that writes nothing.
//!
//! Who may do what is row-level security's answer (see the migration):
//! workflows are seen under a root one sees, edited with `workflows:edit`,
//! run with `workflows:run`.

pub mod approvals;
pub mod cron;
pub mod dsl;
pub mod engine;
pub mod filter;
pub mod http;
mod nodes;
pub mod sandbox;
pub mod template;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule, ValidationError};
use crate::records::{VersionedId, WorkflowAction, WorkflowSummary, WorkflowVersionInfo};
pub use dsl::{WorkflowDocument, DSL_VERSION};

/// A workflow with its draft and its published versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowDetail {
    pub summary: WorkflowSummary,
    pub draft: WorkflowDocument,
    pub versions: Vec<WorkflowVersionInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewWorkflow {
    pub name: String,
    pub root_id: Option<Uuid>,
    pub key: Option<String>,
    pub description: Option<String>,
}

/// The draft (and name) saved over the version the editor loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SaveDraft {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub name: String,
    pub description: Option<String>,
    pub draft: WorkflowDocument,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SetEnabled {
    pub id: Uuid,
    pub expected_updated_at: DateTime<Utc>,
    pub enabled: bool,
}

/// A published version with its document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowVersion {
    pub info: WorkflowVersionInfo,
    pub document: WorkflowDocument,
}

/// What changed from one version to another.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowDiff {
    pub trigger_changed: bool,
    pub added_nodes: Vec<String>,
    pub removed_nodes: Vec<String>,
    /// Nodes whose type or settings changed (not only their place).
    pub changed_nodes: Vec<String>,
    pub added_edges: Vec<dsl::Edge>,
    pub removed_edges: Vec<dsl::Edge>,
}

const SUMMARY_SELECT: &str =
    "SELECT w.id, w.key, w.name, w.description, w.root_entity_id AS root_id,
        r.name AS root_name, w.enabled, v.dsl #>> '{trigger,kind}' AS trigger_kind,
        v.version AS published_version, v.published_at,
        (v.id IS NULL OR w.draft IS DISTINCT FROM v.dsl) AS has_unpublished_changes,
        w.next_fire_at, w.updated_at, w.deleted_at
   FROM workflows w
   LEFT JOIN workflow_versions v ON v.id = w.published_version_id
   LEFT JOIN entity_read_model r ON r.entity_id = w.root_entity_id";

/// The workflows the person sees (deleted ones too, with `deleted`).
pub async fn list(pool: &PgPool, deleted: bool) -> CoreResult<Vec<WorkflowSummary>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY_SELECT} WHERE ($1 OR w.deleted_at IS NULL) ORDER BY lower(w.name), w.id"
    )))
    .bind(deleted)
    .fetch_all(pool)
    .await?)
}

async fn summary_in(conn: &mut PgConnection, id: Uuid) -> CoreResult<WorkflowSummary> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY_SELECT} WHERE w.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CoreError::NotFound {
        what: "workflow",
        id,
    })
}

async fn versions_in(
    conn: &mut PgConnection,
    workflow: Uuid,
) -> CoreResult<Vec<WorkflowVersionInfo>> {
    Ok(sqlx::query_as(
        "SELECT v.id, v.workflow_id, v.version, v.published_by_user_id AS published_by,
                coalesce(u.display_name, '') AS published_by_name, v.published_at
           FROM workflow_versions v LEFT JOIN users u ON u.id = v.published_by_user_id
          WHERE v.workflow_id = $1 AND v.deleted_at IS NULL ORDER BY v.version DESC",
    )
    .bind(workflow)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn detail_in(conn: &mut PgConnection, id: Uuid) -> CoreResult<WorkflowDetail> {
    let summary = summary_in(conn, id).await?;
    let draft: serde_json::Value = sqlx::query_scalar("SELECT draft FROM workflows WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let draft = dsl::from_value(draft)?;
    let versions = versions_in(conn, id).await?;
    Ok(WorkflowDetail {
        summary,
        draft,
        versions,
    })
}

pub async fn get(pool: &PgPool, id: Uuid) -> CoreResult<WorkflowDetail> {
    let mut conn = pool.acquire().await?;
    detail_in(&mut conn, id).await
}

/// A live workflow by id or key.
pub async fn find(pool: &PgPool, reference: &str) -> CoreResult<Uuid> {
    let id = Uuid::parse_str(reference).ok();
    sqlx::query_scalar(
        "SELECT id FROM workflows WHERE deleted_at IS NULL AND (id = $1 OR key = $2) LIMIT 1",
    )
    .bind(id)
    .bind(reference)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        CoreError::invalid(
            Some("workflow"),
            Rule::Reference,
            format!("no workflow has the id or key {reference:?}"),
        )
    })
}

fn check_name(name: &str) -> CoreResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(CoreError::invalid(
            Some("name"),
            Rule::Required,
            "a workflow needs a name of 1 to 200 characters",
        ));
    }
    Ok(name.to_string())
}

fn check_key(key: Option<&str>) -> CoreResult<Option<String>> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    let ok = key.len() <= 100
        && key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !ok {
        return Err(CoreError::invalid(
            Some("key"),
            Rule::Format,
            "a key is lowercase letters, digits, '_' or '-', starting with a letter",
        ));
    }
    Ok(Some(key.to_string()))
}

async fn audit(
    conn: &mut PgConnection,
    actor: &Actor,
    action: WorkflowAction,
    record_id: Uuid,
    root_id: Option<Uuid>,
    detail: serde_json::Value,
) -> CoreResult<Applied<()>> {
    change::record(
        conn,
        actor,
        Change::Workflow {
            action,
            record_id,
            root_id,
            detail,
        },
        (),
    )
    .await
}

fn refused(e: sqlx::Error, message: &str) -> CoreError {
    match CoreError::from(e) {
        CoreError::Database(_) => CoreError::Forbidden(message.into()),
        other => other,
    }
}

pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    input: &NewWorkflow,
) -> CoreResult<Applied<WorkflowDetail>> {
    crate::transaction!(pool, |tx| create_in(tx, actor, input, None)).await
}

/// Creates a workflow with `draft` (an empty one when None).
pub async fn create_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &NewWorkflow,
    draft: Option<&WorkflowDocument>,
) -> CoreResult<Applied<WorkflowDetail>> {
    let name = check_name(&input.name)?;
    let key = check_key(input.key.as_deref())?;
    if let Some(root) = input.root_id {
        let is_root: Option<bool> = sqlx::query_scalar(
            "SELECT parent_entity_id IS NULL FROM entities WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(root)
        .fetch_optional(&mut *conn)
        .await?;
        if is_root != Some(true) {
            return Err(CoreError::invalid(
                Some("rootId"),
                Rule::Reference,
                "a workflow belongs to a live root entity",
            ));
        }
    }
    let draft = draft.cloned().unwrap_or_else(WorkflowDocument::empty);
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO workflows (id, root_entity_id, key, name, description, enabled, draft,
                                created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, false, $6, $7, clock_timestamp(), clock_timestamp())",
    )
    .bind(id)
    .bind(input.root_id)
    .bind(&key)
    .bind(&name)
    .bind(
        input
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty()),
    )
    .bind(serde_json::to_value(&draft).map_err(|e| CoreError::Database(e.to_string()))?)
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await
    .map_err(|e| match CoreError::from(e) {
        CoreError::Database(_) => CoreError::Forbidden(
            "you may not create workflows on this root (it takes workflows:edit)".into(),
        ),
        other => other,
    })?;
    let applied = audit(
        conn,
        actor,
        WorkflowAction::Create,
        id,
        input.root_id,
        json!({ "name": name, "key": key }),
    )
    .await?;
    let detail = detail_in(conn, id).await?;
    Ok(applied.map(|()| detail))
}

/// Locks a live workflow and checks the version the editor saw.
async fn lock_current(
    conn: &mut PgConnection,
    id: Uuid,
    expected: DateTime<Utc>,
    live: bool,
) -> CoreResult<WorkflowSummary> {
    let found: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM workflows WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if found.is_none() {
        return Err(CoreError::NotFound {
            what: "workflow",
            id,
        });
    }
    let summary = summary_in(conn, id).await?;
    if summary.deleted_at.is_some() == live {
        return Err(CoreError::state(if live {
            "this workflow is deleted; restore it first"
        } else {
            "this workflow is not deleted"
        }));
    }
    if summary.updated_at != expected {
        return Err(CoreError::Conflict {
            message: "this workflow was changed by someone else since you loaded it".into(),
            current: crate::records::CurrentRow::Missing,
        });
    }
    Ok(summary)
}

pub async fn save_draft(
    pool: &PgPool,
    actor: &Actor,
    input: &SaveDraft,
) -> CoreResult<Applied<WorkflowDetail>> {
    crate::transaction!(pool, |tx| save_draft_in(tx, actor, input)).await
}

/// Saves the draft (any draft that parses: problems block publishing, not
/// saving) over the version the editor loaded.
pub async fn save_draft_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &SaveDraft,
) -> CoreResult<Applied<WorkflowDetail>> {
    let name = check_name(&input.name)?;
    let text =
        serde_json::to_string(&input.draft).map_err(|e| CoreError::Database(e.to_string()))?;
    // The size rule, and that it reads back.
    dsl::parse(&text)?;
    let before = lock_current(conn, input.id, input.expected_updated_at, true).await?;
    let changed = sqlx::query(
        "UPDATE workflows SET name = $2, description = $3, draft = $4::jsonb,
                updated_at = clock_timestamp() WHERE id = $1",
    )
    .bind(input.id)
    .bind(&name)
    .bind(
        input
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty()),
    )
    .bind(&text)
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        refused(
            e,
            "you may not edit this workflow (it takes workflows:edit)",
        )
    })?;
    if changed.rows_affected() == 0 {
        return Err(CoreError::Forbidden(
            "you may not edit this workflow (it takes workflows:edit)".into(),
        ));
    }
    let applied = audit(
        conn,
        actor,
        WorkflowAction::SaveDraft,
        input.id,
        before.root_id,
        json!({ "name": name, "nodes": input.draft.nodes.len() }),
    )
    .await?;
    let detail = detail_in(conn, input.id).await?;
    Ok(applied.map(|()| detail))
}

pub async fn publish(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<WorkflowDetail>> {
    crate::transaction!(pool, |tx| publish_in(tx, actor, input)).await
}

/// Publishes the draft as a new immutable version (refused while it has
/// problems); running executions keep their version.
pub async fn publish_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
) -> CoreResult<Applied<WorkflowDetail>> {
    let before = lock_current(conn, input.id, input.expected_updated_at, true).await?;
    let draft: serde_json::Value = sqlx::query_scalar("SELECT draft FROM workflows WHERE id = $1")
        .bind(input.id)
        .fetch_one(&mut *conn)
        .await?;
    let doc = dsl::from_value(draft.clone())?;
    dsl::check(&doc)?;
    if let dsl::Trigger::EntityEvent { .. } | dsl::Trigger::AlertRaised { .. } = doc.trigger {
        // Filters compile as the publisher sees the schema.
        filter::check_trigger(conn, &doc).await?;
    }
    for (i, n) in doc.nodes.iter().enumerate() {
        if let dsl::NodeKind::Condition { filter } = &n.kind {
            filter::check(conn, filter)
                .await
                .map_err(|e| point(e, &format!("nodes[{i}].config.filter")))?;
        }
    }
    let user = actor.user_id.ok_or_else(|| {
        CoreError::Forbidden(
            "a workflow is published by a person, whose rights it acts with".into(),
        )
    })?;
    let version: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(version), 0) + 1 FROM workflow_versions WHERE workflow_id = $1",
    )
    .bind(input.id)
    .fetch_one(&mut *conn)
    .await?;
    let version_id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO workflow_versions (id, workflow_id, version, dsl, published_by_user_id,
                                        published_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp(), clock_timestamp())",
    )
    .bind(version_id)
    .bind(input.id)
    .bind(version)
    .bind(&draft)
    .bind(user)
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        refused(
            e,
            "you may not publish this workflow (it takes workflows:edit)",
        )
    })?;
    let next_fire = engine::next_fire(&doc, Utc::now());
    sqlx::query(
        "UPDATE workflows SET published_version_id = $2, next_fire_at = CASE WHEN enabled THEN $3 END,
                updated_at = clock_timestamp() WHERE id = $1",
    )
    .bind(input.id)
    .bind(version_id)
    .bind(next_fire)
    .execute(&mut *conn)
    .await?;
    let applied = audit(
        conn,
        actor,
        WorkflowAction::Publish,
        version_id,
        before.root_id,
        json!({ "workflowId": input.id, "version": version, "dsl": draft }),
    )
    .await?;
    let detail = detail_in(conn, input.id).await?;
    Ok(applied.map(|()| detail))
}

fn point(e: CoreError, path: &str) -> CoreError {
    match e {
        CoreError::Validation(v) => CoreError::Validation(ValidationError {
            field: Some(match v.field {
                Some(f) => format!("{path}.{f}"),
                None => path.to_string(),
            }),
            ..v
        }),
        other => other,
    }
}

pub async fn set_enabled(
    pool: &PgPool,
    actor: &Actor,
    input: &SetEnabled,
) -> CoreResult<Applied<WorkflowDetail>> {
    crate::transaction!(pool, |tx| set_enabled_in(tx, actor, input)).await
}

/// Turns a published workflow's triggers on or off (a manual run works
/// either way).
pub async fn set_enabled_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &SetEnabled,
) -> CoreResult<Applied<WorkflowDetail>> {
    let before = lock_current(conn, input.id, input.expected_updated_at, true).await?;
    if input.enabled && before.published_version.is_none() {
        return Err(CoreError::state("publish the workflow before enabling it"));
    }
    let doc = engine::published_document(conn, input.id).await?;
    let next_fire = match (&doc, input.enabled) {
        (Some(doc), true) => engine::next_fire(doc, Utc::now()),
        _ => None,
    };
    sqlx::query(
        "UPDATE workflows SET enabled = $2, next_fire_at = $3, updated_at = clock_timestamp(),
                enabled_at = CASE WHEN $2 AND NOT enabled THEN clock_timestamp()
                                  WHEN $2 THEN enabled_at END
          WHERE id = $1",
    )
    .bind(input.id)
    .bind(input.enabled)
    .bind(next_fire)
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        refused(
            e,
            "you may not change this workflow (it takes workflows:edit)",
        )
    })?;
    let action = if input.enabled {
        WorkflowAction::Enable
    } else {
        WorkflowAction::Disable
    };
    let applied = audit(conn, actor, action, input.id, before.root_id, json!({})).await?;
    let detail = detail_in(conn, input.id).await?;
    Ok(applied.map(|()| detail))
}

/// Deletes (softly) or restores a workflow. A deleted workflow fires no
/// trigger; its running executions finish on their version.
pub async fn delete(
    pool: &PgPool,
    actor: &Actor,
    input: &VersionedId,
    restore: bool,
) -> CoreResult<Applied<WorkflowSummary>> {
    crate::transaction!(pool, |tx| delete_in(tx, actor, input, restore)).await
}

pub async fn delete_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &VersionedId,
    restore: bool,
) -> CoreResult<Applied<WorkflowSummary>> {
    let before = lock_current(conn, input.id, input.expected_updated_at, !restore).await?;
    sqlx::query(
        "UPDATE workflows SET deleted_at = CASE WHEN $2 THEN NULL ELSE clock_timestamp() END,
                enabled = enabled AND $2, next_fire_at = NULL, updated_at = clock_timestamp()
          WHERE id = $1",
    )
    .bind(input.id)
    .bind(restore)
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        refused(
            e,
            "you may not change this workflow (it takes workflows:edit)",
        )
    })?;
    let action = if restore {
        WorkflowAction::Restore
    } else {
        WorkflowAction::Delete
    };
    let applied = audit(conn, actor, action, input.id, before.root_id, json!({})).await?;
    let summary = summary_in(conn, input.id).await?;
    Ok(applied.map(|()| summary))
}

/// One published version with its document.
pub async fn version(pool: &PgPool, version_id: Uuid) -> CoreResult<WorkflowVersion> {
    let mut conn = pool.acquire().await?;
    let info: WorkflowVersionInfo = sqlx::query_as(
        "SELECT v.id, v.workflow_id, v.version, v.published_by_user_id AS published_by,
                coalesce(u.display_name, '') AS published_by_name, v.published_at
           FROM workflow_versions v LEFT JOIN users u ON u.id = v.published_by_user_id
          WHERE v.id = $1",
    )
    .bind(version_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CoreError::NotFound {
        what: "workflow version",
        id: version_id,
    })?;
    let dsl: serde_json::Value =
        sqlx::query_scalar("SELECT dsl FROM workflow_versions WHERE id = $1")
            .bind(version_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(WorkflowVersion {
        info,
        document: dsl::from_value(dsl)?,
    })
}

/// What changed between two documents.
pub fn diff(from: &WorkflowDocument, to: &WorkflowDocument) -> WorkflowDiff {
    let mut d = WorkflowDiff {
        trigger_changed: from.trigger != to.trigger,
        ..WorkflowDiff::default()
    };
    for n in &to.nodes {
        match from.node(&n.id) {
            None => d.added_nodes.push(n.id.clone()),
            Some(old) => {
                let same = old.kind == n.kind
                    && old.name == n.name
                    && old.retry == n.retry
                    && old.timeout_ms == n.timeout_ms;
                if !same {
                    d.changed_nodes.push(n.id.clone());
                }
            }
        }
    }
    for n in &from.nodes {
        if to.node(&n.id).is_none() {
            d.removed_nodes.push(n.id.clone());
        }
    }
    let key = |e: &dsl::Edge| (e.from.clone(), e.to.clone(), e.outcome().to_string());
    for e in &to.edges {
        if !from.edges.iter().any(|o| key(o) == key(e)) {
            d.added_edges.push(e.clone());
        }
    }
    for e in &from.edges {
        if !to.edges.iter().any(|o| key(o) == key(e)) {
            d.removed_edges.push(e.clone());
        }
    }
    d
}

/// [`diff`] of two published versions.
pub async fn diff_versions(pool: &PgPool, from: Uuid, to: Uuid) -> CoreResult<WorkflowDiff> {
    let a = version(pool, from).await?;
    let b = version(pool, to).await?;
    Ok(diff(&a.document, &b.document))
}

/// Every problem of a document given as JSON (one, when it does not parse).
pub fn problems(value: serde_json::Value) -> Vec<ValidationError> {
    let text = value.to_string();
    match dsl::parse(&text) {
        Ok(doc) => dsl::validate(&doc),
        Err(CoreError::Validation(v)) => vec![v],
        Err(e) => vec![ValidationError::new(None, Rule::Format, e.to_string())],
    }
}

/// Exports a workflow (its draft and its published document) as JSON.
pub async fn export(pool: &PgPool, id: Uuid) -> CoreResult<serde_json::Value> {
    let detail = get(pool, id).await?;
    let published = match detail.versions.first() {
        Some(v) => Some(version(pool, v.id).await?.document),
        None => None,
    };
    Ok(json!({
        "format": "eco-studio-workflow",
        "version": 1,
        "name": detail.summary.name,
        "key": detail.summary.key,
        "description": detail.summary.description,
        "draft": detail.draft,
        "published": published,
    }))
}

/// Imports an exported workflow as a new one under `root` (its draft; and
/// published when the export was, as a first version by the importer).
pub async fn import(
    pool: &PgPool,
    actor: &Actor,
    value: serde_json::Value,
    root: Option<Uuid>,
) -> CoreResult<WorkflowDetail> {
    if value.get("format").and_then(|f| f.as_str()) != Some("eco-studio-workflow") {
        return Err(CoreError::invalid(
            Some("format"),
            Rule::Format,
            "this is not an exported Eco Studio workflow",
        ));
    }
    let text = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let published = match value.get("published") {
        Some(p) if !p.is_null() => Some(dsl::from_value(p.clone())?),
        _ => None,
    };
    let draft = match value.get("draft") {
        Some(d) if !d.is_null() => dsl::from_value(d.clone())?,
        _ => published.clone().unwrap_or_else(WorkflowDocument::empty),
    };
    let input = NewWorkflow {
        name: text("name").unwrap_or_default(),
        root_id: root,
        key: text("key"),
        description: text("description"),
    };
    let mut tx = pool.begin().await?;
    let created = create_in(&mut tx, actor, &input, published.as_ref().or(Some(&draft))).await?;
    let mut detail = created.value;
    if published.is_some() {
        detail = publish_in(
            &mut tx,
            actor,
            &VersionedId {
                id: detail.summary.id,
                expected_updated_at: detail.summary.updated_at,
            },
        )
        .await?
        .value;
        if published.as_ref() != Some(&draft) {
            detail = save_draft_in(
                &mut tx,
                actor,
                &SaveDraft {
                    id: detail.summary.id,
                    expected_updated_at: detail.summary.updated_at,
                    name: detail.summary.name.clone(),
                    description: detail.summary.description.clone(),
                    draft,
                },
            )
            .await?
            .value;
        }
    }
    tx.commit().await?;
    Ok(detail)
}
