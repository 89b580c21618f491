//! `eco-studio import …` (rows of a CSV, JSON or NDJSON file as entities,
//! matched by external id), `eco-studio import-runs` (the run log) and
//! `eco-studio pack …` (list, install, uninstall domain packs).

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use studio_core::import::{self, FileFormat, ImportMapping, ImportMode, SyncOptions, SyncReport};
use studio_core::packs;
use studio_core::progress::{CancelToken, Progress};
use studio_core::startup::{self, DatabaseTarget};
use studio_core::{Actor, Source};
use uuid::Uuid;

#[derive(Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// Any error and nothing is written.
    AllOrNothing,
    /// Rows with errors are left out and reported.
    RowByRow,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Json,
    Ndjson,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The entity type every row becomes.
    #[arg(long = "type")]
    pub type_key: String,
    /// The file (.csv, .json, .ndjson/.jsonl).
    #[arg(long)]
    pub file: String,
    /// The system the external ids come from.
    #[arg(long, default_value = "csv")]
    pub source: String,
    /// The file's format (default: from its extension).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// A mapping (JSON: externalId, name, parent, tags, properties,
    /// ignored); default: guessed from the header.
    #[arg(long)]
    pub mapping: Option<String>,
    #[arg(long, value_enum, default_value = "all-or-nothing")]
    pub mode: ModeArg,
    /// Soft-delete the entities of this type and source the file no longer has.
    #[arg(long)]
    pub delete_missing: bool,
    /// The parent of new rows that name none (an id or a path label).
    #[arg(long)]
    pub under: Option<String>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum PackAction {
    /// The built-in packs and the installed ones, with their versions.
    List,
    /// Install or upgrade a pack: a built-in one by name, or a folder.
    Install { pack: String },
    /// Uninstall a pack (refused while entities use its types, unless
    /// --delete-entities soft-deletes them).
    Uninstall {
        pack: String,
        #[arg(long)]
        delete_entities: bool,
    },
}

/// The id of an entity given by id or path label.
async fn entity_ref(pool: &studio_core::db::PgPool, text: &str) -> Result<Uuid> {
    Ok(studio_core::alerts::entity_by_reference(pool, text).await?)
}

