//! The engine: executions and their steps are rows, and runners (the
//! desktop app on its embedded database, any number of `eco-studio worker`
//! processes) share them.
//!
//! - A runner claims a ready execution with `FOR UPDATE SKIP LOCKED` and
//!   holds it under a lease it renews with every step; a runner that dies
//!   stops renewing, and once the lease ends another takes the execution
//!   over at the step it had reached.
//! - Each step is one transaction: it locks the execution (still ours?),
//!   applies the node's effect with the rights of the person who published
//!   the version (`SET LOCAL ROLE`), writes the step's row and moves the
//!   execution on. They commit together or not at all, and a unique index
//!   allows one succeeded row per position, so a step's effect cannot be
//!   applied twice. An HTTP request is sent outside the transaction with an
//!   idempotency key that is the same on every attempt of the step.
//! - A failed attempt is recorded; the node's retry policy decides when the
//!   next one runs (exponential back-off), or the execution fails, to be
//!   retried later by a person from that step or from its trigger, on the
//!   version it ran.
//! - Triggers: entity events and raised alerts are read from the audit
//!   stream in transaction order (only transactions older than every running
//!   one, so a late commit is never skipped) from a position the dispatcher
//!   keeps in the same transaction as the executions it starts; schedules
//!   fire from `workflows.next_fire_at`. Nothing is missed while no runner
//!   runs: the next one starts where the last stopped.
//!
//! The engine's pool must be the schema owner's (it writes steps and
//! executions for everyone and becomes the publishers' roles).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};
use tokio::sync::watch;
use uuid::Uuid;

use super::dsl::{
    self, DeadlineOutcome, EntityEventKind, Node, NodeKind, Trigger, WorkflowDocument,
};
use super::http;
use super::nodes::{self, Done, StepError};
use crate::change::{Actor, Applied, Source};
use crate::error::{CoreError, CoreResult, Rule};
use crate::records::{Execution, ExecutionStatus, ExecutionStep, WorkflowAction};
use crate::views::{self, Bind, Catalog};

/// How long a dispatcher or driver waits after a failure (the database
/// gone, say) before it tries again.
const ERROR_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);

/// The dispatcher's row (made by the migration).
const DISPATCH_ID: Uuid = Uuid::from_u128(0x01900000_0000_7000_8000_0000000000d1);

/// How a runner behaves.
#[derive(Clone)]
pub struct EngineOptions {
    /// This runner's name, recorded on the executions it holds and the
    /// steps it runs.
    pub runner: String,
    /// Executions driven at once.
    pub concurrency: usize,
    /// How long a claim holds without renewal.
    pub lease: Duration,
    /// How often an idle runner looks for work.
    pub poll: Duration,
    /// Opens the secrets HTTP nodes use; without it such a step fails.
    pub vault: Option<Arc<crate::vault::Vault>>,
}

impl EngineOptions {
    pub fn new(runner: impl Into<String>) -> Self {
        EngineOptions {
            runner: runner.into(),
            concurrency: 4,
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(50),
            vault: None,
        }
    }
}

/// A published version as the engine runs it.
struct Version {
    doc: WorkflowDocument,
    workflow_id: Uuid,
    workflow_name: String,
    number: i32,
    publisher: Uuid,
    /// The publisher's role (None: deactivated or without a login).
    role: Option<String>,
}

pub struct Engine {
    pool: PgPool,
    opts: EngineOptions,
    versions: Mutex<HashMap<Uuid, Arc<Version>>>,
    catalog: Mutex<Option<(Instant, Arc<Catalog>)>>,
    roles: Mutex<HashSet<String>>,
}

/// The execution row a step works on.
#[derive(sqlx::FromRow)]
struct Claimed {
    id: Uuid,
    version_id: Uuid,
    entity_id: Option<Uuid>,
    trigger_data: Value,
    initiated_by_user_id: Option<Uuid>,
    current_node: Option<String>,
    position: i32,
    attempt: i32,
    outputs: Value,
    cancel_requested: bool,
    next_run_at: Option<DateTime<Utc>>,
}

const CLAIMED_COLUMNS: &str = "id, version_id, entity_id, trigger_data, initiated_by_user_id,
    current_node, position, attempt, outputs, cancel_requested, next_run_at";

/// What a step left to do.
enum Next {
    /// Run the next step now.
    Continue,
    /// The execution is finished, waiting, backing off, or no longer ours.
    Stop,
}

fn interval(d: Duration) -> String {
    format!("{} milliseconds", d.as_millis())
}

impl Engine {
    /// An engine on the schema owner's pool.
    pub async fn new(pool: PgPool, opts: EngineOptions) -> CoreResult<Arc<Engine>> {
        let owner: bool = sqlx::query_scalar(
            "SELECT c.relowner = r.oid OR r.rolsuper FROM pg_class c, pg_roles r
              WHERE c.oid = 'public.workflows'::regclass AND r.rolname = current_user",
        )
        .fetch_one(&pool)
        .await?;
        if !owner {
            return Err(CoreError::Forbidden(
                "workflows run on a connection of the schema owner (eco-studio worker, or the app on its own database)"
                    .into(),
            ));
        }
        Ok(Arc::new(Engine {
            pool,
            opts,
            versions: Mutex::new(HashMap::new()),
            catalog: Mutex::new(None),
            roles: Mutex::new(HashSet::new()),
        }))
    }

    pub fn runner(&self) -> &str {
        &self.opts.runner
    }

