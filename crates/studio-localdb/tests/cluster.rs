//! Real PostgreSQL clusters, started from the installed server binaries.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use studio_localdb::{
    lock_exclusive, Cluster, ClusterStatus, Endpoint, LocalDbError, PgBinaries, TestCluster,
};
use tempfile::TempDir;

/// A scratch directory under /tmp that the `postgres` OS user can traverse
/// (tempfile creates 0700 dirs, and as root the server runs as `postgres`).
fn scratch_dir() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("localdb-test-")
        .tempdir_in("/tmp")
        .expect("a temp dir under /tmp is needed for the cluster");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("the temp dir must be made traversable for the server user");
    dir
}

/// Stops the cluster when the test ends, also when it fails.
struct StopOnDrop(Cluster);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Err(e) = self.0.stop() {
            eprintln!("stopping test cluster {}: {e}", self.0.root().display());
        }
    }
}

fn new_cluster(scratch: &TempDir) -> StopOnDrop {
    let cluster = Cluster::persistent(scratch.path().join("cluster"))
        .expect("a cluster handle needs the installed binaries (and, as root, a postgres user)");
    StopOnDrop(cluster)
}

/// Runs one query through the `psql` of the located binaries; returns its output.
fn psql(bindir: &Path, url: &str, sql: &str) -> String {
    let out = Command::new(bindir.join("psql"))
        .arg("-X")
        .arg(url)
        .arg("-v")
        .arg("ON_ERROR_STOP=1")
        .arg("-Atc")
        .arg(sql)
        .output()
        .expect("psql must be runnable from the binaries directory");
    assert!(
        out.status.success(),
        "psql {url} -c {sql:?} must succeed because the server is running and local \
         socket connections are trusted; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn is_dead(pid: u32) -> bool {
    // SAFETY: signal 0 only probes.
    let gone = unsafe { libc::kill(pid as libc::pid_t, 0) } != 0
        && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
    if gone {
        return true;
    }
    // Nobody may reap the orphaned postmaster (a container's pid 1 often does
    // not), so a zombie counts as dead.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rfind(')')
                .and_then(|i| s[i + 1..].trim_start().chars().next())
        })
        .is_some_and(|c| c == 'Z' || c == 'X')
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("listing must work")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    entries
}

#[test]
fn locate_finds_server_binaries() {
    let bin = PgBinaries::locate().expect("PostgreSQL server binaries are installed here");
    assert!(
        bin.major_version >= 13,
        "the app needs PostgreSQL 13 or newer, found {}",
        bin.major_version
    );
    for prog in ["initdb", "pg_ctl", "postgres"] {
        assert!(
            bin.bindir.join(prog).is_file(),
            "{prog} must be in the located bindir {} because start/init use it from there",
            bin.bindir.display()
        );
    }
}

