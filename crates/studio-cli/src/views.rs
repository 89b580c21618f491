//! `eco-studio view list|run|save|delete`: saved views and view documents, run headless
//! with the same compiler as the app, as a person (row-level security
//! applies); `view sort-index`: the owner's indexes for sorted views.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::views::{self, ExportFormat};
use studio_core::{Actor, Source};

#[derive(Subcommand)]
pub enum ViewAction {
    /// The saved views you see.
    List {
        /// Run as this person's role (the embedded database admits it).
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Run a saved view (--key) or a view document (--file, `-` for stdin)
    /// and write its rows to stdout.
    Run {
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        key: Option<String>,
        #[arg(long)]
        file: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// At most this many rows.
        #[arg(long)]
        limit: Option<u64>,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Save a view document (--file, `-` for stdin) as a view: checked
    /// first, shared unless --personal, optionally pinned to a root.
    Save {
        #[arg(long)]
        file: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        key: Option<String>,
        /// The root's path label (the view is seen by those who see it).
        #[arg(long)]
        root: Option<String>,
        /// The signed-in person's own view rather than a shared one.
        #[arg(long)]
        personal: bool,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Make views filtered by one entity type come back sorted by this
    /// property from an index (built concurrently, as the schema owner);
    /// --drop removes it. Without a key, list the sort indexes there are.
    SortIndex {
        key: Option<String>,
        #[arg(long, requires = "key")]
        drop: bool,
    },
    /// Tell the planner how a number or date property is spread, on the
    /// expression views filter it with (as the schema owner; analyses the
    /// read model); --drop removes it. Without a key, list them.
    Statistics {
        key: Option<String>,
        #[arg(long, requires = "key")]
        drop: bool,
    },
    /// Delete the saved view with this key (restorable).
    Delete {
        #[arg(long)]
        key: String,
        #[arg(long = "as", value_name = "ROLE")]
        role: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

fn identity(role: Option<String>) -> Result<Identity> {
    Ok(match role {
        None => Identity::Person,
        Some(r) if r.trim().is_empty() => bail!("--as needs a role name"),
        Some(r) => Identity::Role(r),
    })
}

fn read_document(file: &str) -> Result<views::ViewDocument> {
    let text = if file == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading stdin")?
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?
    };
    Ok(views::parse_document(&text)?)
}

pub async fn run(action: ViewAction, target: &DatabaseTarget) -> Result<ExitCode> {
    match action {
        ViewAction::Statistics { key, drop } => {
            let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
            let pool = &opened.pool;
            match key {
                None => {
                    for name in views::sort_index::filter_statistics(pool).await? {
                        println!("{name}");
                    }
                }
                Some(key) if drop => {
                    if views::sort_index::drop_filter_statistics(pool, &key).await? {
                        println!("dropped the filter statistics of {key}");
                    } else {
                        println!("{key} had no filter statistics");
                    }
                }
                Some(key) => {
                    let name = views::sort_index::create_filter_statistics(pool, &key).await?;
                    println!("{name} gathered");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ViewAction::SortIndex { key, drop } => {
            let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
            let pool = &opened.pool;
            match key {
                None => {
                    for name in views::sort_index::sort_indexes(pool).await? {
                        println!("{name}");
                    }
                }
                Some(key) if drop => {
                    if views::sort_index::drop_sort_index(pool, &key).await? {
                        println!("dropped the sort index of {key}");
                    } else {
                        println!("{key} had no sort index");
                    }
                }
                Some(key) => {
                    let started = std::time::Instant::now();
                    let name = views::sort_index::create_sort_index(pool, &key).await?;
                    println!("{name} ready ({:.1} s)", started.elapsed().as_secs_f64());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ViewAction::Save {
            file,
            name,
            key,
            root,
            personal,
            role,
        } => {
            let opened = startup::open_as(target, identity(role)?, |_| {}).await?;
            let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
            let root_id = match root {
                Some(label) => Some(
                    studio_core::people::root_by_label(&opened.pool, &label)
                        .await?
                        .with_context(|| format!("no root {label:?} that you can see"))?,
                ),
                None => None,
            };
            let input = views::NewView {
                name,
                key,
                description: None,
                shared: !personal,
                root_id,
                document: read_document(&file)?,
            };
            let saved = views::create_view(&opened.pool, &actor, &input)
                .await?
                .value;
            println!("saved view {} ({})", saved.name, saved.id);
            Ok(ExitCode::SUCCESS)
        }
        ViewAction::Delete { key, role } => {
            let opened = startup::open_as(target, identity(role)?, |_| {}).await?;
            let actor = Actor::for_session(&opened.pool, Source::Cli).await?;
            let view = views::list_saved(&opened.pool)
                .await?
                .into_iter()
                .find(|v| v.key.as_deref() == Some(key.as_str()))
                .with_context(|| format!("no saved view with the key {key:?}"))?;
            let version = studio_core::records::VersionedId {
                id: view.id,
                expected_updated_at: view.updated_at,
            };
            let _ = views::delete_view(&opened.pool, &actor, &version).await?;
            println!("deleted view {} (restorable)", view.name);
            Ok(ExitCode::SUCCESS)
        }
        ViewAction::List { role } => {
            let opened = startup::open_as(target, identity(role)?, |_| {}).await?;
            let saved = views::list_saved(&opened.pool).await?;
            if saved.is_empty() {
                println!("no saved views");
            }
            for v in saved {
                println!(
                    "{:<24} {:<32} {:<6} {}",
                    v.key.as_deref().unwrap_or("-"),
                    v.name,
                    v.view_type,
                    if v.owner_user_id.is_some() {
                        "personal"
                    } else {
                        "shared"
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ViewAction::Run {
            key,
            file,
            format,
            limit,
            role,
        } => {
            let opened = startup::open_as(target, identity(role)?, |_| {}).await?;
            let doc = match (key, file) {
                (Some(key), _) => views::saved_document(&opened.pool, &key).await?,
                (None, Some(file)) => read_document(&file)?,
                (None, None) => bail!("give --key or --file"),
            };
            let format = match format {
                Format::Csv => ExportFormat::Csv,
                Format::Json => ExportFormat::Json,
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let rows = views::export(
                &opened.pool,
                &doc,
                format,
                limit,
                &mut out,
                |n| eprint!("\r{n} rows"),
                &studio_core::progress::CancelToken::new(),
            )
            .await?;
            out.flush()?;
            eprintln!("\r{rows} rows exported");
            Ok(ExitCode::SUCCESS)
        }
    }
}
