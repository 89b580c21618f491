//! Workflows against a real database: the validator's typed errors,
//! executions pinned to their version while a new one is published, entity
//! events from the audit stream starting exactly one execution, approvals
//! (self-approval, N of M counted once, deadlines), retries by policy
//! against a real HTTP receiver that checks every signature, retry from the
//! failed step, and a scoped person's limits (and a node's).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use sqlx::PgPool;
use studio_core::people::{self, Capability, GrantScope, Login, NewPerson};
use studio_core::records::{
    ApprovalStatus, ExecutionStatus, StepStatus, VersionedId, VoteDecision,
};
use studio_core::testing::{test_db, TestDb};
use studio_core::vault::crypto::Argon2Params;
use studio_core::vault::{self, CreateSecret, KeyProviderKind, SecretText, Vault};
use studio_core::workflows::approvals::{self, CastVote};
use studio_core::workflows::dsl::{self, WorkflowDocument};
use studio_core::workflows::engine::{
    self, Engine, EngineOptions, ExecutionFilter, RetryExecution, RetryFrom, RunWorkflow,
};
use studio_core::workflows::{self, NewWorkflow, SaveDraft, SetEnabled};
use studio_core::{db, demo, Actor, CoreError, Rule, Source};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

fn owner() -> Actor {
    Actor::new(None, Source::Test)
}

struct Person {
    id: Uuid,
    pool: PgPool,
    actor: Actor,
}

async fn person(
    db: &TestDb,
    name: &str,
    admin: bool,
    scope: Option<(Uuid, Vec<Capability>)>,
) -> Person {
    let role = format!("{name}_{}", &db.name[db.name.len() - 10..]);
    let added = people::add_person(
        &db.pool,
        &owner(),
        &NewPerson {
            role: role.clone(),
            display_name: name.into(),
            email: None,
            login: Login::NewRoleWithoutPassword,
            is_admin: admin,
        },
    )
    .await
    .unwrap()
    .value;
    if let Some((root, capabilities)) = scope {
        let _ = people::grant_scope(
            &db.pool,
            &owner(),
            &GrantScope {
                user_id: added.person.id,
                root_id: root,
                capabilities,
            },
        )
        .await
        .unwrap();
    }
    let pool = db::connect(&db::with_user(&db.url, &role).unwrap())
        .await
        .unwrap();
    Person {
        id: added.person.id,
        actor: Actor::new(Some(added.person.id), Source::Test),
        pool,
    }
}

/// Starts one run of `workflow` on `entity` as `p`.
async fn start(p: &Person, workflow: Uuid, entity: Uuid) -> studio_core::records::Execution {
    engine::run(
        &p.pool,
        &p.actor,
        &RunWorkflow {
            workflow_id: workflow,
            entity_ids: vec![entity],
            view_key: None,
        },
    )
    .await
    .unwrap()
    .value
    .remove(0)
}

fn doc(value: serde_json::Value) -> WorkflowDocument {
    dsl::from_value(value).expect("a document")
}

/// Creates, saves and publishes a workflow as `p`; returns its id.
async fn publish(p: &Person, root: Option<Uuid>, name: &str, document: WorkflowDocument) -> Uuid {
    let created = workflows::create(
        &p.pool,
        &p.actor,
        &NewWorkflow {
            name: name.into(),
            root_id: root,
            key: None,
            description: None,
        },
    )
    .await
    .unwrap()
    .value;
    let saved = workflows::save_draft(
        &p.pool,
        &p.actor,
        &SaveDraft {
            id: created.summary.id,
            expected_updated_at: created.summary.updated_at,
            name: name.into(),
            description: None,
            draft: document,
        },
    )
    .await
    .unwrap()
    .value;
    let _ = workflows::publish(
        &p.pool,
        &p.actor,
        &VersionedId {
            id: saved.summary.id,
            expected_updated_at: saved.summary.updated_at,
        },
    )
    .await
    .unwrap();
    created.summary.id
}

async fn engine(db: &TestDb, name: &str) -> Arc<Engine> {
    let mut opts = EngineOptions::new(name);
    opts.lease = Duration::from_secs(5);
    Engine::new(db.pool.clone(), opts).await.unwrap()
}