#[test]
fn empty_bindir_is_binaries_not_found_with_install_hint() {
    let empty = scratch_dir();
    let err = PgBinaries::locate_in(&[empty.path().to_path_buf()])
        .expect_err("an empty directory holds no initdb/pg_ctl, so locating must fail");
    match &err {
        LocalDbError::BinariesNotFound { searched } => assert_eq!(
            searched,
            &vec![empty.path().to_path_buf()],
            "the error must list exactly the searched directory so the user sees where we looked"
        ),
        other => panic!("expected BinariesNotFound, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("apt-get install postgresql") && msg.contains("ECO_PG_BINDIR"),
        "the message must tell the user how to fix it: {msg}"
    );
}

#[test]
fn persistent_cluster_lifecycle() {
    let scratch = scratch_dir();
    let guard = new_cluster(&scratch);
    let cluster = &guard.0;
    let bindir = cluster.binaries().bindir.clone();

    assert_eq!(
        cluster.status().expect("status of a missing dir"),
        ClusterStatus::NotInitialized,
        "a fresh root has no data directory yet"
    );

    let first = cluster.ensure_running().expect("first start must succeed");
    assert!(
        first.initialized,
        "the first start of a fresh root must run initdb"
    );
    assert!(first.started, "the first start must start the server");

    let second = cluster.ensure_running().expect("second call must succeed");
    assert!(
        !second.started,
        "a running server must be reused, not started twice"
    );
    assert!(
        !second.initialized,
        "an initialised cluster must not be re-initialised"
    );
    assert_eq!(
        second.endpoint, first.endpoint,
        "reusing the server must give the same endpoint"
    );

    assert_eq!(
        cluster.status().expect("status"),
        ClusterStatus::Running(first.endpoint.clone()),
        "status must report the running server's endpoint"
    );

    let url = first.endpoint.url("postgres");
    assert_eq!(
        psql(&bindir, &url, "select 1"),
        "1",
        "a query through the endpoint URL must answer"
    );
    psql(
        &bindir,
        &url,
        "create table kept(v text); insert into kept values ('still here')",
    );

    assert!(
        cluster.stop().expect("stop must succeed"),
        "stop must report that a server was running"
    );
    assert_eq!(
        cluster.status().expect("status"),
        ClusterStatus::Stopped,
        "after stop the cluster is initialised but not running"
    );
    assert!(
        !cluster.stop().expect("second stop must succeed"),
        "stopping a stopped cluster must report that nothing was running"
    );

    let again = cluster.ensure_running().expect("restart must succeed");
    assert!(
        !again.initialized,
        "a restart must keep the existing data directory"
    );
    assert!(again.started, "a stopped server must be started");
    assert_eq!(
        psql(
            &bindir,
            &again.endpoint.url("postgres"),
            "select v from kept"
        ),
        "still here",
        "data written before the stop must survive the restart"
    );
}

#[test]
fn concurrent_starts_initialise_once() {
    let scratch = scratch_dir();
    let guard = new_cluster(&scratch);
    let root = guard.0.root().to_path_buf();
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let root = root.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                // Each thread has its own handle, like two processes would.
                let cluster = Cluster::persistent(root).expect("cluster handle");
                barrier.wait();
                cluster.ensure_running()
            })
        })
        .collect();
    let outcomes: Vec<_> = handles
        .into_iter()
        .map(|h| {
            h.join()
                .expect("thread must not panic")
                .expect("both concurrent starts must succeed")
        })
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| o.initialized).count(),
        1,
        "the cluster lock must let exactly one caller run initdb: {outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| o.started).count(),
        1,
        "exactly one caller must start the server, the other reuses it: {outcomes:?}"
    );
    assert_eq!(
        outcomes[0].endpoint, outcomes[1].endpoint,
        "both callers must end up with the same server"
    );
}

#[test]
fn killed_server_leaves_stale_pidfile_and_restarts() {
    let scratch = scratch_dir();
    let guard = new_cluster(&scratch);
    let cluster = &guard.0;
    let first = cluster.ensure_running().expect("start must succeed");
    let Endpoint { pid, .. } = first.endpoint;

    // SAFETY: plain kill(2) of the postmaster we started.
    let rc = unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    assert_eq!(rc, 0, "the postmaster {pid} must be killable");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !is_dead(pid) {
        assert!(
            Instant::now() < deadline,
            "the postmaster must die within 10 s of SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        cluster.data_dir().join("postmaster.pid").exists(),
        "a SIGKILLed postmaster cannot remove its postmaster.pid; this is the stale-file case"
    );
    assert_eq!(
        cluster.status().expect("status"),
        ClusterStatus::Stopped,
        "a dead postmaster's pid file must not be reported as a running server"
    );

    let again = cluster
        .ensure_running()
        .expect("a stale postmaster.pid must not prevent the next start");
    assert!(again.started, "the server must have been started again");
    assert!(!again.initialized, "the data directory must be kept");
    assert_ne!(again.endpoint.pid, pid, "a new postmaster must be running");
    assert_eq!(
        psql(
            &cluster.binaries().bindir,
            &again.endpoint.url("postgres"),
            "select 1"
        ),
        "1",
        "the restarted server must accept connections"
    );
}

#[test]
fn foreign_data_dir_is_refused_untouched() {
    let scratch = scratch_dir();
    let guard = new_cluster(&scratch);
    let cluster = &guard.0;
    let data = cluster.data_dir();
    std::fs::create_dir_all(&data).expect("create data dir");
    std::fs::write(data.join("junk.txt"), "not a database").expect("write junk");
    let root_before = listing(cluster.root());
    let data_before = listing(&data);

    for (what, result) in [
        ("ensure_running", cluster.ensure_running().map(|_| ())),
        ("status", cluster.status().map(|_| ())),
    ] {
        match result {
            Err(LocalDbError::NotAClusterDir { path }) => assert_eq!(
                path, data,
                "{what}: the error must name the offending data dir"
            ),
            other => panic!(
                "{what}: a non-empty data dir without PG_VERSION must be NotAClusterDir, got {other:?}"
            ),
        }
    }
    assert_eq!(
        listing(cluster.root()),
        root_before,
        "nothing may be created next to a foreign data dir"
    );
    assert_eq!(
        listing(&data),
        data_before,
        "a foreign data dir must be left exactly as it was"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("junk.txt")).expect("junk still readable"),
        "not a database",
        "file contents must be untouched"
    );
}

