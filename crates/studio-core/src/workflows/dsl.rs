//! The workflow document (`workflows.draft`, `workflow_versions.dsl`):
//! `{version, trigger, nodes, edges}`, and its validator.
//!
//! A run starts at the one node no edge leads to and follows, after each
//! node, the edge labelled with the node's outcome (`done`, `true`/`false`,
//! `approved`/`rejected`, `again`). A node without such an edge ends the
//! run. Cycles are allowed only through a `loop` node, which bounds them.
//! Every problem is reported with a path into the document
//! (`nodes[2].config.url`), all at once, so the editor can mark each.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::template;
use crate::error::{CoreError, Rule, ValidationError};
use crate::views::Filter;

/// The version this build writes and reads.
pub const DSL_VERSION: u32 = 1;
/// A document larger than this (as JSON) is refused.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
pub const MAX_NODES: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowDocument {
    pub version: u32,
    pub trigger: Trigger,
    #[serde(default)]
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub edges: Vec<Edge>,
}

/// What starts a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Trigger {
    /// Started by a person on an entity, or on each row of a saved view.
    Manual {},
    /// A change to an entity (of the workflow's root), narrowed by a filter
    /// in the views' filter language.
    EntityEvent {
        events: Vec<EntityEventKind>,
        /// For `propertyChanged`: only these property keys (empty: any).
        #[serde(default)]
        properties: Vec<String>,
        #[serde(default)]
        filter: Option<Filter>,
        /// Also changes made by workflows (off: a workflow cannot trigger
        /// itself in a loop).
        #[serde(default)]
        include_workflow_changes: bool,
    },
    /// A cron schedule (minute hour day-of-month month day-of-week) in a
    /// time zone; runs without an entity.
    Schedule { cron: String, time_zone: String },
    /// An alert was raised (on an entity of the root).
    AlertRaised {
        /// Only these levels (empty: any).
        #[serde(default)]
        levels: Vec<String>,
        #[serde(default)]
        filter: Option<Filter>,
    },
}

impl Trigger {
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::Manual {} => "manual",
            Trigger::EntityEvent { .. } => "entityEvent",
            Trigger::Schedule { .. } => "schedule",
            Trigger::AlertRaised { .. } => "alertRaised",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum EntityEventKind {
    Created,
    Updated,
    Deleted,
    Moved,
    PropertyChanged,
}

/// Where a node sits on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

/// How a failed attempt is retried: `max_attempts` in all, waiting
/// `backoff_ms`, then that times `factor` each time (at most `max_backoff_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub backoff_ms: u32,
    #[serde(default = "default_factor")]
    pub factor: f64,
    #[serde(default = "default_max_backoff")]
    pub max_backoff_ms: u32,
}

fn default_factor() -> f64 {
    2.0
}

fn default_max_backoff() -> u32 {
    300_000
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 1,
            backoff_ms: 1_000,
            factor: 2.0,
            max_backoff_ms: 300_000,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `next` (2, 3, ...).
    pub fn delay_before(&self, next: u32) -> std::time::Duration {
        let exp = next.saturating_sub(2) as i32;
        let ms = f64::from(self.backoff_ms) * self.factor.max(1.0).powi(exp);
        std::time::Duration::from_millis(ms.min(f64::from(self.max_backoff_ms)) as u64)
    }
}

/// One node: an id unique in the document, its type's settings, and how
/// it retries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Node {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub kind: NodeKind,
    #[serde(default)]
    pub position: Position,
    #[serde(default)]
    pub retry: Option<RetryPolicy>,
    /// Milliseconds before an attempt is abandoned (HTTP requests).
    #[serde(default)]
    pub timeout_ms: Option<u32>,
}

