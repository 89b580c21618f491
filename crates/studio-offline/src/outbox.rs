//! Edits made offline. Each is checked against the cache as the server
//! would check it (the version the person saw), applied to the cache at
//! once and queued with a mutation id, in one SQLite transaction. Each
//! gives what it changed a version of the cache's own (a "local" version);
//! when it is replayed, the server's version replaces it, and later edits
//! that expected the local one are sent expecting the server's.
//!
//! Replay goes in order through the core's own functions; an edit refused
//! for a conflict waits for the person (later edits of the same entity
//! wait behind it), one refused for lost access is kept for export, and
//! the server being unreachable stops the round (the next one resumes).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use studio_core::change::Actor;
use studio_core::db::PgPool;
use studio_core::error::CoreError;
use studio_core::offline::{self as server, Mutation, Replayed};
use studio_core::records::{PropertyValue, TreeNode};
use studio_core::{links, properties, registry};
use uuid::Uuid;

use crate::store::{self, parse_id, parse_ts, ts};
use crate::{OfflineCache, OfflineError, OfflineResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum OutboxStatus {
    /// Waiting to be replayed.
    Pending,
    /// Replayed: the server has it.
    Applied,
    /// Refused for a conflict: waiting for the person to choose.
    Conflict,
    /// Refused for good (access lost, a rule): kept for export.
    Refused,
    /// The person kept the server's version instead.
    Discarded,
}

impl OutboxStatus {
    fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Applied => "applied",
            OutboxStatus::Conflict => "conflict",
            OutboxStatus::Refused => "refused",
            OutboxStatus::Discarded => "discarded",
        }
    }

    fn parse(s: &str) -> OutboxStatus {
        match s {
            "applied" => OutboxStatus::Applied,
            "conflict" => OutboxStatus::Conflict,
            "refused" => OutboxStatus::Refused,
            "discarded" => OutboxStatus::Discarded,
            _ => OutboxStatus::Pending,
        }
    }
}

/// One field of a conflict: the server's value and the person's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConflictField {
    /// What the field is (a property's id, or `name`, `parent`, `tags`,
    /// `entity`).
    pub key: String,
    /// Its label.
    pub label: String,
    /// The server's value as text (None: no value, or the entity is gone).
    pub theirs: Option<String>,
    /// The person's value as text (None: cleared).
    pub mine: Option<String>,
}

/// One queued edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub seq: i64,
    pub mutation_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub scope_id: Uuid,
    pub entity_id: Uuid,
    /// The entity's name in the cache (None when it is no longer there).
    pub entity_name: Option<String>,
    pub kind: String,
    pub mutation: Mutation,
    pub status: OutboxStatus,
    /// Why it was refused, or what the conflict is.
    pub reason: Option<String>,
    /// The conflict, field by field.
    pub fields: Vec<ConflictField>,
    pub attempts: i64,
}

/// How a person settles a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Resolution {
    /// The server's version stays; the edit is discarded (and kept in the
    /// outbox's history).
    KeepTheirs,
    /// The edit is sent again over the server's current version.
    KeepMine,
    /// An edited version of the edit (same kind, same entity) is sent
    /// over the server's current version.
    #[serde(rename_all = "camelCase")]
    Edit { mutation: Mutation },
}

/// What a replay round did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    pub applied: i64,
    /// Found applied already (a repeated replay): not applied again.
    pub already_applied: i64,
    pub conflicts: i64,
    pub refused: i64,
    /// Still pending (waiting behind a conflict, or the round stopped).
    pub remaining: i64,
    /// Why the round stopped early (the server could not be reached).
    pub stopped: Option<String>,
}

/// The versions an edit gave the cache, and the entity's version it was
/// made on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Produced {
    entity: Option<DateTime<Utc>>,
    values: BTreeMap<Uuid, DateTime<Utc>>,
    #[serde(default)]
    base: Option<DateTime<Utc>>,
}

type OutboxRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
);

const OUTBOX_SELECT: &str =
    "SELECT o.seq, o.mutation_id, o.created_at, o.scope_id, o.entity_id, o.kind,
        o.mutation, o.status, o.reason, o.theirs, o.attempts, e.name
   FROM outbox o LEFT JOIN entities e ON e.id = o.entity_id";

fn entry(row: OutboxRow) -> OfflineResult<OutboxEntry> {
    let (seq, mid, created, scope, entity, kind, mutation, status, reason, theirs, attempts, name) =
        row;
    Ok(OutboxEntry {
        seq,
        mutation_id: parse_id(&mid)?,
        created_at: parse_ts(&created)?,
        scope_id: parse_id(&scope)?,
        entity_id: parse_id(&entity)?,
        entity_name: name,
        kind,
        mutation: serde_json::from_str(&mutation)?,
        status: OutboxStatus::parse(&status),
        reason,
        fields: match theirs {
            Some(t) => serde_json::from_str(&t)?,
            None => Vec::new(),
        },
        attempts,
    })
}