#[test]
fn other_major_version_is_version_mismatch() {
    let scratch = scratch_dir();
    let guard = new_cluster(&scratch);
    let cluster = &guard.0;
    let other = cluster.binaries().major_version - 1;
    std::fs::create_dir_all(cluster.data_dir()).expect("create data dir");
    std::fs::write(cluster.data_dir().join("PG_VERSION"), format!("{other}\n"))
        .expect("write PG_VERSION");
    match cluster.ensure_running() {
        Err(LocalDbError::VersionMismatch {
            data_version,
            binaries_version,
            ..
        }) => {
            assert_eq!(
                data_version, other,
                "the data dir's version must be reported"
            );
            assert_eq!(
                binaries_version,
                cluster.binaries().major_version,
                "the binaries' version must be reported"
            );
        }
        other => panic!("data from another major version must not be started, got {other:?}"),
    }
}

#[test]
fn lock_reports_holder_after_timeout() {
    let scratch = scratch_dir();
    let path = scratch.path().join("x.lock");
    let _held = lock_exclusive(&path, Duration::from_secs(1)).expect("free lock");
    match lock_exclusive(&path, Duration::from_millis(200)) {
        Err(LocalDbError::Locked { holder_pid, .. }) => assert_eq!(
            holder_pid,
            Some(std::process::id()),
            "the holder's pid must be reported so the user knows which process to check"
        ),
        other => panic!("a held flock must not be taken twice, got {other:?}"),
    }
}

#[test]
fn default_root_respects_environment_and_root() {
    let root = studio_localdb::default_cluster_root();
    assert!(
        root.is_absolute() && root.ends_with("cluster"),
        "the default root must be an absolute .../cluster path: {}",
        root.display()
    );
    // SAFETY: geteuid has no preconditions.
    let is_root = unsafe { libc::geteuid() } == 0;
    if std::env::var_os("ECO_STUDIO_DATA_DIR").is_none() && is_root {
        assert_eq!(
            root,
            PathBuf::from("/var/lib/eco-studio/cluster"),
            "as root the cluster must live outside /root, which the postgres user cannot enter"
        );
    }
}

#[test]
fn shared_test_cluster_connects() {
    let tc = TestCluster::shared();
    let bindir = &tc.cluster().binaries().bindir;
    assert_eq!(
        psql(bindir, &tc.url("postgres"), "select 1"),
        "1",
        "the shared test cluster must accept connections"
    );
    assert!(
        std::ptr::eq(tc, TestCluster::shared()),
        "shared() must hand out one cluster per process"
    );
    let guard = tc.lock("template build");
    assert!(
        guard.path().starts_with(tc.cluster().root()),
        "test locks must live in the run's cluster root"
    );
}
