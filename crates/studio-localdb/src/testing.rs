//! One throwaway cluster per test run, shared by all test processes of the run.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::cluster::{Cluster, Endpoint};
use crate::error::LocalDbError;
use crate::lock::{lock_exclusive, FileLockGuard};
use crate::pooler::{Pooler, PoolerSettings};
use crate::sys::{self, RunAs};

/// How long `TestCluster::lock` waits (building a template database can take a while).
const TEST_LOCK_TIMEOUT: Duration = Duration::from_secs(600);

/// Polls the watched pid every second; when it is gone (or a zombie), stops the
/// server immediately and removes the root. Arguments: pid, root, data dir,
/// then the pg_ctl command (possibly prefixed by `runuser -u postgres --`).
const WATCHDOG_SCRIPT: &str = r#"pid=$1 root=$2 data=$3
shift 3
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    [ -r "/proc/$1/stat" ] || return 0
    read -r stat < "/proc/$1/stat" 2>/dev/null || return 1
    state=${stat##*") "}
    state=${state%% *}
    [ "$state" != Z ] && [ "$state" != X ]
}
while alive "$pid"; do sleep 1; done
"$@" stop -D "$data" -m immediate -w -t 30 >/dev/null 2>&1
rm -rf -- "$root"
"#;

/// The shared ephemeral cluster of the current test run.
#[derive(Debug)]
pub struct TestCluster {
    cluster: Cluster,
    endpoint: Endpoint,
}

static SHARED: OnceLock<TestCluster> = OnceLock::new();
static POOLER: OnceLock<Pooler> = OnceLock::new();
static REPLICA: OnceLock<TestCluster> = OnceLock::new();

impl TestCluster {
    /// The run's cluster, created by the first caller of the run (any process)
    /// and reused by all others. Panics with the reason if it cannot start.
    pub fn shared() -> &'static TestCluster {
        SHARED.get_or_init(|| {
            let root = Self::run_root();
            Self::start(&root).unwrap_or_else(|e| {
                panic!(
                    "could not start the shared test PostgreSQL cluster in {}: {e}",
                    root.display()
                )
            })
        })
    }

    /// Root directory of this run's cluster: `/tmp/eco-studio-test-<NEXTEST_RUN_ID>`
    /// under nextest, else `/tmp/eco-studio-test-pid<pid>`.
    pub fn run_root() -> PathBuf {
        match std::env::var("NEXTEST_RUN_ID") {
            Ok(id) if !id.is_empty() => {
                let id: String = id
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                PathBuf::from(format!("/tmp/eco-studio-test-{id}"))
            }
            _ => PathBuf::from(format!("/tmp/eco-studio-test-pid{}", std::process::id())),
        }
    }

    fn start(root: &Path) -> Result<TestCluster, LocalDbError> {
        let cluster = Cluster::ephemeral(root)?;
        let outcome = cluster.ensure_running()?;
        if outcome.started {
            spawn_watchdog(&cluster, watched_pid())?;
        }
        Ok(TestCluster {
            cluster,
            endpoint: outcome.endpoint,
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// URL of `database` on the shared server (see [`Endpoint::url`]).
    pub fn url(&self, database: &str) -> String {
        self.endpoint.url(database)
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The run's hot standby of this cluster (streaming replication),
    /// made by the first caller of the run (any process) and reused by all
    /// others; removed when the run ends. Databases created on the primary
    /// appear on it.
    pub fn replica(&self) -> &'static TestCluster {
        REPLICA.get_or_init(|| {
            let start = || -> Result<TestCluster, LocalDbError> {
                let _guard = self.lock("replica");
                let cluster = Cluster::ephemeral(self.cluster.root().join("replica"))?;
                let outcome = cluster.ensure_standby_of(&self.endpoint)?;
                if outcome.started {
                    spawn_watchdog(&cluster, watched_pid())?;
                }
                Ok(TestCluster {
                    cluster,
                    endpoint: outcome.endpoint,
                })
            };
            start().unwrap_or_else(|e| panic!("could not start the test run's replica: {e}"))
        })
    }

    /// The run's PgBouncer in transaction mode in front of this cluster,
    /// started by the first caller of the run (any process) and reused by
    /// all others; stopped when the run ends. Panics with the reason if it
    /// cannot start (pgbouncer missing, say).
    pub fn pooler(&self) -> &'static Pooler {
        POOLER.get_or_init(|| {
            let dir = self.cluster.root().join("pooler");
            let _guard = self.lock("pooler");
            if let Some(found) = Pooler::find(&dir) {
                return found;
            }
            Pooler::start(
                &self.cluster,
                &self.endpoint,
                &dir,
                &PoolerSettings::default(),
                watched_pid(),
            )
            .map(Pooler::detach)
            .unwrap_or_else(|e| panic!("could not start the test run's pgbouncer: {e}"))
        })
    }

    /// A cross-process exclusive lock on `<root>/<name>.lock`, released on drop;
    /// e.g. to build a template database once per run. Panics after 10 minutes.
    pub fn lock(&self, name: &str) -> FileLockGuard {
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.cluster.root().join(format!("{name}.lock"));
        lock_exclusive(&path, TEST_LOCK_TIMEOUT)
            .unwrap_or_else(|e| panic!("test lock {}: {e}", path.display()))
    }
}

/// Under nextest (one process per test) the run ends when the runner, our
/// parent, exits; otherwise when this process exits.
fn watched_pid() -> u32 {
    if std::env::var_os("NEXTEST_RUN_ID").is_some_and(|v| !v.is_empty()) {
        // SAFETY: getppid has no preconditions.
        let ppid = unsafe { libc::getppid() };
        if ppid > 1 {
            return ppid as u32;
        }
    }
    std::process::id()
}

fn spawn_watchdog(cluster: &Cluster, watched: u32) -> Result<(), LocalDbError> {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(WATCHDOG_SCRIPT)
        .arg("eco-studio-test-watchdog")
        .arg(watched.to_string())
        .arg(cluster.root())
        .arg(cluster.data_dir());
    if let RunAs::User { name, .. } = cluster.run_as() {
        cmd.arg(sys::runuser_path()).arg("-u").arg(name).arg("--");
    }
    cmd.arg(cluster.binaries().program("pg_ctl"))
        .current_dir("/")
        // Holding the test's stdout/stderr open would make cargo/nextest wait for us.
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe; it detaches the watchdog from the
    // test's session and process group so that it outlives the test process.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd
        .spawn()
        .map_err(|e| LocalDbError::io("spawning the test cluster watchdog", e))?;
    tracing::debug!(watchdog = child.id(), watched, root = %cluster.root().display(), "test cluster watchdog started");
    Ok(())
}