/// A node's type and settings. Text settings are templates
/// (`{{ entity.name }}`, `{{ nodes.check.output.status }}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    tag = "type",
    content = "config",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum NodeKind {
    /// The filter over the run's entity: outcome `true` or `false`.
    Condition {
        filter: Filter,
    },
    /// Sets (or, with no value, clears) a property of the run's entity.
    SetProperty {
        property: String,
        #[serde(default)]
        value: Option<String>,
    },
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    /// Creates an entity of a type under the run's entity.
    CreateChild {
        type_key: String,
        name: String,
    },
    /// Moves the run's entity under another (an id or a path label).
    Move {
        parent: String,
    },
    RaiseAlert {
        level: String,
        message: String,
    },
    /// Resolves an alert: by id (a template), or else every open alert of
    /// the run's entity.
    ResolveAlert {
        #[serde(default)]
        alert: Option<String>,
    },
    /// An HTTP request. `auth_secret` is sent as a bearer token;
    /// `signing_secret` signs the body (HMAC-SHA256, `X-Eco-Signature`).
    HttpRequest {
        method: String,
        url: String,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        body: Option<String>,
        #[serde(default)]
        auth_secret: Option<uuid::Uuid>,
        #[serde(default)]
        signing_secret: Option<uuid::Uuid>,
    },
    /// Waits for `required` approvals from the named people and/or those
    /// holding `capability` on the root; the initiator may not vote. At the
    /// deadline the outcome is `on_deadline`.
    Approval {
        title: String,
        #[serde(default)]
        approvers: Vec<uuid::Uuid>,
        #[serde(default)]
        capability: Option<String>,
        required: u32,
        #[serde(default)]
        deadline_hours: Option<f64>,
        #[serde(default = "default_on_deadline")]
        on_deadline: DeadlineOutcome,
    },
    Delay {
        seconds: u32,
    },
    /// An in-app notification to people (none: the run's initiator, else
    /// the workflow's publisher).
    Notify {
        #[serde(default)]
        to: Vec<uuid::Uuid>,
        message: String,
    },
    /// Bounds a cycle: outcome `again` up to `max_iterations` times, then
    /// `done`.
    Loop {
        max_iterations: u32,
    },
}

fn default_on_deadline() -> DeadlineOutcome {
    DeadlineOutcome::Rejected
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum DeadlineOutcome {
    Approved,
    Rejected,
    /// The execution fails.
    Failed,
}

impl DeadlineOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineOutcome::Approved => "approved",
            DeadlineOutcome::Rejected => "rejected",
            DeadlineOutcome::Failed => "failed",
        }
    }
}

impl NodeKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            NodeKind::Condition { .. } => "condition",
            NodeKind::SetProperty { .. } => "setProperty",
            NodeKind::AddTag { .. } => "addTag",
            NodeKind::RemoveTag { .. } => "removeTag",
            NodeKind::CreateChild { .. } => "createChild",
            NodeKind::Move { .. } => "move",
            NodeKind::RaiseAlert { .. } => "raiseAlert",
            NodeKind::ResolveAlert { .. } => "resolveAlert",
            NodeKind::HttpRequest { .. } => "httpRequest",
            NodeKind::Approval { .. } => "approval",
            NodeKind::Delay { .. } => "delay",
            NodeKind::Notify { .. } => "notify",
            NodeKind::Loop { .. } => "loop",
        }
    }

    /// The outcomes its edges may be labelled with.
    pub fn outcomes(&self) -> &'static [&'static str] {
        match self {
            NodeKind::Condition { .. } => &["true", "false"],
            NodeKind::Approval { .. } => &["approved", "rejected"],
            NodeKind::Loop { .. } => &["again", "done"],
            _ => &["done"],
        }
    }

    /// Acts on the run's entity (needs a run with one).
    pub fn needs_entity(&self) -> bool {
        matches!(
            self,
            NodeKind::Condition { .. }
                | NodeKind::SetProperty { .. }
                | NodeKind::AddTag { .. }
                | NodeKind::RemoveTag { .. }
                | NodeKind::CreateChild { .. }
                | NodeKind::Move { .. }
                | NodeKind::RaiseAlert { .. }
        )
    }
}

/// An edge: after `from` ends with `outcome` (default `done`), run `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Edge {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub outcome: Option<String>,
}

impl Edge {
    pub fn outcome(&self) -> &str {
        self.outcome.as_deref().unwrap_or("done")
    }
}

