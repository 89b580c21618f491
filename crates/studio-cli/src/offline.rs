//! `eco-studio offline …`: the offline cache of this database and person,
//! for scripting and support: its state, making a subtree available,
//! refreshing, removing, and the outbox (list, export, replay).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use studio_core::progress::{CancelToken, Progress};
use studio_core::startup::{self, DatabaseTarget};
use studio_core::{registry, Actor, Source};
use studio_offline::{AddOptions, OfflineCache, OutboxStatus};
use uuid::Uuid;

#[derive(Subcommand)]
pub enum OfflineAction {
    /// The kept subtrees, the outbox's counts and the file's size (works
    /// without the server).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Make a subtree available offline (an id or a path label): its size
    /// first, then the download with its progress.
    Add {
        root: String,
        /// Only show what it would download.
        #[arg(long)]
        size_only: bool,
        #[arg(long)]
        json: bool,
    },
    /// Bring the kept subtrees up to date.
    Refresh {
        #[arg(long)]
        json: bool,
    },
    /// Remove a kept subtree from this computer (queued edits stay).
    Remove { root: String },
    /// The outbox: list it, export it, or replay what waits.
    Outbox {
        /// Only entries of this status (repeatable).
        #[arg(long, value_enum)]
        status: Vec<StatusArg>,
        /// Write the entries to this JSON file.
        #[arg(long)]
        export: Option<PathBuf>,
        /// Send the pending edits to the server now.
        #[arg(long)]
        replay: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Pending,
    Applied,
    Conflict,
    Refused,
    Discarded,
}

impl From<StatusArg> for OutboxStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Pending => OutboxStatus::Pending,
            StatusArg::Applied => OutboxStatus::Applied,
            StatusArg::Conflict => OutboxStatus::Conflict,
            StatusArg::Refused => OutboxStatus::Refused,
            StatusArg::Discarded => OutboxStatus::Discarded,
        }
    }
}

