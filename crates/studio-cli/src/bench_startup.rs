//! `eco-studio bench startup`: opens the desktop app again and again on a
//! prepared data dir and times how long its tree takes to paint its first
//! rows, with the embedded database already running and with it stopped
//! (the app then starts it), and how much memory the app and its webview
//! processes hold at that moment and after a while idle.
//!
//! The app reports the paint by writing the file named by
//! `ECO_STARTUP_REPORT` (the `startup_painted` command); the time recorded
//! is this process's, from spawning the app to that file appearing. Each
//! run's floor is the database's share alone: from a new connection (and
//! a start of the cluster when the app had to start it), opening the
//! registry and reading its roots in this process.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;
use studio_bench::tree::{result, BenchReport, TargetInfo};
use studio_core::startup::{self, DatabaseTarget, Identity};
use studio_core::{demo, registry, Actor, Source};
use studio_localdb::{Cluster, ClusterStatus, DATA_DIR_ENV};

/// The environment variable the app writes its paint time to (see
/// `src-tauri/src/commands/startup.rs`).
const REPORT_ENV: &str = "ECO_STARTUP_REPORT";
/// The goals the issue sets.
const GOAL_PAINT_MS: f64 = 1_500.0;
const GOAL_RSS_MB: f64 = 450.0;
/// How long one start may take before the run fails.
const PAINT_TIMEOUT: Duration = Duration::from_secs(90);
/// How long the app gets to close cleanly before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(15);

const OP_RUNNING: &str = "startup_paint_db_running";
const OP_STOPPED: &str = "startup_paint_db_stopped";

#[derive(clap::Args)]
pub struct StartupArgs {
    /// Timed starts of each kind (database running, database stopped).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    runs: u32,
    /// One JSON object per operation and line.
    #[arg(long)]
    json: bool,
    /// The desktop app's binary (default: `eco-studio-desktop` beside this
    /// program, else `target/release/eco-studio-desktop`).
    #[arg(long, value_name = "PATH")]
    app: Option<PathBuf>,
    /// The data dir the app runs on (`ECO_STUDIO_DATA_DIR`); the demo
    /// registry is loaded into it first if it is new. Default: a fresh
    /// one under the temp dir, removed afterwards.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Seconds the app idles after its paint before the second memory reading.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=600))]
    idle: u64,
}

/// What one start of the app measured.
struct Start {
    paint: Duration,
    /// The app's own figure: from its `main` to the paint.
    reported_ms: f64,
    at_paint: Memory,
    idle: Memory,
}

/// Memory of the app's process tree (the embedded database excluded).
#[derive(Clone, Copy, Default)]
struct Memory {
    rss_kb: u64,
    pss_kb: u64,
    processes: usize,
}

/// The samples of one operation.
#[derive(Default)]
struct Samples {
    paint: Vec<Duration>,
    floor: Vec<Duration>,
    reported_ms: Vec<f64>,
    rss_paint_mb: Vec<f64>,
    rss_idle_mb: Vec<f64>,
    pss_idle_mb: Vec<f64>,
    processes: usize,
    roots: i64,
}

impl Samples {
    fn add(&mut self, start: &Start) {
        self.paint.push(start.paint);
        self.reported_ms.push(start.reported_ms);
        self.rss_paint_mb.push(mb(start.at_paint.rss_kb));
        self.rss_idle_mb.push(mb(start.idle.rss_kb));
        self.pss_idle_mb.push(mb(start.idle.pss_kb));
        self.processes = self.processes.max(start.at_paint.processes);
    }
}