async fn a_meter(pool: &PgPool) -> (Uuid, Uuid) {
    sqlx::query_as(
        "SELECT r.entity_id, r.root_id FROM entity_read_model r
           JOIN entity_type_definitions t ON t.id = r.entity_type_id AND t.key = 'energy_meter'
          WHERE r.path_label LIKE 'northwind_energy.%' ORDER BY r.path_label LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Runs until the dispatcher has read every audit event of `entity` (an
/// event is dispatched once every older transaction of the cluster has
/// ended, so other tests' transactions can hold it back a while).
async fn dispatch_past(runner: &Engine, pool: &PgPool, entity: Uuid) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        runner.run_until_idle().await.unwrap();
        let behind: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM audit_events a, workflow_dispatch d
              WHERE a.entity_id = $1 AND a.xact_id IS NOT NULL
                AND (a.xact_id, a.id) > (d.last_xact, d.last_event_id)",
        )
        .bind(entity)
        .fetch_one(pool)
        .await
        .unwrap();
        if behind == 0 {
            runner.run_until_idle().await.unwrap();
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{behind} events were never dispatched"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn alert_flow(message: &str) -> WorkflowDocument {
    doc(json!({
        "version": 1,
        "trigger": {"kind": "manual"},
        "nodes": [
            {"id": "raise", "type": "raiseAlert", "config": {"level": "warning", "message": message}},
            {"id": "tell", "type": "notify", "config": {"message": "raised {{ nodes.raise.alertId }}"}}
        ],
        "edges": [{"from": "raise", "to": "tell"}]
    }))
}

#[test]
fn the_validator_points_into_the_document() {
    let problems = workflows::problems(json!({
        "version": 1, "trigger": {"kind": "manual"},
        "nodes": [{"id": "a", "type": "teleport", "config": {}}], "edges": []
    }));
    assert_eq!(problems[0].field.as_deref(), Some("nodes[0].type"));
    assert_eq!(problems[0].rule, Rule::Choice);

    let problems = workflows::problems(json!({
        "version": 1, "trigger": {"kind": "manual"},
        "nodes": [
            {"id": "a", "type": "delay", "config": {"seconds": 5}},
            {"id": "b", "type": "delay", "config": {"seconds": 5}},
            {"id": "c", "type": "notify", "config": {"message": "{{ nodes.zzz.x }}"}},
            {"id": "d", "type": "httpRequest", "config": {"method": "GET", "url": ""}}
        ],
        "edges": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}, {"from": "d", "to": "c"}]
    }));
    let fields: Vec<(Option<&str>, Rule)> = problems
        .iter()
        .map(|p| (p.field.as_deref(), p.rule))
        .collect();
    assert!(
        fields.contains(&(Some("nodes[2].config.message"), Rule::Reference)),
        "{fields:?}"
    );
    assert!(
        fields.contains(&(Some("nodes[3].config.url"), Rule::Required)),
        "{fields:?}"
    );
    assert!(fields.contains(&(Some("edges"), Rule::Cycle)), "{fields:?}");

    // The same cycle through a loop node is allowed.
    let looped = doc(json!({
        "version": 1, "trigger": {"kind": "manual"},
        "nodes": [
            {"id": "start", "type": "loop", "config": {"maxIterations": 3}},
            {"id": "b", "type": "delay", "config": {"seconds": 1}}
        ],
        "edges": [{"from": "start", "to": "b", "outcome": "again"}, {"from": "b", "to": "start"}]
    }));
    assert!(dsl::validate(&looped).iter().all(|p| p.rule != Rule::Cycle));

    let huge = "x".repeat(dsl::MAX_DOCUMENT_BYTES + 1);
    assert!(matches!(
        dsl::parse(&huge),
        Err(CoreError::Validation(v)) if v.rule == Rule::TooLong
    ));
}

