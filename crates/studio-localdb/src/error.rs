//! The error type of this crate: one variant per situation a person can act on.

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;

/// Everything that can go wrong while locating, initialising, starting or
/// stopping a local PostgreSQL cluster. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalDbError {
    /// No directory with `initdb`, `pg_ctl` and `postgres` was found.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found (searched: {}); \
         install PostgreSQL server binaries: apt-get install postgresql (Debian/Ubuntu) \
         or set ECO_PG_BINDIR to the directory that contains them",
        list_paths(searched)
    )]
    BinariesNotFound { searched: Vec<PathBuf> },

    /// The data directory exists and is not empty, but holds no `PG_VERSION`.
    #[error(
        "{} exists and is not empty, but it is not a PostgreSQL data directory (it has no \
         PG_VERSION file): it is corrupt or belongs to something else; nothing was changed. \
         Move it away (or delete it if its contents are not needed) and try again",
        path.display()
    )]
    NotAClusterDir { path: PathBuf },

    /// The data directory was made by another PostgreSQL major version.
    #[error(
        "the database in {} was created by PostgreSQL {data_version}, but the server binaries \
         found are PostgreSQL {binaries_version}; install PostgreSQL {data_version} and point \
         ECO_PG_BINDIR at its bin directory, or move the directory away to start with a new, \
         empty database",
        path.display()
    )]
    VersionMismatch {
        data_version: u32,
        binaries_version: u32,
        path: PathBuf,
    },

    /// The cross-process lock could not be taken in time.
    #[error(
        "could not take the lock {} in time: another process{} is starting or stopping this \
         database; wait for it to finish, or end that process if it is stuck",
        path.display(),
        holder_pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Locked {
        path: PathBuf,
        holder_pid: Option<u32>,
    },

    /// Every port tried was taken by another program between choosing and binding it.
    #[error(
        "could not start PostgreSQL: the loopback port {port} (and the ports tried before it) \
         were taken by another program while the server started; try again"
    )]
    PortInUse { port: u16 },

    /// No pgbouncer program was found (only tests and benchmarks start one).
    #[error(
        "pgbouncer was not found (searched: {}): apt-get install pgbouncer, or set \
         ECO_PGBOUNCER to the program",
        list_paths(searched)
    )]
    PoolerNotFound { searched: Vec<PathBuf> },

    /// The server did not start; the tail of its log says why.
    #[error("the PostgreSQL server did not start; the end of its log reads:\n{log_tail}")]
    StartFailed { log_tail: String },

    /// A PostgreSQL program (or runuser) exited unsuccessfully.
    #[error("{program} failed ({status}): {stderr}")]
    CommandFailed {
        program: String,
        status: ExitStatus,
        stderr: String,
    },

    /// A file-system or process-spawning error.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },

    /// Running as root, but there is no `postgres` OS user to run the server as.
    #[error(
        "running as root, but there is no `postgres` OS user; PostgreSQL refuses to run as \
         root, so its server runs as `postgres`: create that user with `useradd --system \
         postgres` (installing the postgresql package also creates it)"
    )]
    NoPostgresUser,

    /// The OS user the server runs as cannot reach the cluster directory.
    #[error(
        "the PostgreSQL server runs as OS user `{user}`, which cannot write to {} (a parent \
         directory is probably private, like /root); put the cluster somewhere that user can \
         reach, e.g. set ECO_STUDIO_DATA_DIR to a directory under /var/lib",
        path.display()
    )]
    NotAccessible { path: PathBuf, user: String },

    /// The unix socket path would exceed the operating system's limit.
    #[error(
        "the socket directory {} is too long for a unix socket path (limit {limit} bytes); \
         use a shorter cluster location, e.g. set ECO_STUDIO_DATA_DIR",
        path.display()
    )]
    SocketPathTooLong { path: PathBuf, limit: usize },
}

impl LocalDbError {
    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        LocalDbError::Io {
            context: context.into(),
            source,
        }
    }

    /// Wraps an I/O error about a path.
    pub(crate) fn io_at(what: &str, path: &Path, source: io::Error) -> Self {
        LocalDbError::Io {
            context: format!("{what} {}", path.display()),
            source,
        }
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nothing".to_owned();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
