//! The load benchmark: many people at once against one server, each client
//! through a pooler in transaction mode (`pooler=transaction`) as a person
//! of its own, so row-level security decides what each sees and the pooler,
//! not the client, shares the server's connections.
//!
//! Preparation (once; later runs reuse it): the demo registry, two text
//! properties the clients edit (`load_note`, `load_label`), a shared saved
//! view and a one-node manual workflow per tenant, and the people: login
//! roles without a password, each writing one tenant and reading the next.
//! Clients share the people round-robin: a pooler keeps a pool per database
//! and role, so the server's connections are people × the pooler's pool
//! size, and the count of people is bounded by the server's connections,
//! not by the time it takes to make them.
//!
//! Each client thinks for a random 0–`think_max` between actions, then
//! browses a node's children, searches names, opens a saved view (its
//! first page and its count), reads an entity's property pane, edits a
//! property with the version it read, renames the entity it has open, or
//! starts a workflow run on a device (left queued for the app's runner;
//! the benchmark runs no engine). A conflict (someone changed the value or
//! the entity first) is the typed answer of a write made against an old
//! version: it is counted apart from errors. The demo's devices keep what
//! the clients wrote (values and names carry the run's mark), so run it on
//! a database made for measuring.
//!
//! The floor of each operation is the same operation by one client alone
//! on the idle server, through the same pooler, before the load.
//!
//! Afterwards every write a client saw succeed is looked up in the audit
//! trail by its request id, each write is checked to have been made against
//! the version the previous one produced (no update lost in between), and
//! each value, name and entity version stored at the end must be the last
//! write's.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::PgPool;
use studio_core::change::{Actor, Source};
use studio_core::db::{self, replica::ReadCounts, replica::ReplicaOptions, replica::Replicated};
use studio_core::error::{CoreError, CoreResult, Rule};
use studio_core::people::{self, Capability, GrantScope, Login, NewPerson};
use studio_core::properties::{self, PropertyDefinitionInput, PropertyPane, SetValues, ValueEdit};
use studio_core::records::{PropertyValue, TreeNode, VersionedId};
use studio_core::registry::{self, RenameEntity};
use studio_core::views::{self, NewView};
use studio_core::workflows::engine::{self, RunWorkflow};
use studio_core::workflows::{self, dsl, NewWorkflow, SaveDraft};
use uuid::Uuid;

use crate::tree::{registry_facts, result};

/// The two properties the clients edit: two people editing different ones
/// of one entity do not conflict; two editing the same one do.
const EDITED: [(&str, &str); 2] = [("load_note", "Load note"), ("load_label", "Load label")];
/// The device types of the demo (the leaves the clients open and edit).
const DEVICE_TYPES: [&str; 4] = [
    "energy_meter",
    "hvac_unit",
    "temperature_sensor",
    "lighting_controller",
];
/// Words people search for in the demo's names.
const SEARCHES: [&str; 10] = [
    "meter",
    "unit",
    "sensor",
    "room",
    "office",
    "Building",
    "Level",
    "Kitchen",
    "controller",
    "Campus",
];
/// Between a device's own name and the part a rename adds.
const RENAME_MARK: &str = " · ";
/// Target p95 of reads, ms.
pub const READ_TARGET_MS: f64 = 200.0;
/// Target p95 of writes, ms.
pub const WRITE_TARGET_MS: f64 = 500.0;
/// Timed runs of each operation by the lone client (the floor).
const FLOOR_RUNS: usize = 20;
/// Nodes with children a client remembers for browsing.
const KNOWN_NODES: usize = 200;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Clients at once.
    pub clients: u32,
    /// How long the load lasts.
    pub duration: Duration,
    /// Distinct people (login roles); clients share them round-robin.
    pub people: u32,
    /// The people's roles are `<prefix>_000`, `<prefix>_001`, …
    pub role_prefix: String,
    /// Server connections the pooler keeps per person (its pool size), when
    /// the benchmark started it: checked against the server's limit.
    pub pool_size: Option<u32>,
    /// The longest think time between two actions of a client.
    pub think_max: Duration,
    /// The same seed gives each client the same choices.
    pub seed: u64,
    /// A read replica the clients browse, search, open views and panes
    /// on (writes and the checks stay on the primary).
    pub replica: Option<ReplicaTarget>,
}

/// Where the clients read when there is a replica.
#[derive(Debug, Clone)]
pub struct ReplicaTarget {
    /// The replica (or a transaction pooler in front of it); its user is
    /// replaced by each person's role, like the pooler's.
    pub url: String,
    /// How long a read after the client's own write waits for the replica
    /// before it reads from the primary.
    pub max_wait: Duration,
}

/// The kinds of action a client takes, with how often (out of 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Op {
    Browse,
    Search,
    View,
    Pane,
    Edit,
    Rename,
    RunWorkflow,
}

impl Op {
    const ALL: [(Op, u64); 7] = [
        (Op::Browse, 25),
        (Op::Search, 12),
        (Op::View, 10),
        (Op::Pane, 23),
        (Op::Edit, 18),
        (Op::Rename, 6),
        (Op::RunWorkflow, 6),
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Browse => "browse_children",
            Op::Search => "search",
            Op::View => "view_page_count",
            Op::Pane => "property_pane",
            Op::Edit => "edit_value",
            Op::Rename => "rename",
            Op::RunWorkflow => "start_workflow_run",
        }
    }

    fn writes(self) -> bool {
        matches!(self, Op::Edit | Op::Rename | Op::RunWorkflow)
    }

    fn pick(rng: &mut Rng) -> Op {
        let mut n = rng.below(100);
        for (op, weight) in Op::ALL {
            if n < weight {
                return op;
            }
            n -= weight;
        }
        Op::Browse
    }
}

/// One operation's figures.
#[derive(Debug, Clone, Serialize)]
pub struct LoadOp {
    pub op: String,
    /// `read` or `write`.
    pub kind: &'static str,
    /// Over completed operations, conflicts included, errors not.
    pub p50_ms: f64,
    pub p95_ms: f64,
    /// The same operation by one client alone on the idle server.
    pub floor_p50_ms: f64,
    pub floor_p95_ms: f64,
    pub count: u64,
    pub errors: u64,
    pub conflicts: u64,
    pub target_p95_ms: f64,
}

