//! The workflows benchmark, on a root it makes for the run (and deletes
//! after): a three-node workflow (condition → raise an alert → notify) run
//! many times by one runner (throughput, each step's time, each
//! execution's), the time from an entity change to the execution it
//! triggers starting, and the same executions shared by several worker
//! processes (throughput, and that no step ran twice).
//!
//! Floors: for a step, a transaction of the same shape with no effect
//! (lock the execution, insert a step row, update the execution, commit);
//! for an execution, three such transactions; for a trigger, one poll of
//! the audit stream.

use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;
use studio_core::change::Actor;
use studio_core::error::{CoreError, CoreResult};
use studio_core::records::VersionedId;
use studio_core::registry::{self, CreateEntity};
use studio_core::workflows::engine::{self, Engine, EngineOptions, RunWorkflow};
use studio_core::workflows::{self, dsl, NewWorkflow, SaveDraft, SetEnabled};
use uuid::Uuid;

use crate::tree::{registry_facts, result, BenchReport, TargetInfo};

/// Entities the executions are spread over (so they do not queue on one
/// entity's lock).
const ENTITIES: usize = 64;
const BENCH_TYPE: &str = "bench_workflow_item";

/// What to run.
pub struct WorkflowBenchOptions {
    /// Executions per throughput run.
    pub executions: u32,
    /// Worker processes sharing the database in the scale run (0: skip).
    pub workers: u32,
    /// Executions driven at once by each runner.
    pub concurrency: u32,
    /// Entity changes timed for the trigger latency.
    pub triggers: u32,
}

/// Starts one `eco-studio worker` process named `name` (the command
/// line's part: the library does not know its own executable).
pub type SpawnWorker<'a> = &'a (dyn Fn(&str, u32) -> std::io::Result<std::process::Child> + Sync);

fn failed(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Unavailable(format!("{what}: {e}"))
}

async fn publish(
    pool: &PgPool,
    actor: &Actor,
    root: Uuid,
    name: &str,
    document: serde_json::Value,
    enable: bool,
) -> CoreResult<Uuid> {
    let created = workflows::create(
        pool,
        actor,
        &NewWorkflow {
            name: name.into(),
            root_id: Some(root),
            key: None,
            description: Some("made by eco-studio bench workflows".into()),
        },
    )
    .await?
    .value;
    let saved = workflows::save_draft(
        pool,
        actor,
        &SaveDraft {
            id: created.summary.id,
            expected_updated_at: created.summary.updated_at,
            name: name.into(),
            description: created.summary.description.clone(),
            draft: dsl::from_value(document)?,
        },
    )
    .await?
    .value;
    let published = workflows::publish(
        pool,
        actor,
        &VersionedId {
            id: saved.summary.id,
            expected_updated_at: saved.summary.updated_at,
        },
    )
    .await?
    .value;
    if enable {
        let _ = workflows::set_enabled(
            pool,
            actor,
            &SetEnabled {
                id: published.summary.id,
                expected_updated_at: published.summary.updated_at,
                enabled: true,
            },
        )
        .await?;
    }
    Ok(published.summary.id)
}

async fn node_of(pool: &PgPool, id: Uuid) -> CoreResult<studio_core::records::TreeNode> {
    let mut conn = pool.acquire().await?;
    registry::tree_node(&mut conn, id).await
}

/// Queues `n` runs of `workflow` over the entities.
async fn queue(
    pool: &PgPool,
    actor: &Actor,
    workflow: Uuid,
    entities: &[Uuid],
    n: u32,
) -> CoreResult<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(n as usize);
    let all: Vec<Uuid> = (0..n as usize)
        .map(|i| entities[i % entities.len()])
        .collect();
    for chunk in all.chunks(500) {
        let started = engine::run(
            pool,
            actor,
            &RunWorkflow {
                workflow_id: workflow,
                entity_ids: chunk.to_vec(),
                view_key: None,
            },
        )
        .await?
        .value;
        ids.extend(started.iter().map(|e| e.id));
    }
    Ok(ids)
}