#[tokio::test]
async fn executions_finish_on_the_version_they_started_while_a_new_one_is_published() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, root) = a_meter(&db.pool).await;
    let admin = person(&db, "admin", true, None).await;
    let id = publish(&admin, Some(root), "Pinned", alert_flow("version one")).await;
    let started = engine::run(
        &admin.pool,
        &admin.actor,
        &RunWorkflow {
            workflow_id: id,
            entity_ids: vec![meter; 100],
            view_key: None,
        },
    )
    .await
    .unwrap()
    .value;
    assert_eq!(started.len(), 100);

    // A runner works through them while version 2 is published.
    let runner = engine(&db, "runner-a").await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(runner.clone().run(stopped));
    // Wait until the runner is in the middle of them.
    loop {
        let done: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM workflow_execution_steps s JOIN workflow_executions e ON e.id = s.execution_id
              WHERE e.workflow_id = $1",
        )
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        if done > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let detail = workflows::get(&admin.pool, id).await.unwrap();
    let saved = workflows::save_draft(
        &admin.pool,
        &admin.actor,
        &SaveDraft {
            id,
            expected_updated_at: detail.summary.updated_at,
            name: "Pinned".into(),
            description: None,
            draft: alert_flow("version two"),
        },
    )
    .await
    .unwrap()
    .value;
    let _ = workflows::publish(
        &admin.pool,
        &admin.actor,
        &VersionedId {
            id,
            expected_updated_at: saved.summary.updated_at,
        },
    )
    .await
    .unwrap();

    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM workflow_executions WHERE workflow_id = $1 AND status <> 'succeeded'",
        )
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    running.await.unwrap();
    let after_publish: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM workflow_executions e
          WHERE e.workflow_id = $1
            AND e.finished_at > (SELECT published_at FROM workflow_versions WHERE workflow_id = $1 AND version = 2)",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(
        after_publish > 0,
        "some executions were still running when version 2 was published"
    );
    let messages: Vec<(String, i64)> = sqlx::query_as(
        "SELECT message, count(*) FROM alerts WHERE entity_id = $1 AND message LIKE 'version %' GROUP BY message",
    )
    .bind(meter)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(messages, vec![("version one".to_string(), 100)]);
    let all = engine::list_executions(
        &admin.pool,
        &ExecutionFilter {
            workflow_id: Some(id),
            limit: Some(500),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(all
        .iter()
        .all(|e| e.status == ExecutionStatus::Succeeded && e.version == 1));
    // Each raised by the publisher, audited as a workflow change.
    let by_workflow: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'alert.raise' AND source = 'workflow' AND actor_user_id = $1",
    )
    .bind(admin.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(by_workflow, 100);
    let notes = approvals::notifications(&admin.pool).await.unwrap();
    assert_eq!(notes.len(), 100, "the initiator is told by each run");
}

#[tokio::test]
async fn an_entity_event_starts_one_execution_and_a_filter_narrows_it() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, root) = a_meter(&db.pool).await;
    let admin = person(&db, "admin", true, None).await;
    let document = doc(json!({
        "version": 1,
        "trigger": {"kind": "entityEvent", "events": ["propertyChanged"], "properties": ["status"],
                    "filter": {"property": {"key": "status", "op": "in", "value": ["fault"]}}},
        "nodes": [{"id": "raise", "type": "raiseAlert", "config": {"level": "critical", "message": "{{ entity.name }} is in fault"}}],
        "edges": []
    }));
    let id = publish(&admin, Some(root), "On fault", document).await;
    let detail = workflows::get(&admin.pool, id).await.unwrap();
    let _ = workflows::set_enabled(
        &admin.pool,
        &admin.actor,
        &SetEnabled {
            id,
            expected_updated_at: detail.summary.updated_at,
            enabled: true,
        },
    )
    .await
    .unwrap();
    let runner = engine(&db, "runner-events").await;
    runner.run_until_idle().await.unwrap();

    let set_status = |value: &'static str| {
        let pool = admin.pool.clone();
        let actor = admin.actor.clone();
        async move {
            let def: Uuid =
                sqlx::query_scalar("SELECT id FROM property_definitions WHERE key = 'status'")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            let current: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
                "SELECT updated_at FROM entity_property_values WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
            )
            .bind(meter)
            .bind(def)
            .fetch_optional(&pool)
            .await
            .unwrap();
            let _ = studio_core::properties::set_values(
                &pool,
                &actor,
                &studio_core::properties::SetValues {
                    entity_id: meter,
                    edits: vec![studio_core::properties::ValueEdit {
                        definition_id: def,
                        expected_updated_at: current,
                        value: Some(studio_core::properties::PropertyValue::SingleSelect(
                            value.into(),
                        )),
                    }],
                },
            )
            .await
            .unwrap();
        }
    };
    set_status("maintenance").await;
    set_status("fault").await;
    dispatch_past(&runner, &db.pool, meter).await;
    let runs = engine::list_executions(
        &admin.pool,
        &ExecutionFilter {
            workflow_id: Some(id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(runs.len(), 1, "one change matched the filter: {runs:?}");
    assert_eq!(runs[0].status, ExecutionStatus::Succeeded);
    assert_eq!(runs[0].entity_id, Some(meter));
    let alerts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM alerts WHERE entity_id = $1 AND message LIKE '% is in fault'",
    )
    .bind(meter)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(alerts, 1);
}

fn approval_flow(
    approvers: &[Uuid],
    required: u32,
    deadline_hours: Option<f64>,
    on_deadline: &str,
) -> WorkflowDocument {
    doc(json!({
        "version": 1,
        "trigger": {"kind": "manual"},
        "nodes": [
            {"id": "ask", "type": "approval", "config": {"title": "Visit {{ entity.name }}?", "approvers": approvers,
             "required": required, "deadlineHours": deadline_hours, "onDeadline": on_deadline}},
            {"id": "yes", "type": "raiseAlert", "config": {"level": "info", "message": "approved"}},
            {"id": "no", "type": "raiseAlert", "config": {"level": "info", "message": "rejected"}}
        ],
        "edges": [{"from": "ask", "to": "yes", "outcome": "approved"}, {"from": "ask", "to": "no", "outcome": "rejected"}]
    }))
}

#[tokio::test]
async fn approvals_refuse_self_approval_count_each_person_once_and_honour_deadlines() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, root) = a_meter(&db.pool).await;
    let admin = person(&db, "admin", true, None).await;
    let ann = person(&db, "ann", false, Some((root, vec![Capability::Read]))).await;
    let bob = person(&db, "bob", false, Some((root, vec![Capability::Read]))).await;
    let id = publish(
        &admin,
        Some(root),
        "Two of three",
        approval_flow(&[admin.id, ann.id, bob.id], 2, None, "rejected"),
    )
    .await;
    let run = start(&admin, id, meter).await;
    let runner = engine(&db, "runner-approvals").await;
    runner.run_until_idle().await.unwrap();
    let inbox = approvals::inbox(&ann.pool, true).await.unwrap();
    assert_eq!(inbox.len(), 1);
    let request = inbox[0].id;
    assert!(inbox[0].can_vote);
    assert!(inbox[0].title.starts_with("Visit "));

    // The initiator may not approve their own run.
    let own = approvals::vote(
        &admin.pool,
        &admin.actor,
        &CastVote {
            request_id: request,
            decision: VoteDecision::Approve,
            comment: None,
        },
    )
    .await;
    assert!(matches!(own, Err(CoreError::Forbidden(_))), "{own:?}");
    // Nor may they sneak a row past the core.
    let sneaked = sqlx::query("INSERT INTO approval_votes (id, request_id, user_id, decision, created_at, updated_at) VALUES (gen_random_uuid(), $1, $2, 'approve', now(), now())")
        .bind(request)
        .bind(admin.id)
        .execute(&admin.pool)
        .await;
    assert!(
        sneaked.is_err(),
        "row-level security refuses the initiator's vote"
    );

    // Ann approves twice: counted once.
    let _ = approvals::vote(
        &ann.pool,
        &ann.actor,
        &CastVote {
            request_id: request,
            decision: VoteDecision::Approve,
            comment: Some("ok".into()),
        },
    )
    .await
    .unwrap();
    let again = approvals::vote(
        &ann.pool,
        &ann.actor,
        &CastVote {
            request_id: request,
            decision: VoteDecision::Approve,
            comment: None,
        },
    )
    .await;
    assert!(
        matches!(again, Err(CoreError::Validation(ref v)) if v.rule == Rule::Unique),
        "{again:?}"
    );
    runner.run_until_idle().await.unwrap();
    let detail = engine::execution(&admin.pool, run.id).await.unwrap();
    assert_eq!(
        detail.execution.status,
        ExecutionStatus::Waiting,
        "one approval of two"
    );

    let _ = approvals::vote(
        &bob.pool,
        &bob.actor,
        &CastVote {
            request_id: request,
            decision: VoteDecision::Approve,
            comment: None,
        },
    )
    .await
    .unwrap();
    runner.run_until_idle().await.unwrap();
    let detail = engine::execution(&admin.pool, run.id).await.unwrap();
    assert_eq!(detail.execution.status, ExecutionStatus::Succeeded);
    assert_eq!(detail.approvals[0].status, ApprovalStatus::Approved);
    let path: Vec<(&str, StepStatus)> = detail
        .steps
        .iter()
        .map(|s| (s.node_id.as_str(), s.status))
        .collect();
    assert_eq!(
        path,
        vec![
            ("ask", StepStatus::Succeeded),
            ("yes", StepStatus::Succeeded)
        ]
    );

    // A deadline that passes takes its outcome.
    let id = publish(
        &admin,
        Some(root),
        "Deadline",
        approval_flow(&[ann.id], 1, Some(0.0003), "approved"),
    )
    .await;
    let run = start(&admin, id, meter).await;
    runner.run_until_idle().await.unwrap();
    // Wait for the deadline itself (about a second), not a fixed time.
    let deadline: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT deadline_at FROM approval_requests WHERE execution_id = $1")
            .bind(run.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    while chrono::Utc::now() <= deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    runner.run_until_idle().await.unwrap();
    let detail = engine::execution(&admin.pool, run.id).await.unwrap();
    assert_eq!(detail.execution.status, ExecutionStatus::Succeeded);
    assert_eq!(detail.approvals[0].status, ApprovalStatus::Expired);
    assert_eq!(
        detail.steps.last().unwrap().node_id,
        "yes",
        "the deadline's outcome was approved"
    );
}

