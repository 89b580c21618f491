//! `eco-studio bench load`: many people at once through PgBouncer in
//! transaction mode. On the embedded database the benchmark starts its own
//! pgbouncer (files in `<cluster>/load-pooler-<pid>`, stopped and removed
//! when the benchmark ends: a folder per process, because the watchdog of
//! an ended run stops whatever pgbouncer its pid file names); on a server
//! named by a URL it uses the pooler `--pooler-url` names, which must admit
//! the people's roles without a password.
//!
//! With `--replica` the clients read from a hot standby: on the embedded
//! database the benchmark makes one (in `replica-load-<pid>/` beside the
//! cluster, with a pgbouncer of its own in front, both removed after); on
//! a server `--replica-url` names the replica's pooler.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use studio_bench::load::{self, LoadOptions, LoadReport, ReplicaTarget};
use studio_core::db::{self, Pooling};
use studio_core::startup::{self, DatabaseTarget, Identity, EMBEDDED_DATABASE};
use studio_core::{Actor, Source};
use studio_localdb::{Cluster, Pooler, PoolerSettings};

use crate::bench_replica::Standby;

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Clients at once, each with its own small pool through the pooler.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=5_000))]
    clients: u32,
    /// How long the load lasts.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    duration_secs: u64,
    /// Distinct people (login roles) the clients share round-robin. The
    /// pooler keeps a pool per role, so people × pool size server
    /// connections must fit in the server's max_connections.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    people: u32,
    /// Server connections the benchmark's pgbouncer keeps per person
    /// (its default_pool_size).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=100))]
    pool_size: u32,
    /// The longest think time between two actions of a client, ms.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    think_ms: u64,
    /// The same seed gives each client the same choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A transaction pooler in front of the DATABASE_URL server (needed
    /// with a URL; the embedded database gets a pgbouncer of its own).
    #[arg(long)]
    pooler_url: Option<String>,
    /// Read from a replica (browse, search, views, panes), writes on the
    /// primary, read-your-writes for each client's own changes.
    #[arg(long)]
    replica: bool,
    /// The replica's transaction pooler (with a database URL; implies
    /// --replica).
    #[arg(long)]
    replica_url: Option<String>,
    /// How long a read after the client's own write waits for the replica
    /// before it reads from the primary, ms.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    replica_wait_ms: u64,
    /// One JSON object per operation and line, then the totals.
    #[arg(long)]
    json: bool,
}

