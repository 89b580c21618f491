//! `eco-studio bench tree|properties`: runs a benchmark and prints a table
//! (or JSON lines).

use std::process::ExitCode;

use anyhow::{bail, Result};
use studio_bench::tree::{self as bench, BenchOptions, BenchReport};
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::{Actor, Source};

/// Which benchmark.
#[derive(Debug, Clone, Copy)]
pub enum Suite {
    Tree,
    Properties,
    Views,
    /// Dashboards and time series.
    Dashboards,
    /// The vault, with a rewrap of this many secret versions.
    Vault {
        rewrap: u32,
    },
}

pub async fn run(
    target: &DatabaseTarget,
    identity: Identity,
    suite: Suite,
    iterations: u32,
    json: bool,
) -> Result<ExitCode> {
    let opened = startup::open_as(target, identity, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Bench).await?;
    let options = BenchOptions::with_iterations(iterations);
    let step = |step: &str| {
        if !json {
            eprintln!("... {step}");
        }
    };
    let report = match suite {
        Suite::Tree => bench::bench_tree(&opened.pool, &actor, &options, &step).await?,
        Suite::Dashboards => {
            studio_bench::dashboards::bench_dashboards(&opened.pool, &actor, &options, &step)
                .await?
        }
        Suite::Views => {
            studio_bench::views::bench_views(&opened.pool, &actor, &options, &step).await?
        }
        Suite::Vault { rewrap } => {
            studio_bench::vault::bench_vault(&opened.pool, &actor, &options, rewrap, &step).await?
        }
        Suite::Properties => {
            studio_bench::properties::bench_properties(&opened.pool, &actor, &options, &step)
                .await?
        }
    };
    print(&report, json);
    Ok(ExitCode::SUCCESS)
}

/// `eco-studio bench workflows`: worker processes are this executable's
/// `worker` command on the same database.
pub async fn run_import(target: &DatabaseTarget, rows: u64, json: bool) -> Result<ExitCode> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Bench).await?;
    let options = studio_bench::import::ImportBenchOptions {
        rows,
        dir: std::env::temp_dir().join(format!("eco-bench-import-{}", std::process::id())),
    };
    let step = |step: &str| {
        if !json {
            eprintln!("... {step}");
        }
    };
    let (report, extra) =
        studio_bench::import::bench_import(&opened.pool, &actor, &options, &step).await?;
    let _ = std::fs::remove_dir_all(&options.dir);
    print_with_figures(&report, &extra, json)
}

pub async fn run_offline(
    target: &DatabaseTarget,
    site: u64,
    large: u64,
    iterations: u32,
    json: bool,
) -> Result<ExitCode> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Bench).await?;
    let options = studio_bench::offline::OfflineBenchOptions {
        site,
        large,
        iterations,
        dir: std::env::temp_dir().join(format!("eco-bench-offline-{}", std::process::id())),
    };
    let step = |step: &str| {
        if !json {
            eprintln!("... {step}");
        }
    };
    let (report, extra) =
        studio_bench::offline::bench_offline(&opened.pool, &actor, &options, &step).await?;
    let _ = std::fs::remove_dir_all(&options.dir);
    print_with_figures(&report, &extra, json)
}

pub async fn run_workflows(
    target: &DatabaseTarget,
    options: &studio_bench::workflows::WorkflowBenchOptions,
    json: bool,
) -> Result<ExitCode> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    let actor = Actor::for_session(&opened.pool, Source::Bench).await?;
    let exe = std::env::current_exe()?;
    let url = match target {
        DatabaseTarget::Url(u) => Some(u.clone()),
        DatabaseTarget::Embedded { .. } => None,
    };
    let spawn = move |name: &str, concurrency: u32| {
        let mut command = std::process::Command::new(&exe);
        command
            .args([
                "worker",
                "--concurrency",
                &concurrency.to_string(),
                "--name",
                name,
            ])
            .stdout(std::process::Stdio::null());
        if let Some(url) = &url {
            command.env("DATABASE_URL", url);
        }
        command.spawn()
    };
    let step = |step: &str| {
        if !json {
            eprintln!("... {step}");
        }
    };
    let (report, extra) =
        studio_bench::workflows::bench_workflows(&opened.pool, &actor, options, &spawn, &step)
            .await?;
    if json {
        // The throughput figures ride on their operation's line.
        for r in &report.results {
            let mut line: serde_json::Value = serde_json::from_str(&r.json_line(&report))?;
            let figures = extra.iter().find(|e| match e["op"].as_str() {
                Some("workflow_throughput_1") => r.op == "workflow_execution",
                Some(op) if op.starts_with("workflow_workers_") => r.op == "workflow_scaled",
                _ => false,
            });
            if let (Some(map), Some(figures)) =
                (line.as_object_mut(), figures.and_then(|f| f.as_object()))
            {
                for (k, v) in figures {
                    if k != "op" {
                        map.insert(k.clone(), v.clone());
                    }
                }
            }
            println!("{line}");
        }
    } else {
        print(&report, false);
        println!();
        for e in &extra {
            println!("{e}");
        }
    }
    startup::close(opened).await?;
    Ok(ExitCode::SUCCESS)
}

fn print(report: &BenchReport, json: bool) {
    if json {
        for r in &report.results {
            println!("{}", r.json_line(report));
        }
        return;
    }
    println!("{}", report.postgres_version);
    println!("{} live entities", report.entities);
    println!();
    println!("targets:");
    for t in &report.targets {
        println!("  {:<21} {}", t.op, t.description);
    }
    println!();
    println!(
        "{:<21} {:>9} {:>9} {:>11} {:>11} {:>7} {:>6} {:>8}",
        "op", "p50 ms", "p95 ms", "floor p50", "floor p95", "x floor", "iters", "rows"
    );
    for r in &report.results {
        let ratio = if r.floor_p50_ms > 0.0 {
            r.p50_ms / r.floor_p50_ms
        } else {
            0.0
        };
        println!(
            "{:<21} {:>9.2} {:>9.2} {:>11.2} {:>11.2} {:>7.2} {:>6} {:>8}",
            r.op, r.p50_ms, r.p95_ms, r.floor_p50_ms, r.floor_p95_ms, ratio, r.iterations, r.rows
        );
    }
}

/// Whom `bench … --as ROLE` runs as: the owner (the default, past row-level
/// security) or a person's role.
pub fn identity(role: Option<&str>) -> Result<Identity> {
    Ok(match role {
        None | Some("owner") => Identity::Maintenance,
        Some("") => bail!("--as needs a role name (or owner)"),
        Some(r) => Identity::Role(r.to_string()),
    })
}

/// Prints a report whose operations carry extra figures (rows per second,
/// file sizes): merged into each JSON line, or listed after the table.
pub(crate) fn print_with_figures(
    report: &studio_bench::tree::BenchReport,
    extra: &[serde_json::Value],
    json: bool,
) -> Result<ExitCode> {
    if json {
        for r in &report.results {
            let mut line: serde_json::Value = serde_json::from_str(&r.json_line(report))?;
            let figures = extra.iter().find(|e| e["op"] == r.op.as_str());
            if let (Some(map), Some(figures)) =
                (line.as_object_mut(), figures.and_then(|f| f.as_object()))
            {
                for (k, v) in figures {
                    if k != "op" {
                        map.insert(k.clone(), v.clone());
                    }
                }
            }
            println!("{line}");
        }
    } else {
        print(report, false);
        println!();
        for e in extra {
            println!("{e}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