impl OfflineCache {
    /// Queues an edit made offline: checked against the cache, applied to
    /// it and queued, all at once. Returns the entry.
    pub async fn enqueue(&self, mutation: Mutation) -> OfflineResult<OutboxEntry> {
        let mut tx = self.pool.begin().await?;
        let scope = scope_of(&mut tx, &mutation).await?;
        let produced = apply_local(&mut tx, &mutation, None, true).await?;
        let mutation_id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO outbox (mutation_id, created_at, scope_id, entity_id, kind, mutation, status, produced)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)",
        )
        .bind(mutation_id.to_string())
        .bind(ts(Utc::now()))
        .bind(scope.to_string())
        .bind(mutation.entity_id().to_string())
        .bind(mutation.kind())
        .bind(serde_json::to_string(&mutation)?)
        .bind(serde_json::to_string(&produced)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.outbox_entry(mutation_id).await
    }

    async fn outbox_entry(&self, mutation_id: Uuid) -> OfflineResult<OutboxEntry> {
        let row: OutboxRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{OUTBOX_SELECT} WHERE o.mutation_id = ?1"
        )))
        .bind(mutation_id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| OfflineError::Invalid(format!("no queued edit {mutation_id}")))?;
        entry(row)
    }

    /// The outbox, oldest first; only these statuses when given.
    pub async fn outbox(&self, statuses: &[OutboxStatus]) -> OfflineResult<Vec<OutboxEntry>> {
        let wanted: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let rows: Vec<OutboxRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{OUTBOX_SELECT} WHERE ?1 = '[]' OR o.status IN (SELECT value FROM json_each(?1)) ORDER BY o.seq"
        )))
        .bind(serde_json::to_string(&wanted)?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(entry).collect()
    }

    /// Entities with edits not yet on the server (pending or in conflict).
    pub async fn pending_entities(&self) -> OfflineResult<Vec<Uuid>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT entity_id FROM outbox WHERE status IN ('pending', 'conflict')",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|s| parse_id(s)).collect()
    }

    /// Replays the pending edits in order as `actor`'s person. Stops at
    /// the first sign the server is gone (the next round resumes).
    pub async fn replay(&self, pg: &PgPool, actor: &Actor) -> OfflineResult<ReplayReport> {
        let mut report = ReplayReport::default();
        let mut blocked: HashSet<Uuid> = self
            .outbox(&[OutboxStatus::Conflict])
            .await?
            .into_iter()
            .map(|e| e.entity_id)
            .collect();
        // This round's edits (those queued meanwhile go in the next one),
        // and the versions the server gave earlier ones.
        let pending = self.outbox(&[OutboxStatus::Pending]).await?;
        let mut versions = self.version_map().await?;
        for item in pending {
            if blocked.contains(&item.entity_id) {
                continue;
            }
            let mutation = rebase(&versions, &item.mutation);
            // A value edit does not check the entity's version: the
            // entity version it gives the cache stands for the server's
            // only when nobody else changed the entity meanwhile (else a
            // later rename or move would pass over their change).
            let undisturbed = match &mutation {
                Mutation::SetValues { .. } => {
                    let base = self.rebased_base(&versions, item.seq).await?;
                    match registry::get_entity(pg, mutation.entity_id()).await {
                        Ok(e) => base == Some(e.node.updated_at),
                        Err(_) => false,
                    }
                }
                _ => true,
            };
            match server::replay(pg, actor, item.mutation_id, &mutation).await {
                Ok(outcome) => {
                    let fresh = matches!(outcome, Replayed::Applied(_));
                    let mut given = match server_versions(pg, &mutation, &outcome).await {
                        Ok(given) => given,
                        Err(e) => {
                            report.stopped = Some(e.to_string());
                            break;
                        }
                    };
                    if !undisturbed || !fresh {
                        given.entity = None;
                    }
                    for (l, s) in self.settle_applied(item.seq, given).await? {
                        versions.insert(ts(l), ts(s));
                    }
                    if fresh {
                        report.applied += 1;
                    } else {
                        report.already_applied += 1;
                    }
                }
                Err(CoreError::Unavailable(message)) => {
                    report.stopped = Some(message);
                    break;
                }
                Err(CoreError::Database(message)) => {
                    report.stopped = Some(message);
                    break;
                }
                Err(e) => {
                    let scope_visible = server::visible_roots(pg, &[item.scope_id])
                        .await
                        .map(|v| !v.is_empty());
                    match scope_visible {
                        Err(CoreError::Unavailable(message)) => {
                            report.stopped = Some(message);
                            break;
                        }
                        Ok(false) => {
                            let reason = format!(
                                "refused: you no longer have access to this part of the registry ({e}); the edit is kept for export"
                            );
                            self.settle(item.seq, OutboxStatus::Refused, &reason, &[])
                                .await?;
                            report.refused += 1;
                        }
                        _ if matches!(e, CoreError::Forbidden(_)) => {
                            let reason = format!("refused: {e}; the edit is kept for export");
                            self.settle(item.seq, OutboxStatus::Refused, &reason, &[])
                                .await?;
                            report.refused += 1;
                        }
                        _ => {
                            let fields = self.conflict_fields(pg, &mutation).await;
                            let reason = conflict_reason(&e);
                            self.settle(item.seq, OutboxStatus::Conflict, &reason, &fields)
                                .await?;
                            blocked.insert(item.entity_id);
                            report.conflicts += 1;
                        }
                    }
                }
            }
        }
        report.remaining = self.outbox(&[OutboxStatus::Pending]).await?.len() as i64;
        Ok(report)
    }

    /// Settles a conflict (see [`Resolution`]).
    pub async fn resolve(
        &self,
        pg: &PgPool,
        seq: i64,
        resolution: Resolution,
    ) -> OfflineResult<OutboxEntry> {
        let item = self
            .outbox(&[OutboxStatus::Conflict])
            .await?
            .into_iter()
            .find(|e| e.seq == seq)
            .ok_or_else(|| {
                OfflineError::Invalid(format!("edit {seq} is not waiting for a decision"))
            })?;
        match resolution {
            Resolution::KeepTheirs => {
                self.settle(
                    seq,
                    OutboxStatus::Discarded,
                    "you kept the server's version",
                    &[],
                )
                .await?;
                self.reload(pg, &[item.entity_id]).await?;
            }
            Resolution::KeepMine | Resolution::Edit { .. } => {
                let mutation = match resolution {
                    Resolution::Edit { mutation } => {
                        if mutation.kind() != item.mutation.kind()
                            || mutation.entity_id() != item.entity_id
                        {
                            return Err(OfflineError::Invalid(
                                "an edited version must be the same kind of edit of the same entity".into(),
                            ));
                        }
                        mutation
                    }
                    _ => item.mutation.clone(),
                };
                let mutation = over_current(pg, mutation).await?;
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "UPDATE outbox SET status = 'pending', reason = NULL, theirs = NULL, mutation = ?2
                      WHERE seq = ?1",
                )
                .bind(seq)
                .bind(serde_json::to_string(&mutation)?)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
        }
        self.outbox_entry(item.mutation_id).await
    }

    /// The queued edits of these statuses as JSON (for support, or to
    /// keep edits that were refused).
    pub async fn export_outbox(&self, statuses: &[OutboxStatus]) -> OfflineResult<String> {
        Ok(serde_json::to_string_pretty(&self.outbox(statuses).await?)?)
    }

    /// Local versions and the server's that replaced them.
    async fn version_map(&self) -> OfflineResult<HashMap<String, String>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT local, server FROM versions")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The entity version a queued edit was made on, as the server knows
    /// it (a local version replaced by the server's once replayed).
    async fn rebased_base(
        &self,
        versions: &HashMap<String, String>,
        seq: i64,
    ) -> OfflineResult<Option<DateTime<Utc>>> {
        let produced: String = sqlx::query_scalar("SELECT produced FROM outbox WHERE seq = ?1")
            .bind(seq)
            .fetch_one(&self.pool)
            .await?;
        let produced: Produced = serde_json::from_str(&produced)?;
        let Some(base) = produced.base else {
            return Ok(None);
        };
        match versions.get(&ts(base)) {
            Some(s) => Ok(Some(parse_ts(s)?)),
            None => Ok(Some(base)),
        }
    }

    /// Marks an edit applied and records the server's versions for the
    /// local ones it gave; returns those pairs.
    async fn settle_applied(
        &self,
        seq: i64,
        versions: Produced,
    ) -> OfflineResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        let mut tx = self.pool.begin().await?;
        let produced: String = sqlx::query_scalar("SELECT produced FROM outbox WHERE seq = ?1")
            .bind(seq)
            .fetch_one(&mut *tx)
            .await?;
        let produced: Produced = serde_json::from_str(&produced)?;
        let mut pairs: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        if let (Some(l), Some(s)) = (produced.entity, versions.entity) {
            pairs.push((l, s));
        }
        for (def, l) in &produced.values {
            if let Some(s) = versions.values.get(def) {
                pairs.push((*l, *s));
            }
        }
        for (l, s) in &pairs {
            sqlx::query("INSERT OR REPLACE INTO versions (local, server) VALUES (?1, ?2)")
                .bind(ts(*l))
                .bind(ts(*s))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE outbox SET status = 'applied', reason = NULL, settled_at = ?2, attempts = attempts + 1
              WHERE seq = ?1",
        )
        .bind(seq)
        .bind(ts(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(pairs)
    }

    async fn settle(
        &self,
        seq: i64,
        status: OutboxStatus,
        reason: &str,
        fields: &[ConflictField],
    ) -> OfflineResult<()> {
        sqlx::query(
            "UPDATE outbox SET status = ?2, reason = ?3, theirs = ?4, settled_at = ?5, attempts = attempts + 1
              WHERE seq = ?1",
        )
            .bind(seq)
            .bind(status.as_str())
            .bind(reason)
            .bind(serde_json::to_string(fields)?)
            .bind(ts(Utc::now()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The server's side of a refused edit, field by field (best effort:
    /// what cannot be read is shown as gone).
    async fn conflict_fields(&self, pg: &PgPool, mutation: &Mutation) -> Vec<ConflictField> {
        let entity = registry::get_entity(pg, mutation.entity_id()).await.ok();
        let gone = |label: &str, mine: Option<String>| ConflictField {
            key: "entity".into(),
            label: label.into(),
            theirs: None,
            mine,
        };
        let Some(entity) = entity.filter(|e| e.deleted_at.is_none()) else {
            return vec![gone(
                "Entity (deleted on the server, or out of your reach)",
                Some(describe(mutation)),
            )];
        };
        match mutation {
            Mutation::SetValues { input } => {
                let pane = properties::property_pane(pg, input.entity_id).await.ok();
                let mut out = Vec::new();
                for edit in &input.edits {
                    let field = pane.as_ref().and_then(|p| {
                        p.sections
                            .iter()
                            .flat_map(|s| s.fields.iter())
                            .find(|f| f.definition.id == edit.definition_id)
                    });
                    out.push(ConflictField {
                        key: edit.definition_id.to_string(),
                        label: field
                            .map(|f| f.definition.name.clone())
                            .unwrap_or_else(|| edit.definition_id.to_string()),
                        theirs: field
                            .and_then(|f| f.value.as_ref().map(show_value).or(f.raw.clone())),
                        mine: edit.value.as_ref().map(show_value),
                    });
                }
                out
            }
            Mutation::Rename { input } => vec![ConflictField {
                key: "name".into(),
                label: "Name".into(),
                theirs: Some(entity.node.name.clone()),
                mine: Some(input.name.clone()),
            }],
            Mutation::Move { input } => {
                let mine = match input.new_parent_id {
                    Some(p) => self.name_of(p).await.or(Some(p.to_string())),
                    None => Some("(top level)".into()),
                };
                vec![ConflictField {
                    key: "parent".into(),
                    label: "Parent".into(),
                    theirs: entity
                        .breadcrumb
                        .last()
                        .map(|c| c.name.clone())
                        .or(Some("(top level)".into())),
                    mine,
                }]
            }
            Mutation::Delete { .. } => vec![ConflictField {
                key: "entity".into(),
                label: "Entity".into(),
                theirs: Some(format!("{} (changed since you saw it)", entity.node.name)),
                mine: Some("deleted".into()),
            }],
            Mutation::EditTags { input } => {
                let tags = links::entity_tags(pg, input.entity_id)
                    .await
                    .unwrap_or_default();
                let names: Vec<String> = tags.iter().map(|t| t.name.clone()).collect();
                vec![ConflictField {
                    key: "tags".into(),
                    label: "Tags".into(),
                    theirs: Some(names.join(", ")),
                    mine: Some(describe(mutation)),
                }]
            }
            Mutation::Create { input, .. } => vec![ConflictField {
                key: "entity".into(),
                label: "New entity".into(),
                theirs: None,
                mine: Some(input.name.clone()),
            }],
        }
    }

    async fn name_of(&self, id: Uuid) -> Option<String> {
        sqlx::query_scalar("SELECT name FROM entities WHERE id = ?1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .ok()
            .flatten()
    }
}

/// The mutation with every local version it expects replaced by the
/// server's, where the edit that made it was replayed.
fn rebase(map: &HashMap<String, String>, mutation: &Mutation) -> Mutation {
    let swap = |t: &mut DateTime<Utc>| {
        if let Some(s) = map.get(&ts(*t)) {
            if let Ok(v) = parse_ts(s) {
                *t = v;
            }
        }
    };
    let mut m = mutation.clone();
    match &mut m {
        Mutation::SetValues { input } => {
            for e in &mut input.edits {
                if let Some(t) = &mut e.expected_updated_at {
                    swap(t);
                }
            }
        }
        Mutation::Rename { input } => swap(&mut input.expected_updated_at),
        Mutation::Move { input } => swap(&mut input.expected_updated_at),
        Mutation::Delete { input } => swap(&mut input.expected_updated_at),
        Mutation::EditTags { input } => swap(&mut input.expected_updated_at),
        Mutation::Create { .. } => {}
    }
    m
}

fn conflict_reason(e: &CoreError) -> String {
    match e {
        CoreError::Conflict { .. } => {
            "someone changed this on the server since you saw it: keep theirs, keep yours, or edit"
                .into()
        }
        CoreError::NotFound { .. } => {
            "the entity was deleted on the server (or moved out of your reach) since you saw it"
                .into()
        }
        other => format!("the server refused this edit: {other}"),
    }
}

fn show_value(v: &PropertyValue) -> String {
    let text = v.to_json_text();
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::String(s)) => s,
        _ => text,
    }
}

fn describe(m: &Mutation) -> String {
    match m {
        Mutation::SetValues { input } => format!("{} value(s) set", input.edits.len()),
        Mutation::Rename { input } => format!("renamed to {}", input.name),
        Mutation::Create { input, .. } => format!("created {}", input.name),
        Mutation::Move { .. } => "moved".into(),
        Mutation::Delete { .. } => "deleted".into(),
        Mutation::EditTags { input } => {
            format!(
                "{} tag(s) added, {} removed",
                input.add.len(),
                input.remove.len()
            )
        }
    }
}

/// The versions the server holds now for what `mutation` changed.
async fn server_versions(
    pg: &PgPool,
    mutation: &Mutation,
    outcome: &Replayed,
) -> Result<Produced, CoreError> {
    // The server going away now must not settle the edit without the
    // versions it produced: the next edits of the same values would then
    // be sent against the versions before it and conflict with it. The
    // edit stays pending instead, and its next replay finds it applied.
    let gone = |e: &CoreError| matches!(e, CoreError::Unavailable(_) | CoreError::Database(_));
    let mut out = Produced::default();
    if let Replayed::Applied(changes) = outcome {
        for c in changes {
            if let Some(node) = node_of(c) {
                out.entity = Some(node.updated_at);
            }
        }
    }
    if matches!(mutation, Mutation::Delete { .. }) {
        return Ok(out);
    }
    if out.entity.is_none() {
        out.entity = match registry::get_entity(pg, mutation.entity_id()).await {
            Ok(e) => Some(e.node.updated_at),
            Err(e) if gone(&e) => return Err(e),
            Err(_) => None,
        };
    }
    if let Mutation::SetValues { input } = mutation {
        match properties::property_pane(pg, input.entity_id).await {
            Ok(pane) => {
                for f in pane.sections.iter().flat_map(|s| s.fields.iter()) {
                    if let Some(v) = f.value_updated_at {
                        out.values.insert(f.definition.id, v);
                    }
                }
            }
            Err(e) if gone(&e) => return Err(e),
            Err(_) => {}
        }
    }
    Ok(out)
}

fn node_of(c: &studio_core::change::Change) -> Option<&TreeNode> {
    use studio_core::change::Change as C;
    match c {
        C::EntityCreated { node }
        | C::EntityRenamed { node, .. }
        | C::EntityMoved { node, .. }
        | C::PropertyValuesChanged { node, .. }
        | C::EntityTagsChanged { node, .. } => Some(node),
        _ => None,
    }
}

/// The mutation aimed at the server's current versions (the person chose
/// to send theirs over what is there now).
async fn over_current(pg: &PgPool, mut mutation: Mutation) -> OfflineResult<Mutation> {
    let entity = registry::get_entity(pg, mutation.entity_id()).await.ok();
    let version = entity.as_ref().map(|e| e.node.updated_at);
    match &mut mutation {
        Mutation::SetValues { input } => {
            let pane = properties::property_pane(pg, input.entity_id).await?;
            let current: HashMap<Uuid, Option<DateTime<Utc>>> = pane
                .sections
                .iter()
                .flat_map(|s| s.fields.iter())
                .map(|f| (f.definition.id, f.value_updated_at))
                .collect();
            for e in &mut input.edits {
                e.expected_updated_at = current.get(&e.definition_id).copied().flatten();
            }
        }
        Mutation::Rename { input } => input.expected_updated_at = need(version)?,
        Mutation::Move { input } => input.expected_updated_at = need(version)?,
        Mutation::Delete { input } => input.expected_updated_at = need(version)?,
        Mutation::EditTags { input } => input.expected_updated_at = need(version)?,
        Mutation::Create { .. } => {}
    }
    Ok(mutation)
}

fn need(v: Option<DateTime<Utc>>) -> OfflineResult<DateTime<Utc>> {
    v.ok_or_else(|| {
        OfflineError::Invalid(
            "the entity is gone from the server: this edit can only be discarded".into(),
        )
    })
}

/// The kept subtree an edit falls in (refused when it falls in none).
async fn scope_of(tx: &mut SqliteConnection, m: &Mutation) -> OfflineResult<Uuid> {
    let at = match m {
        Mutation::Create { input, .. } => input.parent_id.ok_or_else(|| {
            OfflineError::Invalid("a new top-level entity cannot be made offline".into())
        })?,
        other => other.entity_id(),
    };
    let scope: Option<String> = sqlx::query_scalar("SELECT scope_id FROM entities WHERE id = ?1")
        .bind(at.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    parse_id(&scope.ok_or_else(|| OfflineError::NotCached(format!("entity {at}")))?)
}

/// A fresh local version, later than every one given before.
async fn next_version(tx: &mut SqliteConnection) -> OfflineResult<DateTime<Utc>> {
    let now = Utc::now();
    let last = match store::meta_in(tx, "clock").await? {
        Some(s) => parse_ts(&s)?,
        None => now,
    };
    let t = if now > last {
        now
    } else {
        last + chrono::Duration::microseconds(1)
    };
    // Microseconds, as stored.
    let t = parse_ts(&ts(t))?;
    store::set_meta(tx, "clock", &ts(t)).await?;
    Ok(t)
}

/// The cached entity's version, for the concurrency check.
async fn cached_version(tx: &mut SqliteConnection, id: Uuid) -> OfflineResult<DateTime<Utc>> {
    let v: Option<String> = sqlx::query_scalar("SELECT updated_at FROM entities WHERE id = ?1")
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    parse_ts(&v.ok_or_else(|| OfflineError::NotCached(format!("entity {id}")))?)
}

fn stale() -> OfflineError {
    OfflineError::Core(CoreError::Conflict {
        message: "this changed since you opened it (offline); reload and try again".into(),
        current: studio_core::records::CurrentRow::Missing,
    })
}

/// Applies an edit to the cache. `check`: refuse it when the versions it
/// expects are not the cache's (a live edit); without it (laying queued
/// edits back over a refresh) it is applied as it stands. `given`: the
/// versions it gave the cache the first time.
async fn apply_local(
    tx: &mut SqliteConnection,
    m: &Mutation,
    given: Option<&Produced>,
    check: bool,
) -> OfflineResult<Produced> {
    let version = match given.and_then(|p| p.entity) {
        Some(v) => v,
        None => next_version(tx).await?,
    };
    let id = m.entity_id();
    let base = match given {
        Some(p) => p.base,
        None => cached_version(tx, id).await.ok(),
    };
    let mut produced = Produced {
        entity: Some(version),
        values: BTreeMap::new(),
        base,
    };
    match m {
        Mutation::SetValues { input } => {
            if check {
                cached_version(tx, id).await?;
            }
            for edit in &input.edits {
                let def: Option<studio_core::records::PropertyDefinition> =
                    store::doc(tx, "definition", edit.definition_id).await?;
                let def = def.ok_or_else(|| {
                    OfflineError::Invalid(format!(
                        "property {} is not known offline",
                        edit.definition_id
                    ))
                })?;
                if def.is_sensitive {
                    return Err(OfflineError::Unsupported(format!(
                        "{} is sensitive: it can only be changed while connected",
                        def.name
                    )));
                }
                let current: Option<String> = sqlx::query_scalar(
                    "SELECT updated_at FROM vals WHERE entity_id = ?1 AND definition_id = ?2",
                )
                .bind(id.to_string())
                .bind(edit.definition_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                if check && current != edit.expected_updated_at.map(ts) {
                    return Err(stale());
                }
                // A version of its own: the server gives the value and the
                // entity versions of their own too.
                let v = match given.and_then(|p| p.values.get(&edit.definition_id).copied()) {
                    Some(v) => v,
                    None => next_version(tx).await?,
                };
                produced.values.insert(edit.definition_id, v);
                let path = format!("$.\"{}\"", def.key.replace('"', ""));
                match &edit.value {
                    Some(value) => {
                        if check {
                            if let Some(problem) =
                                studio_core::properties::value_problem_of(&def, value)
                            {
                                return Err(OfflineError::Invalid(problem));
                            }
                        }
                        let text = value.to_json_text();
                        sqlx::query(
                            "INSERT OR REPLACE INTO vals (entity_id, definition_id, value, updated_at)
                             VALUES (?1, ?2, ?3, ?4)",
                        )
                        .bind(id.to_string())
                        .bind(edit.definition_id.to_string())
                        .bind(&text)
                        .bind(ts(v))
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("UPDATE entities SET properties = json_set(properties, ?2, json(?3)) WHERE id = ?1")
                            .bind(id.to_string())
                            .bind(&path)
                            .bind(&text)
                            .execute(&mut *tx)
                            .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM vals WHERE entity_id = ?1 AND definition_id = ?2")
                            .bind(id.to_string())
                            .bind(edit.definition_id.to_string())
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("UPDATE entities SET properties = json_remove(properties, ?2) WHERE id = ?1")
                            .bind(id.to_string())
                            .bind(&path)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
        }
        Mutation::Rename { input } => {
            expect(tx, id, input.expected_updated_at, check).await?;
            let name = input.name.trim();
            if name.is_empty() {
                return Err(OfflineError::Invalid("a name cannot be empty".into()));
            }
            sqlx::query("UPDATE entities SET name = ?2, name_fold = ?3 WHERE id = ?1")
                .bind(id.to_string())
                .bind(name)
                .bind(name.to_lowercase())
                .execute(&mut *tx)
                .await?;
        }
        Mutation::Create { id, input } => {
            let parent = input.parent_id.ok_or_else(|| {
                OfflineError::Invalid("a new top-level entity cannot be made offline".into())
            })?;
            let name = input.name.trim();
            if name.is_empty() {
                return Err(OfflineError::Invalid("a name cannot be empty".into()));
            }
            let types: Vec<studio_core::records::EntityType> = store::docs(tx, "type").await?;
            let ty = types
                .iter()
                .find(|t| t.key == input.type_key)
                .ok_or_else(|| {
                    OfflineError::Invalid(format!("unknown entity type {:?}", input.type_key))
                })?;
            let row: Option<(String, String, String)> = sqlx::query_as(
                "SELECT scope_id, path_label, ancestor_ids FROM entities WHERE id = ?1",
            )
            .bind(parent.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            let (scope, parent_label, ancestors) =
                row.ok_or_else(|| OfflineError::NotCached(format!("entity {parent}")))?;
            let mut ancestors: Vec<Uuid> = serde_json::from_str(&ancestors)?;
            ancestors.push(parent);
            let slug = studio_core::registry::labels::slugify(name, &input.type_key);
            sqlx::query(
                "INSERT OR REPLACE INTO entities
                    (id, scope_id, parent_id, entity_type_id, type_key, type_name, icon, name, name_fold,
                     path_label, created_at, updated_at, ancestor_ids, properties, tag_ids)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13, '[]')",
            )
            .bind(id.to_string())
            .bind(scope)
            .bind(parent.to_string())
            .bind(ty.id.to_string())
            .bind(&ty.key)
            .bind(&ty.name)
            .bind(&ty.icon)
            .bind(name)
            .bind(name.to_lowercase())
            .bind(format!("{parent_label}.{slug}"))
            .bind(ts(version))
            .bind(serde_json::to_string(&ancestors)?)
            .bind(serde_json::json!({ "name": name }).to_string())
            .execute(&mut *tx)
            .await?;
            return Ok(produced);
        }
        Mutation::Move { input } => {
            expect(tx, id, input.expected_updated_at, check).await?;
            let parent = input.new_parent_id.ok_or_else(|| {
                OfflineError::Invalid("an entity cannot be moved to the top level offline".into())
            })?;
            let row: Option<String> =
                sqlx::query_scalar("SELECT ancestor_ids FROM entities WHERE id = ?1")
                    .bind(parent.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
            let mut prefix: Vec<Uuid> = serde_json::from_str(
                &row.ok_or_else(|| OfflineError::NotCached(format!("entity {parent}")))?,
            )?;
            if parent == id || prefix.contains(&id) {
                return Err(OfflineError::Invalid(
                    "an entity cannot be moved under itself or its own descendants".into(),
                ));
            }
            prefix.push(parent);
            let subtree = store::with_descendants(tx, &[id]).await?;
            for member in subtree {
                let anc: String =
                    sqlx::query_scalar("SELECT ancestor_ids FROM entities WHERE id = ?1")
                        .bind(member.to_string())
                        .fetch_one(&mut *tx)
                        .await?;
                let anc: Vec<Uuid> = serde_json::from_str(&anc)?;
                let below: Vec<Uuid> = match anc.iter().position(|a| *a == id) {
                    Some(i) => anc[i..].to_vec(),
                    None => Vec::new(),
                };
                let mut next = prefix.clone();
                next.extend(below);
                sqlx::query("UPDATE entities SET ancestor_ids = ?2 WHERE id = ?1")
                    .bind(member.to_string())
                    .bind(serde_json::to_string(&next)?)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE entities SET parent_id = ?2 WHERE id = ?1")
                .bind(id.to_string())
                .bind(parent.to_string())
                .execute(&mut *tx)
                .await?;
        }
        Mutation::Delete { input } => {
            expect(tx, id, input.expected_updated_at, check).await?;
            let gone = store::with_descendants(tx, &[id]).await?;
            store::drop_entities(tx, &gone).await?;
            return Ok(Produced::default());
        }
        Mutation::EditTags { input } => {
            expect(tx, id, input.expected_updated_at, check).await?;
            let tags: String = sqlx::query_scalar("SELECT tag_ids FROM entities WHERE id = ?1")
                .bind(id.to_string())
                .fetch_one(&mut *tx)
                .await?;
            let mut tags: Vec<Uuid> = serde_json::from_str(&tags)?;
            tags.retain(|t| !input.remove.contains(t));
            for t in &input.add {
                if !tags.contains(t) {
                    tags.push(*t);
                }
            }
            sqlx::query("UPDATE entities SET tag_ids = ?2 WHERE id = ?1")
                .bind(id.to_string())
                .bind(serde_json::to_string(&tags)?)
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query("UPDATE entities SET updated_at = ?2 WHERE id = ?1")
        .bind(id.to_string())
        .bind(ts(version))
        .execute(&mut *tx)
        .await?;
    Ok(produced)
}

async fn expect(
    tx: &mut SqliteConnection,
    id: Uuid,
    expected: DateTime<Utc>,
    check: bool,
) -> OfflineResult<()> {
    let current = cached_version(tx, id).await?;
    if check && current != expected {
        return Err(stale());
    }
    Ok(())
}

/// Lays the pending and conflicting edits back over the cache (after a
/// download or a refresh wrote the server's state), with the versions
/// they gave it, so what the person sees keeps their edits.
pub(crate) async fn overlay(tx: &mut SqliteConnection) -> OfflineResult<()> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT mutation, produced FROM outbox WHERE status IN ('pending', 'conflict') ORDER BY seq",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (mutation, produced) in rows {
        let mutation: Mutation = serde_json::from_str(&mutation)?;
        let produced: Produced = serde_json::from_str(&produced)?;
        // An edit of something no longer kept (deleted, moved out, access
        // lost) has nothing to lay over.
        match apply_local(tx, &mutation, Some(&produced), false).await {
            Ok(_) | Err(OfflineError::NotCached(_)) | Err(OfflineError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl OfflineCache {
    /// Rereads these entities from the server (dropping those it no longer
    /// has in a kept subtree), then lays pending edits back over them.
    pub async fn reload(&self, pg: &PgPool, ids: &[Uuid]) -> OfflineResult<()> {
        let roots: Vec<Uuid> = store::scopes(&self.pool)
            .await?
            .into_iter()
            .filter(|s| s.state == crate::ScopeState::Ready)
            .map(|s| s.root_id)
            .collect();
        let mut snap = server::Snapshot::begin(
            pg,
            &server::Selection::Entities {
                ids: ids.to_vec(),
                within: roots,
            },
        )
        .await?;
        let fresh = snap.entities(10_000).await?;
        let values = snap.values(100_000).await?;
        let rels = snap.relationships(100_000).await?;
        snap.finish().await?;
        let mut tx = self.pool.begin().await?;
        let present: HashSet<Uuid> = fresh.iter().map(|e| e.id).collect();
        let gone: Vec<Uuid> = ids
            .iter()
            .copied()
            .filter(|i| !present.contains(i))
            .collect();
        let gone = store::with_descendants(&mut tx, &gone).await?;
        store::drop_entities(&mut tx, &gone).await?;
        store::drop_entities(&mut tx, &present.iter().copied().collect::<Vec<_>>()).await?;
        store::put_entities(&mut tx, &fresh, |e| e.scope_id).await?;
        store::put_values(&mut tx, &values).await?;
        store::put_relationships(&mut tx, &rels).await?;
        overlay(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl OfflineCache {
    /// Replays waiting edits every `every` until `stop` turns true: a round
    /// stopped by the server being gone is simply tried again, so replay
    /// resumes by itself when the server returns, without a new edit. The
    /// app's watcher does the same on its connection check.
    pub async fn keep_replaying(
        &self,
        pg: &PgPool,
        actor: &Actor,
        every: std::time::Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.replay(pg, actor).await {
                Ok(report) if report.stopped.is_some() => {
                    tracing::debug!("replay paused: {:?}", report.stopped)
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("replay failed: {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