/// `--cache`, else the file of this database and person.
async fn open_cache(
    cache: Option<PathBuf>,
    target: &DatabaseTarget,
) -> Result<(OfflineCache, Option<startup::OpenedDatabase>)> {
    if let Some(path) = cache {
        return Ok((OfflineCache::open(&path).await?, None));
    }
    let opened = startup::open(target, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
    let path = OfflineCache::default_file(&opened.display, actor.user_id);
    Ok((OfflineCache::open(&path).await?, Some(opened)))
}

/// The caches in the default folder (for the commands that work without
/// the server).
fn cache_files(cache: Option<PathBuf>) -> Result<Vec<PathBuf>> {
    if let Some(path) = cache {
        return Ok(vec![path]);
    }
    let dir = OfflineCache::default_dir();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sqlite"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    Ok(files)
}

async fn resolve_root(pool: &studio_core::db::PgPool, text: &str) -> Result<Uuid> {
    if let Ok(id) = Uuid::try_parse(text) {
        return Ok(id);
    }
    let hits = registry::search(pool, text, 50).await?;
    hits.hits
        .iter()
        .find(|n| n.path_label == text)
        .map(|n| n.id)
        .with_context(|| format!("no entity has the id or path label {text:?}"))
}

pub async fn offline_command(
    action: OfflineAction,
    cache: Option<PathBuf>,
    target: &DatabaseTarget,
) -> Result<ExitCode> {
    match action {
        OfflineAction::Status { json } => {
            let files = cache_files(cache)?;
            if files.is_empty() {
                println!(
                    "no offline cache in {} (make a subtree available first)",
                    OfflineCache::default_dir().display()
                );
            }
            for file in files {
                let c = OfflineCache::open(&file).await?;
                let status = c.status().await?;
                if json {
                    println!("{}", serde_json::to_string(&status)?);
                } else {
                    println!("{}", status.path);
                    println!(
                        "  {} bytes; outbox: {} pending, {} in conflict, {} refused",
                        status.file_bytes, status.pending, status.conflicts, status.refused
                    );
                    for s in &status.scopes {
                        println!(
                            "  {:<8} {}  {}  {} entities, {} values, refreshed {}{}",
                            format!("{:?}", s.state).to_lowercase(),
                            s.root_id,
                            s.path_label,
                            s.entities,
                            s.values,
                            s.refreshed_at.format("%Y-%m-%d %H:%M:%S"),
                            s.reason
                                .as_deref()
                                .map(|r| format!(" ({r})"))
                                .unwrap_or_default()
                        );
                    }
                }
                c.close().await;
            }
            Ok(ExitCode::SUCCESS)
        }
        OfflineAction::Add {
            root,
            size_only,
            json,
        } => {
            let (c, opened) = open_cache(cache, target).await?;
            let Some(opened) = opened else {
                bail!("--cache cannot be used to add a subtree: the server decides what you see");
            };
            let pool = &opened.pool;
            let root = resolve_root(pool, &root).await?;
            let size = c.size(pool, root).await?;
            if !json {
                println!(
                    "{} entities, {} values, about {:.1} MiB",
                    size.entities,
                    size.values,
                    size.bytes as f64 / 1_048_576.0
                );
            }
            if size_only {
                if json {
                    println!("{}", serde_json::to_string(&size)?);
                }
                return Ok(ExitCode::SUCCESS);
            }
            let quiet = json;
            let options = AddOptions {
                progress: Some(std::sync::Arc::new(move |p: Progress| {
                    if !quiet {
                        eprint!("\r{} / {} rows", p.done, p.total);
                    }
                })),
            };
            let scope = c.add(pool, root, &options, &CancelToken::new()).await?;
            if json {
                println!("{}", serde_json::to_string(&scope)?);
            } else {
                eprintln!();
                println!(
                    "{} is available offline: {} entities, {} values in {}",
                    scope.name,
                    scope.entities,
                    scope.values,
                    c.path().display()
                );
            }
            c.close().await;
            Ok(ExitCode::SUCCESS)
        }
        OfflineAction::Refresh { json } => {
            let (c, opened) = open_cache(cache, target).await?;
            let Some(opened) = opened else {
                bail!("refreshing needs the server");
            };
            let report = c.refresh(&opened.pool, &CancelToken::new()).await?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!(
                    "{} entities reread, {} removed, {} subtrees lost, in {} ms",
                    report.updated,
                    report.removed,
                    report.revoked.len(),
                    report.millis
                );
            }
            c.close().await;
            Ok(ExitCode::SUCCESS)
        }
        OfflineAction::Remove { root } => {
            let (c, opened) = open_cache(cache, target).await?;
            let root = match (&opened, Uuid::try_parse(&root)) {
                (_, Ok(id)) => id,
                (Some(o), Err(_)) => resolve_root(&o.pool, &root).await?,
                (None, Err(_)) => bail!("give the subtree's id"),
            };
            c.remove(root).await?;
            println!("removed {root} from {}", c.path().display());
            c.close().await;
            Ok(ExitCode::SUCCESS)
        }
        OfflineAction::Outbox {
            status,
            export,
            replay,
            json,
        } => {
            let statuses: Vec<OutboxStatus> = status.into_iter().map(Into::into).collect();
            let (c, opened) = if replay {
                open_cache(cache, target).await?
            } else {
                let files = cache_files(cache)?;
                let Some(file) = files.first() else {
                    bail!(
                        "no offline cache in {}",
                        OfflineCache::default_dir().display()
                    );
                };
                if files.len() > 1 {
                    eprintln!("(several caches; showing {})", file.display());
                }
                (OfflineCache::open(file).await?, None)
            };
            let mut failed = false;
            if replay {
                let Some(opened) = &opened else {
                    bail!("replaying needs the server");
                };
                let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
                let report = c.replay(&opened.pool, &actor).await?;
                if report.stopped.is_none() {
                    c.refresh(&opened.pool, &CancelToken::new()).await?;
                }
                failed = report.stopped.is_some();
                if json {
                    println!("{}", serde_json::to_string(&report)?);
                } else {
                    println!(
                        "{} applied, {} already applied, {} conflicts, {} refused, {} still pending{}",
                        report.applied,
                        report.already_applied,
                        report.conflicts,
                        report.refused,
                        report.remaining,
                        report
                            .stopped
                            .as_deref()
                            .map(|s| format!(" (stopped: {s})"))
                            .unwrap_or_default()
                    );
                }
            }
            if let Some(path) = export {
                let text = c.export_outbox(&statuses).await?;
                std::fs::write(&path, text)
                    .with_context(|| format!("{} could not be written", path.display()))?;
                println!("wrote {}", path.display());
            } else if !replay {
                for e in c.outbox(&statuses).await? {
                    if json {
                        println!("{}", serde_json::to_string(&e)?);
                    } else {
                        println!(
                            "{:>5}  {}  {:<10} {:<10} {}  {}{}",
                            e.seq,
                            e.created_at.format("%Y-%m-%d %H:%M:%S"),
                            format!("{:?}", e.status).to_lowercase(),
                            e.kind,
                            e.entity_id,
                            e.entity_name.as_deref().unwrap_or("-"),
                            e.reason
                                .as_deref()
                                .map(|r| format!("  ({r})"))
                                .unwrap_or_default()
                        );
                    }
                }
            }
            c.close().await;
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
