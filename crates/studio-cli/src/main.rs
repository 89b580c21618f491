//! `eco-studio`: the studio's operations on the command line. Each
//! subcommand parses its arguments, calls `studio-core` (or
//! `studio-localdb` for the embedded cluster) and prints the result.

mod bench_load;
mod bench_replica;
mod bench_startup;
mod bench_tree;
mod doctor;
mod metrics;
mod offline;
mod people;
mod seed_generate;
mod sync;
mod vault;
mod views;
mod webhook;
mod workflows;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use studio_core::startup::{self, DatabaseTarget};
use studio_core::{db, demo, Actor, Source};
use studio_localdb::{default_cluster_root, Cluster, ClusterStatus};

#[derive(Parser)]
#[command(name = "eco-studio", version, about = "Eco Studio on the command line")]
struct Cli {
    /// A PostgreSQL server to use instead of the embedded local database.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The embedded local database (a private PostgreSQL cluster).
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Apply pending schema migrations.
    Migrate,
    /// Load data into the registry.
    Seed {
        #[command(subcommand)]
        what: SeedWhat,
    },
    /// Check what Eco Studio needs on this machine; with --read-model,
    /// compare the database's read model with its system of record.
    Doctor {
        /// Check the read model of the database (exit 1 on any difference).
        #[arg(long)]
        read_model: bool,
        /// Check the database's row-level security, the people's roles,
        /// views and SECURITY DEFINER functions (exit 1 on any problem).
        #[arg(long, conflicts_with = "read_model")]
        security: bool,
    },
    /// People: one PostgreSQL login role each.
    User {
        #[command(subcommand)]
        action: people::UserAction,
    },
    /// What people may do on which roots.
    Scope {
        #[command(subcommand)]
        action: people::ScopeAction,
    },
    /// The read model (one row per live entity, derived from the registry).
    ReadModel {
        #[command(subcommand)]
        action: ReadModelAction,
    },
    /// Property groups and definitions.
    Properties {
        #[command(subcommand)]
        action: PropertiesAction,
    },
    /// Saved views: list them, or run one (or a view document) headless.
    View {
        #[command(subcommand)]
        action: views::ViewAction,
    },
    /// The vault: keys per root, rotation, rewrap.
    Vault {
        #[command(subcommand)]
        action: vault::VaultAction,
    },
    /// Secrets: write, list, reveal.
    Secret {
        #[command(subcommand)]
        action: vault::SecretAction,
    },
    /// Time series: import readings, list metrics.
    Metrics {
        #[command(subcommand)]
        action: metrics::MetricsAction,
    },
    /// Dashboards: list, export one as JSON, import one.
    Dashboards {
        #[command(subcommand)]
        action: metrics::DashboardsAction,
    },
    /// Alerts on entities: list, raise, acknowledge, resolve.
    Alerts {
        #[command(subcommand)]
        action: metrics::AlertsAction,
    },
    /// Run workflow executions (alongside the app and other workers) until
    /// stopped.
    Worker(workflows::WorkerArgs),
    /// A local receiver for trying workflows' HTTP nodes.
    Webhook {
        #[command(subcommand)]
        action: webhook::WebhookAction,
    },
    /// Workflows: list, run, export, import.
    Workflow {
        #[command(subcommand)]
        action: workflows::WorkflowAction,
    },
    /// Import rows of a CSV, JSON or NDJSON file as entities of a type,
    /// matched by external id (a dry run shows the changes first).
    Import(sync::ImportArgs),
    /// The latest import runs.
    ImportRuns,
    /// Domain packs: list, install (or upgrade), uninstall.
    Pack {
        #[command(subcommand)]
        action: sync::PackAction,
    },
    /// The offline cache of this database and person: status, add,
    /// refresh, remove, outbox.
    Offline {
        /// The cache file (default: this database's and person's, in the
        /// studio's offline folder).
        #[arg(long, global = true)]
        cache: Option<std::path::PathBuf>,
        #[command(subcommand)]
        action: offline::OfflineAction,
    },
    /// Measure the studio's operations on the current database.
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// The desktop app's start: time to its tree's first painted rows, with
    /// the embedded database running and stopped, and the memory of the app
    /// and its webview (needs DISPLAY and the release app).
    Startup(bench_startup::StartupArgs),
    /// Many people at once through PgBouncer in transaction mode: browse,
    /// search, views, panes, edits, renames and workflow runs with think
    /// time; p50/p95 per operation, errors, conflicts, and every write
    /// checked against the audit trail (no update lost).
    Load(bench_load::LoadArgs),
    /// Read-your-writes through a read replica: a rename on the primary,
    /// then its read through the replica router (on the embedded database,
    /// a streaming standby made for the run; on a server, the URL's
    /// `replica=host:port`).
    Replica {
        /// Rounds (each a rename read back, and a second timed to the
        /// replica's replay).
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        iterations: u32,
        /// How long a read waits for the replica before it reads the primary.
        #[arg(long, default_value_t = 100)]
        wait_ms: u64,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
    },
    /// The tree's read paths and a 1,000-node move, against raw SQL.
    Tree {
        /// Timed runs of each read operation (moves: a fifth as many round trips).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        iterations: u32,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
        /// Run as this person's role (`owner`, the default: the schema
        /// owner, past row-level security).
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// The property pane, setting a value, the read model's share, and a
    /// bulk edit of 10,000 entities, against raw SQL.
    Properties {
        /// Timed runs of each operation (bulk edits: a tenth as many).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        iterations: u32,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
        /// Run as this person's role (`owner`, the default: the schema
        /// owner, past row-level security).
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Three reference views (first page, count, page 100 by keyset) and
    /// an export of 100,000 rows, against the SQL the compiler emits.
    /// Encrypt-and-store and reveal of a secret version, and a rewrap of
    /// many secret versions (on a root made for the run, deleted after).
    Vault {
        /// Timed runs of encrypt-and-store and of reveal.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        iterations: u32,
        /// Secret versions the rewrap moves.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        rewrap: u32,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
        /// Run as this person's role (`owner`, the default).
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Time series (30 days, a year, 500 series), a KPI over 100,000
    /// entities, the energy manager's refresh and an ingest of 100,000
    /// readings, each beside its floor.
    Dashboards {
        /// Timed runs of each operation (the refresh: half; ingests: a fifth).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        iterations: u32,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
        /// Run as this person's role (`owner`, the default).
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// A three-node workflow run many times by one runner (throughput,
    /// step and execution times), entity change to execution start, and
    /// the same by several worker processes (throughput, duplicates), on a
    /// root made for the run and deleted after.
    Workflows {
        /// Executions per throughput run.
        #[arg(long, default_value_t = 3_000, value_parser = clap::value_parser!(u32).range(10..=1_000_000))]
        executions: u32,
        /// Worker processes of the scale run (0: skip it).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=64))]
        workers: u32,
        /// Executions each runner drives at once.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
        concurrency: u32,
        /// Entity changes timed for the trigger latency.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        triggers: u32,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
    },
    /// Imports of a file of N rows with ten properties each: new, again
    /// unchanged, a dry run and an import of every row changed, every
    /// value changed; rows per second and the process's peak memory.
    Import {
        /// Rows per file.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(10..=10_000_000))]
        rows: u64,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
    },
    /// Offline: the first download of a site (and of a large subtree), an
    /// incremental refresh after 100 changes, expanding and searching in
    /// the cache, and the replay of 1,000 queued edits, each beside its
    /// floor; the cache file's size rides on the download lines.
    Offline {
        /// Entities of the site.
        #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1_100..=1_000_000))]
        site: u64,
        /// Entities of the large subtree (0: skip it).
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(0..=2_000_000))]
        large: u64,
        /// Timed runs of the cache's reads.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        iterations: u32,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
    },
    Views {
        /// Timed runs of each operation (exports: a tenth as many).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        iterations: u32,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
        /// Run as this person's role (`owner`, the default).
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
}

#[derive(Subcommand)]
enum ReadModelAction {
    /// Rebuild the read model from the registry (one transaction).
    Rebuild,
    /// List differences between the read model and the registry.
    Check,
}

#[derive(Subcommand)]
enum PropertiesAction {
    /// List property definitions with their type and rules.
    List {
        /// Include deleted ones.
        #[arg(long)]
        deleted: bool,
    },
    /// Define a property (the key is permanent).
    Define {
        #[arg(long)]
        key: String,
        #[arg(long)]
        name: String,
        /// text, number, boolean, date, json, ip_address, url,
        /// secret_reference, single_select or multi_select.
        #[arg(long = "type")]
        value_type: String,
        /// The key of its property group.
        #[arg(long)]
        group: Option<String>,
        /// Its rules as JSON, e.g. '{"min": "0", "max": "100"}'.
        #[arg(long, default_value = "{}")]
        rules: String,
        #[arg(long)]
        required: bool,
        #[arg(long)]
        sensitive: bool,
        /// Leave it out of search and the views' filters.
        #[arg(long)]
        not_searchable: bool,
    },
}

#[derive(Subcommand)]
enum DbAction {
    /// Start the local cluster (creating it on first use).
    Start,
    /// Stop the local cluster.
    Stop,
    /// Tell whether the local cluster exists and runs.
    Status,
    /// Print the connection URL of the studio's database in the local cluster.
    Url,
    /// Run PgBouncer in transaction mode in front of the local cluster
    /// until stopped (Ctrl-C or SIGTERM), and print the URL that reaches
    /// the studio's database through it as the first administrator (the
    /// person the app works as): `DATABASE_URL=<it> eco-studio-desktop`
    /// runs the app through the pooler.
    Pooler {
        /// Server connections the pooler keeps per person.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=100))]
        pool_size: u32,
    },
}

#[derive(Subcommand)]
enum SeedWhat {
    /// A realistic demo registry (energy estate, a few hundred entities).
    Demo,
    /// A dashboard of many widgets over the registry's meters and sites
    /// (for measuring the window on a large registry).
    Dashboard {
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
        widgets: u32,
    },
    /// A large generated energy estate (deterministic for a seed), for
    /// measurements at scale.
    Generate {
        /// How many entities (tenants, sites, buildings, floors, rooms, devices).
        #[arg(long, default_value_t = 0)]
        entities: u64,
        /// Also this many hourly kWh readings over `--series` energy meters
        /// (daily and weekly shape, some gaps and spikes).
        #[arg(long, default_value_t = 0)]
        metrics: u64,
        /// Energy meters that get readings (with --metrics).
        #[arg(long, default_value_t = 1_000)]
        series: u64,
        /// The same seed gives the same registry.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Add a site with one node holding this many direct children.
        #[arg(long, default_value_t = 0)]
        wide: u64,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ECO_LOG")
                // Bulk work (seed generate, bench) runs statements that
                // legitimately take seconds: no slow-statement warnings.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let target = DatabaseTarget::from_url_or_default(cli.database_url.clone());
    match cli.command {
        Command::Db { action } => db_command(action, &target).await,
        Command::Migrate => {
            let opened = startup::open_as(&target, startup::Identity::Maintenance, |_| {}).await?;
            println!(
                "schema up to date on {} (PostgreSQL {})",
                opened.display, opened.server.version
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            what: SeedWhat::Demo,
        } => {
            let opened = startup::open_as(&target, startup::Identity::Maintenance, |_| {}).await?;
            let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
            let report = demo::seed_demo(&opened.pool, &actor).await?.value;
            println!(
                "demo registry loaded: {} entity types, {} entities",
                report.entity_types, report.entities
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            what: SeedWhat::Dashboard { widgets },
        } => {
            let opened = startup::open_as(&target, startup::Identity::Maintenance, |_| {}).await?;
            let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
            let saved = demo::seed_wall(&opened.pool, &actor, widgets as usize).await?;
            println!(
                "dashboard {} created: {} ({} widgets)",
                saved.id,
                saved.name,
                saved.widgets.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            what:
                SeedWhat::Generate {
                    entities,
                    metrics: readings,
                    series,
                    seed,
                    wide,
                },
        } => {
            if entities == 0 && readings == 0 {
                anyhow::bail!("say what to generate: --entities N and/or --metrics N");
            }
            let code = if entities > 0 {
                seed_generate::run(&target, entities, seed, wide).await?
            } else {
                ExitCode::SUCCESS
            };
            if readings > 0 && code == ExitCode::SUCCESS {
                metrics::generate_readings(&target, readings, series, seed).await?;
            }
            Ok(code)
        }
        Command::Metrics { action } => metrics::metrics_command(action, &target).await,
        Command::Dashboards { action } => metrics::dashboards_command(action, &target).await,
        Command::Alerts { action } => metrics::alerts_command(action, &target).await,
        Command::Worker(args) => workflows::worker(args, &target).await,
        Command::Webhook { action } => webhook::webhook_command(action).await,
        Command::Workflow { action } => workflows::workflow_command(action, &target).await,
        Command::Import(args) => sync::import_command(args, &target).await,
        Command::ImportRuns => sync::import_runs(&target).await,
        Command::Pack { action } => sync::pack_command(action, &target).await,
        Command::Offline { cache, action } => {
            offline::offline_command(action, cache, &target).await
        }
        Command::Bench {
            what:
                BenchWhat::Workflows {
                    executions,
                    workers,
                    concurrency,
                    triggers,
                    json,
                },
        } => {
            let options = studio_bench::workflows::WorkflowBenchOptions {
                executions,
                workers,
                concurrency,
                triggers,
            };
            bench_tree::run_workflows(&target, &options, json).await
        }
        Command::Bench {
            what: BenchWhat::Import { rows, json },
        } => bench_tree::run_import(&target, rows, json).await,
        Command::Bench {
            what: BenchWhat::Startup(args),
        } => bench_startup::run(&target, args).await,
        Command::Bench {
            what: BenchWhat::Load(args),
        } => bench_load::run(&target, args).await,
        Command::Bench {
            what:
                BenchWhat::Replica {
                    iterations,
                    wait_ms,
                    json,
                },
        } => bench_replica::run(&target, iterations, wait_ms, json).await,
        Command::Bench {
            what:
                BenchWhat::Offline {
                    site,
                    large,
                    iterations,
                    json,
                },
        } => bench_tree::run_offline(&target, site, large, iterations, json).await,
        Command::Bench { what } => {
            let (suite, iterations, json, role) = match what {
                BenchWhat::Tree {
                    iterations,
                    json,
                    role,
                } => (bench_tree::Suite::Tree, iterations, json, role),
                BenchWhat::Properties {
                    iterations,
                    json,
                    role,
                } => (bench_tree::Suite::Properties, iterations, json, role),
                BenchWhat::Views {
                    iterations,
                    json,
                    role,
                } => (bench_tree::Suite::Views, iterations, json, role),
                BenchWhat::Dashboards {
                    iterations,
                    json,
                    role,
                } => (bench_tree::Suite::Dashboards, iterations, json, role),
                BenchWhat::Vault {
                    iterations,
                    rewrap,
                    json,
                    role,
                } => (bench_tree::Suite::Vault { rewrap }, iterations, json, role),
                BenchWhat::Workflows { .. }
                | BenchWhat::Import { .. }
                | BenchWhat::Startup(_)
                | BenchWhat::Load(_)
                | BenchWhat::Replica { .. }
                | BenchWhat::Offline { .. } => {
                    unreachable!("matched above")
                }
            };
            let identity = bench_tree::identity(role.as_deref())?;
            bench_tree::run(&target, identity, suite, iterations, json).await
        }
        Command::Doctor { security: true, .. } => people::doctor(&target).await,
        Command::User { action } => people::user(action, &target).await,
        Command::View { action } => views::run(action, &target).await,
        Command::Vault { action } => vault::vault_command(action, &target).await,
        Command::Secret { action } => vault::secret_command(action, &target).await,
        Command::Scope { action } => people::scope(action, &target).await,
        Command::Doctor {
            read_model: false, ..
        } => Ok(doctor::run()),
        Command::Doctor {
            read_model: true, ..
        } => {
            let opened = startup::open(&target, |_| {}).await?;
            let mut conn = opened.pool.acquire().await?;
            let problems = studio_core::read_model::check(&mut conn, 100).await?;
            if problems.is_empty() {
                println!("read model: consistent with the registry");
                return Ok(ExitCode::SUCCESS);
            }
            for p in &problems {
                println!("{}: {}", p.entity_id, p.problem);
            }
            println!(
                "read model: {}{} difference(s); `eco-studio read-model rebuild` repairs it",
                problems.len(),
                if problems.len() == 100 { "+" } else { "" }
            );
            Ok(ExitCode::FAILURE)
        }
        Command::ReadModel { action } => {
            let opened = startup::open_as(&target, startup::Identity::Maintenance, |_| {}).await?;
            let mut conn = opened.pool.acquire().await?;
            match action {
                ReadModelAction::Rebuild => {
                    let started = std::time::Instant::now();
                    let rows = studio_core::read_model::rebuild(&mut conn).await?;
                    println!(
                        "read model rebuilt: {rows} live entities in {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                ReadModelAction::Check => {
                    let problems = studio_core::read_model::check(&mut conn, 100).await?;
                    for p in &problems {
                        println!("{}: {}", p.entity_id, p.problem);
                    }
                    println!("{} difference(s)", problems.len());
                    Ok(if problems.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    })
                }
            }
        }
        Command::Properties { action } => properties_command(action, &target).await,
    }
}

async fn properties_command(action: PropertiesAction, target: &DatabaseTarget) -> Result<ExitCode> {
    use studio_core::properties;
    let opened = startup::open(target, |_| {}).await?;
    let pool = &opened.pool;
    match action {
        PropertiesAction::List { deleted } => {
            let groups = properties::list_property_groups(pool, true).await?;
            for d in properties::list_property_definitions(pool, deleted).await? {
                let group = groups
                    .iter()
                    .find(|g| Some(g.id) == d.group_id)
                    .map_or("-", |g| g.key.as_str());
                let flags: Vec<&str> = [
                    (d.is_required, "required"),
                    (d.is_sensitive, "sensitive"),
                    (!d.is_searchable, "not searchable"),
                    (d.is_system, "system"),
                    (d.deleted_at.is_some(), "deleted"),
                ]
                .into_iter()
                .filter_map(|(on, name)| on.then_some(name))
                .collect();
                println!(
                    "{:<28} {:<16} {:<16} {} {}",
                    d.key,
                    d.value_type.as_str(),
                    group,
                    serde_json::to_string(&d.rules)?,
                    flags.join(", ")
                );
            }
        }
        PropertiesAction::Define {
            key,
            name,
            value_type,
            group,
            rules,
            required,
            sensitive,
            not_searchable,
        } => {
            let group_id = match group {
                Some(k) => Some(
                    properties::list_property_groups(pool, false)
                        .await?
                        .into_iter()
                        .find(|g| g.key == k)
                        .map(|g| g.id)
                        .ok_or_else(|| anyhow::anyhow!("no property group has the key {k:?}"))?,
                ),
                None => None,
            };
            let rules: serde_json::Value = serde_json::from_str(&rules)
                .map_err(|e| anyhow::anyhow!("--rules is not JSON: {e}"))?;
            let input = properties::PropertyDefinitionInput {
                group_id,
                key,
                name,
                description: None,
                value_type: value_type.parse()?,
                is_required: required,
                is_sensitive: sensitive,
                is_searchable: !not_searchable,
                rules: properties::Rules::from_json(&rules)?,
            };
            let actor = Actor::for_session(pool, Source::Cli).await?;
            let created = properties::create_property_definition(pool, &actor, &input)
                .await?
                .value;
            println!("defined {} ({})", created.key, created.value_type.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn db_command(action: DbAction, target: &DatabaseTarget) -> Result<ExitCode> {
    if let DatabaseTarget::Url(url) = target {
        if matches!(action, DbAction::Url) {
            println!("{}", db::redact_url(url));
            return Ok(ExitCode::SUCCESS);
        }
        anyhow::bail!(
            "`eco-studio db` manages the embedded local database; DATABASE_URL points at {} instead",
            db::redact_url(url)
        );
    }
    let root = default_cluster_root();
    if let DbAction::Pooler { pool_size } = action {
        return run_pooler(target, &root, pool_size).await;
    }
    let cluster = Cluster::persistent(&root)?;
    match action {
        DbAction::Pooler { .. } => unreachable!("answered above"),
        DbAction::Start => {
            let outcome = tokio::task::spawn_blocking(move || cluster.ensure_running()).await??;
            let verb = match (outcome.initialized, outcome.started) {
                (true, _) => "created and started",
                (false, true) => "started",
                (false, false) => "already running",
            };
            println!(
                "local database {verb}: pid {}, port {}, data in {}",
                outcome.endpoint.pid,
                outcome.endpoint.port,
                root.display()
            );
        }
        DbAction::Stop => {
            let was_running = tokio::task::spawn_blocking(move || cluster.stop()).await??;
            println!(
                "{}",
                if was_running {
                    "local database stopped"
                } else {
                    "local database was not running"
                }
            );
        }
        DbAction::Status => match cluster.status()? {
            ClusterStatus::NotInitialized => {
                println!(
                    "not initialized ({} does not hold a cluster yet)",
                    root.display()
                )
            }
            ClusterStatus::Stopped => println!("stopped (data in {})", root.display()),
            ClusterStatus::Running(ep) => println!(
                "running: pid {}, port {}, data in {}",
                ep.pid,
                ep.port,
                root.display()
            ),
        },
        DbAction::Url => match cluster.status()? {
            ClusterStatus::Running(ep) => println!("{}", ep.url(startup::EMBEDDED_DATABASE)),
            _ => anyhow::bail!(
                "the local database is not running: start it with `eco-studio db start`"
            ),
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// `eco-studio db pooler`: see [`DbAction::Pooler`].
async fn run_pooler(
    target: &DatabaseTarget,
    root: &std::path::Path,
    pool_size: u32,
) -> Result<ExitCode> {
    // The cluster keeps running after the pooler stops (as `db start`).
    let cluster = Cluster::persistent(root)?;
    let endpoint = tokio::task::spawn_blocking({
        let cluster = cluster.clone();
        move || cluster.ensure_running()
    })
    .await??
    .endpoint;
    // Opening as the person migrates and makes the first administrator
    // when there is none, as the app would.
    let opened = startup::open(target, |_| {}).await?;
    let role = studio_core::people::session(&opened.pool).await?.role;
    startup::close(opened).await?;
    let dir = root.join(format!("pooler-{}", std::process::id()));
    let settings = studio_localdb::PoolerSettings {
        pool_size,
        ..studio_localdb::PoolerSettings::default()
    };
    let pooler = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || {
            studio_localdb::Pooler::start(&cluster, &endpoint, &dir, &settings, std::process::id())
        }
    })
    .await??;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", pooler.url(startup::EMBEDDED_DATABASE, &role))?;
        out.flush()?;
    }
    eprintln!("pgbouncer in transaction mode is running; Ctrl-C stops it");
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    pooler.stop();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}