/// A receiver that answers 500, then stalls past the timeout, then 200;
/// it checks the signature of every request and keeps the idempotency keys.
struct Receiver {
    url: String,
    hits: Arc<AtomicUsize>,
    verified: Arc<AtomicUsize>,
    keys: Arc<Mutex<Vec<String>>>,
}

async fn receiver(signing_key: &'static str) -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let verified = Arc::new(AtomicUsize::new(0));
    let keys = Arc::new(Mutex::new(Vec::new()));
    let (h, v, k) = (hits.clone(), verified.clone(), keys.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let n = h.fetch_add(1, Ordering::SeqCst) + 1;
            let (v, k) = (v.clone(), k.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head, then the body by its length.
                let (head, body) = loop {
                    let got = socket.read(&mut chunk).await.unwrap_or(0);
                    if got == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..got]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_string();
                        let length: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        while buf.len() < end + 4 + length {
                            let got = socket.read(&mut chunk).await.unwrap_or(0);
                            if got == 0 {
                                break;
                            }
                            buf.extend_from_slice(&chunk[..got]);
                        }
                        break (head, String::from_utf8_lossy(&buf[end + 4..]).to_string());
                    }
                };
                let header = |name: &str| {
                    head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().to_string())
                    })
                };
                if let Some(sig) = header("x-eco-signature") {
                    if workflows::http::verify(signing_key.as_bytes(), &sig, &body) {
                        v.fetch_add(1, Ordering::SeqCst);
                    }
                }
                k.lock()
                    .unwrap()
                    .push(header("idempotency-key").unwrap_or_default());
                let reply = match n {
                    1 => "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string(),
                    2 => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string()
                    }
                    _ => "HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\nreceived".to_string(),
                };
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    Receiver {
        url,
        hits,
        verified,
        keys,
    }
}

