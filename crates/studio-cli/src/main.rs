//! `eco-studio`: the studio's operations on the command line. Each
//! subcommand parses its arguments, calls `studio-core` (or
//! `studio-localdb` for the embedded cluster) and prints the result.

mod bench_tree;
mod doctor;
mod seed_generate;

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
    /// Check what Eco Studio needs on this machine.
    Doctor,
    /// Measure the studio's operations on the current database.
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// The tree's read paths and a 1,000-node move, against raw SQL.
    Tree {
        /// Timed runs of each read operation (moves: a fifth as many round trips).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        iterations: u32,
        /// One JSON object per operation and line.
        #[arg(long)]
        json: bool,
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
}

#[derive(Subcommand)]
enum SeedWhat {
    /// A realistic demo registry (energy estate, a few hundred entities).
    Demo,
    /// A large generated energy estate (deterministic for a seed), for
    /// measurements at scale.
    Generate {
        /// How many entities (tenants, sites, buildings, floors, rooms, devices).
        #[arg(long)]
        entities: u64,
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
            let opened = startup::open(&target, |_| {}).await?;
            println!(
                "schema up to date on {} (PostgreSQL {})",
                opened.display, opened.server.version
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            what: SeedWhat::Demo,
        } => {
            let opened = startup::open(&target, |_| {}).await?;
            let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
            let report = demo::seed_demo(&opened.pool, &actor).await?.value;
            println!(
                "demo registry loaded: {} entity types, {} entities",
                report.entity_types, report.entities
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            what:
                SeedWhat::Generate {
                    entities,
                    seed,
                    wide,
                },
        } => seed_generate::run(&target, entities, seed, wide).await,
        Command::Bench {
            what: BenchWhat::Tree { iterations, json },
        } => bench_tree::run(&target, iterations, json).await,
        Command::Doctor => Ok(doctor::run()),
    }
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
    let cluster = Cluster::persistent(&root)?;
    match action {
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
