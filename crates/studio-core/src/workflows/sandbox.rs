//! A test run of a draft on a chosen entity: the nodes run in one
//! transaction that is rolled back at the end, with the tester's own
//! rights, so nothing it does remains. HTTP requests are not sent (the run
//! shows the request it would send), approvals count as approved, delays
//! do not wait, notifications are not delivered.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::dsl::{self, NodeKind, WorkflowDocument};
use super::nodes::{self, Done};
use crate::change::Actor;
use crate::error::CoreResult;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TestRunInput {
    pub document: WorkflowDocument,
    pub entity_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TestStep {
    pub node_id: String,
    pub node_type: String,
    pub outcome: Option<String>,
    pub input: Value,
    pub output: Option<Value>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TestRun {
    pub steps: Vec<TestStep>,
    /// Reached the end without an error.
    pub finished: bool,
    pub note: Option<String>,
}

/// At most this many steps (a loop that never ends is cut).
const MAX_STEPS: usize = 500;

pub async fn test_run(pool: &PgPool, actor: &Actor, input: &TestRunInput) -> CoreResult<TestRun> {
    let doc = &input.document;
    dsl::check(doc)?;
    let mut tx = pool.begin().await?;
    let catalog = crate::views::catalog(&mut tx).await?;
    let mut outputs = serde_json::Map::new();
    let mut iterations: HashMap<String, u64> = HashMap::new();
    let mut steps = Vec::new();
    let mut current = doc.start().map(|n| n.id.clone());
    let run_id = Uuid::now_v7();
    let mut finished = true;
    let mut note = None;
    while let Some(id) = current.take() {
        if steps.len() >= MAX_STEPS {
            finished = false;
            note = Some(format!("stopped after {MAX_STEPS} steps"));
            break;
        }
        let node = doc
            .node(&id)
            .expect("a checked document names its nodes")
            .clone();
        let ctx = nodes::context(
            &mut tx,
            input.entity_id,
            &json!({ "entityId": input.entity_id, "test": true }),
            &Value::Object(outputs.clone()),
            json!({ "id": run_id, "position": steps.len(), "attempt": 1 }),
            json!({ "name": "test run", "version": 0 }),
        )
        .await?;
        let config = serde_json::to_value(&node.kind)
            .ok()
            .and_then(|v| v.get("config").cloned())
            .unwrap_or(Value::Null);
        let result: Result<Done, nodes::StepError> = match &node.kind {
            NodeKind::HttpRequest {
                method,
                url,
                headers,
                body,
                auth_secret,
                signing_secret,
            } => (|| {
                let mut h = serde_json::Map::new();
                for (k, v) in headers {
                    h.insert(k.to_ascii_lowercase(), json!(nodes::render(v, &ctx)?));
                }
                h.insert(
                    "idempotency-key".into(),
                    json!(format!("{run_id}:{}", steps.len())),
                );
                if auth_secret.is_some() {
                    h.insert("authorization".into(), json!("Bearer (from the vault)"));
                }
                if signing_secret.is_some() {
                    h.insert(
                        "x-eco-signature".into(),
                        json!("t=…,v1=… (signed with the vault's key)"),
                    );
                }
                let body = match body {
                    Some(b) => Some(nodes::render(b, &ctx)?),
                    None => None,
                };
                Ok(Done {
                    outcome: "done".into(),
                    output: json!({ "wouldSend": {
                        "method": method, "url": nodes::render(url, &ctx)?, "headers": h, "body": body,
                    }}),
                })
            })(),
            NodeKind::Approval { title, .. } => nodes::render(title, &ctx).map(|t| Done {
                outcome: "approved".into(),
                output: json!({ "title": t, "note": "a test run counts an approval as approved" }),
            }),
            NodeKind::Delay { seconds } => Ok(Done {
                outcome: "done".into(),
                output: json!({ "wouldWaitSeconds": seconds }),
            }),
            NodeKind::Notify { message, to } => nodes::render(message, &ctx).map(|m| Done {
                outcome: "done".into(),
                output: json!({ "wouldNotify": to, "message": m }),
            }),
            NodeKind::Loop { max_iterations } => {
                let n = iterations.entry(node.id.clone()).or_default();
                *n += 1;
                let again = *n <= u64::from(*max_iterations);
                Ok(Done {
                    outcome: if again { "again" } else { "done" }.into(),
                    output: json!({ "iteration": if again { *n } else { 0 } }),
                })
            }
            _ => {
                sqlx::query("SAVEPOINT eco_test_step")
                    .execute(&mut *tx)
                    .await?;
                let r = nodes::apply(&mut tx, actor, &node, input.entity_id, &ctx, &catalog).await;
                if r.is_err() {
                    sqlx::query("ROLLBACK TO SAVEPOINT eco_test_step")
                        .execute(&mut *tx)
                        .await?;
                }
                r
            }
        };
        match result {
            Ok(done) => {
                outputs.insert(node.id.clone(), done.output.clone());
                current = doc.next(&node.id, &done.outcome).map(str::to_string);
                steps.push(TestStep {
                    node_id: node.id.clone(),
                    node_type: node.kind.type_name().into(),
                    outcome: Some(done.outcome),
                    input: json!({ "config": config }),
                    output: Some(done.output),
                    error: None,
                });
            }
            Err(e) => {
                finished = false;
                steps.push(TestStep {
                    node_id: node.id.clone(),
                    node_type: node.kind.type_name().into(),
                    outcome: None,
                    input: json!({ "config": config }),
                    output: None,
                    error: Some(e.message),
                });
            }
        }
    }
    // Nothing of the run remains.
    tx.rollback().await?;
    Ok(TestRun {
        steps,
        finished,
        note,
    })
}