#[tokio::test]
async fn a_webhook_retries_by_policy_and_every_request_is_signed() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, root) = a_meter(&db.pool).await;
    let admin = person(&db, "admin", true, None).await;
    let vault = Vault::with_argon_params(
        Err("no keychain in this test".into()),
        Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
    );
    vault
        .unlock(&db.pool, Some(SecretText::new("correct horse battery")))
        .await
        .unwrap();
    let _ = vault::create_key(
        &db.pool,
        &vault,
        &owner(),
        root,
        KeyProviderKind::Passphrase,
    )
    .await
    .unwrap();
    let secret = vault::create_secret(
        &db.pool,
        &vault,
        &owner(),
        &CreateSecret {
            parent_id: root,
            name: "webhook signing key".into(),
            value: SecretText::new("whsec-test-key"),
            reason: Some("test".into()),
        },
    )
    .await
    .unwrap()
    .value
    .id;
    let hook = receiver("whsec-test-key").await;
    let document = doc(json!({
        "version": 1,
        "trigger": {"kind": "manual"},
        "nodes": [{"id": "post", "type": "httpRequest", "timeoutMs": 1000,
                   "retry": {"maxAttempts": 3, "backoffMs": 50, "factor": 2.0},
                   "config": {"method": "POST", "url": hook.url, "headers": {"content-type": "application/json"},
                              "body": "{\"entity\": {{ entity.name | json }}}", "signingSecret": secret}}],
        "edges": []
    }));
    let id = publish(&admin, Some(root), "Webhook", document).await;
    let run = start(&admin, id, meter).await;
    let mut opts = EngineOptions::new("runner-http");
    opts.vault = Some(vault.clone());
    let runner = Engine::new(db.pool.clone(), opts).await.unwrap();
    // Back-offs are waited for by the condition itself: the execution ends.
    loop {
        runner.run_until_idle().await.unwrap();
        let e = engine::execution(&admin.pool, run.id).await.unwrap();
        if e.execution.status.is_final() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let detail = engine::execution(&admin.pool, run.id).await.unwrap();
    assert_eq!(
        detail.execution.status,
        ExecutionStatus::Succeeded,
        "{:?}",
        detail.execution.error
    );
    let attempts: Vec<(i32, StepStatus)> =
        detail.steps.iter().map(|s| (s.attempt, s.status)).collect();
    assert_eq!(
        attempts,
        vec![
            (1, StepStatus::Failed),
            (2, StepStatus::Failed),
            (3, StepStatus::Succeeded)
        ]
    );
    assert!(detail.steps[1]
        .error
        .as_deref()
        .unwrap()
        .contains("timed out"));
    assert_eq!(hook.hits.load(Ordering::SeqCst), 3);
    assert_eq!(
        hook.verified.load(Ordering::SeqCst),
        3,
        "the receiver verified every signature"
    );
    let keys = hook.keys.lock().unwrap().clone();
    assert!(
        keys.iter().all(|k| k == &keys[0] && !k.is_empty()),
        "one idempotency key across attempts: {keys:?}"
    );
    // The key never reaches the recorded step.
    let recorded = serde_json::to_string(&detail.steps).unwrap();
    assert!(!recorded.contains("whsec-test-key"));
}

