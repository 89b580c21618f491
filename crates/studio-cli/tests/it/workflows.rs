//! Workflow workers as separate processes: 1,000 executions while workers
//! are killed (SIGKILL) at random points and replaced; every execution
//! completes exactly once, no step's effect is applied twice, none is lost.
//! And the command line's list, run, export and import.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;
use studio_core::records::VersionedId;
use studio_core::registry::CreateEntity;
use studio_core::testing::{test_db, TestDb};
use studio_core::workflows::engine::{self, RunWorkflow};
use studio_core::workflows::{self, dsl, NewWorkflow, SaveDraft};
use studio_core::{registry, Actor, Source};
use uuid::Uuid;

fn eco(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eco-studio"));
    cmd.args(args)
        .env("DATABASE_URL", &db.url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn worker(db: &TestDb, name: &str) -> Child {
    let mut cmd = eco(
        db,
        &[
            "worker",
            "--concurrency",
            "4",
            "--lease-ms",
            "1500",
            "--name",
            name,
        ],
    );
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    cmd.spawn().expect("start a worker")
}

/// A small generator (the seed is printed, so a failing run can be
/// repeated).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

async fn setup(pool: &PgPool, actor: &Actor) -> (Uuid, Vec<Uuid>) {
    let mut tx = pool.begin().await.unwrap();
    let _ = registry::ensure_entity_type(
        &mut tx,
        actor,
        &registry::EntityTypeSpec {
            key: "unit",
            name: "Unit",
            description: None,
            icon: None,
            is_system: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let root = registry::create(
        pool,
        actor,
        &CreateEntity {
            type_key: "unit".into(),
            parent_id: None,
            name: "Plant".into(),
        },
    )
    .await
    .unwrap()
    .value
    .id;
    let mut items = Vec::new();
    for i in 0..16 {
        items.push(
            registry::create(
                pool,
                actor,
                &CreateEntity {
                    type_key: "unit".into(),
                    parent_id: Some(root),
                    name: format!("Unit {i}"),
                },
            )
            .await
            .unwrap()
            .value
            .id,
        );
    }
    (root, items)
}

async fn publish(pool: &PgPool, actor: &Actor, root: Uuid, document: serde_json::Value) -> Uuid {
    let created = workflows::create(
        pool,
        actor,
        &NewWorkflow {
            name: "Count once".into(),
            root_id: Some(root),
            key: Some("count_once".into()),
            description: None,
        },
    )
    .await
    .unwrap()
    .value;
    let saved = workflows::save_draft(
        pool,
        actor,
        &SaveDraft {
            id: created.summary.id,
            expected_updated_at: created.summary.updated_at,
            name: "Count once".into(),
            description: None,
            draft: dsl::from_value(document).unwrap(),
        },
    )
    .await
    .unwrap()
    .value;
    let _ = workflows::publish(
        pool,
        actor,
        &VersionedId {
            id: saved.summary.id,
            expected_updated_at: saved.summary.updated_at,
        },
    )
    .await
    .unwrap();
    created.summary.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_killed_at_random_points_lose_nothing_and_repeat_nothing() {
    let db = test_db().await;
    let pool = &db.pool;
    let actor = Actor::for_session(pool, Source::Test).await.unwrap();
    let (root, items) = setup(pool, &actor).await;
    let workflow = publish(
        pool,
        &actor,
        root,
        json!({
            "version": 1, "trigger": {"kind": "manual"},
            "nodes": [
                {"id": "raise", "type": "raiseAlert", "config": {"level": "info", "message": "run {{ execution.id }}"}},
                {"id": "child", "type": "createChild", "config": {"typeKey": "unit", "name": "visit {{ execution.id }}"}},
                {"id": "tell", "type": "notify", "config": {"message": "done {{ execution.id }}"}}
            ],
            "edges": [{"from": "raise", "to": "child"}, {"from": "child", "to": "tell"}]
        }),
    )
    .await;
    let mut ids = Vec::new();
    for chunk in (0..1_000)
        .map(|i| items[i % items.len()])
        .collect::<Vec<_>>()
        .chunks(250)
    {
        let started = engine::run(
            pool,
            &actor,
            &RunWorkflow {
                workflow_id: workflow,
                entity_ids: chunk.to_vec(),
                view_key: None,
            },
        )
        .await
        .unwrap()
        .value;
        ids.extend(started.into_iter().map(|e| e.id));
    }
    assert_eq!(ids.len(), 1_000);

    let seed = Instant::now().elapsed().as_nanos() as u64 ^ 0x5eed_cafe;
    eprintln!("kill schedule seed: {seed}");
    let mut rng = Lcg(seed);
    let mut workers: Vec<Child> = (0..2).map(|i| worker(&db, &format!("w{i}"))).collect();
    let mut spawned = 2;
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM workflow_executions WHERE status NOT IN ('succeeded', 'failed', 'cancelled')",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} executions still open after 5 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50 + rng.next(400))).await;
        if kills < 12 {
            // SIGKILL one worker at a random point of its work; a new one
            // takes its place (its claims are taken over when they expire).
            let victim = rng.next(workers.len() as u64) as usize;
            let mut dead = workers.swap_remove(victim);
            let _ = dead.kill();
            let _ = dead.wait();
            kills += 1;
            workers.push(worker(&db, &format!("w{spawned}")));
            spawned += 1;
        }
    }
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    assert!(kills >= 3, "the run ended before enough kills ({kills})");

    let statuses: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, count(*) FROM workflow_executions WHERE workflow_id = $1 GROUP BY 1",
    )
    .bind(workflow)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(statuses, vec![("succeeded".to_string(), 1_000)]);
    // Each effect exactly once per execution.
    let alerts: (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT message) FROM alerts WHERE message LIKE 'run %'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(alerts, (1_000, 1_000), "one alert per execution");
    let children: (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT r.name) FROM entity_read_model r WHERE r.name LIKE 'visit %'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(children, (1_000, 1_000), "one child per execution");
    let notes: (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT execution_id) FROM notifications WHERE message LIKE 'done %'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(notes, (1_000, 1_000), "one notification per execution");
    let steps: (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT (execution_id, position)) FROM workflow_execution_steps
          WHERE status = 'succeeded' AND execution_id = ANY ($1)",
    )
    .bind(&ids)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        steps,
        (3_000, 3_000),
        "three steps per execution, each once"
    );
    let runners: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT runner) FROM workflow_execution_steps WHERE execution_id = ANY ($1)",
    )
    .bind(&ids)
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(
        runners >= 3,
        "the work was shared by the replacements ({runners} runners)"
    );
}