/// The run as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct LoadTotals {
    pub clients: u32,
    pub people: u32,
    /// The pooler's server connections per person (when known).
    pub pool_size: Option<u32>,
    pub duration_s: f64,
    /// Time to connect every client (before the load).
    pub connect_s: f64,
    pub operations: u64,
    pub ops_per_s: f64,
    pub read_p50_ms: f64,
    pub read_p95_ms: f64,
    pub write_p50_ms: f64,
    pub write_p95_ms: f64,
    /// Failures other than typed conflicts.
    pub errors: u64,
    pub conflicts: u64,
    /// Value edits and renames seen to succeed, each checked.
    pub writes_checked: u64,
    /// Writes with no audit row of their request, or not exactly one.
    pub missing_in_audit: u64,
    /// Audit rows that say another entity or value than the client wrote.
    pub audit_disagrees: u64,
    /// Writes made against a version other than the one the write before
    /// them produced (an update lost in between).
    pub stale_writes: u64,
    /// Values, names or entity versions stored at the end that are not the
    /// last write's.
    pub final_mismatches: u64,
    /// The sum of the four above.
    pub lost_updates: u64,
    /// Clients whose person saw other roots than their scopes give.
    pub wrong_roots: u64,
    /// Workflow executions started and left queued for a runner.
    pub workflow_runs: u64,
    /// Most client backends of the people seen on the server at once.
    pub max_server_connections: i64,
    /// Most connections one client's pool held.
    pub max_client_pool: u32,
    /// Whether reads went to a replica; then where they went.
    pub replica: bool,
    pub reads_on_replica: u64,
    /// Reads sent to the primary: the replica had not replayed the
    /// client's own write within the wait.
    pub reads_on_primary_behind: u64,
    /// Reads sent to the primary: the replica did not answer.
    pub reads_on_primary_down: u64,
    /// Reads that waited for the replica to replay the client's write.
    pub reads_waited: u64,
    pub read_target_met: bool,
    pub write_target_met: bool,
    /// The first few errors, as the clients saw them.
    pub error_samples: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct LoadReport {
    pub postgres_version: String,
    pub entities: i64,
    pub ops: Vec<LoadOp>,
    pub totals: LoadTotals,
}

fn failed(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::Unavailable(format!("{what}: {e}"))
}

// ------------------------------------------------------------ preparation

#[derive(Debug, Clone)]
struct Device {
    id: Uuid,
    /// Its name without what renames added.
    base: String,
}

#[derive(Debug, Clone)]
struct Tenant {
    id: Uuid,
    view_key: String,
    workflow: Uuid,
    devices: Vec<Device>,
}

#[derive(Debug, Clone)]
struct Person {
    role: String,
    writes: usize,
    reads: usize,
}

#[derive(Debug)]
struct Prepared {
    tenants: Vec<Tenant>,
    people: Vec<Person>,
    /// The edited properties: id and key.
    edited: Vec<(Uuid, String)>,
    /// Roots every person sees without a scope (the tag library).
    open_roots: Vec<Uuid>,
    /// This run's mark in the values and names it writes, so no write
    /// repeats one of an earlier run (an equal value is no change).
    run: String,
}

/// Loads the demo when the registry lacks it.
async fn ensure_demo(pool: &PgPool, actor: &Actor) -> CoreResult<()> {
    if people::root_by_label(pool, "northwind_energy")
        .await?
        .is_none()
    {
        let _ = studio_core::demo::seed_demo(pool, actor).await?;
    }
    Ok(())
}

async fn ensure_properties(pool: &PgPool, actor: &Actor) -> CoreResult<Vec<(Uuid, String)>> {
    let existing = properties::list_property_definitions(pool, false).await?;
    let mut out = Vec::new();
    for (key, name) in EDITED {
        let id = match existing.iter().find(|d| d.key == key) {
            Some(d) => d.id,
            None => {
                properties::create_property_definition(
                    pool,
                    actor,
                    &PropertyDefinitionInput {
                        group_id: None,
                        key: key.into(),
                        name: name.into(),
                        description: Some("Edited by eco-studio bench load".into()),
                        value_type: "text".parse()?,
                        is_required: false,
                        is_sensitive: false,
                        is_searchable: true,
                        rules: properties::Rules::from_json(&json!({"maxLength": 200}))?,
                    },
                )
                .await?
                .value
                .id
            }
        };
        out.push((id, key.to_string()));
    }
    Ok(out)
}

/// The tenant's shared view of its devices, by name.
async fn ensure_view(pool: &PgPool, actor: &Actor, tenant: &TreeNode) -> CoreResult<String> {
    let key = format!("load_devices_{}", tenant.path_label);
    if views::list_saved(pool)
        .await?
        .iter()
        .any(|v| v.key.as_deref() == Some(key.as_str()))
    {
        return Ok(key);
    }
    let document = views::parse_document(
        &json!({
            "version": 2,
            "filter": {"all": [{"under": tenant.id}, {"type": DEVICE_TYPES}]},
            "sort": [{"field": "name"}],
            "pageSize": 50,
            "columns": [{"field": "name"}, {"field": "pathLabel"},
                        {"field": "property:load_note"}, {"field": "property:load_label"}]
        })
        .to_string(),
    )?;
    let _ = views::create_view(
        pool,
        actor,
        &NewView {
            name: format!("Devices of {} (load test)", tenant.name),
            key: Some(key.clone()),
            description: Some("Made by eco-studio bench load".into()),
            shared: true,
            root_id: Some(tenant.id),
            document,
        },
    )
    .await?;
    Ok(key)
}