#[tokio::test]
async fn a_failed_execution_retries_from_its_step_on_its_version() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, root) = a_meter(&db.pool).await;
    let admin = person(&db, "admin", true, None).await;
    let document = doc(json!({
        "version": 1, "trigger": {"kind": "manual"},
        "nodes": [
            {"id": "raise", "type": "raiseAlert", "config": {"level": "info", "message": "first"}},
            {"id": "tag", "type": "addTag", "config": {"tag": "maintenance_due"}}
        ],
        "edges": [{"from": "raise", "to": "tag"}]
    }));
    let id = publish(&admin, Some(root), "Fails then works", document).await;
    let run = start(&admin, id, meter).await;
    let runner = engine(&db, "runner-retry").await;
    runner.run_until_idle().await.unwrap();
    let failed = engine::execution(&admin.pool, run.id).await.unwrap();
    assert_eq!(failed.execution.status, ExecutionStatus::Failed);
    assert_eq!(failed.execution.current_node.as_deref(), Some("tag"));
    assert!(failed
        .execution
        .error
        .as_deref()
        .unwrap()
        .contains("maintenance_due"));

    // The missing tag is made; the retry runs the failed step only.
    let group = studio_core::links::create_tag_group(
        &db.pool,
        &owner(),
        &studio_core::links::TagGroupInput {
            key: "care".into(),
            name: "Care".into(),
            description: None,
            selection_mode: studio_core::records::SelectionMode::Multi,
        },
    )
    .await
    .unwrap()
    .value;
    let _ = studio_core::links::create_tag(
        &db.pool,
        &owner(),
        &studio_core::links::NewTag {
            group_id: Some(group.id),
            key: "maintenance_due".into(),
            name: "Maintenance due".into(),
            color: None,
        },
    )
    .await
    .unwrap();
    let _ = engine::retry(
        &admin.pool,
        &admin.actor,
        &RetryExecution {
            id: run.id,
            from: RetryFrom::FailedStep,
        },
    )
    .await
    .unwrap();
    runner.run_until_idle().await.unwrap();
    let done = engine::execution(&admin.pool, run.id).await.unwrap();
    assert_eq!(done.execution.status, ExecutionStatus::Succeeded);
    let alerts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM alerts WHERE entity_id = $1 AND message = 'first'",
    )
    .bind(meter)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(alerts, 1, "the step that had succeeded was not run again");
    let tag_steps: Vec<(i32, StepStatus)> = done
        .steps
        .iter()
        .filter(|s| s.node_id == "tag")
        .map(|s| (s.attempt, s.status))
        .collect();
    assert_eq!(
        tag_steps,
        vec![(1, StepStatus::Failed), (2, StepStatus::Succeeded)]
    );

    // From the trigger: a new execution of the same version.
    let again = engine::retry(
        &admin.pool,
        &admin.actor,
        &RetryExecution {
            id: run.id,
            from: RetryFrom::Trigger,
        },
    )
    .await
    .unwrap()
    .value;
    assert_ne!(again.id, run.id);
    assert_eq!(
        (again.version_id, again.retry_of),
        (run.version_id, Some(run.id))
    );
}

#[tokio::test]
async fn a_scoped_person_sees_and_runs_only_their_roots_and_a_node_has_its_publishers_rights() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, northwind) = a_meter(&db.pool).await;
    let helios = people::root_by_label(&db.pool, "helios_facilities")
        .await
        .unwrap()
        .unwrap();
    let admin = person(&db, "admin", true, None).await;
    let other = publish(&admin, Some(helios), "Helios only", alert_flow("x")).await;
    // Edits workflows on Northwind but may only read its entities.
    let editor = person(
        &db,
        "editor",
        false,
        Some((
            northwind,
            vec![
                Capability::Read,
                Capability::WorkflowsEdit,
                Capability::WorkflowsRun,
            ],
        )),
    )
    .await;

    let seen: Vec<Uuid> = workflows::list(&editor.pool, false)
        .await
        .unwrap()
        .iter()
        .map(|w| w.id)
        .collect();
    assert!(!seen.contains(&other), "Helios's workflow is not listed");
    assert!(matches!(
        workflows::get(&editor.pool, other).await,
        Err(CoreError::NotFound { .. })
    ));
    let run = engine::run(
        &editor.pool,
        &editor.actor,
        &RunWorkflow {
            workflow_id: other,
            entity_ids: vec![meter],
            view_key: None,
        },
    )
    .await;
    assert!(matches!(run, Err(CoreError::NotFound { .. })), "{run:?}");
    let create = workflows::create(
        &editor.pool,
        &editor.actor,
        &NewWorkflow {
            name: "Mine".into(),
            root_id: Some(helios),
            key: None,
            description: None,
        },
    )
    .await;
    // Helios is not even visible to them: it is no root they can name.
    assert!(
        matches!(create, Err(CoreError::Validation(ref v)) if v.rule == Rule::Reference),
        "{create:?}"
    );

    // Their own workflow raises an alert: they cannot write, so neither can it.
    let mine = publish(
        &editor,
        Some(northwind),
        "Mine",
        alert_flow("should not exist"),
    )
    .await;
    let run = start(&editor, mine, meter).await;
    engine(&db, "runner-scope")
        .await
        .run_until_idle()
        .await
        .unwrap();
    let detail = engine::execution(&editor.pool, run.id).await.unwrap();
    assert_eq!(detail.execution.status, ExecutionStatus::Failed);
    let alerts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM alerts WHERE message = 'should not exist'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(alerts, 0);
    // Executions of Helios are not theirs to see.
    let theirs = engine::list_executions(&editor.pool, &ExecutionFilter::default())
        .await
        .unwrap();
    assert!(theirs.iter().all(|e| e.workflow_id == mine));
}

#[tokio::test]
async fn a_test_run_leaves_nothing_behind_and_shows_the_request_it_would_send() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, _) = a_meter(&db.pool).await;
    let admin = person(&db, "admin", true, None).await;
    let document = doc(json!({
        "version": 1, "trigger": {"kind": "manual"},
        "nodes": [
            {"id": "raise", "type": "raiseAlert", "config": {"level": "info", "message": "sandboxed"}},
            {"id": "post", "type": "httpRequest", "config": {"method": "POST", "url": "https://example.invalid/{{ entity.id }}", "body": "{{ nodes.raise.alertId }}"}}
        ],
        "edges": [{"from": "raise", "to": "post"}]
    }));
    let run = workflows::sandbox::test_run(
        &admin.pool,
        &admin.actor,
        &workflows::sandbox::TestRunInput {
            document,
            entity_id: Some(meter),
        },
    )
    .await
    .unwrap();
    assert!(run.finished, "{run:?}");
    let would = &run.steps[1].output.as_ref().unwrap()["wouldSend"];
    assert_eq!(
        would["url"],
        json!(format!("https://example.invalid/{meter}"))
    );
    assert_eq!(
        would["body"],
        run.steps[0].output.as_ref().unwrap()["alertId"]
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts WHERE message = 'sandboxed'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "the test run's alert was rolled back");
}