    /// Runs until `stop` turns true: the dispatcher and `concurrency`
    /// drivers. Returns once they have all stopped (a step in flight
    /// finishes first).
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>) {
        let mut tasks = Vec::new();
        {
            let engine = Arc::clone(&self);
            let mut stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                let mut failing = false;
                while !*stop.borrow() {
                    let (found, wait) = match engine.dispatch().await {
                        Ok(n) => {
                            failing = false;
                            (n, engine.opts.poll)
                        }
                        Err(e) => {
                            // Said once per outage; tried again after a pause.
                            if !std::mem::replace(&mut failing, true) {
                                tracing::warn!(error = %e, "workflow dispatch failed");
                            }
                            (0, ERROR_PAUSE.max(engine.opts.poll))
                        }
                    };
                    if found == 0 {
                        let _ = tokio::time::timeout(wait, stop.changed()).await;
                    }
                }
            }));
        }
        for _ in 0..self.opts.concurrency.max(1) {
            let engine = Arc::clone(&self);
            let mut stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                let mut failing = false;
                while !*stop.borrow() {
                    let (worked, wait) = match engine.claim_and_drive().await {
                        Ok(worked) => {
                            failing = false;
                            (worked, engine.opts.poll)
                        }
                        Err(e) => {
                            if !std::mem::replace(&mut failing, true) {
                                tracing::warn!(error = %e, "a workflow runner failed");
                            }
                            (false, ERROR_PAUSE.max(engine.opts.poll))
                        }
                    };
                    if !worked {
                        let _ = tokio::time::timeout(wait, stop.changed()).await;
                    }
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Dispatches triggers and runs every ready execution until none is
    /// left (for tests and the command line's `workflow run --wait`).
    /// Returns the executions driven.
    pub async fn run_until_idle(&self) -> CoreResult<usize> {
        let mut driven = 0;
        loop {
            let dispatched = self.dispatch().await?;
            let mut worked = false;
            while self.claim_and_drive().await? {
                worked = true;
                driven += 1;
            }
            if dispatched == 0 && !worked {
                return Ok(driven);
            }
        }
    }

    /// Claims one ready execution and drives it as far as it goes now.
    /// False when none was ready.
    pub async fn claim_and_drive(&self) -> CoreResult<bool> {
        // Its own transaction, committed before the drive reads the claim
        // (through a transaction pooler a write on the pool itself would
        // commit only when its lease ends).
        let mut tx = self.pool.begin().await?;
        let claimed: Option<Uuid> = sqlx::query_scalar(
            "UPDATE workflow_executions e
                SET claimed_by = $1, lease_until = clock_timestamp() + $2::interval,
                    status = CASE WHEN status = 'queued' THEN 'running' ELSE status END,
                    started_at = coalesce(started_at, clock_timestamp()), updated_at = clock_timestamp()
              WHERE e.id = (SELECT id FROM workflow_executions
                             WHERE status IN ('queued', 'running', 'waiting') AND deleted_at IS NULL
                               AND next_run_at <= clock_timestamp()
                               AND (lease_until IS NULL OR lease_until < clock_timestamp())
                             ORDER BY next_run_at LIMIT 1 FOR UPDATE SKIP LOCKED)
              RETURNING e.id",
        )
        .bind(&self.opts.runner)
        .bind(interval(self.opts.lease))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        let Some(id) = claimed else {
            return Ok(false);
        };
        self.drive(id).await?;
        Ok(true)
    }

    async fn drive(&self, id: Uuid) -> CoreResult<()> {
        loop {
            match self.step(id).await {
                Ok(Next::Continue) => {}
                Ok(Next::Stop) => return Ok(()),
                Err(e) if e.is_retryable() => {}
                Err(e) => {
                    // Leave it for the lease to expire and another attempt.
                    tracing::warn!(execution = %id, error = %e, "a workflow step could not be recorded");
                    return Err(e);
                }
            }
        }
    }

    async fn lock_claimed(&self, conn: &mut PgConnection, id: Uuid) -> CoreResult<Option<Claimed>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CLAIMED_COLUMNS} FROM workflow_executions
              WHERE id = $1 AND claimed_by = $2 AND lease_until > clock_timestamp() FOR UPDATE"
        )))
        .bind(id)
        .bind(&self.opts.runner)
        .fetch_optional(&mut *conn)
        .await?)
    }

    async fn version(&self, conn: &mut PgConnection, id: Uuid) -> CoreResult<Arc<Version>> {
        if let Some(v) = self.versions.lock().expect("versions").get(&id) {
            return Ok(Arc::clone(v));
        }
        let row: (Value, Uuid, String, i32, Uuid, Option<String>) = sqlx::query_as(
            "SELECT v.dsl, v.workflow_id, w.name, v.version, v.published_by_user_id,
                    CASE WHEN u.deleted_at IS NULL THEN u.pg_role END
               FROM workflow_versions v JOIN workflows w ON w.id = v.workflow_id
               JOIN users u ON u.id = v.published_by_user_id
              WHERE v.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        let version = Arc::new(Version {
            doc: dsl::from_value(row.0)?,
            workflow_id: row.1,
            workflow_name: row.2,
            number: row.3,
            publisher: row.4,
            role: row.5,
        });
        self.versions
            .lock()
            .expect("versions")
            .insert(id, Arc::clone(&version));
        Ok(version)
    }

    async fn catalog(&self, conn: &mut PgConnection) -> CoreResult<Arc<Catalog>> {
        if let Some((at, c)) = &*self.catalog.lock().expect("catalog") {
            if at.elapsed() < Duration::from_secs(5) {
                return Ok(Arc::clone(c));
            }
        }
        let c = Arc::new(views::catalog(conn).await?);
        *self.catalog.lock().expect("catalog") = Some((Instant::now(), Arc::clone(&c)));
        Ok(c)
    }

    /// Becomes the publisher for the rest of the transaction.
    async fn act_as(&self, conn: &mut PgConnection, v: &Version) -> Result<(), StepError> {
        let role = v.role.as_deref().ok_or_else(|| {
            StepError::fatal(
                "the person who published this version is deactivated or has no login; publish the workflow again",
            )
        })?;
        let known = self.roles.lock().expect("roles").contains(role);
        if !known {
            let member: bool = sqlx::query_scalar("SELECT pg_has_role(current_user, $1, 'MEMBER')")
                .bind(role)
                .fetch_one(&mut *conn)
                .await
                .map_err(CoreError::from)?;
            if !member {
                // The owner may grant itself membership in a person's role
                // (it holds nothing beyond the person's rights).
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "GRANT \"{}\" TO current_user",
                    role.replace('"', "\"\"")
                )))
                .execute(&mut *conn)
                .await
                .map_err(CoreError::from)?;
            }
            self.roles.lock().expect("roles").insert(role.to_string());
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SET LOCAL ROLE \"{}\"",
            role.replace('"', "\"\"")
        )))
        .execute(&mut *conn)
        .await
        .map_err(CoreError::from)?;
        Ok(())
    }

    async fn step(&self, id: Uuid) -> CoreResult<Next> {
        let mut tx = self.pool.begin().await?;
        let Some(x) = self.lock_claimed(&mut tx, id).await? else {
            return Ok(Next::Stop);
        };
        if x.cancel_requested {
            finish(
                &mut tx,
                id,
                ExecutionStatus::Cancelled,
                Some("cancelled on request"),
            )
            .await?;
            tx.commit().await?;
            return Ok(Next::Stop);
        }
        let Some(node_id) = x.current_node.clone() else {
            finish(&mut tx, id, ExecutionStatus::Succeeded, None).await?;
            tx.commit().await?;
            return Ok(Next::Stop);
        };
        let v = self.version(&mut tx, x.version_id).await?;
        let Some(node) = v.doc.node(&node_id).cloned() else {
            finish(
                &mut tx,
                id,
                ExecutionStatus::Failed,
                Some(&format!("version {} has no node {node_id:?}", v.number)),
            )
            .await?;
            tx.commit().await?;
            return Ok(Next::Stop);
        };
        let started = Utc::now();
        let actor = Actor {
            user_id: Some(v.publisher),
            source: Source::Workflow { execution_id: id },
            request_id: id,
        };
        let input = json!({ "config": node_config(&node) });
        let ctx_json = |x: &Claimed| {
            (
                json!({ "id": x.id, "position": x.position, "attempt": x.attempt }),
                json!({ "id": v.workflow_id, "name": v.workflow_name, "version": v.number }),
            )
        };
        match &node.kind {
            NodeKind::Delay { seconds } => {
                if let Some(step_id) = waiting_step(&mut tx, id, x.position).await? {
                    if x.next_run_at.is_some_and(|t| t > Utc::now()) {
                        release(&mut tx, id, ExecutionStatus::Waiting, x.next_run_at).await?;
                        tx.commit().await?;
                        return Ok(Next::Stop);
                    }
                    let done = Done {
                        outcome: "done".into(),
                        output: json!({ "waitedSeconds": seconds }),
                    };
                    complete_waiting(&mut tx, step_id, &done).await?;
                    self.advance(&mut tx, &x, &v, &node, &done).await?;
                    tx.commit().await?;
                    return Ok(Next::Continue);
                }
                let until = Utc::now() + chrono::Duration::seconds(i64::from(*seconds));
                insert_step(
                    &mut tx,
                    &x,
                    &node,
                    "waiting",
                    None,
                    &input,
                    None,
                    None,
                    &self.opts.runner,
                    started,
                )
                .await?;
                release(&mut tx, id, ExecutionStatus::Waiting, Some(until)).await?;
                tx.commit().await?;
                Ok(Next::Stop)
            }
            NodeKind::Approval { .. } => {
                self.approval_step(tx, &x, &v, &node, &input, started).await
            }
            NodeKind::HttpRequest { .. } => {
                let (execution, workflow) = ctx_json(&x);
                let prepared = async {
                    self.act_as(&mut tx, &v).await?;
                    let ctx = run_context(&mut tx, &x, execution, workflow).await?;
                    let request = self
                        .http_request(&mut tx, &actor, &node, &ctx, id, x.position)
                        .await?;
                    sqlx::query("RESET ROLE")
                        .execute(&mut *tx)
                        .await
                        .map_err(CoreError::from)?;
                    Ok::<_, StepError>(request)
                }
                .await;
                let request = match prepared {
                    Ok(r) => r,
                    Err(e) => {
                        drop(tx);
                        return self.fail(id, &node, &input, e, started).await;
                    }
                };
                // Hold the claim for as long as the request may take.
                sqlx::query(
                    "UPDATE workflow_executions SET lease_until = clock_timestamp() + $2::interval WHERE id = $1",
                )
                .bind(id)
                .bind(interval(self.opts.lease + request.timeout))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                let input = json!({ "request": request.recorded() });
                match http::send(&request).await {
                    Ok(output) => {
                        let mut tx = self.pool.begin().await?;
                        let Some(x) = self.lock_claimed(&mut tx, id).await? else {
                            // Taken over: the other runner sends again with the
                            // same idempotency key.
                            return Ok(Next::Stop);
                        };
                        let done = Done {
                            outcome: "done".into(),
                            output,
                        };
                        self.succeed(tx, &x, &v, &node, &input, &done, started)
                            .await
                    }
                    Err(e) => self.fail(id, &node, &input, e, started).await,
                }
            }
            NodeKind::Notify { to, message } => {
                let (execution, workflow) = ctx_json(&x);
                let result = async {
                    // The message shows what the publisher may see, no more.
                    let ctx = self.publisher_context(&mut tx, &v, &x, execution, workflow).await?;
                    let text = nodes::render(message, &ctx)?;
                    let targets = nodes::notify_targets(&mut tx, to, x.initiated_by_user_id.or(Some(v.publisher))).await?;
                    sqlx::query(
                        "INSERT INTO notifications (id, user_id, message, entity_id, execution_id, created_at, updated_at)
                         SELECT gen_random_uuid(), u, $2, $3, $4, clock_timestamp(), clock_timestamp()
                           FROM unnest($1::uuid[]) AS u",
                    )
                    .bind(&targets)
                    .bind(&text)
                    .bind(x.entity_id.filter(|_| true))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(CoreError::from)?;
                    Ok::<_, StepError>(Done {
                        outcome: "done".into(),
                        output: json!({ "to": targets, "message": text }),
                    })
                }
                .await;
                self.conclude(tx, &x, &v, &node, &input, started, result)
                    .await
            }
            NodeKind::Loop { max_iterations } => {
                let done_before = x
                    .outputs
                    .get(&node.id)
                    .and_then(|o| o.get("iteration"))
                    .and_then(|i| i.as_u64())
                    .unwrap_or(0);
                let iteration = done_before + 1;
                let outcome = if iteration <= u64::from(*max_iterations) {
                    "again"
                } else {
                    "done"
                };
                let done = Done {
                    outcome: outcome.into(),
                    output: json!({ "iteration": if outcome == "again" { iteration } else { 0 } }),
                };
                self.succeed(tx, &x, &v, &node, &input, &done, started)
                    .await
            }
            _ => {
                let (execution, workflow) = ctx_json(&x);
                let catalog = self.catalog(&mut tx).await?;
                let result = async {
                    self.act_as(&mut tx, &v).await?;
                    if let Some(ms) = node.timeout_ms {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "SET LOCAL statement_timeout = {ms}"
                        )))
                        .execute(&mut *tx)
                        .await
                        .map_err(CoreError::from)?;
                    }
                    let ctx = run_context(&mut tx, &x, execution, workflow).await?;
                    let done =
                        nodes::apply(&mut tx, &actor, &node, x.entity_id, &ctx, &catalog).await?;
                    sqlx::query("RESET ROLE")
                        .execute(&mut *tx)
                        .await
                        .map_err(CoreError::from)?;
                    if node.timeout_ms.is_some() {
                        sqlx::query("SET LOCAL statement_timeout = 0")
                            .execute(&mut *tx)
                            .await
                            .map_err(CoreError::from)?;
                    }
                    Ok::<_, StepError>(done)
                }
                .await;
                self.conclude(tx, &x, &v, &node, &input, started, result)
                    .await
            }
        }
    }

    /// The run's template context as the publisher sees the registry (the
    /// connection is the owner's again afterwards).
    async fn publisher_context(
        &self,
        conn: &mut PgConnection,
        v: &Version,
        x: &Claimed,
        execution: Value,
        workflow: Value,
    ) -> Result<Value, StepError> {
        self.act_as(conn, v).await?;
        let ctx = run_context(conn, x, execution, workflow).await?;
        sqlx::query("RESET ROLE")
            .execute(&mut *conn)
            .await
            .map_err(CoreError::from)?;
        Ok(ctx)
    }

    /// Builds the HTTP node's request (secrets revealed as the publisher).
    async fn http_request(
        &self,
        conn: &mut PgConnection,
        actor: &Actor,
        node: &Node,
        ctx: &Value,
        execution: Uuid,
        position: i32,
    ) -> Result<http::Request, StepError> {
        let NodeKind::HttpRequest {
            method,
            url,
            headers,
            body,
            auth_secret,
            signing_secret,
        } = &node.kind
        else {
            return Err(StepError::fatal("not an HTTP node"));
        };
        let reveal = |secret: Uuid| {
            let vault = self.opts.vault.clone();
            let actor = actor.clone();
            let reason = format!("workflow step {} of execution {execution}", node.id);
            async move {
                let vault = vault.ok_or_else(|| {
                    StepError::retry("this runner has no vault to open the node's secret")
                })?;
                vault.touch().map_err(|_| {
                    StepError::retry(
                        "the vault is locked on this runner; unlock it to send this request",
                    )
                })?;
                Ok::<_, StepError>((vault, actor, reason, secret))
            }
        };
        let mut bearer = None;
        let mut signing_key = None;
        for (slot, secret) in [
            (&mut bearer, auth_secret),
            (&mut signing_key, signing_secret),
        ] {
            if let Some(secret) = secret {
                let (vault, actor, reason, secret) = reveal(*secret).await?;
                let revealed =
                    crate::vault::reveal_in(conn, &vault, &actor, secret, None, &reason).await?;
                *slot = Some(revealed.value.value);
            }
        }
        let mut rendered = std::collections::BTreeMap::new();
        for (k, v) in headers {
            rendered.insert(k.to_ascii_lowercase(), nodes::render(v, ctx)?);
        }
        Ok(http::Request {
            method: method.clone(),
            url: nodes::render(url, ctx)?,
            headers: rendered,
            body: match body {
                Some(b) => Some(nodes::render(b, ctx)?),
                None => None,
            },
            bearer,
            signing_key,
            idempotency_key: format!("{execution}:{position}"),
            timeout: node
                .timeout_ms
                .map(|ms| Duration::from_millis(u64::from(ms)))
                .unwrap_or(http::DEFAULT_TIMEOUT),
        })
    }

    async fn approval_step(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
        x: &Claimed,
        v: &Version,
        node: &Node,
        input: &Value,
        started: DateTime<Utc>,
    ) -> CoreResult<Next> {
        let NodeKind::Approval {
            title,
            approvers,
            capability,
            required,
            deadline_hours,
            on_deadline,
        } = &node.kind
        else {
            unreachable!("an approval node")
        };
        let request: Option<RequestRow> = sqlx::query_as(
            "SELECT id, status, deadline_at, approver_user_ids FROM approval_requests
              WHERE execution_id = $1 AND position = $2 FOR UPDATE",
        )
        .bind(x.id)
        .bind(x.position)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((request_id, status, deadline, named)) = request else {
            // First time here: ask, in words the publisher may see.
            let ctx = self
                .publisher_context(
                    &mut tx,
                    v,
                    x,
                    json!({ "id": x.id }),
                    json!({ "id": v.workflow_id, "name": v.workflow_name, "version": v.number }),
                )
                .await;
            let title = match ctx.and_then(|ctx| nodes::render(title, &ctx)) {
                Ok(t) => t,
                Err(e) => {
                    drop(tx);
                    return self.fail(x.id, node, input, e, started).await;
                }
            };
            let deadline = deadline_hours
                .map(|h| Utc::now() + chrono::Duration::milliseconds((h * 3_600_000.0) as i64));
            let root: Option<Uuid> =
                sqlx::query_scalar("SELECT root_entity_id FROM workflow_executions WHERE id = $1")
                    .bind(x.id)
                    .fetch_one(&mut *tx)
                    .await?;
            let request_id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO approval_requests (id, execution_id, node_id, position, entity_id, root_entity_id,
                        title, required, approver_user_ids, capability, initiator_user_id, deadline_at,
                        on_deadline, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending',
                         clock_timestamp(), clock_timestamp())",
            )
            .bind(request_id)
            .bind(x.id)
            .bind(&node.id)
            .bind(x.position)
            .bind(x.entity_id)
            .bind(root)
            .bind(&title)
            .bind(*required as i32)
            .bind(approvers)
            .bind(capability)
            .bind(x.initiated_by_user_id)
            .bind(deadline)
            .bind(on_deadline.as_str())
            .execute(&mut *tx)
            .await?;
            let waiting_input =
                json!({ "config": node_config(node), "requestId": request_id, "title": title });
            insert_step(
                &mut tx,
                x,
                node,
                "waiting",
                None,
                &waiting_input,
                None,
                None,
                &self.opts.runner,
                started,
            )
            .await?;
            // Woken by a vote, or at the deadline.
            release(
                &mut tx,
                x.id,
                ExecutionStatus::Waiting,
                deadline.or(Some(far_future())),
            )
            .await?;
            tx.commit().await?;
            return Ok(Next::Stop);
        };
        if status != "pending" {
            // Decided already (a retry after the decision was recorded).
            let outcome = if status == "approved" {
                "approved"
            } else {
                "rejected"
            };
            return self
                .decide(tx, x, v, node, request_id, outcome, &status)
                .await;
        }
        let (approve, reject): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE decision = 'approve'), count(*) FILTER (WHERE decision = 'reject')
               FROM approval_votes WHERE request_id = $1 AND deleted_at IS NULL",
        )
        .bind(request_id)
        .fetch_one(&mut *tx)
        .await?;
        let need = i64::from(*required);
        // Rejected once the approvals needed can no longer come: with named
        // approvers when fewer than `required` are left to say yes; with a
        // capability at the first rejection.
        let impossible = if capability.is_none() {
            (named.len() as i64 - reject) < need
        } else {
            reject > 0
        };
        if approve >= need {
            return self
                .decide(tx, x, v, node, request_id, "approved", "approved")
                .await;
        }
        if impossible {
            return self
                .decide(tx, x, v, node, request_id, "rejected", "rejected")
                .await;
        }
        if deadline.is_some_and(|d| d <= Utc::now()) {
            return match on_deadline {
                DeadlineOutcome::Failed => {
                    sqlx::query("UPDATE approval_requests SET status = 'expired', decided_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = $1")
                        .bind(request_id)
                        .execute(&mut *tx)
                        .await?;
                    close_waiting(
                        &mut tx,
                        x,
                        "failed",
                        None,
                        Some("the approval's deadline passed"),
                    )
                    .await?;
                    finish(
                        &mut tx,
                        x.id,
                        ExecutionStatus::Failed,
                        Some("the approval's deadline passed"),
                    )
                    .await?;
                    tx.commit().await?;
                    Ok(Next::Stop)
                }
                other => {
                    self.decide(tx, x, v, node, request_id, other.as_str(), "expired")
                        .await
                }
            };
        }
        // Still waiting (woken by a vote that did not decide).
        release(
            &mut tx,
            x.id,
            ExecutionStatus::Waiting,
            deadline.or(Some(far_future())),
        )
        .await?;
        tx.commit().await?;
        Ok(Next::Stop)
    }

    #[allow(clippy::too_many_arguments)]
    async fn decide(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
        x: &Claimed,
        v: &Version,
        node: &Node,
        request_id: Uuid,
        outcome: &str,
        status: &str,
    ) -> CoreResult<Next> {
        sqlx::query(
            "UPDATE approval_requests SET status = $2, decided_at = coalesce(decided_at, clock_timestamp()),
                    updated_at = clock_timestamp() WHERE id = $1",
        )
        .bind(request_id)
        .bind(status)
        .execute(&mut *tx)
        .await?;
        let done = Done {
            outcome: outcome.into(),
            output: json!({ "requestId": request_id, "decision": outcome, "status": status }),
        };
        close_waiting(&mut tx, x, "succeeded", Some(&done), None).await?;
        self.advance(&mut tx, x, v, node, &done).await?;
        tx.commit().await?;
        Ok(Next::Continue)
    }

    /// Records a succeeded step, moves the execution on and commits.
    #[allow(clippy::too_many_arguments)]
    async fn succeed(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
        x: &Claimed,
        v: &Version,
        node: &Node,
        input: &Value,
        done: &Done,
        started: DateTime<Utc>,
    ) -> CoreResult<Next> {
        insert_step(
            &mut tx,
            x,
            node,
            "succeeded",
            Some(done),
            input,
            None,
            None,
            &self.opts.runner,
            started,
        )
        .await?;
        self.advance(&mut tx, x, v, node, done).await?;
        tx.commit().await?;
        Ok(Next::Continue)
    }

    /// The end of a step: its success committed with its effect, or its
    /// failure recorded apart (the effect rolled back).
    #[allow(clippy::too_many_arguments)]
    async fn conclude(
        &self,
        tx: sqlx::Transaction<'static, sqlx::Postgres>,
        x: &Claimed,
        v: &Version,
        node: &Node,
        input: &Value,
        started: DateTime<Utc>,
        result: Result<Done, StepError>,
    ) -> CoreResult<Next> {
        match result {
            Ok(done) => self.succeed(tx, x, v, node, input, &done, started).await,
            Err(e) => {
                drop(tx);
                self.fail(x.id, node, input, e, started).await
            }
        }
    }

    /// Records the step's outcome on the execution and moves it on (or
    /// finishes it).
    async fn advance(
        &self,
        conn: &mut PgConnection,
        x: &Claimed,
        v: &Version,
        node: &Node,
        done: &Done,
    ) -> CoreResult<()> {
        let next = v.doc.next(&node.id, &done.outcome);
        sqlx::query(
            "UPDATE workflow_executions
                SET current_node = $2, position = position + 1, attempt = 1,
                    outputs = outputs || jsonb_build_object($3::text, $4::jsonb), error = NULL,
                    status = CASE WHEN $2 IS NULL THEN 'succeeded' ELSE 'running' END,
                    finished_at = CASE WHEN $2 IS NULL THEN clock_timestamp() END,
                    claimed_by = CASE WHEN $2 IS NULL THEN NULL ELSE claimed_by END,
                    lease_until = CASE WHEN $2 IS NULL THEN NULL ELSE clock_timestamp() + $5::interval END,
                    next_run_at = CASE WHEN $2 IS NULL THEN NULL ELSE next_run_at END,
                    updated_at = clock_timestamp()
              WHERE id = $1",
        )
        .bind(x.id)
        .bind(next)
        .bind(&node.id)
        .bind(&done.output)
        .bind(interval(self.opts.lease))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Records a failed attempt; retries by the node's policy, else fails
    /// the execution.
    async fn fail(
        &self,
        id: Uuid,
        node: &Node,
        input: &Value,
        error: StepError,
        started: DateTime<Utc>,
    ) -> CoreResult<Next> {
        let mut tx = self.pool.begin().await?;
        let Some(x) = self.lock_claimed(&mut tx, id).await? else {
            return Ok(Next::Stop);
        };
        insert_step(
            &mut tx,
            &x,
            node,
            "failed",
            None,
            input,
            Some(&error.message),
            None,
            &self.opts.runner,
            started,
        )
        .await?;
        let policy = node.retry.unwrap_or_default();
        let attempt = x.attempt as u32;
        if error.retryable && attempt < policy.max_attempts {
            let wait = policy.delay_before(attempt + 1);
            sqlx::query(
                "UPDATE workflow_executions
                    SET attempt = attempt + 1, status = 'queued', error = $2,
                        next_run_at = clock_timestamp() + $3::interval, claimed_by = NULL, lease_until = NULL,
                        updated_at = clock_timestamp()
                  WHERE id = $1",
            )
            .bind(id)
            .bind(&error.message)
            .bind(interval(wait))
            .execute(&mut *tx)
            .await?;
        } else {
            finish(&mut tx, id, ExecutionStatus::Failed, Some(&error.message)).await?;
        }
        tx.commit().await?;
        Ok(Next::Stop)
    }

    /// Reads entity events and raised alerts from the audit stream and
    /// starts the executions they trigger; fires due schedules. Returns the
    /// events and firings handled.
    pub async fn dispatch(&self) -> CoreResult<usize> {
        let mut handled = self.fire_schedules().await?;
        let mut tx = self.pool.begin().await?;
        let position: Option<(String, Uuid)> = sqlx::query_as(
            "SELECT last_xact::text, last_event_id FROM workflow_dispatch WHERE id = $1
                FOR UPDATE SKIP LOCKED",
        )
        .bind(DISPATCH_ID)
        .fetch_optional(&mut *tx)
        .await?;
        // Another runner is dispatching.
        let Some((last_xact, last_id)) = position else {
            return Ok(handled);
        };
        let events: Vec<AuditEvent> = sqlx::query_as(
            "SELECT id, xact_id::text AS xact, action, entity_id, record_id, source, occurred_at, before, after
               FROM audit_events
              WHERE xact_id IS NOT NULL AND (xact_id, id) > ($1::xid8, $2)
                AND xact_id < pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY xact_id, id LIMIT 500",
        )
        .bind(&last_xact)
        .bind(last_id)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = events.last() else {
            return Ok(handled);
        };
        let (new_xact, new_id) = (last.xact.clone(), last.id);
        let listeners = self.listeners(&mut tx).await?;
        if !listeners.is_empty() {
            for event in &events {
                handled += self.start_for_event(&mut tx, &listeners, event).await?;
            }
        }
        sqlx::query(
            "UPDATE workflow_dispatch SET last_xact = $2::xid8, last_event_id = $3, updated_at = clock_timestamp()
              WHERE id = $1",
        )
        .bind(DISPATCH_ID)
        .bind(&new_xact)
        .bind(new_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(handled + events.len())
    }

    /// Enabled, published workflows triggered by entity events or alerts.
    async fn listeners(&self, conn: &mut PgConnection) -> CoreResult<Vec<Listener>> {
        let rows: Vec<ListenerRow> = sqlx::query_as(
            "SELECT w.id, w.root_entity_id, v.id, v.dsl, coalesce(w.enabled_at, w.updated_at)
               FROM workflows w JOIN workflow_versions v ON v.id = w.published_version_id
              WHERE w.enabled AND w.deleted_at IS NULL
                AND v.dsl #>> '{trigger,kind}' IN ('entityEvent', 'alertRaised')",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for (workflow_id, root, version_id, dsl, since) in rows {
            let trigger = match dsl::from_value(dsl) {
                Ok(doc) => doc.trigger,
                Err(e) => {
                    tracing::warn!(workflow = %workflow_id, error = %e, "a published workflow does not read");
                    continue;
                }
            };
            out.push(Listener {
                workflow_id,
                root,
                version_id,
                trigger,
                since,
            });
        }
        Ok(out)
    }

    async fn start_for_event(
        &self,
        conn: &mut PgConnection,
        listeners: &[Listener],
        event: &AuditEvent,
    ) -> CoreResult<usize> {
        let kinds = event_kinds(&event.action);
        let alert = event.action == "alert.raise";
        if kinds.is_empty() && !alert {
            return Ok(0);
        }
        let Some(entity) = event.entity_id else {
            return Ok(0);
        };
        let mut started = 0;
        let mut root: Option<Option<Uuid>> = None;
        for l in listeners {
            if event.occurred_at < l.since {
                continue;
            }
            let (filter, matches) = match &l.trigger {
                Trigger::EntityEvent {
                    events,
                    properties,
                    filter,
                    include_workflow_changes,
                } => {
                    if event.source.as_deref() == Some("workflow") && !include_workflow_changes {
                        continue;
                    }
                    let hit = events.iter().any(|k| {
                        kinds.contains(k)
                            && (*k != EntityEventKind::PropertyChanged
                                || properties.is_empty()
                                || changed_properties(event)
                                    .iter()
                                    .any(|p| properties.contains(p)))
                    });
                    (filter.clone(), hit)
                }
                Trigger::AlertRaised { levels, filter } => {
                    let level = event
                        .after
                        .as_ref()
                        .and_then(|a| a.get("level"))
                        .and_then(|l| l.as_str())
                        .unwrap_or("");
                    (
                        filter.clone(),
                        alert && (levels.is_empty() || levels.iter().any(|l| l == level)),
                    )
                }
                _ => (None, false),
            };
            if !matches {
                continue;
            }
            let entity_root = match root {
                Some(r) => r,
                None => {
                    let r: Option<Uuid> = sqlx::query_scalar(
                        "SELECT subpath(path, 0, 1)::text::uuid FROM entities WHERE id = $1",
                    )
                    .bind(entity)
                    .fetch_optional(&mut *conn)
                    .await?;
                    root = Some(r);
                    r
                }
            };
            if l.root.is_some() && l.root != entity_root {
                continue;
            }
            let deleted = kinds.contains(&EntityEventKind::Deleted);
            if let (Some(filter), false) = (&filter, deleted) {
                // The filter is read as the publisher sees the registry.
                let v = self.version(conn, l.version_id).await?;
                sqlx::query("SAVEPOINT eco_filter")
                    .execute(&mut *conn)
                    .await?;
                let holds = async {
                    self.act_as(conn, &v)
                        .await
                        .map_err(|e| CoreError::state(e.message))?;
                    let catalog = self.catalog(conn).await?;
                    let set_values = (event.action == "entity.properties")
                        .then_some(event.after.as_ref())
                        .flatten();
                    let holds =
                        super::filter::holds_with(conn, &catalog, filter, entity, set_values).await;
                    sqlx::query("RESET ROLE").execute(&mut *conn).await?;
                    holds
                }
                .await;
                match holds {
                    Ok(true) => {
                        sqlx::query("RELEASE SAVEPOINT eco_filter")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(false) => {
                        sqlx::query("RELEASE SAVEPOINT eco_filter")
                            .execute(&mut *conn)
                            .await?;
                        continue;
                    }
                    Err(e) => {
                        sqlx::query("ROLLBACK TO SAVEPOINT eco_filter")
                            .execute(&mut *conn)
                            .await?;
                        tracing::warn!(workflow = %l.workflow_id, error = %e, "a trigger's filter failed");
                        continue;
                    }
                }
            }
            let trigger_data = json!({
                "event": event.action, "eventId": event.id, "entityId": entity,
                "before": event.before, "after": event.after,
                "alertId": if alert { Some(event.record_id) } else { None },
            });
            let kind = if alert { "alertRaised" } else { "entityEvent" };
            let inserted = insert_execution(
                conn,
                &NewExecution {
                    workflow_id: l.workflow_id,
                    version_id: l.version_id,
                    root: entity_root,
                    entity: if deleted { None } else { Some(entity) },
                    trigger_kind: kind,
                    trigger_data,
                    event_id: Some(event.id),
                    initiator: None,
                    retry_of: None,
                },
            )
            .await?;
            started += usize::from(inserted.is_some());
        }
        Ok(started)
    }

    async fn fire_schedules(&self) -> CoreResult<usize> {
        let mut tx = self.pool.begin().await?;
        let due: Vec<DueRow> = sqlx::query_as(
            "SELECT w.id, w.root_entity_id, v.id, w.next_fire_at, v.dsl
               FROM workflows w JOIN workflow_versions v ON v.id = w.published_version_id
              WHERE w.enabled AND w.deleted_at IS NULL AND w.next_fire_at <= clock_timestamp()
              FOR UPDATE OF w SKIP LOCKED",
        )
        .fetch_all(&mut *tx)
        .await?;
        let n = due.len();
        for (workflow_id, root, version_id, at, dsl) in due {
            let doc = dsl::from_value(dsl)?;
            // Missed firings (no runner ran) fire once, not once each.
            let next = next_fire(&doc, Utc::now().max(at));
            insert_execution(
                &mut tx,
                &NewExecution {
                    workflow_id,
                    version_id,
                    root,
                    entity: None,
                    trigger_kind: "schedule",
                    trigger_data: json!({ "scheduledFor": at }),
                    event_id: None,
                    initiator: None,
                    retry_of: None,
                },
            )
            .await?;
            sqlx::query("UPDATE workflows SET next_fire_at = $2 WHERE id = $1")
                .bind(workflow_id)
                .bind(next)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}

/// An approval request: id, status, deadline, named approvers.
type RequestRow = (Uuid, String, Option<DateTime<Utc>>, Vec<Uuid>);
/// A listening workflow: id, root, version, document, enabled since.
type ListenerRow = (Uuid, Option<Uuid>, Uuid, Value, DateTime<Utc>);
/// A due schedule: workflow, root, version, when, document.
type DueRow = (Uuid, Option<Uuid>, Uuid, DateTime<Utc>, Value);

struct Listener {
    workflow_id: Uuid,
    root: Option<Uuid>,
    version_id: Uuid,
    trigger: Trigger,
    since: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AuditEvent {
    id: Uuid,
    xact: String,
    action: String,
    entity_id: Option<Uuid>,
    record_id: Option<Uuid>,
    source: Option<String>,
    occurred_at: DateTime<Utc>,
    before: Option<Value>,
    after: Option<Value>,
}

/// The entity events an audit action stands for.
fn event_kinds(action: &str) -> Vec<EntityEventKind> {
    use EntityEventKind::*;
    match action {
        "entity.create" => vec![Created],
        "entity.rename" | "entity.tags" | "entity.restore" => vec![Updated],
        "entity.properties" => vec![Updated, PropertyChanged],
        "entity.move" => vec![Moved],
        "entity.delete" => vec![Deleted],
        _ => vec![],
    }
}

/// The property keys whose value differs before and after.
fn changed_properties(event: &AuditEvent) -> Vec<String> {
    let empty = serde_json::Map::new();
    let before = event
        .before
        .as_ref()
        .and_then(|b| b.as_object())
        .unwrap_or(&empty);
    let after = event
        .after
        .as_ref()
        .and_then(|a| a.as_object())
        .unwrap_or(&empty);
    let mut keys: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The run's template context, as the connection's role sees the registry.
async fn run_context(
    conn: &mut PgConnection,
    x: &Claimed,
    execution: Value,
    workflow: Value,
) -> Result<Value, StepError> {
    nodes::context(
        conn,
        x.entity_id,
        &x.trigger_data,
        &x.outputs,
        execution,
        workflow,
    )
    .await
    .map_err(StepError::from)
}

fn far_future() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("9999-01-01T00:00:00Z")
        .expect("a literal time")
        .with_timezone(&Utc)
}

fn node_config(node: &Node) -> Value {
    serde_json::to_value(&node.kind)
        .ok()
        .and_then(|v| v.get("config").cloned())
        .unwrap_or(Value::Null)
}

#[allow(clippy::too_many_arguments)]
async fn insert_step(
    conn: &mut PgConnection,
    x: &Claimed,
    node: &Node,
    status: &str,
    done: Option<&Done>,
    input: &Value,
    error: Option<&str>,
    finished: Option<DateTime<Utc>>,
    runner: &str,
    started: DateTime<Utc>,
) -> CoreResult<()> {
    let finished = finished.or((status != "waiting").then(Utc::now));
    sqlx::query(
        "INSERT INTO workflow_execution_steps (id, execution_id, node_id, node_type, position, attempt,
                status, outcome, input, output, error, runner, started_at, finished_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, clock_timestamp(), clock_timestamp())",
    )
    .bind(Uuid::now_v7())
    .bind(x.id)
    .bind(&node.id)
    .bind(node.kind.type_name())
    .bind(x.position)
    .bind(x.attempt)
    .bind(status)
    .bind(done.map(|d| d.outcome.as_str()))
    .bind(input)
    .bind(done.map(|d| &d.output))
    .bind(error)
    .bind(runner)
    .bind(started)
    .bind(finished)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn waiting_step(
    conn: &mut PgConnection,
    execution: Uuid,
    position: i32,
) -> CoreResult<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM workflow_execution_steps WHERE execution_id = $1 AND position = $2 AND status = 'waiting'",
    )
    .bind(execution)
    .bind(position)
    .fetch_optional(&mut *conn)
    .await?)
}

async fn complete_waiting(conn: &mut PgConnection, step: Uuid, done: &Done) -> CoreResult<()> {
    sqlx::query(
        "UPDATE workflow_execution_steps SET status = 'succeeded', outcome = $2, output = $3,
                finished_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = $1",
    )
    .bind(step)
    .bind(&done.outcome)
    .bind(&done.output)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends the waiting step of the execution's current position.
async fn close_waiting(
    conn: &mut PgConnection,
    x: &Claimed,
    status: &str,
    done: Option<&Done>,
    error: Option<&str>,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE workflow_execution_steps SET status = $3, outcome = $4, output = $5, error = $6,
                finished_at = clock_timestamp(), updated_at = clock_timestamp()
          WHERE execution_id = $1 AND position = $2 AND status = 'waiting'",
    )
    .bind(x.id)
    .bind(x.position)
    .bind(status)
    .bind(done.map(|d| d.outcome.as_str()))
    .bind(done.map(|d| &d.output))
    .bind(error)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Lets go of a claim: the execution waits until `next_run_at`.
async fn release(
    conn: &mut PgConnection,
    id: Uuid,
    status: ExecutionStatus,
    next_run_at: Option<DateTime<Utc>>,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE workflow_executions SET status = $2, next_run_at = $3, claimed_by = NULL, lease_until = NULL,
                updated_at = clock_timestamp() WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(next_run_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends an execution (its pending approvals and waiting steps with it).
async fn finish(
    conn: &mut PgConnection,
    id: Uuid,
    status: ExecutionStatus,
    error: Option<&str>,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE workflow_executions SET status = $2, error = coalesce($3, error), finished_at = clock_timestamp(),
                next_run_at = NULL, claimed_by = NULL, lease_until = NULL, updated_at = clock_timestamp()
          WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(error)
    .execute(&mut *conn)
    .await?;
    if status != ExecutionStatus::Succeeded {
        sqlx::query(
            "UPDATE approval_requests SET status = 'cancelled', decided_at = clock_timestamp(),
                    updated_at = clock_timestamp()
              WHERE execution_id = $1 AND status = 'pending'",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE workflow_execution_steps SET status = 'failed', error = $2, finished_at = clock_timestamp(),
                    updated_at = clock_timestamp()
              WHERE execution_id = $1 AND status = 'waiting'",
        )
        .bind(id)
        .bind(error.unwrap_or("ended"))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An execution to start.
pub(crate) struct NewExecution {
    pub workflow_id: Uuid,
    pub version_id: Uuid,
    pub root: Option<Uuid>,
    pub entity: Option<Uuid>,
    pub trigger_kind: &'static str,
    pub trigger_data: Value,
    pub event_id: Option<Uuid>,
    pub initiator: Option<Uuid>,
    pub retry_of: Option<Uuid>,
}

/// Queues an execution at its version's start node (None when this event
/// already started one).
pub(crate) async fn insert_execution(
    conn: &mut PgConnection,
    e: &NewExecution,
) -> CoreResult<Option<Uuid>> {
    let dsl: Value = sqlx::query_scalar("SELECT dsl FROM workflow_versions WHERE id = $1")
        .bind(e.version_id)
        .fetch_one(&mut *conn)
        .await?;
    let doc = dsl::from_value(dsl)?;
    let start = doc.start().map(|n| n.id.clone());
    let id = Uuid::now_v7();
    let inserted: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO workflow_executions (id, workflow_id, version_id, root_entity_id, entity_id, trigger_kind,
                trigger_data, trigger_event_id, initiated_by_user_id, retry_of_execution_id, status, current_node,
                next_run_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11, clock_timestamp(),
                 clock_timestamp(), clock_timestamp())
         ON CONFLICT (workflow_id, trigger_event_id) WHERE trigger_event_id IS NOT NULL DO NOTHING
         RETURNING id",
    )
    .bind(id)
    .bind(e.workflow_id)
    .bind(e.version_id)
    .bind(e.root)
    .bind(e.entity)
    .bind(e.trigger_kind)
    .bind(&e.trigger_data)
    .bind(e.event_id)
    .bind(e.initiator)
    .bind(e.retry_of)
    .bind(start)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(inserted)
}

/// The next firing of a schedule trigger after `after` (None for others).
pub fn next_fire(doc: &WorkflowDocument, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match &doc.trigger {
        Trigger::Schedule { cron, time_zone } => super::cron::Schedule::parse(cron, time_zone)
            .ok()
            .and_then(|s| s.next_after(super::cron::minute_of(after))),
        _ => None,
    }
}

/// The published document of a workflow.
pub async fn published_document(
    conn: &mut PgConnection,
    workflow: Uuid,
) -> CoreResult<Option<WorkflowDocument>> {
    let dsl: Option<Value> = sqlx::query_scalar(
        "SELECT v.dsl FROM workflows w JOIN workflow_versions v ON v.id = w.published_version_id
          WHERE w.id = $1",
    )
    .bind(workflow)
    .fetch_optional(&mut *conn)
    .await?;
    dsl.map(dsl::from_value).transpose()
}

// ------------------------------------------------ what people do with runs

/// Runs a published workflow by hand on entities (or on each row of a
/// saved view), as the person; needs `workflows:run` on the workflow's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RunWorkflow {
    pub workflow_id: Uuid,
    #[serde(default)]
    pub entity_ids: Vec<Uuid>,
    /// A saved view's key: one run per row (at most 1,000).
    #[serde(default)]
    pub view_key: Option<String>,
}

/// Which executions to list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExecutionFilter {
    #[serde(default)]
    pub workflow_id: Option<Uuid>,
    #[serde(default)]
    pub statuses: Vec<ExecutionStatus>,
    #[serde(default)]
    pub entity_id: Option<Uuid>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// An execution with its steps, the document it runs and its approvals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExecutionDetail {
    pub execution: Execution,
    pub steps: Vec<ExecutionStep>,
    pub document: WorkflowDocument,
    pub approvals: Vec<crate::records::ApprovalRequest>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum RetryFrom {
    /// The step that failed, with what the execution had reached.
    FailedStep,
    /// A new execution of the same version with the same trigger data.
    Trigger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RetryExecution {
    pub id: Uuid,
    pub from: RetryFrom,
}

const EXECUTION_SELECT: &str = "SELECT e.id, e.workflow_id, w.name AS workflow_name, e.version_id,
        v.version, e.entity_id, r.name AS entity_name, e.trigger_kind, e.trigger_data,
        e.initiated_by_user_id AS initiated_by, e.retry_of_execution_id AS retry_of, e.status,
        e.current_node, e.attempt, e.error, e.next_run_at, e.claimed_by, e.cancel_requested,
        e.started_at, e.finished_at, e.created_at, e.updated_at
   FROM workflow_executions e
   JOIN workflows w ON w.id = e.workflow_id
   JOIN workflow_versions v ON v.id = e.version_id
   LEFT JOIN entity_read_model r ON r.entity_id = e.entity_id";

pub async fn list_executions(
    pool: &PgPool,
    filter: &ExecutionFilter,
) -> CoreResult<Vec<Execution>> {
    let limit = i64::from(filter.limit.unwrap_or(200).clamp(1, 2_000));
    let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{EXECUTION_SELECT}
          WHERE e.deleted_at IS NULL AND ($1::uuid IS NULL OR e.workflow_id = $1)
            AND (cardinality($2::text[]) = 0 OR e.status = ANY ($2))
            AND ($3::uuid IS NULL OR e.entity_id = $3)
          ORDER BY e.created_at DESC, e.id DESC LIMIT $4"
    )))
    .bind(filter.workflow_id)
    .bind(&statuses)
    .bind(filter.entity_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

async fn execution_in(conn: &mut PgConnection, id: Uuid) -> CoreResult<Execution> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{EXECUTION_SELECT} WHERE e.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CoreError::NotFound {
        what: "execution",
        id,
    })
}

pub async fn execution(pool: &PgPool, id: Uuid) -> CoreResult<ExecutionDetail> {
    let mut conn = pool.acquire().await?;
    let execution = execution_in(&mut conn, id).await?;
    let steps: Vec<ExecutionStep> = sqlx::query_as(
        "SELECT id, execution_id, node_id, node_type, position, attempt, status, outcome, input, output,
                error, runner, started_at, finished_at
           FROM workflow_execution_steps WHERE execution_id = $1 AND deleted_at IS NULL
          ORDER BY position, attempt",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let dsl: Value = sqlx::query_scalar("SELECT dsl FROM workflow_versions WHERE id = $1")
        .bind(execution.version_id)
        .fetch_one(&mut *conn)
        .await?;
    let approvals = super::approvals::for_execution(&mut conn, id).await?;
    Ok(ExecutionDetail {
        execution,
        steps,
        document: dsl::from_value(dsl)?,
        approvals,
    })
}

fn not_allowed(e: sqlx::Error) -> CoreError {
    match CoreError::from(e) {
        CoreError::Database(_) => CoreError::Forbidden(
            "you may not run this workflow (it takes workflows:run on its root)".into(),
        ),
        other => other,
    }
}

pub async fn run(
    pool: &PgPool,
    actor: &Actor,
    input: &RunWorkflow,
) -> CoreResult<Applied<Vec<Execution>>> {
    crate::transaction!(pool, |tx| run_in(tx, actor, input)).await
}

pub async fn run_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &RunWorkflow,
) -> CoreResult<Applied<Vec<Execution>>> {
    let row: Option<(Option<Uuid>, Option<Uuid>, Option<Value>)> = sqlx::query_as(
        "SELECT w.root_entity_id, w.published_version_id, v.dsl FROM workflows w
           LEFT JOIN workflow_versions v ON v.id = w.published_version_id
          WHERE w.id = $1 AND w.deleted_at IS NULL",
    )
    .bind(input.workflow_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (root, version, dsl) = row.ok_or(CoreError::NotFound {
        what: "workflow",
        id: input.workflow_id,
    })?;
    let (Some(version), Some(dsl)) = (version, dsl) else {
        return Err(CoreError::state("publish the workflow before running it"));
    };
    let doc = dsl::from_value(dsl)?;
    let mut entities: Vec<Option<Uuid>> = input.entity_ids.iter().copied().map(Some).collect();
    if let Some(key) = &input.view_key {
        let view = views::saved_document_in(conn, key).await?;
        let mut compiled = views::compile_for(conn, &view).await?;
        let cap = compiled.bind(Bind::Int(1_001));
        let sql = format!(
            "SELECT r.entity_id FROM entity_read_model r WHERE {} LIMIT {cap}",
            compiled.filter
        );
        let rows = views::query_with(&sql, &compiled.binds)
            .fetch_all(&mut *conn)
            .await?;
        if rows.len() > 1_000 {
            return Err(CoreError::invalid(
                Some("viewKey"),
                Rule::Range,
                "a run by view takes at most 1,000 rows; narrow the view",
            ));
        }
        for r in rows {
            entities.push(Some(sqlx::Row::try_get(&r, 0)?));
        }
    }
    if entities.is_empty() {
        if doc.nodes.iter().any(|n| n.kind.needs_entity()) {
            return Err(CoreError::invalid(
                Some("entityIds"),
                Rule::Required,
                "this workflow acts on an entity: choose one (or a view)",
            ));
        }
        entities.push(None);
    }
    let mut started = Vec::new();
    let mut applied = Applied {
        value: (),
        changes: Vec::new(),
    };
    for entity in entities {
        let entity_root = match entity {
            Some(id) => {
                let r: Option<Uuid> = sqlx::query_scalar(
                    "SELECT root_id FROM entity_read_model WHERE entity_id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
                let r = r.ok_or(CoreError::NotFound { what: "entity", id })?;
                if root.is_some_and(|w| w != r) {
                    return Err(CoreError::invalid(
                        Some("entityIds"),
                        Rule::Reference,
                        "the entity is not under the workflow's root",
                    ));
                }
                Some(r)
            }
            None => root,
        };
        let id = Uuid::now_v7();
        let start = doc.start().map(|n| n.id.clone());
        sqlx::query(
            "INSERT INTO workflow_executions (id, workflow_id, version_id, root_entity_id, entity_id, trigger_kind,
                    trigger_data, initiated_by_user_id, status, current_node, next_run_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'manual', $6, $7, 'queued', $8, clock_timestamp(),
                     clock_timestamp(), clock_timestamp())",
        )
        .bind(id)
        .bind(input.workflow_id)
        .bind(version)
        .bind(entity_root)
        .bind(entity)
        .bind(json!({ "entityId": entity, "by": actor.user_id }))
        .bind(actor.user_id)
        .bind(start)
        .execute(&mut *conn)
        .await
        .map_err(not_allowed)?;
        let a = super::audit(
            conn,
            actor,
            WorkflowAction::Run,
            id,
            entity_root,
            json!({ "workflowId": input.workflow_id, "entityId": entity }),
        )
        .await?;
        applied.changes.extend(a.changes);
        started.push(execution_in(conn, id).await?);
    }
    Ok(Applied {
        value: started,
        changes: applied.changes,
    })
}

/// Asks a running execution to stop (at its next step; at once when it
/// waits or is queued).
pub async fn cancel(pool: &PgPool, actor: &Actor, id: Uuid) -> CoreResult<Applied<Execution>> {
    crate::transaction!(pool, |tx| cancel_in(tx, actor, id)).await
}

pub async fn cancel_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<Applied<Execution>> {
    let before = execution_in(conn, id).await?;
    if before.status.is_final() {
        return Err(CoreError::state(format!(
            "this execution has {} already",
            before.status.as_str()
        )));
    }
    let root: Option<Uuid> =
        sqlx::query_scalar("SELECT root_entity_id FROM workflow_executions WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let changed = sqlx::query(
        "UPDATE workflow_executions SET cancel_requested = true,
                next_run_at = CASE WHEN status IN ('queued', 'waiting') THEN clock_timestamp() ELSE next_run_at END,
                updated_at = clock_timestamp()
          WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(not_allowed)?;
    if changed.rows_affected() == 0 {
        return Err(CoreError::Forbidden(
            "you may not cancel this execution (it takes workflows:run on its root)".into(),
        ));
    }
    let applied = super::audit(conn, actor, WorkflowAction::Cancel, id, root, json!({})).await?;
    let after = execution_in(conn, id).await?;
    Ok(applied.map(|()| after))
}

/// Retries a failed (or cancelled) execution on the version it ran.
pub async fn retry(
    pool: &PgPool,
    actor: &Actor,
    input: &RetryExecution,
) -> CoreResult<Applied<Execution>> {
    crate::transaction!(pool, |tx| retry_in(tx, actor, input)).await
}

pub async fn retry_in(
    conn: &mut PgConnection,
    actor: &Actor,
    input: &RetryExecution,
) -> CoreResult<Applied<Execution>> {
    sqlx::query("SELECT 1 FROM workflow_executions WHERE id = $1 FOR UPDATE")
        .bind(input.id)
        .execute(&mut *conn)
        .await?;
    let before = execution_in(conn, input.id).await?;
    let root: Option<Uuid> =
        sqlx::query_scalar("SELECT root_entity_id FROM workflow_executions WHERE id = $1")
            .bind(input.id)
            .fetch_one(&mut *conn)
            .await?;
    let id = match input.from {
        RetryFrom::FailedStep => {
            if !matches!(
                before.status,
                ExecutionStatus::Failed | ExecutionStatus::Cancelled
            ) {
                return Err(CoreError::state(format!(
                    "only a failed or cancelled execution is retried from its step; this one is {}",
                    before.status.as_str()
                )));
            }
            if before.current_node.is_none() {
                return Err(CoreError::state("this execution has no step left to retry"));
            }
            let changed = sqlx::query(
                "UPDATE workflow_executions e
                    SET status = 'queued', error = NULL, finished_at = NULL, cancel_requested = false,
                        next_run_at = clock_timestamp(), claimed_by = NULL, lease_until = NULL,
                        attempt = coalesce((SELECT max(s.attempt) FROM workflow_execution_steps s
                                             WHERE s.execution_id = e.id AND s.position = e.position), 0) + 1,
                        updated_at = clock_timestamp()
                  WHERE id = $1",
            )
            .bind(input.id)
            .execute(&mut *conn)
            .await
            .map_err(not_allowed)?;
            if changed.rows_affected() == 0 {
                return Err(CoreError::Forbidden(
                    "you may not retry this execution (it takes workflows:run on its root)".into(),
                ));
            }
            input.id
        }
        RetryFrom::Trigger => {
            let trigger_data: Value =
                sqlx::query_scalar("SELECT trigger_data FROM workflow_executions WHERE id = $1")
                    .bind(input.id)
                    .fetch_one(&mut *conn)
                    .await?;
            let new = Uuid::now_v7();
            let dsl: Value = sqlx::query_scalar("SELECT dsl FROM workflow_versions WHERE id = $1")
                .bind(before.version_id)
                .fetch_one(&mut *conn)
                .await?;
            let start = dsl::from_value(dsl)?.start().map(|n| n.id.clone());
            sqlx::query(
                "INSERT INTO workflow_executions (id, workflow_id, version_id, root_entity_id, entity_id, trigger_kind,
                        trigger_data, initiated_by_user_id, retry_of_execution_id, status, current_node, next_run_at,
                        created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, clock_timestamp(),
                         clock_timestamp(), clock_timestamp())",
            )
            .bind(new)
            .bind(before.workflow_id)
            .bind(before.version_id)
            .bind(root)
            .bind(before.entity_id)
            .bind(&before.trigger_kind)
            .bind(trigger_data)
            .bind(actor.user_id)
            .bind(input.id)
            .bind(start)
            .execute(&mut *conn)
            .await
            .map_err(not_allowed)?;
            new
        }
    };
    let applied = super::audit(
        conn,
        actor,
        WorkflowAction::Retry,
        id,
        root,
        json!({ "from": input.from, "of": input.id }),
    )
    .await?;
    let after = execution_in(conn, id).await?;
    Ok(applied.map(|()| after))
}