/// The tenant's published one-node workflow (a condition on the device's
/// type: no effect), run by hand.
async fn ensure_workflow(pool: &PgPool, actor: &Actor, tenant: &TreeNode) -> CoreResult<Uuid> {
    let key = format!("load_check_{}", tenant.path_label);
    if let Ok(id) = workflows::find(pool, &key).await {
        if workflows::get(pool, id)
            .await?
            .summary
            .published_version
            .is_some()
        {
            return Ok(id);
        }
    }
    let name = format!("Load test check of {}", tenant.name);
    let created = workflows::create(
        pool,
        actor,
        &NewWorkflow {
            name: name.clone(),
            root_id: Some(tenant.id),
            key: Some(key),
            description: Some("Made by eco-studio bench load".into()),
        },
    )
    .await?
    .value;
    let document = json!({
        "version": 1, "trigger": {"kind": "manual"},
        "nodes": [{"id": "check", "type": "condition", "config": {"filter": {"type": DEVICE_TYPES}}}],
        "edges": []
    });
    let saved = workflows::save_draft(
        pool,
        actor,
        &SaveDraft {
            id: created.summary.id,
            expected_updated_at: created.summary.updated_at,
            name,
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
    Ok(published.summary.id)
}

/// Every live device under `root`, walking the tree as the owner.
async fn devices_under(pool: &PgPool, root: Uuid) -> CoreResult<Vec<Device>> {
    let mut out = Vec::new();
    let mut open = vec![root];
    while let Some(id) = open.pop() {
        for child in registry::list_children(pool, id).await? {
            if child.has_children {
                open.push(child.id);
            } else if DEVICE_TYPES.contains(&child.type_key.as_str()) {
                let base = child
                    .name
                    .split(RENAME_MARK)
                    .next()
                    .unwrap_or(&child.name)
                    .to_string();
                out.push(Device { id: child.id, base });
            }
        }
    }
    out.sort_by_key(|d| d.id);
    Ok(out)
}

/// The person's live scope on `root` is exactly `caps`, granted if not.
async fn ensure_scope(
    pool: &PgPool,
    actor: &Actor,
    user: Uuid,
    root: Uuid,
    caps: &[Capability],
) -> CoreResult<()> {
    let held = people::list_scopes(pool, Some(user)).await?;
    let mut want = caps.to_vec();
    want.sort();
    if let Some(scope) = held.iter().find(|s| s.root_id == root) {
        let mut has = scope.capabilities.clone();
        has.sort();
        if has == want {
            return Ok(());
        }
    }
    let _ = people::grant_scope(
        pool,
        actor,
        &GrantScope {
            user_id: user,
            root_id: root,
            capabilities: want,
        },
    )
    .await?;
    Ok(())
}

async fn ensure_person(
    pool: &PgPool,
    actor: &Actor,
    role: &str,
    tenants: &[Tenant],
    person: &Person,
) -> CoreResult<()> {
    let id = match people::person_by_role(pool, role).await? {
        Some(p) => p.id,
        None => {
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                    .bind(role)
                    .fetch_one(pool)
                    .await?;
            people::add_person(
                pool,
                actor,
                &NewPerson {
                    role: role.into(),
                    display_name: format!("Load test person {role}"),
                    email: None,
                    login: if exists {
                        Login::ExistingRole
                    } else {
                        Login::NewRoleWithoutPassword
                    },
                    is_admin: false,
                },
            )
            .await?
            .value
            .person
            .id
        }
    };
    ensure_scope(
        pool,
        actor,
        id,
        tenants[person.writes].id,
        &[
            Capability::Read,
            Capability::Write,
            Capability::WorkflowsRun,
        ],
    )
    .await?;
    if person.reads != person.writes {
        ensure_scope(
            pool,
            actor,
            id,
            tenants[person.reads].id,
            &[Capability::Read],
        )
        .await?;
    }
    Ok(())
}

async fn prepare(
    pool: &PgPool,
    actor: &Actor,
    options: &LoadOptions,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<Prepared> {
    step("the demo registry, the edited properties, views and workflows");
    ensure_demo(pool, actor).await?;
    let edited = ensure_properties(pool, actor).await?;
    let all_roots = registry::list_roots(pool).await?;
    let open_roots = all_roots
        .iter()
        .filter(|r| r.type_key == "tag_library")
        .map(|r| r.id)
        .collect();
    let mut roots: Vec<TreeNode> = all_roots
        .into_iter()
        .filter(|r| r.type_key == "tenant")
        .collect();
    roots.sort_by(|a, b| a.path_label.cmp(&b.path_label));
    if roots.is_empty() {
        return Err(CoreError::invalid(
            None,
            Rule::State,
            "no tenant in this registry: load the demo (`eco-studio seed demo`)",
        ));
    }
    let mut tenants = Vec::new();
    for root in &roots {
        let devices = devices_under(pool, root.id).await?;
        if devices.is_empty() {
            continue;
        }
        tenants.push(Tenant {
            id: root.id,
            view_key: ensure_view(pool, actor, root).await?,
            workflow: ensure_workflow(pool, actor, root).await?,
            devices,
        });
    }
    if tenants.is_empty() {
        return Err(CoreError::invalid(
            None,
            Rule::State,
            "no tenant holds devices: load the demo (`eco-studio seed demo`)",
        ));
    }
    step(&format!(
        "{} people with scopes over {} tenants",
        options.people,
        tenants.len()
    ));
    let mut people_plan = Vec::new();
    for i in 0..options.people as usize {
        let person = Person {
            role: format!("{}_{i:03}", options.role_prefix),
            writes: i % tenants.len(),
            reads: (i + 1) % tenants.len(),
        };
        ensure_person(pool, actor, &person.role, &tenants, &person).await?;
        people_plan.push(person);
    }
    Ok(Prepared {
        tenants,
        people: people_plan,
        edited,
        open_roots,
        run: Uuid::now_v7().simple().to_string()[24..].to_string(),
    })
}

/// Refuses a run whose pooler could open more server connections than the
/// server has left.
async fn check_connection_budget(pool: &PgPool, options: &LoadOptions) -> CoreResult<()> {
    let Some(size) = options.pool_size else {
        return Ok(());
    };
    let max: String = sqlx::query_scalar("SELECT current_setting('max_connections')")
        .fetch_one(pool)
        .await?;
    let max: i64 = max.parse().unwrap_or(100);
    let used: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'",
    )
    .fetch_one(pool)
    .await?;
    // The pooler's own look-up connection, a few for the owner, the
    // superuser reserve.
    let room = max - used - 8;
    let wanted = i64::from(options.people) * i64::from(size);
    if wanted > room {
        return Err(CoreError::invalid(
            Some("people"),
            Rule::Range,
            format!(
                "{} people × a pool of {size} server connections each = {wanted}, but the server \
                 has room for {room} more (max_connections {max}, {used} in use): the pooler keeps \
                 a pool per role; use fewer people or a smaller pool",
                options.people
            ),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------ the clients

/// splitmix64.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A write a client saw succeed.
#[derive(Debug, Clone)]
struct Write {
    entity: Uuid,
    request: Uuid,
    /// The entity's version after the write.
    entity_version: DateTime<Utc>,
    kind: WriteKind,
}

#[derive(Debug, Clone)]
enum WriteKind {
    Value {
        definition: Uuid,
        key: String,
        value: String,
        /// The value's version the client sent (None: it saw no value).
        expected: Option<DateTime<Utc>>,
        /// The value's version after the write.
        version: DateTime<Utc>,
    },
    Rename {
        name: String,
        /// The entity's version the client sent.
        expected: DateTime<Utc>,
    },
}

#[derive(Debug, Default)]
struct Tally {
    samples: BTreeMap<Op, Vec<Duration>>,
    errors: BTreeMap<Op, u64>,
    conflicts: BTreeMap<Op, u64>,
    error_samples: Vec<String>,
    writes: Vec<Write>,
    workflow_runs: u64,
    max_pool: u32,
    routed: ReadCounts,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (op, mut s) in other.samples {
            self.samples.entry(op).or_default().append(&mut s);
        }
        for (op, n) in other.errors {
            *self.errors.entry(op).or_default() += n;
        }
        for (op, n) in other.conflicts {
            *self.conflicts.entry(op).or_default() += n;
        }
        for e in other.error_samples {
            if self.error_samples.len() < 10 {
                self.error_samples.push(e);
            }
        }
        self.writes.extend(other.writes);
        self.workflow_runs += other.workflow_runs;
        self.max_pool = self.max_pool.max(other.max_pool);
        self.routed.replica += other.routed.replica;
        self.routed.primary_behind += other.routed.primary_behind;
        self.routed.primary_down += other.routed.primary_down;
        self.routed.waited += other.routed.waited;
    }
}

/// What an action came to.
enum Outcome {
    Done,
    Conflict,
}

struct Client {
    n: u32,
    pool: PgPool,
    /// The replica and its read-your-writes router, when reads go there.
    reads: Option<Replicated>,
    actor: Actor,
    rng: Rng,
    shared: Arc<Prepared>,
    person: Person,
    /// Nodes with children this client has seen (where browsing goes).
    known: Vec<Uuid>,
    /// The device whose pane the client has open (of its writable tenant).
    open: Option<PropertyPane>,
    seq: u32,
    tally: Tally,
}

impl Client {
    async fn connect(
        n: u32,
        pooler_url: &str,
        replica: Option<&ReplicaTarget>,
        shared: Arc<Prepared>,
        seed: u64,
    ) -> CoreResult<(Client, bool)> {
        let person = shared.people[n as usize % shared.people.len()].clone();
        let pool = db::connect(&db::with_user(pooler_url, &person.role)?).await?;
        let reads = match replica {
            Some(target) => {
                let replica = db::connect(&db::with_user(&target.url, &person.role)?).await?;
                let options = ReplicaOptions {
                    max_wait: target.max_wait,
                    ..ReplicaOptions::default()
                };
                Some(Replicated::new(pool.clone(), replica, options))
            }
            None => None,
        };
        let actor = Actor::for_session(&pool, Source::Bench).await?;
        let roots: Vec<Uuid> = registry::list_roots(&pool)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        // Row-level security through the pooler: the person sees exactly
        // the roots of their scopes, and the tag library everyone reads.
        let mut expected = shared.open_roots.clone();
        expected.push(shared.tenants[person.writes].id);
        expected.push(shared.tenants[person.reads].id);
        expected.sort();
        expected.dedup();
        let mut seen = roots.clone();
        seen.sort();
        let mut tally = Tally::default();
        let right_roots = seen == expected;
        if !right_roots {
            tally.error_samples.push(format!(
                "client {n} ({}) sees {} roots; its scopes give {}",
                person.role,
                seen.len(),
                expected.len()
            ));
        }
        Ok((
            Client {
                n,
                pool,
                reads,
                actor,
                rng: Rng(seed ^ (u64::from(n) + 1).wrapping_mul(0x2545_f491_4f6c_dd1d)),
                shared,
                person,
                known: roots,
                open: None,
                seq: 0,
                tally,
            },
            right_roots,
        ))
    }

    /// Where the next read goes: the replica unless this client's own
    /// write is not there yet (then it waits a little, or the primary).
    async fn read_pool(&self) -> PgPool {
        match &self.reads {
            Some(router) => router.read_pool().await,
            None => self.pool.clone(),
        }
    }

    /// Says this client changed something: its next reads must see it.
    fn wrote(&self) {
        if let Some(router) = &self.reads {
            router.note_write();
        }
    }

    /// Ends the client's connections, keeping where its reads went.
    async fn close(&mut self) {
        if let Some(router) = &self.reads {
            self.tally.routed = router.counts();
            router.replica().close().await;
        }
        self.pool.close().await;
    }

    /// The tenant the person may write (or the one they only read), from
    /// a handle of its own so the client stays free to change.
    fn tenant(&self, writable: bool) -> Tenant {
        let i = if writable {
            self.person.writes
        } else {
            self.person.reads
        };
        self.shared.tenants[i].clone()
    }

    /// Runs `op` (or what must come first: an edit or a rename needs an
    /// open pane), timing it and counting its outcome.
    async fn act(&mut self, op: Op) -> Op {
        let op = match op {
            Op::Edit | Op::Rename if self.open.is_none() => Op::Pane,
            other => other,
        };
        let start = Instant::now();
        let outcome = self.run(op).await;
        let took = start.elapsed();
        match outcome {
            Ok(Outcome::Done) => self.tally.samples.entry(op).or_default().push(took),
            Ok(Outcome::Conflict) => {
                self.tally.samples.entry(op).or_default().push(took);
                *self.tally.conflicts.entry(op).or_default() += 1;
                self.open = None;
            }
            Err(e) => {
                *self.tally.errors.entry(op).or_default() += 1;
                if self.tally.error_samples.len() < 10 {
                    self.tally
                        .error_samples
                        .push(format!("client {} {}: {e}", self.n, op.name()));
                }
                self.open = None;
            }
        }
        self.tally.max_pool = self.tally.max_pool.max(self.pool.size());
        if op.writes() {
            // Also after a failed or conflicting write: it may have
            // committed before the answer was lost.
            self.wrote();
        }
        op
    }

    async fn run(&mut self, op: Op) -> CoreResult<Outcome> {
        match op {
            Op::Browse => {
                let node = *self.rng.pick(&self.known);
                let pool = self.read_pool().await;
                let page = registry::children_page(&pool, node, None, 100).await?;
                for child in page.nodes.iter().filter(|c| c.has_children) {
                    if self.known.len() < KNOWN_NODES && !self.known.contains(&child.id) {
                        self.known.push(child.id);
                    }
                }
            }
            Op::Search => {
                let word = *self.rng.pick(&SEARCHES);
                registry::search(&self.read_pool().await, word, 50).await?;
            }
            Op::View => {
                let writable = self.rng.below(2) == 0;
                let key = self.tenant(writable).view_key.clone();
                let pool = self.read_pool().await;
                let doc = views::saved_document(&pool, &key).await?;
                views::page(&pool, &doc, None).await?;
                views::count(&pool, &doc).await?;
            }
            Op::Pane => {
                // Mostly a device the person may edit, sometimes one they
                // may only read.
                let writable = self.rng.below(5) != 0;
                let device = self.rng.pick(&self.tenant(writable).devices).id;
                let pane = properties::property_pane(&self.read_pool().await, device).await?;
                if writable {
                    self.open = Some(pane);
                }
            }
            Op::Edit => return self.edit().await,
            Op::Rename => return self.rename().await,
            Op::RunWorkflow => {
                let tenant = self.tenant(true);
                let input = RunWorkflow {
                    workflow_id: tenant.workflow,
                    entity_ids: vec![self.rng.pick(&tenant.devices).id],
                    view_key: None,
                };
                let started = engine::run(&self.pool, &self.actor.next_request(), &input).await?;
                self.tally.workflow_runs += started.value.len() as u64;
            }
        }
        Ok(Outcome::Done)
    }

    async fn edit(&mut self) -> CoreResult<Outcome> {
        let Some(pane) = self.open.as_ref() else {
            return Ok(Outcome::Done);
        };
        let (definition, key) = self.rng.pick(&self.shared.edited).clone();
        let expected = field_version(pane, definition);
        let entity = pane.entity_id;
        self.seq += 1;
        let value = format!("{}-c{:03}-{:06}", self.shared.run, self.n, self.seq);
        let actor = self.actor.next_request();
        let input = SetValues {
            entity_id: entity,
            edits: vec![ValueEdit {
                definition_id: definition,
                expected_updated_at: expected,
                value: Some(PropertyValue::Text(value.clone())),
            }],
        };
        match properties::set_values(&self.pool, &actor, &input).await {
            Ok(applied) => {
                // Every value written is new, so an edit that changed
                // nothing went wrong.
                if applied.changes.is_empty() {
                    return Err(CoreError::state("an edit to a new value changed nothing"));
                }
                let pane = applied.value;
                let version = field_version(&pane, definition).ok_or_else(|| {
                    CoreError::state("the pane after an edit lacks the edited value")
                })?;
                self.tally.writes.push(Write {
                    entity,
                    request: actor.request_id,
                    entity_version: pane.updated_at,
                    kind: WriteKind::Value {
                        definition,
                        key,
                        value,
                        expected,
                        version,
                    },
                });
                self.open = Some(pane);
                Ok(Outcome::Done)
            }
            Err(CoreError::Conflict { .. }) => Ok(Outcome::Conflict),
            Err(e) => Err(e),
        }
    }

    async fn rename(&mut self) -> CoreResult<Outcome> {
        let Some(pane) = self.open.as_ref() else {
            return Ok(Outcome::Done);
        };
        let entity = pane.entity_id;
        let expected = pane.updated_at;
        let base = self
            .shared
            .tenants
            .iter()
            .flat_map(|t| t.devices.iter())
            .find(|d| d.id == entity)
            .map_or_else(|| "Device".to_string(), |d| d.base.clone());
        self.seq += 1;
        let name = format!(
            "{base}{RENAME_MARK}{}-c{:03}-{:06}",
            self.shared.run, self.n, self.seq
        );
        let actor = self.actor.next_request();
        let input = RenameEntity {
            id: entity,
            expected_updated_at: expected,
            name: name.clone(),
        };
        match registry::rename(&self.pool, &actor, &input).await {
            Ok(applied) => {
                let node = applied.value;
                self.tally.writes.push(Write {
                    entity,
                    request: actor.request_id,
                    entity_version: node.updated_at,
                    kind: WriteKind::Rename { name, expected },
                });
                if let Some(open) = self.open.as_mut() {
                    open.updated_at = node.updated_at;
                }
                Ok(Outcome::Done)
            }
            Err(CoreError::Conflict { .. }) => Ok(Outcome::Conflict),
            Err(e) => Err(e),
        }
    }
}

fn field_version(pane: &PropertyPane, definition: Uuid) -> Option<DateTime<Utc>> {
    pane.sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .find(|f| f.definition.id == definition)
        .and_then(|f| f.value_updated_at)
}

/// Waits until the replica at `url` (as the URL's own user) has replayed
/// everything the primary has written so far: the people's roles must be
/// there before they sign in to it.
async fn replica_caught_up(owner: &PgPool, url: &str) -> CoreResult<()> {
    let replica = db::connect(url).await?;
    let target = db::replica::current_position(owner).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let outcome = loop {
        match db::replica::replayed(&replica, &target).await {
            Ok(true) => break Ok(()),
            Ok(false) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(false) => {
                break Err(CoreError::Unavailable(format!(
                    "the replica did not replay the primary's position {target} within a minute"
                )))
            }
            Err(e) => break Err(e),
        }
    };
    replica.close().await;
    outcome
}

/// Connects `count` clients, at most 16 at a time.
async fn connect_all(
    count: u32,
    pooler_url: &str,
    replica: Option<&ReplicaTarget>,
    shared: &Arc<Prepared>,
    seed: u64,
) -> CoreResult<(Vec<Client>, u64)> {
    let gate = Arc::new(tokio::sync::Semaphore::new(16));
    let mut tasks = Vec::new();
    for n in 0..count {
        let gate = Arc::clone(&gate);
        let url = pooler_url.to_string();
        let replica = replica.cloned();
        let shared = Arc::clone(shared);
        tasks.push(tokio::spawn(async move {
            let _turn = gate.acquire().await;
            Client::connect(n, &url, replica.as_ref(), shared, seed).await
        }));
    }
    let mut clients = Vec::new();
    let mut wrong = 0;
    for t in tasks {
        let (client, right) = t.await.map_err(|e| failed("a client's task", e))??;
        wrong += u64::from(!right);
        clients.push(client);
    }
    Ok((clients, wrong))
}

/// Each operation `FLOOR_RUNS` times by one client, nothing else running.
/// An error here ends the benchmark: the idle server must answer.
async fn floors(client: &mut Client) -> CoreResult<BTreeMap<Op, Vec<Duration>>> {
    let mut out = BTreeMap::new();
    for (op, _) in Op::ALL {
        let before = client.tally.samples.get(&op).map_or(0, Vec::len);
        let mut runs = 0;
        while runs < FLOOR_RUNS + 3 {
            if matches!(op, Op::Edit | Op::Rename) && client.open.is_none() {
                client.act(Op::Pane).await;
                continue;
            }
            client.act(op).await;
            if let Some(e) = client.tally.error_samples.first() {
                return Err(failed("an operation failed on the idle server", e));
            }
            runs += 1;
        }
        // The first three warm up.
        let samples = client.tally.samples.get(&op).cloned().unwrap_or_default();
        out.insert(op, samples.into_iter().skip(before + 3).collect());
    }
    // The lone client's samples are floors, not load.
    client.tally.samples.clear();
    Ok(out)
}

// ------------------------------------------------------------ the check

#[derive(Debug, Default)]
struct Verdict {
    checked: u64,
    missing: u64,
    disagrees: u64,
    stale: u64,
    final_mismatches: u64,
}

/// What was stored before the load: each device's version and the
/// versions of its edited values.
#[derive(Debug, Default)]
struct Before {
    entities: HashMap<Uuid, DateTime<Utc>>,
    values: HashMap<(Uuid, Uuid), DateTime<Utc>>,
}

async fn snapshot(pool: &PgPool, shared: &Prepared) -> CoreResult<Before> {
    let ids: Vec<Uuid> = shared
        .tenants
        .iter()
        .flat_map(|t| t.devices.iter().map(|d| d.id))
        .collect();
    let defs: Vec<Uuid> = shared.edited.iter().map(|(id, _)| *id).collect();
    let entities: Vec<(Uuid, DateTime<Utc>)> =
        sqlx::query_as("SELECT id, updated_at FROM entities WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(pool)
            .await?;
    let values: Vec<(Uuid, Uuid, DateTime<Utc>)> = sqlx::query_as(
        "SELECT entity_id, property_definition_id, updated_at FROM entity_property_values
          WHERE entity_id = ANY($1) AND property_definition_id = ANY($2) AND deleted_at IS NULL",
    )
    .bind(&ids)
    .bind(&defs)
    .fetch_all(pool)
    .await?;
    Ok(Before {
        entities: entities.into_iter().collect(),
        values: values.into_iter().map(|(e, d, at)| ((e, d), at)).collect(),
    })
}

type ByEntity<'a> = BTreeMap<Uuid, Vec<&'a Write>>;
type ByValue<'a> = BTreeMap<(Uuid, Uuid), Vec<&'a Write>>;

/// The value version a value write produced, and the one it was sent with.
fn value_versions(w: &Write) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    match &w.kind {
        WriteKind::Value {
            version, expected, ..
        } => (*version, *expected),
        WriteKind::Rename { expected, .. } => (w.entity_version, Some(*expected)),
    }
}

/// The writes per entity, in the order of the entity's versions they
/// produced, and the value writes per entity and property, in the order of
/// the value's versions.
fn in_order(writes: &[Write]) -> (ByEntity<'_>, ByValue<'_>) {
    let mut by_entity: ByEntity = BTreeMap::new();
    let mut by_value: ByValue = BTreeMap::new();
    for w in writes {
        by_entity.entry(w.entity).or_default().push(w);
        if let WriteKind::Value { definition, .. } = &w.kind {
            by_value.entry((w.entity, *definition)).or_default().push(w);
        }
    }
    for list in by_entity.values_mut() {
        list.sort_by_key(|w| w.entity_version);
    }
    for list in by_value.values_mut() {
        list.sort_by_key(|w| value_versions(w).0);
    }
    (by_entity, by_value)
}

/// Writes not made against the version the write before them produced (or
/// the stored one, for the first): each is an update that overwrote one it
/// had not seen. A version that does not grow counts too.
fn stale_writes(before: &Before, by_entity: &ByEntity, by_value: &ByValue) -> u64 {
    let mut stale = 0;
    for (entity, list) in by_entity {
        let mut previous = before.entities.get(entity).copied();
        for w in list {
            if Some(w.entity_version) <= previous {
                stale += 1;
            }
            // A rename sends the entity's version; a value edit only its
            // value's.
            if let WriteKind::Rename { expected, .. } = &w.kind {
                if Some(*expected) != previous {
                    stale += 1;
                }
            }
            previous = Some(w.entity_version);
        }
    }
    for (key, list) in by_value {
        let mut previous = before.values.get(key).copied();
        for w in list {
            let (version, expected) = value_versions(w);
            if expected != previous || Some(version) <= previous {
                stale += 1;
            }
            previous = Some(version);
        }
    }
    stale
}

/// An audit row as the check reads it: request, entity, action, after.
type AuditRow = (
    Option<Uuid>,
    Option<Uuid>,
    String,
    Option<serde_json::Value>,
);

async fn verify(pool: &PgPool, before: &Before, writes: &[Write]) -> CoreResult<Verdict> {
    let mut verdict = Verdict {
        checked: writes.len() as u64,
        ..Verdict::default()
    };
    // 1. Each write's audit row, by its request id.
    let requests: Vec<Uuid> = writes.iter().map(|w| w.request).collect();
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT request_id, entity_id, action, after FROM audit_events WHERE request_id = ANY($1)",
    )
    .bind(&requests)
    .fetch_all(pool)
    .await?;
    let mut by_request: HashMap<Uuid, Vec<&AuditRow>> = HashMap::new();
    for row in &rows {
        if let Some(r) = row.0 {
            by_request.entry(r).or_default().push(row);
        }
    }
    for w in writes {
        let Some([row]) = by_request.get(&w.request).map(Vec::as_slice) else {
            verdict.missing += 1;
            continue;
        };
        let after = row.3.as_ref();
        let agrees = row.1 == Some(w.entity)
            && match &w.kind {
                WriteKind::Value { key, value, .. } => {
                    row.2 == "entity.properties"
                        && after.and_then(|a| a.get(key)) == Some(&json!(value))
                }
                WriteKind::Rename { name, .. } => {
                    row.2 == "entity.rename"
                        && after.and_then(|a| a.get("name")) == Some(&json!(name))
                }
            };
        verdict.disagrees += u64::from(!agrees);
    }

    // 2. Each write was made against the version the one before produced.
    let (by_entity, by_value) = in_order(writes);
    verdict.stale = stale_writes(before, &by_entity, &by_value);

    // 3. What is stored now is the last write's.
    let entities: Vec<Uuid> = by_entity.keys().copied().collect();
    let stored_versions: HashMap<Uuid, DateTime<Utc>> = sqlx::query_as::<_, (Uuid, DateTime<Utc>)>(
        "SELECT id, updated_at FROM entities WHERE id = ANY($1)",
    )
    .bind(&entities)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    let names: HashMap<Uuid, String> = sqlx::query_as::<_, (Uuid, String)>(
        "SELECT entity_id, value #>> '{}' FROM entity_property_values
          WHERE property_definition_id = $1 AND entity_id = ANY($2) AND deleted_at IS NULL",
    )
    .bind(properties::NAME_PROPERTY_ID)
    .bind(&entities)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    for (entity, list) in &by_entity {
        let last = list.last().expect("a group has a write");
        if stored_versions.get(entity) != Some(&last.entity_version) {
            verdict.final_mismatches += 1;
        }
        let last_rename = list.iter().rev().find_map(|w| match &w.kind {
            WriteKind::Rename { name, .. } => Some(name),
            WriteKind::Value { .. } => None,
        });
        if let Some(name) = last_rename {
            if names.get(entity) != Some(name) {
                verdict.final_mismatches += 1;
            }
        }
    }
    let defs: Vec<Uuid> = by_value.keys().map(|(_, d)| *d).collect();
    let stored: HashMap<(Uuid, Uuid), (String, DateTime<Utc>)> =
        sqlx::query_as::<_, (Uuid, Uuid, String, DateTime<Utc>)>(
            "SELECT entity_id, property_definition_id, value #>> '{}', updated_at
               FROM entity_property_values
              WHERE entity_id = ANY($1) AND property_definition_id = ANY($2) AND deleted_at IS NULL",
        )
        .bind(&entities)
        .bind(&defs)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(e, d, v, at)| ((e, d), (v, at)))
        .collect();
    for (key, list) in &by_value {
        let last = list.last().expect("a group has a write");
        let WriteKind::Value { value, version, .. } = &last.kind else {
            continue;
        };
        if stored.get(key) != Some(&(value.clone(), *version)) {
            verdict.final_mismatches += 1;
        }
    }
    Ok(verdict)
}

// ------------------------------------------------------------ the run

/// Samples, every second until `stop`, how many client backends the
/// people hold on the server; returns the most.
async fn watch_connections(
    pool: PgPool,
    prefix: String,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> i64 {
    let mut most = 0;
    loop {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE usename LIKE $1 || '\\_%'",
        )
        .bind(&prefix)
        .fetch_one(&pool)
        .await
        .unwrap_or(0);
        most = most.max(n);
        if tokio::time::timeout(Duration::from_secs(1), stop.changed())
            .await
            .is_ok()
        {
            return most;
        }
    }
}

fn percentile_ms(samples: &mut [Duration], p: f64) -> f64 {
    let mut none: [Duration; 0] = [];
    let r = result("", samples, &mut none, 0);
    if p >= 0.95 {
        r.p95_ms
    } else {
        r.p50_ms
    }
}

/// Runs the benchmark: prepares, measures the floors, connects the
/// clients, runs the load for `options.duration`, then checks every write
/// against the audit trail and the stored values. `owner` reaches the
/// server directly as the schema owner; `pooler_url` reaches the same
/// database through the transaction pooler (its user is replaced by each
/// person's role).
pub async fn bench_load(
    owner: &PgPool,
    actor: &Actor,
    pooler_url: &str,
    options: &LoadOptions,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<LoadReport> {
    if db::pooling_of(pooler_url)? != db::Pooling::Transaction {
        return Err(CoreError::invalid(
            Some("poolerUrl"),
            Rule::Format,
            "the pooler's URL must say pooler=transaction",
        ));
    }
    if options.clients == 0 || options.people == 0 {
        return Err(CoreError::invalid(
            Some("clients"),
            Rule::Range,
            "at least one client and one person",
        ));
    }
    check_connection_budget(owner, options).await?;
    let shared = Arc::new(prepare(owner, actor, options, step).await?);
    if let Some(target) = &options.replica {
        step("waiting for the replica to replay the people and the data");
        replica_caught_up(owner, &target.url).await?;
    }
    let (postgres_version, entities) = registry_facts(owner).await?;
    let before = snapshot(owner, &shared).await?;

    step("floors: each operation by one client alone");
    let (mut lone, lone_right) =
        // Numbered after the load's clients, so its writes differ from theirs.
        Client::connect(options.clients, pooler_url, options.replica.as_ref(), Arc::clone(&shared), options.seed).await?;
    let floor_samples = floors(&mut lone).await?;
    lone.close().await;
    let mut tally = std::mem::take(&mut lone.tally);
    // Where the lone client's reads went is not the load's.
    tally.routed = ReadCounts::default();

    step(&format!("connecting {} clients", options.clients));
    let connect_start = Instant::now();
    let (clients, wrong_roots) = connect_all(
        options.clients,
        pooler_url,
        options.replica.as_ref(),
        &shared,
        options.seed,
    )
    .await?;
    let connect_s = connect_start.elapsed().as_secs_f64();

    step(&format!(
        "{} clients for {} s",
        options.clients,
        options.duration.as_secs()
    ));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let watcher = tokio::spawn(watch_connections(
        owner.clone(),
        options.role_prefix.clone(),
        stopped,
    ));
    let started = Instant::now();
    let deadline = started + options.duration;
    let think_ms = options.think_max.as_millis() as u64;
    let mut tasks = Vec::new();
    for mut client in clients {
        tasks.push(tokio::spawn(async move {
            loop {
                let pause = Duration::from_millis(client.rng.below(think_ms + 1));
                tokio::time::sleep(pause).await;
                if Instant::now() >= deadline {
                    break;
                }
                let op = Op::pick(&mut client.rng);
                client.act(op).await;
            }
            client.close().await;
            client.tally
        }));
    }
    for t in tasks {
        tally.merge(t.await.map_err(|e| failed("a client's task", e))?);
    }
    let wall = started.elapsed();
    let _ = stop.send(true);
    let max_server_connections = watcher.await.unwrap_or(0);

    step("checking every write against the audit trail and the stored values");
    let verdict = verify(owner, &before, &tally.writes).await?;

    let mut ops = Vec::new();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let mut operations = 0;
    for (op, _) in Op::ALL {
        let mut samples = tally.samples.remove(&op).unwrap_or_default();
        let mut floor = floor_samples.get(&op).cloned().unwrap_or_default();
        if op.writes() {
            writes.extend_from_slice(&samples);
        } else {
            reads.extend_from_slice(&samples);
        }
        let count = samples.len() as u64;
        operations += count;
        let r = result(op.name(), &mut samples, &mut floor, 0);
        let errors = tally.errors.get(&op).copied().unwrap_or(0);
        operations += errors;
        ops.push(LoadOp {
            op: op.name().to_string(),
            kind: if op.writes() { "write" } else { "read" },
            p50_ms: r.p50_ms,
            p95_ms: r.p95_ms,
            floor_p50_ms: r.floor_p50_ms,
            floor_p95_ms: r.floor_p95_ms,
            count,
            errors,
            conflicts: tally.conflicts.get(&op).copied().unwrap_or(0),
            target_p95_ms: if op.writes() {
                WRITE_TARGET_MS
            } else {
                READ_TARGET_MS
            },
        });
    }
    let read_p95_ms = percentile_ms(&mut reads, 0.95);
    let write_p95_ms = percentile_ms(&mut writes, 0.95);
    let errors: u64 = tally.errors.values().sum();
    let lost_updates =
        verdict.missing + verdict.disagrees + verdict.stale + verdict.final_mismatches;
    let totals = LoadTotals {
        clients: options.clients,
        people: options.people,
        pool_size: options.pool_size,
        duration_s: wall.as_secs_f64(),
        connect_s,
        operations,
        ops_per_s: (operations as f64 / wall.as_secs_f64().max(1e-9) * 10.0).round() / 10.0,
        read_p50_ms: percentile_ms(&mut reads, 0.5),
        read_p95_ms,
        write_p50_ms: percentile_ms(&mut writes, 0.5),
        write_p95_ms,
        errors,
        conflicts: tally.conflicts.values().sum(),
        writes_checked: verdict.checked,
        missing_in_audit: verdict.missing,
        audit_disagrees: verdict.disagrees,
        stale_writes: verdict.stale,
        final_mismatches: verdict.final_mismatches,
        lost_updates,
        wrong_roots: wrong_roots + u64::from(!lone_right),
        workflow_runs: tally.workflow_runs,
        max_server_connections,
        max_client_pool: tally.max_pool,
        replica: options.replica.is_some(),
        reads_on_replica: tally.routed.replica,
        reads_on_primary_behind: tally.routed.primary_behind,
        reads_on_primary_down: tally.routed.primary_down,
        reads_waited: tally.routed.waited,
        read_target_met: read_p95_ms < READ_TARGET_MS,
        write_target_met: write_p95_ms < WRITE_TARGET_MS,
        error_samples: tally.error_samples,
    };
    Ok(LoadReport {
        postgres_version,
        entities,
        ops,
        totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("a time")
    }

    fn edit(entity: Uuid, expected: Option<i64>, version: i64) -> Write {
        Write {
            entity,
            request: Uuid::now_v7(),
            entity_version: at(version),
            kind: WriteKind::Value {
                definition: Uuid::nil(),
                key: "load_note".into(),
                value: format!("v{version}"),
                expected: expected.map(at),
                version: at(version),
            },
        }
    }

    #[test]
    fn a_write_against_an_old_version_is_a_lost_update() {
        let e = Uuid::now_v7();
        let before = Before {
            entities: [(e, at(0))].into(),
            values: HashMap::new(),
        };
        let count = |writes: &[Write]| {
            let (by_entity, by_value) = in_order(writes);
            stale_writes(&before, &by_entity, &by_value)
        };
        // Each edit sent the version the one before it produced.
        let chain = vec![edit(e, None, 1), edit(e, Some(1), 2), edit(e, Some(2), 3)];
        assert_eq!(count(&chain), 0, "a clean chain loses nothing");
        // The third overwrote the second without having seen it.
        let lost = vec![edit(e, None, 1), edit(e, Some(1), 2), edit(e, Some(1), 3)];
        assert_eq!(
            count(&lost),
            1,
            "an edit made against version 1 after version 2"
        );
        // A rename sent the entity's version from before the first edit.
        let mut renamed = vec![edit(e, None, 1)];
        renamed.push(Write {
            entity: e,
            request: Uuid::now_v7(),
            entity_version: at(2),
            kind: WriteKind::Rename {
                name: "Main meter 1".into(),
                expected: at(0),
            },
        });
        assert_eq!(
            count(&renamed),
            1,
            "a rename against the entity's old version"
        );
    }

    #[test]
    fn the_mix_adds_up_to_one_hundred() {
        assert_eq!(Op::ALL.iter().map(|(_, w)| w).sum::<u64>(), 100);
        let mut rng = Rng(7);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..2_000 {
            seen.insert(Op::pick(&mut rng));
        }
        assert_eq!(seen.len(), Op::ALL.len(), "every kind of action is chosen");
    }

    /// Five clients for three seconds through the test run's pgbouncer:
    /// no error, and every write found in the audit trail and kept.
    /// Five clients as three people for 3 s through the run's pooler,
    /// reading from the run's standby when `replica`.
    async fn short_load(prefix: &str, seed: u64, replica: bool) -> LoadTotals {
        let test = studio_core::testing::test_db().await;
        let owner = Actor::for_session(&test.pool, Source::Test)
            .await
            .expect("the owner acts");
        let pooler = studio_core::testing::pooler_url(&test.name, "postgres").await;
        let replica = match replica {
            true => Some(ReplicaTarget {
                url: replica_url(&test.name).await,
                max_wait: Duration::from_millis(100),
            }),
            false => None,
        };
        let options = LoadOptions {
            clients: 5,
            duration: Duration::from_secs(3),
            people: 3,
            role_prefix: format!("{prefix}_{}", &test.name[test.name.len() - 10..]),
            pool_size: None,
            think_max: Duration::from_millis(200),
            seed,
            replica,
        };
        bench_load(&test.pool, &owner, &pooler, &options, &|_| {})
            .await
            .expect("the load runs")
            .totals
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_short_load_through_the_pooler_loses_no_update() {
        let t = &short_load("load", 1, false).await;
        assert_eq!(
            t.errors, 0,
            "no errors besides conflicts: {:?}",
            t.error_samples
        );
        assert_eq!(t.lost_updates, 0, "no update lost: {t:?}");
        assert_eq!(
            t.wrong_roots, 0,
            "each person sees only their roots: {:?}",
            t.error_samples
        );
        assert!(t.operations > 20, "the clients worked: {t:?}");
        assert!(t.writes_checked > 0, "some writes were checked: {t:?}");
    }

    /// The run's standby, once it shows the test's database.
    async fn replica_url(database: &str) -> String {
        let replica =
            tokio::task::spawn_blocking(|| studio_localdb::TestCluster::shared().replica())
                .await
                .expect("the replica thread panicked");
        let url = replica.url(database);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match db::connect(&url).await {
                Ok(pool) => {
                    pool.close().await;
                    return url;
                }
                Err(e) if std::time::Instant::now() < deadline => {
                    tracing::debug!("the replica has no {database} yet: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("the replica never showed {database}: {e}"),
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_short_load_reading_from_a_replica_loses_no_update() {
        let t = &short_load("loadr", 2, true).await;
        assert_eq!(
            t.errors, 0,
            "no errors besides conflicts: {:?}",
            t.error_samples
        );
        assert_eq!(t.lost_updates, 0, "no update lost: {t:?}");
        assert!(t.replica, "{t:?}");
        assert!(t.reads_on_replica > 0, "the replica served reads: {t:?}");
        assert_eq!(t.reads_on_primary_down, 0, "the replica answered: {t:?}");
        assert!(t.writes_checked > 0, "some writes were checked: {t:?}");
    }
}
