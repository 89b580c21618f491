//! A private PostgreSQL cluster run from the system's installed server binaries
//! (nothing is ever downloaded). Used as Eco Studio's embedded default database
//! ([`Cluster::persistent`]) and as the shared per-run test server
//! ([`TestCluster::shared`]). All calls are synchronous (`std::process`); async
//! callers wrap them in `spawn_blocking`.
//!
//! # Binaries
//! [`PgBinaries::locate`] uses `$ECO_PG_BINDIR` alone when set; otherwise the first
//! of `pg_config --bindir`, `/usr/lib/postgresql/<highest>/bin`, and the `PATH`
//! directories holding `initdb` and `pg_ctl` that contains `initdb`, `pg_ctl` and
//! `postgres`.
//!
//! # Layout under a cluster root
//! ```text
//! <root>/data/          PGDATA (initdb -U postgres, local trust, host scram-sha-256, UTF8)
//! <root>/sock/          unix socket directory, mode 0700, owned by the server user
//! <root>/server.log     server log (moved to server.log.1 past 16 MiB)
//! <root>/cluster.lock   flock serialising initdb/start/stop between processes
//! ```
//! `initdb` writes into `data.initdb/` and renames it to `data/`, so an
//! interrupted initialisation never leaves a half-made data directory. Each start
//! picks a free loopback port; the server listens on 127.0.0.1 (password required,
//! none set) and on the private socket (trust), so in effect only the socket's
//! owner (and root) can connect. [`Endpoint::url`] connects over the socket.
//!
//! # Root handling
//! [`default_cluster_root`] is `$ECO_STUDIO_DATA_DIR/cluster`, else
//! `/var/lib/eco-studio/cluster` as root, else
//! `${XDG_DATA_HOME:-~/.local/share}/eco-studio/cluster`. PostgreSQL refuses to run
//! as root, so when our effective uid is 0 its programs run as the `postgres` OS
//! user through `runuser -u postgres --`, and the root directory (and `sock/`) is
//! chowned to that user; the root must be reachable by it (not under `/root`).
//! Otherwise the programs run directly as the current user.
//!
//! # Locking and reuse
//! [`Cluster::ensure_running`] first reads `data/postmaster.pid` (pid alive, and
//! status `ready`) and reuses a running server without locking: a server left
//! running by a killed app is reused. Otherwise it takes `cluster.lock`
//! (`flock`, up to 60 s, else [`LocalDbError::Locked`]), looks again, and only
//! then runs `initdb` and/or `pg_ctl start`; a second app instance or the CLI
//! waits and then reuses the server. A stale `postmaster.pid` from a killed
//! server is left to PostgreSQL, except when its pid still "exists" as an
//! unreaped zombie or a reused pid (PostgreSQL would refuse to start): then it is
//! removed once no process of the old server remains. [`Cluster::stop`] takes
//! the same lock and runs `pg_ctl stop -m fast -w`.
//!
//! # Tests
//! [`TestCluster::shared`] runs one ephemeral cluster (`initdb --no-sync`,
//! `fsync=off`) per test run in `/tmp/eco-studio-test-<NEXTEST_RUN_ID>` (or
//! `...-pid<pid>` outside nextest), created by the first test process and reused
//! by the others. The creator spawns a detached watchdog (`setsid`, stdio on
//! /dev/null) that, once the nextest runner (or, outside nextest, the test
//! process) is gone, stops the server with `-m immediate` and removes the root.

mod binaries;
mod cluster;
mod error;
mod lock;
mod pooler;
mod sys;
mod testing;

use std::path::PathBuf;

pub use binaries::{default_candidates, PgBinaries, BINDIR_ENV};
pub use cluster::{Cluster, ClusterKind, ClusterStatus, Endpoint, StartOutcome};
pub use error::LocalDbError;
pub use lock::{lock_exclusive, FileLockGuard};
pub use pooler::{Pooler, PoolerSettings, PGBOUNCER_ENV};
pub use testing::TestCluster;

/// Environment variable overriding the application data directory; the cluster
/// lives in its `cluster/` subdirectory.
pub const DATA_DIR_ENV: &str = "ECO_STUDIO_DATA_DIR";

/// Where the embedded database lives: `$ECO_STUDIO_DATA_DIR/cluster` if set; as
/// root `/var/lib/eco-studio/cluster` (root's home is private to the server user);
/// else `$XDG_DATA_HOME/eco-studio/cluster` (default `~/.local/share/...`).
pub fn default_cluster_root() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("cluster");
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return PathBuf::from("/var/lib/eco-studio/cluster");
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(sys::home_from_passwd)
                .map(|home| home.join(".local").join("share"))
        })
        .unwrap_or_else(|| {
            // SAFETY: getuid has no preconditions.
            std::env::temp_dir().join(format!("eco-studio-uid{}", unsafe { libc::getuid() }))
        });
    base.join("eco-studio").join("cluster")
}