#[tokio::test]
async fn the_demo_workflow_alerts_on_a_fault_and_books_a_visit_once_an_administrator_approves() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, _) = a_meter(&db.pool).await;
    let admin = person(&db, "manager", true, None).await;
    let workflow = workflows::find(&db.pool, demo::WORKFLOW_KEY).await.unwrap();
    // Seeded without a person, it is a draft: an administrator publishes
    // and enables it.
    let summary = workflows::get(&db.pool, workflow).await.unwrap().summary;
    assert_eq!(summary.published_version, None);
    let published = workflows::publish(
        &admin.pool,
        &admin.actor,
        &VersionedId {
            id: workflow,
            expected_updated_at: summary.updated_at,
        },
    )
    .await
    .unwrap()
    .value;
    let _ = workflows::set_enabled(
        &admin.pool,
        &admin.actor,
        &SetEnabled {
            id: workflow,
            expected_updated_at: published.summary.updated_at,
            enabled: true,
        },
    )
    .await
    .unwrap();
    let runner = engine(&db, "runner-demo").await;
    runner.run_until_idle().await.unwrap();

    let def: Uuid = sqlx::query_scalar("SELECT id FROM property_definitions WHERE key = 'status'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let current: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
        "SELECT updated_at FROM entity_property_values WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
    )
    .bind(meter)
    .bind(def)
    .fetch_optional(&db.pool)
    .await
    .unwrap();
    let _ = studio_core::properties::set_values(
        &admin.pool,
        &admin.actor,
        &studio_core::properties::SetValues {
            entity_id: meter,
            edits: vec![studio_core::properties::ValueEdit {
                definition_id: def,
                expected_updated_at: current,
                value: Some(studio_core::properties::PropertyValue::SingleSelect(
                    "fault".into(),
                )),
            }],
        },
    )
    .await
    .unwrap();
    dispatch_past(&runner, &db.pool, meter).await;
    let runs = engine::list_executions(
        &admin.pool,
        &ExecutionFilter {
            workflow_id: Some(workflow),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, ExecutionStatus::Waiting);
    let inbox = approvals::inbox(&admin.pool, true).await.unwrap();
    let request = inbox
        .iter()
        .find(|r| r.execution_id == runs[0].id)
        .expect("the approval is in the inbox");
    assert!(request.can_vote, "an administrator of the root may approve");
    assert!(request.title.contains("maintenance visit"));
    let _ = approvals::vote(
        &admin.pool,
        &admin.actor,
        &CastVote {
            request_id: request.id,
            decision: VoteDecision::Approve,
            comment: None,
        },
    )
    .await
    .unwrap();
    // The booking is attempted (nothing listens here: it waits to retry).
    runner.claim_and_drive().await.unwrap();
    let detail = engine::execution(&admin.pool, runs[0].id).await.unwrap();
    assert_eq!(detail.execution.current_node.as_deref(), Some("book_visit"));
    let approved = detail
        .steps
        .iter()
        .find(|s| s.node_id == "approve_visit")
        .unwrap();
    assert_eq!(
        (approved.status, approved.outcome.as_deref()),
        (StepStatus::Succeeded, Some("approved"))
    );
    let alert: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM alerts WHERE entity_id = $1 AND message LIKE '% reported a fault'",
    )
    .bind(meter)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(alert, 1);
}