#[tokio::test]
async fn the_command_line_lists_runs_exports_and_imports_a_workflow() {
    let db = test_db().await;
    let pool = &db.pool;
    let actor = Actor::for_session(pool, Source::Test).await.unwrap();
    let (root, items) = setup(pool, &actor).await;
    let _ = publish(
        pool,
        &actor,
        root,
        json!({
            "version": 1, "trigger": {"kind": "manual"},
            "nodes": [{"id": "raise", "type": "raiseAlert", "config": {"level": "warning", "message": "from the command line"}}],
            "edges": []
        }),
    )
    .await;
    let out = eco(&db, &["workflow", "list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && listed.contains("Count once") && listed.contains("manual"),
        "{listed}"
    );

    let entity = items[0].to_string();
    let out = eco(
        &db,
        &[
            "workflow",
            "run",
            "count_once",
            "--entity",
            &entity,
            "--wait",
        ],
    )
    .output()
    .unwrap();
    let ran = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{ran}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ran.contains("succeeded"), "{ran}");
    let raised: i64 =
        sqlx::query_scalar("SELECT count(*) FROM alerts WHERE message = 'from the command line'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(raised, 1);

    let file = std::env::temp_dir().join(format!("wf-{}.json", Uuid::now_v7()));
    let out = eco(
        &db,
        &[
            "workflow",
            "export",
            "count_once",
            "--out",
            file.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert!(out.status.success());
    // The key is taken: importing the same file is refused, clearly.
    let out = eco(&db, &["workflow", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Under another key it comes in published.
    let mut exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    exported["key"] = json!("count_once_copy");
    std::fs::write(&file, exported.to_string()).unwrap();
    let out = eco(
        &db,
        &[
            "workflow",
            "import",
            file.to_str().unwrap(),
            "--root",
            &root.to_string(),
        ],
    )
    .output()
    .unwrap();
    let imported = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && imported.contains("published as version 1"),
        "{imported}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&file);
}