pub async fn import_command(args: ImportArgs, target: &DatabaseTarget) -> Result<ExitCode> {
    let opened = startup::open(target, |_| {}).await?;
    let pool = &opened.pool;
    let actor = Actor::for_session(pool, Source::Cli).await?;
    let mapping: Option<ImportMapping> = match &args.mapping {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
            Some(serde_json::from_str(&text).with_context(|| format!("{path} is not a mapping"))?)
        }
        None => None,
    };
    let under = match &args.under {
        Some(u) => Some(entity_ref(pool, u).await?),
        None => None,
    };
    let file =
        std::fs::File::open(&args.file).with_context(|| format!("cannot open {}", args.file))?;
    let options = SyncOptions {
        type_key: args.type_key.clone(),
        source: Some(args.source.clone()),
        format: args.format.map(|f| match f {
            FormatArg::Csv => FileFormat::Csv,
            FormatArg::Json => FileFormat::Json,
            FormatArg::Ndjson => FileFormat::Ndjson,
        }),
        mapping,
        mode: match args.mode {
            ModeArg::AllOrNothing => ImportMode::AllOrNothing,
            ModeArg::RowByRow => ImportMode::RowByRow,
        },
        delete_missing: args.delete_missing,
        under,
        file_name: std::path::Path::new(&args.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
    };
    let quiet = args.json;
    let progress = move |p: Progress| {
        if !quiet {
            eprint!("\r... {} records read", p.done);
            let _ = std::io::stderr().flush();
        }
    };
    let cancel = CancelToken::new();
    let applied = import::run(
        pool,
        &actor,
        &options,
        Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
        args.dry_run,
        &progress,
        &cancel,
    )
    .await?;
    if !quiet {
        eprintln!();
    }
    let report = applied.value;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&report);
    }
    let ok = report.status != "failed" && (report.diff.error_rows == 0 || !args.dry_run);
    Ok(if ok && report.status != "failed" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(report: &SyncReport) {
    let d = &report.diff;
    let verb = match report.status.as_str() {
        "dry_run" => "would be",
        "completed" => "were",
        _ => "would have been (nothing was written)",
    };
    println!(
        "{} records: {} created, {} updated, {} unchanged, {} deleted {verb}; {} rows with errors",
        d.total, d.created, d.updated, d.unchanged, d.deleted, d.error_rows
    );
    if let Some(id) = report.run_id {
        println!("run {id}: {}", report.status);
    }
    for row in d.updated_rows.iter().take(10) {
        println!("  line {} {} ({}):", row.line, row.external_id, row.name);
        for c in &row.changes {
            println!(
                "    {}: {} → {}",
                c.field,
                c.before.as_deref().unwrap_or("(none)"),
                c.after.as_deref().unwrap_or("(none)")
            );
        }
    }
    for row in d.deleted_rows.iter().take(10) {
        println!("  delete {} ({})", row.external_id, row.name);
    }
    for e in d.errors.iter().take(50) {
        match &e.column {
            Some(c) => println!("  line {}, column {c}: {}", e.line, e.message),
            None => println!("  line {}: {}", e.line, e.message),
        }
    }
    if d.errors.len() > 50 {
        println!("  … {} more errors", d.errors.len() - 50);
    }
}

pub async fn import_runs(target: &DatabaseTarget) -> Result<ExitCode> {
    let opened = startup::open(target, |_| {}).await?;
    for r in import::list_runs(&opened.pool, 50).await? {
        println!(
            "{}  {}  {:<10} {:<12} {:<14} {:>6} read {:>6} new {:>6} upd {:>6} same {:>5} del {:>5} err  {}",
            r.id,
            r.started_at.format("%Y-%m-%d %H:%M:%S"),
            r.status,
            r.entity_type,
            r.source,
            r.total_records,
            r.created_count,
            r.updated_count,
            r.skipped_count,
            r.deleted_count,
            r.error_count,
            r.file_name.as_deref().unwrap_or("-"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn pack_command(action: PackAction, target: &DatabaseTarget) -> Result<ExitCode> {
    let opened = startup::open(target, |_| {}).await?;
    let pool = &opened.pool;
    match action {
        PackAction::List => {
            for p in packs::list(pool).await? {
                println!(
                    "{:<10} {:<28} built in {:<8} installed {}",
                    p.key,
                    p.name,
                    p.available_version.as_deref().unwrap_or("-"),
                    p.installed_version.as_deref().unwrap_or("-"),
                );
            }
        }
        PackAction::Install { pack } => {
            let path = std::path::Path::new(&pack);
            let pack = if path.is_dir() {
                packs::from_dir(path)?
            } else {
                packs::builtin(&pack)?
            };
            let actor = Actor::for_session(pool, Source::Cli).await?;
            let report = packs::install(pool, &actor, &pack).await?.value;
            match &report.previous_version {
                Some(v) if v == &report.version => {
                    println!("{} {} is installed (again)", report.key, report.version)
                }
                Some(v) => println!("{} upgraded from {v} to {}", report.key, report.version),
                None => println!("{} {} installed", report.key, report.version),
            }
            println!(
                "  created {}, updated {}, adopted {}; sample rows: {} created, {} updated, {} unchanged",
                report.created.len(),
                report.updated.len(),
                report.adopted.len(),
                report.sample_created,
                report.sample_updated,
                report.sample_unchanged
            );
            for n in &report.notes {
                println!("  note: {n}");
            }
        }
        PackAction::Uninstall {
            pack,
            delete_entities,
        } => {
            let actor = Actor::for_session(pool, Source::Cli).await?;
            let report = packs::uninstall(pool, &actor, &pack, delete_entities)
                .await?
                .value;
            println!(
                "{} uninstalled: {} entities deleted, removed {}",
                report.key,
                report.entities_deleted,
                report.removed.join(", ")
            );
            for n in &report.notes {
                println!("  note: {n}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