/// Drives until the execution is final (its delays and back-offs are
/// waited for by the condition itself).
async fn until_final(runner: &Engine, pool: &PgPool, id: Uuid) -> engine::ExecutionDetail {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        runner.run_until_idle().await.unwrap();
        let detail = engine::execution(pool, id).await.unwrap();
        if detail.execution.status.is_final() {
            return detail;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "execution {id} never finished"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn schedules_raised_alerts_delays_loops_and_cancel_work_as_written() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let (meter, root) = a_meter(&db.pool).await;
    let admin = person(&db, "admin", true, None).await;
    let runner = engine(&db, "runner-misc").await;

    // A schedule fires once when due (a missed firing is not repeated), and
    // moves on to its next time.
    let scheduled = publish(&admin, Some(root), "Every minute", doc(json!({
        "version": 1, "trigger": {"kind": "schedule", "cron": "* * * * *", "timeZone": "Europe/Paris"},
        "nodes": [{"id": "tell", "type": "notify", "config": {"message": "tick {{ trigger.scheduledFor }}"}}],
        "edges": []
    }))).await;
    let detail = workflows::get(&admin.pool, scheduled).await.unwrap();
    let _ = workflows::set_enabled(
        &admin.pool,
        &admin.actor,
        &SetEnabled {
            id: scheduled,
            expected_updated_at: detail.summary.updated_at,
            enabled: true,
        },
    )
    .await
    .unwrap();
    // Committed here, also through a transaction pooler (where a statement
    // on the pool commits only when its lease ends).
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("UPDATE workflows SET next_fire_at = now() - interval '10 minutes' WHERE id = $1")
        .bind(scheduled)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    runner.run_until_idle().await.unwrap();
    let ticks = engine::list_executions(
        &admin.pool,
        &ExecutionFilter {
            workflow_id: Some(scheduled),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ticks.len(), 1, "one firing for the missed ones");
    assert_eq!(
        (ticks[0].trigger_kind.as_str(), ticks[0].status),
        ("schedule", ExecutionStatus::Succeeded)
    );
    let next: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT next_fire_at FROM workflows WHERE id = $1")
            .bind(scheduled)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(next > chrono::Utc::now() && next <= chrono::Utc::now() + chrono::Duration::minutes(1));

    // A raised alert of the right level starts its workflow.
    let on_alert = publish(&admin, Some(root), "On critical alerts", doc(json!({
        "version": 1, "trigger": {"kind": "alertRaised", "levels": ["critical"]},
        "nodes": [{"id": "tell", "type": "notify", "config": {"message": "alert {{ trigger.alertId }} on {{ entity.name }}"}}],
        "edges": []
    }))).await;
    let detail = workflows::get(&admin.pool, on_alert).await.unwrap();
    let _ = workflows::set_enabled(
        &admin.pool,
        &admin.actor,
        &SetEnabled {
            id: on_alert,
            expected_updated_at: detail.summary.updated_at,
            enabled: true,
        },
    )
    .await
    .unwrap();
    for level in [
        studio_core::alerts::AlertLevel::Info,
        studio_core::alerts::AlertLevel::Critical,
    ] {
        let _ = studio_core::alerts::raise(
            &admin.pool,
            &admin.actor,
            &studio_core::alerts::RaiseAlert {
                entity_id: meter,
                level,
                message: "breaker".into(),
            },
        )
        .await
        .unwrap();
    }
    dispatch_past(&runner, &db.pool, meter).await;
    let started = engine::list_executions(
        &admin.pool,
        &ExecutionFilter {
            workflow_id: Some(on_alert),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(started.len(), 1, "only the critical alert");
    assert_eq!(started[0].status, ExecutionStatus::Succeeded);

    // A delay waits; a loop runs its branch the number of times it says.
    let looped = publish(&admin, Some(root), "Wait and repeat", doc(json!({
        "version": 1, "trigger": {"kind": "manual"},
        "nodes": [
            {"id": "wait", "type": "delay", "config": {"seconds": 1}},
            {"id": "again", "type": "loop", "config": {"maxIterations": 3}},
            {"id": "tell", "type": "notify", "config": {"message": "round {{ nodes.again.iteration }}"}}
        ],
        "edges": [{"from": "wait", "to": "again"}, {"from": "again", "to": "tell", "outcome": "again"}, {"from": "tell", "to": "again"}]
    }))).await;
    let run = start(&admin, looped, meter).await;
    runner.run_until_idle().await.unwrap();
    assert_eq!(
        engine::execution(&admin.pool, run.id)
            .await
            .unwrap()
            .execution
            .status,
        ExecutionStatus::Waiting
    );
    let done = until_final(&runner, &admin.pool, run.id).await;
    assert_eq!(done.execution.status, ExecutionStatus::Succeeded);
    let rounds: Vec<String> = sqlx::query_scalar(
        "SELECT message FROM notifications WHERE execution_id = $1 ORDER BY created_at",
    )
    .bind(run.id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rounds, vec!["round 1", "round 2", "round 3"]);
    let waited = done.steps.iter().find(|s| s.node_id == "wait").unwrap();
    assert!(waited.finished_at.unwrap() - waited.started_at >= chrono::Duration::seconds(1));

    // Cancelling a run that waits for an approval ends it and its request.
    let asking = publish(
        &admin,
        Some(root),
        "Ask",
        approval_flow(&[admin.id], 1, None, "rejected"),
    )
    .await;
    let run = start(&admin, asking, meter).await;
    runner.run_until_idle().await.unwrap();
    let _ = engine::cancel(&admin.pool, &admin.actor, run.id)
        .await
        .unwrap();
    let ended = until_final(&runner, &admin.pool, run.id).await;
    assert_eq!(ended.execution.status, ExecutionStatus::Cancelled);
    assert_eq!(ended.approvals[0].status, ApprovalStatus::Cancelled);
    let again = engine::cancel(&admin.pool, &admin.actor, run.id).await;
    assert!(
        matches!(again, Err(CoreError::Validation(ref v)) if v.rule == Rule::State),
        "{again:?}"
    );
}