/// Waits until every one of `ids` is final; returns when the last finished.
async fn wait_final(pool: &PgPool, ids: &[Uuid], limit: Duration) -> CoreResult<()> {
    let start = Instant::now();
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM workflow_executions WHERE id = ANY ($1)
                AND status NOT IN ('succeeded', 'failed', 'cancelled')",
        )
        .bind(ids)
        .fetch_one(pool)
        .await?;
        if open == 0 {
            return Ok(());
        }
        if start.elapsed() > limit {
            return Err(failed(
                "the executions did not finish in time",
                format!("{open} open"),
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The step and execution durations of `ids`, and the wall time from the
/// first start to the last finish.
async fn timings(
    pool: &PgPool,
    ids: &[Uuid],
) -> CoreResult<(Vec<Duration>, Vec<Duration>, Duration, i64)> {
    let steps: Vec<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM finished_at - started_at)::float8 * 1000 FROM workflow_execution_steps
          WHERE execution_id = ANY ($1) AND status = 'succeeded'",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let runs: Vec<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM finished_at - started_at)::float8 * 1000 FROM workflow_executions
          WHERE id = ANY ($1) AND status = 'succeeded'",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let (wall, failed): (f64, i64) = sqlx::query_as(
        "SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 * 1000,
                count(*) FILTER (WHERE status <> 'succeeded')
           FROM workflow_executions WHERE id = ANY ($1)",
    )
    .bind(ids)
    .fetch_one(pool)
    .await?;
    let ms = |v: &f64| Duration::from_secs_f64(v.max(0.0) / 1_000.0);
    Ok((
        steps.iter().map(ms).collect(),
        runs.iter().map(ms).collect(),
        ms(&wall),
        failed,
    ))
}

/// A transaction shaped like a step's bookkeeping, with no effect.
async fn bare_step(pool: &PgPool, execution: Uuid, position: i32) -> CoreResult<Duration> {
    let start = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT id FROM workflow_executions WHERE id = $1 FOR UPDATE")
        .bind(execution)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO workflow_execution_steps (id, execution_id, node_id, node_type, position, attempt, status,
                started_at, finished_at, created_at, updated_at)
         VALUES ($1, $2, 'floor', 'delay', $3, 1, 'failed', now(), now(), now(), now())",
    )
    .bind(Uuid::now_v7())
    .bind(execution)
    .bind(position)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE workflow_executions SET updated_at = updated_at WHERE id = $1")
        .bind(execution)
        .execute(&mut *tx)
        .await?;
    tx.rollback().await?;
    Ok(start.elapsed())
}

fn per_second(n: usize, wall: Duration) -> f64 {
    if wall.is_zero() {
        0.0
    } else {
        (n as f64 / wall.as_secs_f64() * 10.0).round() / 10.0
    }
}