/// The node types, for the editor's palette and the validator's message.
pub const NODE_TYPES: [&str; 13] = [
    "condition",
    "setProperty",
    "addTag",
    "removeTag",
    "createChild",
    "move",
    "raiseAlert",
    "resolveAlert",
    "httpRequest",
    "approval",
    "delay",
    "notify",
    "loop",
];

const HTTP_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const ALERT_LEVELS: [&str; 3] = ["info", "warning", "critical"];

fn problem(path: String, rule: Rule, message: impl Into<String>) -> ValidationError {
    ValidationError::new(Some(&path), rule, message)
}

/// Reads a document from JSON text: refuses oversized ones, unknown
/// versions, unknown node types and malformed settings with a typed error
/// pointing at the place.
pub fn parse(text: &str) -> Result<WorkflowDocument, CoreError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(CoreError::invalid(
            Some("document"),
            Rule::TooLong,
            format!(
                "a workflow document holds at most {} KiB; this one has {} KiB",
                MAX_DOCUMENT_BYTES / 1024,
                text.len() / 1024
            ),
        ));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        CoreError::invalid(
            Some("document"),
            Rule::Format,
            format!("the workflow document is not JSON: {e}"),
        )
    })?;
    from_value(value)
}

/// [`parse`] of a JSON value.
pub fn from_value(value: serde_json::Value) -> Result<WorkflowDocument, CoreError> {
    if let Some(v) = value.get("version").and_then(|v| v.as_u64()) {
        if v != u64::from(DSL_VERSION) {
            return Err(CoreError::invalid(
                Some("version"),
                Rule::Choice,
                format!("this workflow document has version {v}; this build reads version {DSL_VERSION}"),
            ));
        }
    }
    // Node by node first, so an error names the node it is in.
    if let Some(nodes) = value.get("nodes").and_then(|n| n.as_array()) {
        for (i, node) in nodes.iter().enumerate() {
            let ty = node.get("type").and_then(|t| t.as_str()).unwrap_or("");
            if !NODE_TYPES.contains(&ty) {
                return Err(CoreError::invalid(
                    Some(&format!("nodes[{i}].type")),
                    Rule::Choice,
                    format!(
                        "{ty:?} is not a node type; the types are {}",
                        NODE_TYPES.join(", ")
                    ),
                ));
            }
            serde_json::from_value::<Node>(node.clone()).map_err(|e| {
                CoreError::invalid(
                    Some(&format!("nodes[{i}].config")),
                    Rule::Format,
                    format!("node {i} ({ty}): {e}"),
                )
            })?;
        }
    }
    serde_json::from_value(value).map_err(|e| {
        CoreError::invalid(
            Some("document"),
            Rule::Format,
            format!("the workflow document is not valid: {e}"),
        )
    })
}