pub async fn run(target: &DatabaseTarget, args: LoadArgs) -> Result<ExitCode> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Bench).await?;
    let step = |step: &str| {
        if !args.json {
            eprintln!("... {step}");
        }
    };
    // Kept until the end: dropping it stops the benchmark's pgbouncer.
    let mut own_pooler: Option<Pooler> = None;
    let pooler_dir = match target {
        DatabaseTarget::Embedded { root } => {
            Some(root.join(format!("load-pooler-{}", std::process::id())))
        }
        DatabaseTarget::Url(_) => None,
    };
    let (pooler_url, pool_size) = match (target, &args.pooler_url) {
        (DatabaseTarget::Url(_), None) => bail!(
            "with a database URL, name its transaction pooler with --pooler-url \
             (e.g. postgres://USER@HOST:6432/DB?pooler=transaction)"
        ),
        (_, Some(url)) => (db::pooling::with_pooling(url, Pooling::Transaction)?, None),
        (DatabaseTarget::Embedded { root }, None) => {
            let root = root.clone();
            let dir = pooler_dir
                .clone()
                .unwrap_or_else(|| root.join("load-pooler"));
            let settings = PoolerSettings {
                pool_size: args.pool_size,
                // A client's pool may grow to 8 while released connections
                // finish their lease.
                max_client_conn: args.clients.saturating_mul(8).saturating_add(100),
                ..PoolerSettings::default()
            };
            step(&format!(
                "starting pgbouncer (transaction mode, {} server connections per person)",
                args.pool_size
            ));
            let pooler = tokio::task::spawn_blocking(move || -> Result<Pooler> {
                let cluster = Cluster::persistent(&root)?;
                let endpoint = cluster.ensure_running()?.endpoint;
                Ok(Pooler::start(
                    &cluster,
                    &endpoint,
                    &dir,
                    &settings,
                    std::process::id(),
                )?)
            })
            .await?
            .context("starting the benchmark's pgbouncer")?;
            let url = pooler.url(EMBEDDED_DATABASE, "postgres");
            own_pooler = Some(pooler);
            (url, Some(args.pool_size))
        }
    };
    // Kept until the end like the pooler: the standby and its pgbouncer.
    let mut own_replica: Option<(Standby, Pooler, std::path::PathBuf)> = None;
    let replica_url = match (target, &args.replica_url, args.replica) {
        (_, Some(url), _) => Some(db::pooling::with_pooling(url, Pooling::Transaction)?),
        (DatabaseTarget::Url(_), None, true) => {
            bail!("with a database URL, name the replica's transaction pooler with --replica-url")
        }
        (DatabaseTarget::Embedded { root }, None, true) => {
            let name = format!("replica-load-{}", std::process::id());
            let standby = Standby::start(root, &name, args.json).await?;
            // The people's roles reach the standby once it has replayed them.
            standby.connect(EMBEDDED_DATABASE).await?.close().await;
            let dir = standby.cluster.root().join("pooler");
            let settings = PoolerSettings {
                pool_size: args.pool_size,
                max_client_conn: args.clients.saturating_mul(8).saturating_add(100),
                ..PoolerSettings::default()
            };
            step("starting the replica's pgbouncer");
            let started = tokio::task::spawn_blocking({
                let cluster = standby.cluster.clone();
                let endpoint = standby.endpoint.clone();
                let dir = dir.clone();
                move || Pooler::start(&cluster, &endpoint, &dir, &settings, std::process::id())
            })
            .await?;
            match started {
                Ok(pooler) => {
                    let url = pooler.url(EMBEDDED_DATABASE, "postgres");
                    own_replica = Some((standby, pooler, dir));
                    Some(url)
                }
                Err(e) => {
                    standby.remove().await?;
                    return Err(anyhow::Error::from(e).context("starting the replica's pgbouncer"));
                }
            }
        }
        (_, None, false) => None,
    };
    let options = LoadOptions {
        clients: args.clients,
        duration: Duration::from_secs(args.duration_secs),
        people: args.people,
        role_prefix: "load_person".into(),
        pool_size,
        think_max: Duration::from_millis(args.think_ms),
        seed: args.seed,
        replica: replica_url.map(|url| ReplicaTarget {
            url,
            max_wait: Duration::from_millis(args.replica_wait_ms),
        }),
    };
    let outcome = load::bench_load(&opened.pool, &actor, &pooler_url, &options, &step).await;
    if let Some(pooler) = own_pooler.take() {
        pooler.stop();
        if let Some(dir) = &pooler_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    if let Some((standby, pooler, dir)) = own_replica.take() {
        pooler.stop();
        let _ = std::fs::remove_dir_all(dir);
        standby.remove().await?;
    }
    let report = outcome?;
    print(&report, args.json)?;
    startup::close(opened).await?;
    let t = &report.totals;
    Ok(
        if t.errors == 0 && t.lost_updates == 0 && t.wrong_roots == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

fn print(report: &LoadReport, json: bool) -> Result<()> {
    let t = &report.totals;
    if json {
        for op in &report.ops {
            let mut line = serde_json::to_value(op)?;
            for key in ["p50_ms", "p95_ms", "floor_p50_ms", "floor_p95_ms"] {
                if let Some(v) = line.get_mut(key) {
                    *v = round(v.as_f64().unwrap_or_default()).into();
                }
            }
            if let Some(map) = line.as_object_mut() {
                map.insert("clients".into(), t.clients.into());
                map.insert("entities".into(), report.entities.into());
                map.insert("postgres".into(), report.postgres_version.clone().into());
            }
            println!("{line}");
        }
        let mut totals = serde_json::to_value(t)?;
        if let Some(map) = totals.as_object_mut() {
            map.insert("op".into(), "totals".into());
        }
        println!("{totals}");
        return Ok(());
    }
    println!("{}", report.postgres_version);
    println!(
        "{} live entities; {} clients as {} people for {:.0} s (connecting them took {:.1} s)",
        report.entities, t.clients, t.people, t.duration_s, t.connect_s
    );
    println!();
    println!(
        "{:<20} {:>5} {:>8} {:>8} {:>10} {:>10} {:>8} {:>7} {:>9}",
        "op", "kind", "p50 ms", "p95 ms", "floor p50", "floor p95", "count", "errors", "conflicts"
    );
    for op in &report.ops {
        println!(
            "{:<20} {:>5} {:>8.2} {:>8.2} {:>10.2} {:>10.2} {:>8} {:>7} {:>9}",
            op.op,
            op.kind,
            op.p50_ms,
            op.p95_ms,
            op.floor_p50_ms,
            op.floor_p95_ms,
            op.count,
            op.errors,
            op.conflicts
        );
    }
    println!();
    let met = |yes: bool| if yes { "met" } else { "MISSED" };
    println!(
        "reads:  p50 {:.1} ms, p95 {:.1} ms (target < {} ms: {})",
        t.read_p50_ms,
        t.read_p95_ms,
        load::READ_TARGET_MS,
        met(t.read_target_met)
    );
    println!(
        "writes: p50 {:.1} ms, p95 {:.1} ms (target < {} ms: {})",
        t.write_p50_ms,
        t.write_p95_ms,
        load::WRITE_TARGET_MS,
        met(t.write_target_met)
    );
    println!(
        "{} operations ({:.1}/s), {} errors, {} conflicts; {} workflow runs queued",
        t.operations, t.ops_per_s, t.errors, t.conflicts, t.workflow_runs
    );
    println!(
        "{} writes checked: {} lost updates ({} not in the audit trail, {} disagreeing, {} stale, {} not stored last)",
        t.writes_checked,
        t.lost_updates,
        t.missing_in_audit,
        t.audit_disagrees,
        t.stale_writes,
        t.final_mismatches
    );
    println!(
        "server connections of the people: at most {}{}; a client's pool held at most {}; {} clients saw other roots than their scopes give",
        t.max_server_connections,
        t.pool_size
            .map(|s| format!(" (pooler: {s} per person × {} people)", t.people))
            .unwrap_or_default(),
        t.max_client_pool,
        t.wrong_roots
    );
    if t.replica {
        println!(
            "reads: {} on the replica ({} waited for it to replay the client's write), {} on the primary because the replica was behind, {} because it did not answer",
            t.reads_on_replica, t.reads_waited, t.reads_on_primary_behind, t.reads_on_primary_down
        );
    }
    for e in &t.error_samples {
        println!("  {e}");
    }
    Ok(())
}

fn round(ms: f64) -> f64 {
    (ms * 1_000.0).round() / 1_000.0
}
