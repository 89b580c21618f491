//! `eco-studio view list|run`: saved views and view documents, run headless
//! with the same compiler as the app, as a person (row-level security
//! applies).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::views::{self, ExportFormat};

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

pub async fn run(action: ViewAction, target: &DatabaseTarget) -> Result<ExitCode> {
    match action {
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
                (None, Some(file)) => {
                    let text = if file == "-" {
                        std::io::read_to_string(std::io::stdin()).context("reading stdin")?
                    } else {
                        std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?
                    };
                    views::parse_document(&text)?
                }
                (None, None) => bail!("give --key or --file"),
            };
            let format = match format {
                Format::Csv => ExportFormat::Csv,
                Format::Json => ExportFormat::Json,
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let rows = views::export(&opened.pool, &doc, format, limit, &mut out, |n| {
                eprint!("\r{n} rows");
            })
            .await?;
            out.flush()?;
            eprintln!("\r{rows} rows exported");
            Ok(ExitCode::SUCCESS)
        }
    }
}