/// Every problem of a parsed document (empty: it may be published).
pub fn validate(doc: &WorkflowDocument) -> Vec<ValidationError> {
    let mut out = Vec::new();
    if doc.version != DSL_VERSION {
        out.push(problem(
            "version".into(),
            Rule::Choice,
            format!("this build reads version {DSL_VERSION}"),
        ));
    }
    match &doc.trigger {
        Trigger::EntityEvent { events, .. } if events.is_empty() => out.push(problem(
            "trigger.events".into(),
            Rule::Required,
            "choose at least one entity event",
        )),
        Trigger::Schedule { cron, time_zone } => {
            if let Err(e) = super::cron::Schedule::parse(cron, time_zone) {
                out.push(e);
            }
        }
        Trigger::AlertRaised { levels, .. } => {
            for (i, l) in levels.iter().enumerate() {
                if !ALERT_LEVELS.contains(&l.as_str()) {
                    out.push(problem(
                        format!("trigger.levels[{i}]"),
                        Rule::Choice,
                        "a level is info, warning or critical",
                    ));
                }
            }
        }
        _ => {}
    }
    if doc.nodes.is_empty() {
        out.push(problem(
            "nodes".into(),
            Rule::Required,
            "a workflow needs at least one node",
        ));
        return out;
    }
    if doc.nodes.len() > MAX_NODES {
        out.push(problem(
            "nodes".into(),
            Rule::TooLong,
            format!("a workflow has at most {MAX_NODES} nodes"),
        ));
        return out;
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, n) in doc.nodes.iter().enumerate() {
        let id_ok = !n.id.is_empty()
            && n.id.len() <= 64
            && n.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !id_ok {
            out.push(problem(
                format!("nodes[{i}].id"),
                Rule::Format,
                "a node id is 1 to 64 letters, digits, '_' or '-'",
            ));
        }
        if index.insert(n.id.as_str(), i).is_some() {
            out.push(problem(
                format!("nodes[{i}].id"),
                Rule::Unique,
                format!("two nodes have the id {:?}", n.id),
            ));
        }
    }
    let entity_less = matches!(doc.trigger, Trigger::Schedule { .. });
    for (i, n) in doc.nodes.iter().enumerate() {
        check_node(i, n, entity_less, &index, &mut out);
    }
    // Edges: known ends, known outcomes, one edge per outcome.
    let mut taken: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut incoming: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, e) in doc.edges.iter().enumerate() {
        let Some(&from) = index.get(e.from.as_str()) else {
            out.push(problem(
                format!("edges[{i}].from"),
                Rule::Reference,
                format!("no node has the id {:?}", e.from),
            ));
            continue;
        };
        if !index.contains_key(e.to.as_str()) {
            out.push(problem(
                format!("edges[{i}].to"),
                Rule::Reference,
                format!("no node has the id {:?}", e.to),
            ));
            continue;
        }
        let outcomes = doc.nodes[from].kind.outcomes();
        if !outcomes.contains(&e.outcome()) {
            out.push(problem(
                format!("edges[{i}].outcome"),
                Rule::Choice,
                format!(
                    "a {} node ends with {}, not {:?}",
                    doc.nodes[from].kind.type_name(),
                    outcomes.join(" or "),
                    e.outcome()
                ),
            ));
        }
        if !taken.insert((e.from.as_str(), e.outcome())) {
            out.push(problem(
                format!("edges[{i}]"),
                Rule::Unique,
                format!(
                    "node {:?} already has an edge for the outcome {:?}",
                    e.from,
                    e.outcome()
                ),
            ));
        }
        *incoming.entry(e.to.as_str()).or_default() += 1;
    }
    // One start: the node no edge leads to.
    let starts: Vec<&Node> = doc
        .nodes
        .iter()
        .filter(|n| !incoming.contains_key(n.id.as_str()))
        .collect();
    if starts.len() != 1 {
        out.push(problem(
            "edges".into(),
            Rule::Check,
            if starts.is_empty() {
                "every node has an edge leading to it: a workflow needs one start node".to_string()
            } else {
                format!(
                    "a workflow has one start node; these have no edge leading to them: {}",
                    starts
                        .iter()
                        .map(|n| n.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ));
    } else {
        // Reachable from the start.
        let start = starts[0].id.as_str();
        let mut seen: BTreeSet<&str> = BTreeSet::from([start]);
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            for e in doc.edges.iter().filter(|e| e.from == n) {
                if seen.insert(e.to.as_str()) {
                    stack.push(e.to.as_str());
                }
            }
        }
        for (i, n) in doc.nodes.iter().enumerate() {
            if !seen.contains(n.id.as_str()) {
                out.push(problem(
                    format!("nodes[{i}]"),
                    Rule::Reference,
                    format!("node {:?} cannot be reached from the start", n.id),
                ));
            }
        }
    }
    // Cycles only through a loop node: without loop nodes the graph is
    // acyclic.
    if let Some(cycle) = cycle_without_loop(doc) {
        out.push(problem(
            "edges".into(),
            Rule::Cycle,
            format!(
                "the edges make a cycle without a loop node: {}",
                cycle.join(" → ")
            ),
        ));
    }
    out
}

/// Fails with the first problem (for saving through the API).
pub fn check(doc: &WorkflowDocument) -> Result<(), CoreError> {
    match validate(doc).into_iter().next() {
        Some(p) => Err(CoreError::Validation(p)),
        None => Ok(()),
    }
}

fn check_node(
    i: usize,
    n: &Node,
    entity_less: bool,
    index: &HashMap<&str, usize>,
    out: &mut Vec<ValidationError>,
) {
    let at = |field: &str| format!("nodes[{i}].config.{field}");
    let required = |out: &mut Vec<ValidationError>, field: &str, value: &str| {
        if value.trim().is_empty() {
            out.push(problem(
                at(field),
                Rule::Required,
                format!("{field} is required"),
            ));
        }
    };
    if entity_less && n.kind.needs_entity() {
        out.push(problem(
            format!("nodes[{i}].type"),
            Rule::State,
            format!(
                "a {} node acts on the run's entity; a scheduled run has none",
                n.kind.type_name()
            ),
        ));
    }
    let mut templates: Vec<(&str, &str)> = Vec::new();
    match &n.kind {
        NodeKind::Condition { .. } => {}
        NodeKind::SetProperty { property, value } => {
            required(out, "property", property);
            if let Some(v) = value {
                templates.push(("value", v));
            }
        }
        NodeKind::AddTag { tag } | NodeKind::RemoveTag { tag } => required(out, "tag", tag),
        NodeKind::CreateChild { type_key, name } => {
            required(out, "typeKey", type_key);
            required(out, "name", name);
            templates.push(("name", name));
        }
        NodeKind::Move { parent } => {
            required(out, "parent", parent);
            templates.push(("parent", parent));
        }
        NodeKind::RaiseAlert { level, message } => {
            if !ALERT_LEVELS.contains(&level.as_str()) {
                out.push(problem(
                    at("level"),
                    Rule::Choice,
                    "a level is info, warning or critical",
                ));
            }
            required(out, "message", message);
            templates.push(("message", message));
        }
        NodeKind::ResolveAlert { alert } => {
            if let Some(a) = alert {
                templates.push(("alert", a));
            }
        }
        NodeKind::HttpRequest {
            method,
            url,
            headers,
            body,
            ..
        } => {
            if !HTTP_METHODS.contains(&method.as_str()) {
                out.push(problem(
                    at("method"),
                    Rule::Choice,
                    format!("the method is one of {}", HTTP_METHODS.join(", ")),
                ));
            }
            required(out, "url", url);
            let literal = !url.contains("{{");
            if literal
                && !(url.starts_with("http://") || url.starts_with("https://"))
                && !url.trim().is_empty()
            {
                out.push(problem(
                    at("url"),
                    Rule::Format,
                    "the URL starts with http:// or https://",
                ));
            }
            templates.push(("url", url));
            for (k, v) in headers {
                let bad = k.is_empty()
                    || !k
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if bad {
                    out.push(problem(
                        at("headers"),
                        Rule::Format,
                        format!("{k:?} is not a header name"),
                    ));
                }
                templates.push(("headers", v));
            }
            if let Some(b) = body {
                templates.push(("body", b));
            }
            if n.timeout_ms.is_some_and(|t| !(100..=120_000).contains(&t)) {
                out.push(problem(
                    format!("nodes[{i}].timeoutMs"),
                    Rule::Range,
                    "a timeout is 100 ms to 120 s",
                ));
            }
        }
        NodeKind::Approval {
            title,
            approvers,
            capability,
            required: need,
            deadline_hours,
            ..
        } => {
            required(out, "title", title);
            templates.push(("title", title));
            if approvers.is_empty() && capability.is_none() {
                out.push(problem(
                    at("approvers"),
                    Rule::Required,
                    "name the approvers, or a capability they hold on the root",
                ));
            }
            if let Some(c) = capability {
                if serde_json::from_value::<crate::records::Capability>(serde_json::json!(c))
                    .is_err()
                {
                    out.push(problem(
                        at("capability"),
                        Rule::Choice,
                        format!("{c:?} is not a capability"),
                    ));
                }
            }
            let unique: BTreeSet<_> = approvers.iter().collect();
            if unique.len() != approvers.len() {
                out.push(problem(
                    at("approvers"),
                    Rule::Unique,
                    "a person is named twice",
                ));
            }
            if *need == 0 || (capability.is_none() && *need as usize > unique.len()) {
                out.push(problem(
                    at("required"),
                    Rule::Range,
                    format!(
                        "it takes 1 to {} approvals (the number of approvers)",
                        unique.len().max(1)
                    ),
                ));
            }
            if deadline_hours.is_some_and(|h| !(h > 0.0 && h <= 24.0 * 366.0)) {
                out.push(problem(
                    at("deadlineHours"),
                    Rule::Range,
                    "a deadline is more than 0 hours and at most a year",
                ));
            }
        }
        NodeKind::Delay { seconds } => {
            if *seconds == 0 || *seconds > 31 * 24 * 3600 {
                out.push(problem(
                    at("seconds"),
                    Rule::Range,
                    "a delay is 1 second to 31 days",
                ));
            }
        }
        NodeKind::Notify { message, .. } => {
            required(out, "message", message);
            templates.push(("message", message));
        }
        NodeKind::Loop { max_iterations } => {
            if *max_iterations == 0 || *max_iterations > 1_000 {
                out.push(problem(
                    at("maxIterations"),
                    Rule::Range,
                    "a loop runs 1 to 1,000 times",
                ));
            }
        }
    }
    for (field, text) in templates {
        match template::references(text) {
            Err(e) => out.push(problem(at(field), Rule::Format, e.0)),
            Ok(refs) => {
                for r in refs {
                    if let Some(node) = r.strip_prefix("nodes.") {
                        let id = node.split('.').next().unwrap_or("");
                        if !index.contains_key(id) {
                            out.push(problem(
                                at(field),
                                Rule::Reference,
                                format!("{{{{ {r} }}}} names no node of this workflow"),
                            ));
                        }
                    }
                }
            }
        }
    }
    if let Some(r) = &n.retry {
        if r.max_attempts == 0 || r.max_attempts > 20 {
            out.push(problem(
                format!("nodes[{i}].retry.maxAttempts"),
                Rule::Range,
                "a node is attempted 1 to 20 times",
            ));
        }
        if !(1.0..=10.0).contains(&r.factor) {
            out.push(problem(
                format!("nodes[{i}].retry.factor"),
                Rule::Range,
                "the back-off factor is 1 to 10",
            ));
        }
    }
}

/// A cycle among the edges that avoids every loop node, if there is one.
fn cycle_without_loop(doc: &WorkflowDocument) -> Option<Vec<String>> {
    let loops: BTreeSet<&str> = doc
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Loop { .. }))
        .map(|n| n.id.as_str())
        .collect();
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in &doc.edges {
        if loops.contains(e.from.as_str()) || loops.contains(e.to.as_str()) {
            continue;
        }
        next.entry(e.from.as_str()).or_default().push(e.to.as_str());
    }
    // 0 unseen, 1 on the stack, 2 done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        n: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(n, 1);
        path.push(n);
        for &m in next.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let from = path.iter().position(|p| *p == m).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        path[from..].iter().map(|s| s.to_string()).collect();
                    cycle.push(m.to_string());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, next, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(n, 2);
        None
    }
    for n in &doc.nodes {
        if state.get(n.id.as_str()).copied().unwrap_or(0) == 0 {
            let mut path = Vec::new();
            if let Some(c) = visit(n.id.as_str(), &next, &mut state, &mut path) {
                return Some(c);
            }
        }
    }
    None
}

impl WorkflowDocument {
    /// The node no edge leads to (a validated document has exactly one).
    pub fn start(&self) -> Option<&Node> {
        self.nodes
            .iter()
            .find(|n| !self.edges.iter().any(|e| e.to == n.id))
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The node after `from` ended with `outcome` (None: the run ends).
    pub fn next(&self, from: &str, outcome: &str) -> Option<&str> {
        self.edges
            .iter()
            .find(|e| e.from == from && e.outcome() == outcome)
            .map(|e| e.to.as_str())
    }

    /// An empty document with a manual trigger, for a new workflow.
    pub fn empty() -> Self {
        WorkflowDocument {
            version: DSL_VERSION,
            trigger: Trigger::Manual {},
            nodes: Vec::new(),
            edges: Vec::new(),
        }
    }
}
