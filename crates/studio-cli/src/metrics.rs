//! `eco-studio metrics …` (import readings, list metrics), `eco-studio
//! alerts …` (list, raise, acknowledge, resolve) and the readings part of
//! `eco-studio seed generate --metrics N`.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use studio_core::alerts::{self, AlertFilter, AlertLevel, AlertStatus, RaiseAlert};
use studio_core::metrics::{self, ImportFormat, ImportOptions, OnBadRows};
use studio_core::progress::{CancelToken, Progress};
use studio_core::records::VersionedId;
use studio_core::startup::{self, DatabaseTarget};
use studio_core::{Actor, Source};
use uuid::Uuid;

#[derive(Subcommand)]
pub enum MetricsAction {
    /// Import readings from a CSV or JSON file (entity by id or path label,
    /// metric, time, value, optional unit), idempotent on (entity, metric, time).
    Import {
        #[arg(long)]
        file: String,
        /// csv or json (default: from the file's extension).
        #[arg(long)]
        format: Option<String>,
        /// Store the good records and report the bad ones (default: any bad
        /// record stores nothing).
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// List the metrics with their series counts.
    List,
}

#[derive(Subcommand)]
pub enum DashboardsAction {
    /// The dashboards you see.
    List,
    /// Print a dashboard (by key or id) as JSON, to import elsewhere.
    Export { dashboard: String },
    /// Create a dashboard from a JSON file made by `export`.
    Import {
        #[arg(long)]
        file: String,
        /// Save it under this key (default: the file's, if free).
        #[arg(long)]
        key: Option<String>,
    },
}

pub async fn dashboards_command(
    action: DashboardsAction,
    target: &DatabaseTarget,
) -> Result<ExitCode> {
    use studio_core::dashboards::{self, SaveDashboard};
    let opened = startup::open(target, |_| {}).await?;
    let pool = &opened.pool;
    match action {
        DashboardsAction::List => {
            for d in dashboards::list(pool).await? {
                println!(
                    "{}  {:<24} {:>3} widgets  {}",
                    d.id,
                    d.key.as_deref().unwrap_or("-"),
                    d.widgets,
                    d.name
                );
            }
        }
        DashboardsAction::Export { dashboard } => {
            let found = match Uuid::parse_str(&dashboard) {
                Ok(id) => Some(dashboards::get(pool, id).await?),
                Err(_) => dashboards::by_key(pool, &dashboard).await?,
            };
            let found = found.with_context(|| format!("no dashboard {dashboard:?}"))?;
            println!("{}", serde_json::to_string_pretty(&found.to_new())?);
        }
        DashboardsAction::Import { file, key } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
            let mut input: SaveDashboard = serde_json::from_str(&text)
                .with_context(|| format!("{file} is not a dashboard export"))?;
            input.id = None;
            input.expected_updated_at = None;
            if key.is_some() {
                input.key = key;
            }
            let actor = Actor::for_session(pool, Source::Cli).await?;
            let saved = dashboards::save(pool, &actor, &input).await?.value;
            println!(
                "dashboard {} created: {} ({} widgets)",
                saved.id,
                saved.name,
                saved.widgets.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum AlertsAction {
    /// Open alerts (pending and acknowledged), newest first.
    List {
        /// Resolved ones too.
        #[arg(long)]
        all: bool,
        /// Only those of this entity (id or path label) and under it.
        #[arg(long)]
        entity: Option<String>,
    },
    /// Raise an alert on an entity (id or path label).
    Raise {
        #[arg(long)]
        entity: String,
        /// info, warning or critical.
        #[arg(long, default_value = "warning")]
        level: String,
        #[arg(long)]
        message: String,
    },
    /// Acknowledge a pending alert.
    Ack { id: Uuid },
    /// Resolve an alert.
    Resolve { id: Uuid },
}

pub async fn metrics_command(action: MetricsAction, target: &DatabaseTarget) -> Result<ExitCode> {
    let opened = startup::open(target, |_| {}).await?;
    let pool = &opened.pool;
    match action {
        MetricsAction::List => {
            for m in metrics::list_metrics(pool).await? {
                println!(
                    "{:<32} {:<8} {} series",
                    m.metric_key,
                    m.unit.as_deref().unwrap_or("-"),
                    m.series
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        MetricsAction::Import {
            file,
            format,
            skip_bad_rows,
        } => {
            let format = match format.as_deref() {
                Some("csv") => ImportFormat::Csv,
                Some("json") => ImportFormat::Json,
                Some(other) => bail!("--format is csv or json, not {other:?}"),
                None => ImportFormat::from_path(&file).with_context(|| {
                    format!("cannot tell the format of {file}: pass --format csv|json")
                })?,
            };
            let input =
                std::fs::File::open(&file).with_context(|| format!("cannot open {file}"))?;
            let size = input.metadata().ok().map(|m| m.len());
            let actor = Actor::for_session(pool, Source::Cli).await?;
            let started = Instant::now();
            let last = std::sync::Mutex::new(Instant::now());
            let progress = |p: Progress| {
                let Ok(mut last) = last.lock() else { return };
                if last.elapsed().as_millis() < 500 && p.done < p.total {
                    return;
                }
                *last = Instant::now();
                let pct = if p.total > 0 {
                    100.0 * p.done as f64 / p.total as f64
                } else {
                    0.0
                };
                eprint!(
                    "\r[{:>6.1}s] {pct:>5.1}% of {} read",
                    started.elapsed().as_secs_f64(),
                    file
                );
                let _ = std::io::stderr().flush();
            };
            let options = ImportOptions {
                format,
                on_bad_rows: if skip_bad_rows {
                    OnBadRows::Skip
                } else {
                    OnBadRows::Abort
                },
            };
            let report = metrics::import(
                pool,
                &actor,
                input,
                size,
                options,
                &progress,
                &CancelToken::new(),
            )
            .await?
            .value;
            eprintln!();
            for p in &report.problems {
                println!("line {}: {:?}: {}", p.line, p.kind, p.message);
            }
            if report.problem_count > report.problems.len() as i64 {
                println!(
                    "… and {} more bad records",
                    report.problem_count - report.problems.len() as i64
                );
            }
            let secs = started.elapsed().as_secs_f64();
            if !report.committed {
                println!(
                    "nothing imported: {} of {} records are bad (use --skip-bad-rows to store the good ones)",
                    report.problem_count, report.records
                );
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "{} records in {secs:.1} s ({:.0}/s): {} samples stored, {} already present, {} bad, {} series created, {} days rolled up",
                report.records,
                report.records as f64 / secs.max(1e-9),
                report.inserted,
                report.already_present,
                report.problem_count,
                report.series_created,
                report.rollup_days,
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn entity_id(pool: &studio_core::db::PgPool, reference: &str) -> Result<Uuid> {
    Ok(alerts::entity_by_reference(pool, reference).await?)
}

pub async fn alerts_command(action: AlertsAction, target: &DatabaseTarget) -> Result<ExitCode> {
    let opened = startup::open(target, |_| {}).await?;
    let pool = &opened.pool;
    let actor = Actor::for_session(pool, Source::Cli).await?;
    let print = |a: &alerts::Alert| {
        println!(
            "{}  {:<8} {:<12} {}  {}  ({})",
            a.id,
            format!("{:?}", a.level).to_lowercase(),
            a.status.as_str(),
            a.raised_at.format("%Y-%m-%d %H:%M"),
            a.message,
            a.entity_path_label
        );
    };
    match action {
        AlertsAction::List { all, entity } => {
            let entity_id = match entity {
                Some(e) => Some(entity_id(pool, &e).await?),
                None => None,
            };
            let filter = AlertFilter {
                statuses: if all {
                    vec![
                        AlertStatus::Pending,
                        AlertStatus::Acknowledged,
                        AlertStatus::Resolved,
                    ]
                } else {
                    Vec::new()
                },
                entity_id,
                subtree: true,
                limit: Some(1_000),
            };
            for a in alerts::list(pool, &filter).await? {
                print(&a);
            }
        }
        AlertsAction::Raise {
            entity,
            level,
            message,
        } => {
            let level = match level.as_str() {
                "info" => AlertLevel::Info,
                "warning" => AlertLevel::Warning,
                "critical" => AlertLevel::Critical,
                other => bail!("--level is info, warning or critical, not {other:?}"),
            };
            let input = RaiseAlert {
                entity_id: entity_id(pool, &entity).await?,
                level,
                message,
            };
            print(&alerts::raise(pool, &actor, &input).await?.value);
        }
        AlertsAction::Ack { id } | AlertsAction::Resolve { id } => {
            let to = if matches!(action, AlertsAction::Ack { .. }) {
                AlertStatus::Acknowledged
            } else {
                AlertStatus::Resolved
            };
            let updated_at = alerts::get(pool, id).await?.updated_at;
            let input = VersionedId {
                id,
                expected_updated_at: updated_at,
            };
            print(&alerts::transition(pool, &actor, &input, to).await?.value);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `seed generate --metrics N`: N hourly kWh readings spread over `series`
/// energy meters (in blocks of 500 per root, so a root's aggregate covers
/// at most 500 series).
pub async fn generate_readings(
    target: &DatabaseTarget,
    samples: u64,
    series: u64,
    seed: u64,
) -> Result<()> {
    if series == 0 || samples < series {
        bail!("--metrics must be at least --series ({series})");
    }
    let opened = startup::open_as(target, startup::Identity::Maintenance, |_| {}).await?;
    let pool = &opened.pool;
    let actor = Actor::for_session(pool, Source::Cli).await?;
    let meters = metrics::generate::pick_meters(pool, series).await?;
    if meters.is_empty() {
        bail!("the registry has no energy meters: generate entities first (--entities)");
    }
    let points = samples / meters.len() as u64;
    println!(
        "generating {points} hourly readings for each of {} meters",
        meters.len()
    );
    let started = Instant::now();
    let last = std::sync::Mutex::new(0i64);
    let progress = |p: Progress| {
        let Ok(mut last) = last.lock() else { return };
        if p.done / 1_000_000 > *last / 1_000_000 || p.done == p.total {
            *last = p.done;
            println!(
                "[{:>6.1}s] {:>11} / {} readings",
                started.elapsed().as_secs_f64(),
                p.done,
                p.total
            );
        }
    };
    let mut tx = pool.begin().await?;
    let made = metrics::generate::generate(&mut tx, &meters, points, seed, &progress).await?;
    let summary = serde_json::json!({ "generated": made.inserted, "series": made.series,
                                      "pointsPerSeries": made.points_per_series, "seed": seed });
    let _ = studio_core::change::record(
        &mut tx,
        &actor,
        studio_core::change::Change::MetricsImported { summary },
        (),
    )
    .await?;
    tx.commit().await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} readings stored in {secs:.1} s ({:.0}/s) from {} to {}; vacuum and analyze",
        made.inserted,
        made.inserted as f64 / secs.max(1e-9),
        made.first.format("%Y-%m-%d %H:%M"),
        made.last.format("%Y-%m-%d %H:%M"),
    );
    metrics::generate::vacuum(pool).await?;
    Ok(())
}
