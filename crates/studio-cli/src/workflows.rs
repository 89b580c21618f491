//! `eco-studio worker` (a workflow runner sharing the database with the app
//! and other workers) and `eco-studio workflow list|run|export|import`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::workflows;
use studio_core::workflows::engine::{self, Engine, EngineOptions, ExecutionFilter, RunWorkflow};
use studio_core::{Actor, Source};
use uuid::Uuid;

#[derive(Subcommand)]
pub enum WorkflowAction {
    /// The workflows, with their trigger, published version and state.
    List,
    /// Start a published workflow on entities (or a saved view's rows).
    Run {
        /// The workflow's id or key.
        workflow: String,
        /// An entity's id or path label (repeat for several).
        #[arg(long = "entity")]
        entities: Vec<String>,
        /// Run on each row of this saved view (by key).
        #[arg(long)]
        view: Option<String>,
        /// Drive the runs here until they finish (or wait), then print them.
        #[arg(long)]
        wait: bool,
    },
    /// Print a workflow (draft and published document) as JSON.
    Export {
        workflow: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Create a workflow from an exported file (published when it was).
    Import {
        file: std::path::PathBuf,
        /// The root (path label or id) it belongs to.
        #[arg(long)]
        root: Option<String>,
    },
}

/// Options of `eco-studio worker`.
#[derive(clap::Args)]
pub struct WorkerArgs {
    /// Executions driven at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// This worker's name in executions and steps (default: worker-<pid>).
    #[arg(long)]
    pub name: Option<String>,
    /// How long a claim holds without renewal, in milliseconds; a killed
    /// worker's executions are taken over after it.
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(500..=3_600_000))]
    pub lease_ms: u64,
    /// Read the vault's passphrase from the first line of stdin (for HTTP
    /// nodes' secrets); without it only keychain keys open.
    #[arg(long)]
    pub passphrase_stdin: bool,
}

async fn open(target: &DatabaseTarget) -> Result<(startup::OpenedDatabase, Actor)> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
    Ok((opened, actor))
}

pub async fn worker(args: WorkerArgs, target: &DatabaseTarget) -> Result<ExitCode> {
    let (opened, _) = open(target).await?;
    let vault = crate::vault::new_vault();
    let passphrase = crate::vault::passphrase(args.passphrase_stdin)?;
    if let Err(e) = vault.unlock(&opened.pool, passphrase).await {
        eprintln!("the vault stays locked ({e}); HTTP nodes with secrets will wait");
    }
    let name = args
        .name
        .unwrap_or_else(|| format!("worker-{}", std::process::id()));
    let mut opts = EngineOptions::new(name.clone());
    opts.concurrency = args.concurrency as usize;
    opts.lease = Duration::from_millis(args.lease_ms);
    opts.vault = Some(vault);
    let engine = Engine::new(opened.pool.clone(), opts).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    println!(
        "worker {name} running on {} (concurrency {}); Ctrl-C stops it",
        opened.display, args.concurrency
    );
    let running = tokio::spawn(engine.run(stopped));
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    let _ = stop.send(true);
    let _ = running.await;
    println!("worker {name} stopped");
    startup::close(opened).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn workflow_command(action: WorkflowAction, target: &DatabaseTarget) -> Result<ExitCode> {
    let (opened, actor) = open(target).await?;
    let pool = opened.pool.clone();
    match action {
        WorkflowAction::List => {
            let list = workflows::list(&pool, false).await?;
            if list.is_empty() {
                println!("no workflows");
            }
            for w in list {
                println!(
                    "{}  {:<32} {:<12} v{:<4} {:<8} {}",
                    w.id,
                    w.name,
                    w.trigger_kind.as_deref().unwrap_or("-"),
                    w.published_version
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "-".into()),
                    if w.enabled { "enabled" } else { "disabled" },
                    w.root_name.as_deref().unwrap_or("(all roots)"),
                );
            }
        }
        WorkflowAction::Run {
            workflow,
            entities,
            view,
            wait,
        } => {
            let workflow_id = workflows::find(&pool, &workflow).await?;
            let mut entity_ids = Vec::new();
            for e in &entities {
                entity_ids.push(studio_core::alerts::entity_by_reference(&pool, e).await?);
            }
            let started = engine::run(
                &pool,
                &actor,
                &RunWorkflow {
                    workflow_id,
                    entity_ids,
                    view_key: view,
                },
            )
            .await?
            .value;
            println!("started {} execution(s)", started.len());
            if wait {
                let runner = Engine::new(
                    pool.clone(),
                    EngineOptions::new(format!("cli-{}", std::process::id())),
                )
                .await?;
                runner.run_until_idle().await?;
            }
            let ids: Vec<Uuid> = started.iter().map(|e| e.id).collect();
            let now = engine::list_executions(
                &pool,
                &ExecutionFilter {
                    workflow_id: Some(workflow_id),
                    limit: Some(2_000),
                    ..Default::default()
                },
            )
            .await?;
            let mut failed = false;
            for e in now.iter().filter(|e| ids.contains(&e.id)) {
                failed |= e.status == studio_core::records::ExecutionStatus::Failed;
                println!(
                    "{}  {:<10} {}{}",
                    e.id,
                    e.status.as_str(),
                    e.entity_name.as_deref().unwrap_or("-"),
                    e.error
                        .as_deref()
                        .map(|m| format!("  ({m})"))
                        .unwrap_or_default()
                );
            }
            startup::close(opened).await?;
            return Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            });
        }
        WorkflowAction::Export { workflow, out } => {
            let id = workflows::find(&pool, &workflow).await?;
            let json = serde_json::to_string_pretty(&workflows::export(&pool, id).await?)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, json + "\n")
                        .with_context(|| format!("writing {}", path.display()))?;
                    println!("wrote {}", path.display());
                }
                None => println!("{json}"),
            }
        }
        WorkflowAction::Import { file, root } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", file.display()))?;
            let root = match root {
                Some(r) => match studio_core::people::root_by_label(&pool, &r).await? {
                    Some(id) => Some(id),
                    None => bail!("no root {r:?} (give its path label or id)"),
                },
                None => None,
            };
            let detail = workflows::import(&pool, &actor, value, root).await?;
            println!(
                "imported {} ({}){}",
                detail.summary.name,
                detail.summary.id,
                match detail.summary.published_version {
                    Some(v) => format!(", published as version {v}"),
                    None => String::new(),
                }
            );
        }
    }
    startup::close(opened).await?;
    Ok(ExitCode::SUCCESS)
}