/// Runs the benchmark, calling `step` with a line of what it is doing.
/// Extra figures (executions per second, duplicates) go into the targets'
/// descriptions and `extra`.
pub async fn bench_workflows(
    pool: &PgPool,
    actor: &Actor,
    options: &WorkflowBenchOptions,
    spawn: SpawnWorker<'_>,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<(BenchReport, Vec<serde_json::Value>)> {
    let (postgres_version, entities_count) = registry_facts(pool).await?;
    step("making a root with entities for the run");
    {
        let mut tx = pool.begin().await?;
        let _ = registry::ensure_entity_type(
            &mut tx,
            actor,
            &registry::EntityTypeSpec {
                key: BENCH_TYPE,
                name: "Benchmark item",
                description: Some("Made by eco-studio bench workflows"),
                icon: None,
                is_system: false,
            },
        )
        .await?;
        tx.commit().await?;
    }
    let stamp = &Uuid::now_v7().simple().to_string()[20..];
    let root = registry::create(
        pool,
        actor,
        &CreateEntity {
            type_key: BENCH_TYPE.into(),
            parent_id: None,
            name: format!("Workflow bench {stamp}"),
        },
    )
    .await?
    .value
    .id;
    let mut items = Vec::with_capacity(ENTITIES);
    for i in 0..ENTITIES {
        items.push(
            registry::create(
                pool,
                actor,
                &CreateEntity {
                    type_key: BENCH_TYPE.into(),
                    parent_id: Some(root),
                    name: format!("Item {i}"),
                },
            )
            .await?
            .value
            .id,
        );
    }
    let three_nodes = json!({
        "version": 1, "trigger": {"kind": "manual"},
        "nodes": [
            {"id": "check", "type": "condition", "config": {"filter": {"type": [BENCH_TYPE]}}},
            {"id": "raise", "type": "raiseAlert", "config": {"level": "info", "message": "bench {{ execution.id }}"}},
            {"id": "tell", "type": "notify", "config": {"message": "{{ entity.name }}: {{ nodes.raise.alertId }}"}}
        ],
        "edges": [{"from": "check", "to": "raise", "outcome": "true"}, {"from": "raise", "to": "tell"}]
    });
    let workflow = publish(
        pool,
        actor,
        root,
        &format!("Bench three nodes {stamp}"),
        three_nodes,
        false,
    )
    .await?;
    let mut targets = Vec::new();
    let mut results = Vec::new();
    let mut extra = Vec::new();

    // 1. One runner.
    step(&format!(
        "one runner: {} executions of three nodes",
        options.executions
    ));
    let ids = queue(pool, actor, workflow, &items, options.executions).await?;
    let mut opts = EngineOptions::new(format!("bench-{stamp}"));
    opts.concurrency = options.concurrency as usize;
    opts.poll = Duration::from_millis(10);
    let runner = Engine::new(pool.clone(), opts).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(runner.clone().run(stopped));
    wait_final(pool, &ids, Duration::from_secs(1_800)).await?;
    let _ = stop.send(true);
    let _ = running.await;
    let (mut steps, mut runs, wall, failures) = timings(pool, &ids).await?;
    if failures > 0 {
        return Err(failed("executions failed", failures));
    }
    let mut floors = Vec::new();
    for i in 0..200 {
        floors.push(bare_step(pool, ids[0], 1_000 + i).await?);
    }
    let mut run_floors: Vec<Duration> = floors.chunks(3).map(|c| c.iter().sum()).collect();
    let rate = per_second(ids.len(), wall);
    targets.push(TargetInfo {
        op: "workflow_step",
        description: "one step of the three-node workflow (target p50 ≤ 20 ms); floor: its bookkeeping with no effect".to_string(),
    });
    let step_count = steps.len() as i64;
    results.push(result("workflow_step", &mut steps, &mut floors, step_count));
    targets.push(TargetInfo {
        op: "workflow_execution",
        description: format!(
            "{} executions by one runner ({} at once): {rate} executions/s (target ≥ 300/s); floor: three bare steps",
            ids.len(),
            options.concurrency
        ),
    });
    results.push(result(
        "workflow_execution",
        &mut runs,
        &mut run_floors,
        ids.len() as i64,
    ));
    extra.push(
        json!({"op": "workflow_throughput_1", "executions": ids.len(), "executions_per_s": rate,
                      "wall_ms": wall.as_millis() as u64, "concurrency": options.concurrency}),
    );

    // 2. From an entity change to its execution starting.
    step(&format!(
        "trigger latency: {} entity renames",
        options.triggers
    ));
    let on_rename = json!({
        "version": 1,
        "trigger": {"kind": "entityEvent", "events": ["updated"], "filter": {"type": [BENCH_TYPE]}},
        "nodes": [{"id": "tell", "type": "notify", "config": {"message": "{{ entity.name }} renamed"}}],
        "edges": []
    });
    let listener = publish(
        pool,
        actor,
        root,
        &format!("Bench on rename {stamp}"),
        on_rename,
        true,
    )
    .await?;
    let mut opts = EngineOptions::new(format!("bench-trigger-{stamp}"));
    opts.concurrency = 2;
    let runner = Engine::new(pool.clone(), opts).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(runner.clone().run(stopped));
    for i in 0..options.triggers {
        let item = items[i as usize % items.len()];
        let node = node_of(pool, item).await?;
        let _ = registry::rename(
            pool,
            actor,
            &registry::RenameEntity {
                id: item,
                expected_updated_at: node.updated_at,
                name: format!("Item {i} renamed"),
            },
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut latencies: Vec<Duration>;
    loop {
        let rows: Vec<f64> = sqlx::query_scalar(
            "SELECT extract(epoch FROM e.started_at - a.occurred_at)::float8 * 1000
               FROM workflow_executions e JOIN audit_events a ON a.id = e.trigger_event_id
              WHERE e.workflow_id = $1 AND e.started_at IS NOT NULL",
        )
        .bind(listener)
        .fetch_all(pool)
        .await?;
        latencies = rows
            .iter()
            .map(|v| Duration::from_secs_f64(v.max(0.0) / 1_000.0))
            .collect();
        if latencies.len() >= options.triggers as usize || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(true);
    let _ = running.await;
    let mut polls = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        sqlx::query(
            "SELECT id FROM audit_events WHERE xact_id IS NOT NULL AND xact_id >= pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY xact_id, id LIMIT 500",
        )
        .execute(pool)
        .await?;
        polls.push(start.elapsed());
    }
    targets.push(TargetInfo {
        op: "workflow_trigger",
        description: format!(
            "{} renames → their executions starting (target p95 ≤ 500 ms); floor: one poll of the audit stream",
            latencies.len()
        ),
    });
    results.push(result(
        "workflow_trigger",
        &mut latencies,
        &mut polls,
        options.triggers as i64,
    ));

    // 3. Several worker processes share the executions.
    if options.workers > 0 {
        step(&format!(
            "{} worker processes: {} executions",
            options.workers, options.executions
        ));
        let ids = queue(pool, actor, workflow, &items, options.executions).await?;
        let mut children = Vec::new();
        for w in 0..options.workers {
            children.push(
                spawn(&format!("bench-{stamp}-w{w}"), options.concurrency)
                    .map_err(|e| failed("starting a worker", e))?,
            );
        }
        let outcome = wait_final(pool, &ids, Duration::from_secs(1_800)).await;
        for child in &mut children {
            // SIGTERM: the worker finishes its step and stops.
            let _ = std::process::Command::new("kill")
                .arg(child.id().to_string())
                .status();
        }
        for child in &mut children {
            let _ = child.wait();
        }
        outcome?;
        let (_, mut runs, wall, failures) = timings(pool, &ids).await?;
        let duplicates: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT execution_id, position FROM workflow_execution_steps
                                     WHERE execution_id = ANY ($1) AND status = 'succeeded'
                                     GROUP BY 1, 2 HAVING count(*) > 1) d",
        )
        .bind(&ids)
        .fetch_one(pool)
        .await?;
        let double_effects: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT message FROM alerts WHERE entity_id = ANY ($1) AND message LIKE 'bench %'
                                     GROUP BY 1 HAVING count(*) > 1) d",
        )
        .bind(&items)
        .fetch_one(pool)
        .await?;
        let by_worker: Vec<(String, i64)> = sqlx::query_as(
            "SELECT runner, count(*) FROM workflow_execution_steps WHERE execution_id = ANY ($1)
                AND status = 'succeeded' GROUP BY 1 ORDER BY 1",
        )
        .bind(&ids)
        .fetch_all(pool)
        .await?;
        let rate = per_second(ids.len(), wall);
        let mut floors = Vec::new();
        for i in 0..60 {
            floors.push(bare_step(pool, ids[0], 2_000 + i).await?);
        }
        targets.push(TargetInfo {
            op: "workflow_scaled",
            description: format!(
                "{} executions by {} worker processes: {rate} executions/s, {duplicates} duplicate steps, {double_effects} effects applied twice, {failures} failed; steps per worker {by_worker:?}",
                ids.len(),
                options.workers
            ),
        });
        results.push(result(
            "workflow_scaled",
            &mut runs,
            &mut floors,
            ids.len() as i64,
        ));
        extra.push(
            json!({"op": format!("workflow_workers_{}", options.workers), "executions": ids.len(),
                          "executions_per_s": rate, "wall_ms": wall.as_millis() as u64,
                          "duplicate_steps": duplicates, "effects_applied_twice": double_effects,
                          "failed": failures, "steps_per_worker": by_worker}),
        );
    }

    step("removing the run's root and workflows");
    for id in [workflow, listener] {
        let summary = workflows::get(pool, id).await?.summary;
        let _ = workflows::delete(
            pool,
            actor,
            &VersionedId {
                id,
                expected_updated_at: summary.updated_at,
            },
            false,
        )
        .await?;
    }
    let node = node_of(pool, root).await?;
    let _ = registry::delete(
        pool,
        actor,
        &VersionedId {
            id: root,
            expected_updated_at: node.updated_at,
        },
    )
    .await?;
    Ok((
        BenchReport {
            postgres_version,
            entities: entities_count,
            targets,
            results,
        },
        extra,
    ))
}