pub async fn run(target: &DatabaseTarget, args: StartupArgs) -> Result<ExitCode> {
    if matches!(target, DatabaseTarget::Url(_)) {
        bail!("bench startup measures the embedded database: unset DATABASE_URL / --database-url");
    }
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        bail!("bench startup opens the app's window: set DISPLAY (e.g. run it under xvfb-run)");
    }
    let app = app_binary(args.app.as_deref())?;
    let (data_dir, temporary) = match &args.data_dir {
        Some(dir) => (std::path::absolute(dir)?, false),
        None => (
            std::env::temp_dir().join(format!("eco-bench-startup-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data dir {}", data_dir.display()))?;
    let outcome = measure(&app, &data_dir, &args).await;
    if temporary {
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    let (report, extra) = outcome?;
    crate::bench_tree::print_with_figures(&report, &extra, args.json)
}

async fn measure(
    app: &Path,
    data_dir: &Path,
    args: &StartupArgs,
) -> Result<(BenchReport, Vec<serde_json::Value>)> {
    let step = |s: &str| {
        if !args.json {
            eprintln!("... {s}");
        }
    };
    let root = data_dir.join("cluster");
    let target = DatabaseTarget::Embedded { root: root.clone() };
    let was_running = matches!(
        blocking({
            let root = root.clone();
            move || Cluster::persistent(root)?.status()
        })
        .await?,
        ClusterStatus::Running(_)
    );

    step(&format!("preparing {}", data_dir.display()));
    let (postgres_version, entities) = prepare(&target).await?;
    // The window opens on the registry, without the first-run dialog.
    studio_core::profiles::Profiles::at(data_dir.join("config")).finish_welcome()?;
    let launcher = Launcher {
        app: app.to_path_buf(),
        data_dir: data_dir.to_path_buf(),
        idle: Duration::from_secs(args.idle),
    };

    step("one untimed start (first-run work, file cache)");
    stop_cluster(&root).await?;
    launcher.start(0).await?;

    let mut running = Samples::default();
    let mut stopped = Samples::default();
    for run in 1..=args.runs {
        step(&format!("run {run}/{}: the database stopped", args.runs));
        stop_cluster(&root).await?;
        stopped.add(&launcher.start(run * 2 - 1).await?);
        stop_cluster(&root).await?;
        let (floor, roots) = database_floor(&target).await?;
        stopped.floor.push(floor);
        stopped.roots = roots;

        step(&format!("run {run}/{}: the database running", args.runs));
        start_cluster(&root).await?;
        running.add(&launcher.start(run * 2).await?);
        let (floor, roots) = database_floor(&target).await?;
        running.floor.push(floor);
        running.roots = roots;
    }
    if was_running {
        start_cluster(&root).await?;
    } else {
        stop_cluster(&root).await?;
    }

    let what = |db: &str, floor: &str| {
        format!(
            "spawn of {} to its tree's first painted rows, {db}; floor: {floor} in this process \
             (goals: {GOAL_PAINT_MS:.0} ms; app + webview RSS {GOAL_RSS_MB:.0} MB)",
            app.display()
        )
    };
    let mut results = Vec::new();
    let mut extra = Vec::new();
    for (op, samples) in [(OP_RUNNING, &mut running), (OP_STOPPED, &mut stopped)] {
        results.push(result(
            op,
            &mut samples.paint,
            &mut samples.floor,
            samples.roots,
        ));
        extra.push(json!({
            "op": op,
            "app_reported_p50_ms": round(median(&mut samples.reported_ms)),
            "rss_paint_mb_p50": round(median(&mut samples.rss_paint_mb)),
            "rss_paint_mb_max": round(max(&samples.rss_paint_mb)),
            "rss_idle_mb_p50": round(median(&mut samples.rss_idle_mb)),
            "rss_idle_mb_max": round(max(&samples.rss_idle_mb)),
            "pss_idle_mb_p50": round(median(&mut samples.pss_idle_mb)),
            "idle_s": args.idle,
            "processes": samples.processes,
        }));
    }
    Ok((
        BenchReport {
            postgres_version,
            entities,
            targets: vec![
                TargetInfo {
                    op: OP_RUNNING,
                    description: what(
                        "the embedded database already running",
                        "connecting, opening the registry and reading its roots",
                    ),
                },
                TargetInfo {
                    op: OP_STOPPED,
                    description: what(
                        "the embedded database stopped (the app starts it)",
                        "starting the database, connecting, opening and reading the roots",
                    ),
                },
            ],
            results,
        },
        extra,
    ))
}

/// Loads the demo registry into a new data dir (as the app would on its
/// first start); returns the server version and the live entities.
async fn prepare(target: &DatabaseTarget) -> Result<(String, i64)> {
    let opened = startup::open_as(target, Identity::Maintenance, |_| {}).await?;
    if demo::is_fresh(&opened.pool).await? {
        let actor = Actor::for_session(&opened.pool, Source::Bench).await?;
        let _ = demo::seed_demo(&opened.pool, &actor).await?;
    }
    let entities = registry::count_live_entities(&opened.pool).await?;
    let version = opened.server.version.clone();
    startup::close(opened).await?;
    Ok((version, entities))
}

/// The database's share of a start: open as the app does (starting the
/// cluster when it is stopped), read the roots, close (stopping the
/// cluster again if this started it).
async fn database_floor(target: &DatabaseTarget) -> Result<(Duration, i64)> {
    let began = Instant::now();
    let opened = startup::open(target, |_| {}).await?;
    let roots = registry::list_roots(&opened.pool).await?.len() as i64;
    let took = began.elapsed();
    startup::close(opened).await?;
    Ok((took, roots))
}

async fn stop_cluster(root: &Path) -> Result<()> {
    let root = root.to_path_buf();
    blocking(move || Cluster::persistent(root)?.stop().map(drop)).await
}

async fn start_cluster(root: &Path) -> Result<()> {
    let root = root.to_path_buf();
    blocking(move || Cluster::persistent(root)?.ensure_running().map(drop)).await
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, studio_localdb::LocalDbError> + Send + 'static,
) -> Result<T> {
    Ok(tokio::task::spawn_blocking(work).await??)
}

/// Starts the app's window and takes its measurements.
struct Launcher {
    app: PathBuf,
    data_dir: PathBuf,
    idle: Duration,
}

impl Launcher {
    async fn start(&self, run: u32) -> Result<Start> {
        let report = self.data_dir.join(format!("painted-{run}"));
        let log = self.data_dir.join("app.log");
        let _ = std::fs::remove_file(&report);
        let stderr =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let began = Instant::now();
        let mut child = Command::new(&self.app)
            .env(REPORT_ENV, &report)
            .env(DATA_DIR_ENV, &self.data_dir)
            .env("ECO_STUDIO_CONFIG_DIR", self.data_dir.join("config"))
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("starting {}", self.app.display()))?;
        let measured = self.watch(&mut child, &report, began).await;
        let closed = close_tree(&mut child).await;
        let start =
            measured.map_err(|e| e.context(format!("the app's output is in {}", log.display())))?;
        closed?;
        Ok(start)
    }

    async fn watch(&self, child: &mut Child, report: &Path, began: Instant) -> Result<Start> {
        let reported_ms = loop {
            if let Ok(text) = std::fs::read_to_string(report) {
                break text
                    .trim()
                    .parse::<f64>()
                    .with_context(|| format!("reading {}: {text:?}", report.display()))?;
            }
            if let Some(status) = child.try_wait()? {
                bail!("the app exited ({status}) before its tree painted");
            }
            if began.elapsed() > PAINT_TIMEOUT {
                bail!("the app's tree did not paint within {PAINT_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let paint = began.elapsed();
        let at_paint = memory_of_tree(child.id());
        tokio::time::sleep(self.idle).await;
        if let Some(status) = child.try_wait()? {
            bail!("the app exited ({status}) while idle");
        }
        let idle = memory_of_tree(child.id());
        Ok(Start {
            paint,
            reported_ms,
            at_paint,
            idle,
        })
    }
}

/// Asks the app to close (SIGTERM: it stops the database it started, as
/// when its window closes), then kills whatever of its process tree is left.
async fn close_tree(child: &mut Child) -> Result<()> {
    let pid = child.id();
    let tree = process_tree(pid);
    signal(pid, libc::SIGTERM);
    let asked = Instant::now();
    while child.try_wait()?.is_none() {
        if asked.elapsed() > EXIT_GRACE {
            signal(pid, libc::SIGKILL);
            child.wait()?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for &other in tree.iter().filter(|&&p| p != pid) {
        if stat_of(other).is_some_and(|s| s.state != 'Z') {
            signal(other, libc::SIGKILL);
        }
    }
    Ok(())
}

fn signal(pid: u32, sig: libc::c_int) {
    // SAFETY: kill has no memory preconditions; a stale pid only fails.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

/// The binary to start: the option, else beside this program, else the
/// release build of this checkout.
fn app_binary(option: Option<&Path>) -> Result<PathBuf> {
    const NAME: &str = "eco-studio-desktop";
    let candidates: Vec<PathBuf> = match option {
        Some(path) => vec![path.to_path_buf()],
        None => {
            let mut c = Vec::new();
            if let Some(dir) = std::env::current_exe()?.parent() {
                c.push(dir.join(NAME));
            }
            c.push(PathBuf::from("target/release").join(NAME));
            c
        }
    };
    for path in &candidates {
        if path.is_file() {
            return Ok(std::path::absolute(path)?);
        }
    }
    bail!(
        "the desktop app is not at {}: build it (cargo build --release --bin {NAME}) or pass --app",
        candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" or ")
    )
}

/// A process's fields of `/proc/<pid>/stat` the walk needs.
struct Stat {
    ppid: u32,
    state: char,
    comm: String,
}

fn stat_of(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    let mut rest = text.get(close + 1..)?.split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some(Stat { ppid, state, comm })
}

/// `pid` and every process descending from it.
fn process_tree(pid: u32) -> Vec<u32> {
    let all: Vec<(u32, Stat)> = std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
                .filter_map(|p| Some((p, stat_of(p)?)))
                .collect()
        })
        .unwrap_or_default();
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            all.iter()
                .filter(|(_, s)| s.ppid == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    tree
}

/// Resident and proportional memory of the app's process tree: the app and
/// its WebKit processes. The embedded database's processes are left out
/// (they outlive the app when it did not start them).
fn memory_of_tree(pid: u32) -> Memory {
    let mut total = Memory::default();
    for p in process_tree(pid) {
        let Some(stat) = stat_of(p) else { continue };
        if stat.state == 'Z' || stat.comm.starts_with("postgres") || stat.comm == "pg_ctl" {
            continue;
        }
        total.rss_kb += kb_field(&format!("/proc/{p}/status"), "VmRSS:");
        total.pss_kb += kb_field(&format!("/proc/{p}/smaps_rollup"), "Pss:");
        total.processes += 1;
    }
    total
}

/// A "Name:   123 kB" line of a /proc file, in kB (0 when absent).
fn kb_field(path: &str, name: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[(values.len() - 1) / 2]
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process_and_its_children() {
        let mut child = Command::new("sleep").arg("5").spawn().expect("spawn sleep");
        let tree = process_tree(std::process::id());
        let memory = memory_of_tree(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            tree.contains(&child.id()),
            "a child belongs to the tree of its parent"
        );
        assert!(
            memory.rss_kb > 0 && memory.processes >= 2,
            "the test process and its child hold resident memory"
        );
    }

    #[test]
    fn the_median_is_the_lower_middle() {
        assert_eq!(
            median(&mut [3.0, 1.0, 2.0, 10.0]),
            2.0,
            "lower middle of four"
        );
        assert_eq!(median(&mut []), 0.0, "no samples");
    }
}
