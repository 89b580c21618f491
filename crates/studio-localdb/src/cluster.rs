//! A private PostgreSQL cluster: initialise, start (or reuse), stop.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::binaries::PgBinaries;
use crate::error::LocalDbError;
use crate::lock::lock_exclusive;
use crate::sys::{self, PidState, RunAs};

/// How long a process waits for another one to finish starting or stopping the cluster.
const LOCK_TIMEOUT: Duration = Duration::from_secs(60);
/// `pg_ctl -t` for start and stop, seconds.
const PG_CTL_TIMEOUT_SECS: &str = "60";
/// Start attempts whose port was taken in between before giving up.
const MAX_PORT_ATTEMPTS: u32 = 3;
/// How long to keep retrying while processes of a killed server still hold its resources.
const STALE_SERVER_GRACE: Duration = Duration::from_secs(15);
/// `server.log` is moved to `server.log.1` at start when larger than this.
const LOG_ROTATE_BYTES: u64 = 16 * 1024 * 1024;
/// Linux `sun_path` holds 108 bytes including the terminating NUL.
const SOCKET_PATH_LIMIT: usize = 107;
/// Lines of `server.log` quoted in `StartFailed`.
const LOG_TAIL_LINES: usize = 20;

/// Whether a cluster keeps its data safely (the app's database) or trades
/// durability for speed (test clusters: `initdb --no-sync`, `fsync=off`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterKind {
    Persistent,
    Ephemeral,
}

/// What `status()` sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterStatus {
    /// No data directory yet (or an empty one).
    NotInitialized,
    /// Initialised, no server running (this includes a server that is still
    /// starting up or shutting down; `ensure_running` waits for those).
    Stopped,
    /// A server is running and accepting connections.
    Running(Endpoint),
}

/// Where a running server listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Pid of the postmaster.
    pub pid: u32,
    /// Port: the TCP port on 127.0.0.1, and the number in the socket file name.
    pub port: u16,
    /// Directory holding the unix socket `.s.PGSQL.<port>`.
    pub socket_dir: PathBuf,
}

impl Endpoint {
    /// A libpq/sqlx URL connecting over the unix socket as the bootstrap
    /// superuser `postgres`, e.g.
    /// `postgres://postgres@localhost:5433/app?host=/var/lib/eco-studio/cluster/sock`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost:{}/{}?host={}",
            self.port,
            percent_encode(database, false),
            percent_encode(&self.socket_dir.to_string_lossy(), true)
        )
    }
}

/// What `ensure_running` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartOutcome {
    pub endpoint: Endpoint,
    /// `initdb` ran during this call.
    pub initialized: bool,
    /// This call started the server (false: it reused one already running).
    pub started: bool,
}

/// A PostgreSQL cluster under one root directory (see the crate docs for the layout).
#[derive(Clone, Debug)]
pub struct Cluster {
    root: PathBuf,
    binaries: PgBinaries,
    kind: ClusterKind,
    run_as: RunAs,
}

enum DataDir {
    Missing,
    Empty,
    Initialized { major: u32 },
}

struct PidFile {
    pid: u32,
    port: Option<u16>,
    socket_dir: Option<PathBuf>,
    ready: bool,
}

impl PidFile {
    fn endpoint(&self) -> Option<Endpoint> {
        match (self.ready, self.port, &self.socket_dir) {
            (true, Some(port), Some(dir)) => Some(Endpoint {
                pid: self.pid,
                port,
                socket_dir: dir.clone(),
            }),
            _ => None,
        }
    }
}

enum Server {
    /// No `postmaster.pid`.
    Absent,
    /// A `postmaster.pid` whose server is gone. `blocking`: PostgreSQL would
    /// refuse to start over it (its pid is a zombie or another program, or the
    /// file is unreadable), so it must be set aside first.
    Stale { blocking: bool },
    /// A live postmaster (maybe still starting or stopping).
    Alive(PidFile),
}

impl Cluster {
    /// A persistent cluster (the app's embedded database) under `root`; locates the binaries.
    pub fn persistent(root: impl Into<PathBuf>) -> Result<Self, LocalDbError> {
        Self::with_binaries(root, PgBinaries::locate()?, ClusterKind::Persistent)
    }

    /// A throwaway cluster under `root` (no fsync); the caller removes it when done.
    pub fn ephemeral(root: impl Into<PathBuf>) -> Result<Self, LocalDbError> {
        Self::with_binaries(root, PgBinaries::locate()?, ClusterKind::Ephemeral)
    }

    /// A cluster using the given binaries. Fails with `NoPostgresUser` when
    /// running as root without a `postgres` OS user.
    pub fn with_binaries(
        root: impl Into<PathBuf>,
        binaries: PgBinaries,
        kind: ClusterKind,
    ) -> Result<Self, LocalDbError> {
        let root = root.into();
        let root =
            std::path::absolute(&root).map_err(|e| LocalDbError::io_at("resolving", &root, e))?;
        Ok(Cluster {
            root,
            binaries,
            kind,
            run_as: sys::server_user()?,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn kind(&self) -> ClusterKind {
        self.kind
    }

    pub fn binaries(&self) -> &PgBinaries {
        &self.binaries
    }

    pub(crate) fn run_as(&self) -> &RunAs {
        &self.run_as
    }

    /// `<root>/data`, the PGDATA directory.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// `<root>/sock`, the unix socket directory (mode 0700).
    pub fn socket_dir(&self) -> PathBuf {
        self.root.join("sock")
    }

    /// `<root>/server.log`.
    pub fn log_path(&self) -> PathBuf {
        self.root.join("server.log")
    }

    /// `<root>/cluster.lock`, serialising start and stop between processes.
    pub fn lock_path(&self) -> PathBuf {
        self.root.join("cluster.lock")
    }

    /// Looks without changing anything (and without taking the lock).
    pub fn status(&self) -> Result<ClusterStatus, LocalDbError> {
        match self.data_dir_state()? {
            DataDir::Missing | DataDir::Empty => Ok(ClusterStatus::NotInitialized),
            DataDir::Initialized { .. } => match self.server_state()? {
                Server::Alive(pf) => Ok(pf
                    .endpoint()
                    .map_or(ClusterStatus::Stopped, ClusterStatus::Running)),
                Server::Absent | Server::Stale { .. } => Ok(ClusterStatus::Stopped),
            },
        }
    }

    /// Returns the running server, starting it (and running `initdb` first if
    /// needed) under the cluster lock, so concurrent callers in any process
    /// initialise and start at most once.
    pub fn ensure_running(&self) -> Result<StartOutcome, LocalDbError> {
        if let ClusterStatus::Running(endpoint) = self.status()? {
            return Ok(reused(endpoint));
        }
        self.prepare_root()?;
        let _lock = lock_exclusive(&self.lock_path(), LOCK_TIMEOUT)?;
        let initialized = match self.data_dir_state()? {
            DataDir::Missing | DataDir::Empty => {
                self.check_accessible()?;
                self.initdb()?;
                true
            }
            DataDir::Initialized { major } => {
                if let Some(endpoint) = self.wait_until_settled()? {
                    return Ok(reused(endpoint));
                }
                if major != self.binaries.major_version {
                    return Err(LocalDbError::VersionMismatch {
                        data_version: major,
                        binaries_version: self.binaries.major_version,
                        path: self.data_dir(),
                    });
                }
                self.check_accessible()?;
                false
            }
        };
        let endpoint = self.start_server()?;
        Ok(StartOutcome {
            endpoint,
            initialized,
            started: true,
        })
    }

    /// Makes this cluster a hot standby of the server at `primary` (a base
    /// backup streamed over its socket, then streaming replication, which
    /// `pg_basebackup -R` configures) and starts it; a standby made earlier
    /// is started (or reused) as it is. The primary must admit replication
    /// connections from this user over its socket, as a cluster made here
    /// does.
    pub fn ensure_standby_of(&self, primary: &Endpoint) -> Result<StartOutcome, LocalDbError> {
        if let ClusterStatus::Running(endpoint) = self.status()? {
            return Ok(reused(endpoint));
        }
        self.prepare_root()?;
        let _lock = lock_exclusive(&self.lock_path(), LOCK_TIMEOUT)?;
        let initialized = match self.data_dir_state()? {
            DataDir::Missing | DataDir::Empty => {
                self.check_accessible()?;
                let tmp = self.root.join("data.initdb");
                remove_dir_if_exists(&tmp)?;
                let data = self.data_dir();
                if data.exists() {
                    fs::remove_dir(&data).map_err(|e| LocalDbError::io_at("removing", &data, e))?;
                }
                tracing::info!(root = %self.root.display(), primary = primary.port, "copying the primary for a standby");
                let mut cmd = self.run_as.command(&self.binaries.program("pg_basebackup"));
                cmd.arg("-D")
                    .arg(&tmp)
                    .args(["-R", "-X", "stream", "-c", "fast", "-U", "postgres", "-h"])
                    .arg(&primary.socket_dir)
                    .arg("-p")
                    .arg(primary.port.to_string());
                if self.kind == ClusterKind::Ephemeral {
                    cmd.arg("--no-sync");
                }
                let out = cmd
                    .output()
                    .map_err(|e| LocalDbError::io("running pg_basebackup", e))?;
                if !out.status.success() {
                    remove_dir_if_exists(&tmp)?;
                    return Err(LocalDbError::CommandFailed {
                        program: "pg_basebackup".to_owned(),
                        status: out.status,
                        stderr: sys::output_text(&out),
                    });
                }
                fs::rename(&tmp, &data)
                    .map_err(|e| LocalDbError::io_at("renaming into", &data, e))?;
                true
            }
            DataDir::Initialized { .. } => {
                if let Some(endpoint) = self.wait_until_settled()? {
                    return Ok(reused(endpoint));
                }
                false
            }
        };
        let endpoint = self.start_server()?;
        Ok(StartOutcome {
            endpoint,
            initialized,
            started: true,
        })
    }

    /// Stops the server with a fast shutdown (`pg_ctl stop -m fast -w`): open
    /// sessions are disconnected, committed data is safe. Returns whether a
    /// server was running.
    pub fn stop(&self) -> Result<bool, LocalDbError> {
        if !self.data_dir().join("postmaster.pid").exists() {
            return Ok(false);
        }
        let _lock = lock_exclusive(&self.lock_path(), LOCK_TIMEOUT)?;
        if !matches!(self.server_state()?, Server::Alive(_)) {
            return Ok(false);
        }
        let mut cmd = self.run_as.command(&self.binaries.program("pg_ctl"));
        cmd.arg("stop").arg("-D").arg(self.data_dir()).args([
            "-m",
            "fast",
            "-w",
            "-t",
            PG_CTL_TIMEOUT_SECS,
        ]);
        tracing::info!(root = %self.root.display(), "stopping PostgreSQL");
        match sys::run(cmd, "pg_ctl stop") {
            Ok(_) => Ok(true),
            // It went away on its own between our check and pg_ctl.
            Err(_) if !matches!(self.server_state()?, Server::Alive(_)) => Ok(true),
            Err(e) => Err(e),
        }
    }

    fn data_dir_state(&self) -> Result<DataDir, LocalDbError> {
        let data = self.data_dir();
        match fs::metadata(&data) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(DataDir::Missing),
            Err(e) => return Err(LocalDbError::io_at("inspecting", &data, e)),
            Ok(meta) if !meta.is_dir() => return Err(LocalDbError::NotAClusterDir { path: data }),
            Ok(_) => {}
        }
        match fs::read_to_string(data.join("PG_VERSION")) {
            Ok(text) => {
                let major = text
                    .trim()
                    .split('.')
                    .next()
                    .and_then(|s| s.parse::<u32>().ok());
                match major {
                    Some(major) => Ok(DataDir::Initialized { major }),
                    None => Err(LocalDbError::NotAClusterDir { path: data }),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut entries =
                    fs::read_dir(&data).map_err(|e| LocalDbError::io_at("reading", &data, e))?;
                if entries.next().is_some() {
                    Err(LocalDbError::NotAClusterDir { path: data })
                } else {
                    Ok(DataDir::Empty)
                }
            }
            Err(e) => Err(LocalDbError::io_at("reading", &data.join("PG_VERSION"), e)),
        }
    }

    fn server_state(&self) -> Result<Server, LocalDbError> {
        let path = self.data_dir().join("postmaster.pid");
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Server::Absent),
            Err(e) => return Err(LocalDbError::io_at("reading", &path, e)),
        };
        // Lines: 1 pid, 2 data dir, 3 start time, 4 port, 5 socket dir,
        // 6 listen address, 7 shared memory key, 8 status.
        let lines: Vec<&str> = text.lines().collect();
        let line = |i: usize| lines.get(i).map(|l| l.trim()).unwrap_or("");
        let Some(pid) = line(0)
            .parse::<i64>()
            .ok()
            .and_then(|p| u32::try_from(p.unsigned_abs()).ok())
        else {
            // Empty or garbled: PostgreSQL refuses to start over it.
            return Ok(Server::Stale { blocking: true });
        };
        match sys::pid_state(pid, &self.data_dir()) {
            PidState::Gone => Ok(Server::Stale { blocking: false }),
            PidState::NotOurs => Ok(Server::Stale { blocking: true }),
            PidState::Alive => Ok(Server::Alive(PidFile {
                pid,
                port: line(3).parse().ok(),
                socket_dir: Some(line(4)).filter(|s| !s.is_empty()).map(PathBuf::from),
                ready: line(7) == "ready",
            })),
        }
    }

    /// Under the lock: a server that is still starting (e.g. its starter was
    /// killed while waiting) or stopping is waited for. Returns its endpoint
    /// once ready, or `None` when no server runs.
    fn wait_until_settled(&self) -> Result<Option<Endpoint>, LocalDbError> {
        let deadline = Instant::now() + LOCK_TIMEOUT;
        loop {
            match self.server_state()? {
                Server::Alive(pf) => {
                    if let Some(endpoint) = pf.endpoint() {
                        return Ok(Some(endpoint));
                    }
                    if Instant::now() >= deadline {
                        return Err(LocalDbError::StartFailed {
                            log_tail: format!(
                                "a server process (pid {}) runs in {} but did not become \
                                 ready within {} s; stop it and try again\n{}",
                                pf.pid,
                                self.data_dir().display(),
                                LOCK_TIMEOUT.as_secs(),
                                self.log_tail_from(0)
                            ),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Server::Absent | Server::Stale { .. } => return Ok(None),
            }
        }
    }

    /// Creates the root (and missing parents) and, as root, hands it to the server user.
    fn prepare_root(&self) -> Result<(), LocalDbError> {
        let mut missing = Vec::new();
        let mut cur = self.root.as_path();
        while !cur.exists() {
            missing.push(cur.to_path_buf());
            match cur.parent() {
                Some(parent) => cur = parent,
                None => break,
            }
        }
        for dir in missing.iter().rev() {
            let is_root = dir == &self.root;
            let mode = if is_root { 0o700 } else { 0o755 };
            match fs::DirBuilder::new().mode(mode).create(dir) {
                Ok(()) => {
                    // Parents must stay traversable for the server user whatever the umask.
                    if !is_root && matches!(self.run_as, RunAs::User { .. }) {
                        sys::set_mode(dir, 0o755)?;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(LocalDbError::io_at("creating", dir, e)),
            }
        }
        self.run_as.chown(&self.root)
    }

    /// As root: checks that the server user can actually reach and write the root.
    fn check_accessible(&self) -> Result<(), LocalDbError> {
        if let RunAs::User { name, .. } = &self.run_as {
            let mut cmd = self.run_as.command(Path::new("test"));
            cmd.arg("-w")
                .arg(&self.root)
                .arg("-a")
                .arg("-x")
                .arg(&self.root)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            let ok = cmd.status().map(|s| s.success()).unwrap_or(false);
            if !ok {
                return Err(LocalDbError::NotAccessible {
                    path: self.root.clone(),
                    user: name.clone(),
                });
            }
        }
        Ok(())
    }

    /// Runs initdb into `data.initdb`, then renames it to `data`, so a crash
    /// mid-way never leaves a half-made data directory behind.
    fn initdb(&self) -> Result<(), LocalDbError> {
        let data = self.data_dir();
        let tmp = self.root.join("data.initdb");
        remove_dir_if_exists(&tmp)?;
        if data.exists() {
            // Known to be empty.
            fs::remove_dir(&data).map_err(|e| LocalDbError::io_at("removing", &data, e))?;
        }
        tracing::info!(root = %self.root.display(), version = self.binaries.major_version, "initialising PostgreSQL cluster");
        let mut locale = "C.UTF-8";
        loop {
            let mut cmd = self.run_as.command(&self.binaries.program("initdb"));
            cmd.arg("-D")
                .arg(&tmp)
                .args([
                    "-U",
                    "postgres",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                ])
                .arg(format!("--locale={locale}"));
            if self.kind == ClusterKind::Ephemeral {
                cmd.arg("--no-sync");
            }
            let out = cmd
                .output()
                .map_err(|e| LocalDbError::io("running initdb", e))?;
            if out.status.success() {
                break;
            }
            let text = sys::output_text(&out);
            remove_dir_if_exists(&tmp)?;
            if locale != "C" && text.to_lowercase().contains("locale") {
                tracing::warn!("initdb rejected locale {locale}, retrying with C: {text}");
                locale = "C";
                continue;
            }
            return Err(LocalDbError::CommandFailed {
                program: "initdb".to_owned(),
                status: out.status,
                stderr: text,
            });
        }
        fs::rename(&tmp, &data).map_err(|e| LocalDbError::io_at("renaming into", &data, e))
    }

    /// Starts the server on the port it had last time when that port is
    /// free (so clients holding its address reconnect after a restart),
    /// else on a fresh loopback port (retrying when the port gets taken in
    /// between, or while processes of a killed server still linger).
    fn start_server(&self) -> Result<Endpoint, LocalDbError> {
        let sock = self.socket_dir();
        let socket_path_len = sock.as_os_str().len() + "/.s.PGSQL.65535".len();
        if socket_path_len > SOCKET_PATH_LIMIT {
            return Err(LocalDbError::SocketPathTooLong {
                path: sock,
                limit: SOCKET_PATH_LIMIT,
            });
        }
        self.prepare_socket_dir()?;
        self.prepare_log()?;
        self.clear_stale_pidfile()?;

        let grace_deadline = Instant::now() + STALE_SERVER_GRACE;
        let mut port_failures = 0;
        let mut preferred = self.last_port().filter(|p| port_is_free(*p));
        loop {
            let port = match preferred.take() {
                Some(p) => p,
                None => free_port()?,
            };
            let log_offset = fs::metadata(self.log_path()).map(|m| m.len()).unwrap_or(0);
            let mut options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1",
                sh_quote(&sock.to_string_lossy())
            );
            if self.kind == ClusterKind::Ephemeral {
                options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            }
            let mut cmd = self.run_as.command(&self.binaries.program("pg_ctl"));
            cmd.args(["start", "-w", "-t", PG_CTL_TIMEOUT_SECS, "-D"])
                .arg(self.data_dir())
                .arg("-l")
                .arg(self.log_path())
                .arg("-o")
                .arg(&options);
            tracing::info!(root = %self.root.display(), port, "starting PostgreSQL");
            let out = cmd
                .output()
                .map_err(|e| LocalDbError::io("running pg_ctl start", e))?;
            if out.status.success() {
                // Best effort: a restart without it takes a fresh port.
                let _ = fs::write(self.root.join(LAST_PORT_FILE), port.to_string());
                return match self.server_state()? {
                    Server::Alive(pf) => pf.endpoint().ok_or_else(|| LocalDbError::StartFailed {
                        log_tail: format!(
                            "pg_ctl reported the server started, but its postmaster.pid does \
                             not say it is ready\n{}",
                            self.log_tail_from(log_offset)
                        ),
                    }),
                    _ => Err(LocalDbError::StartFailed {
                        log_tail: format!(
                            "pg_ctl reported the server started, but it is not running\n{}",
                            self.log_tail_from(log_offset)
                        ),
                    }),
                };
            }
            let log = self.read_log_from(log_offset);
            if log.contains("Address already in use") || log.contains("could not bind") {
                port_failures += 1;
                if port_failures >= MAX_PORT_ATTEMPTS {
                    return Err(LocalDbError::PortInUse { port });
                }
                tracing::warn!(port, "port was taken while PostgreSQL started; retrying");
                continue;
            }
            let leftover = log.contains("pre-existing shared memory block")
                || log.contains("Is another postmaster");
            if leftover && Instant::now() < grace_deadline {
                tracing::debug!("processes of a previous server still linger; retrying");
                std::thread::sleep(Duration::from_millis(250));
                self.clear_stale_pidfile()?;
                continue;
            }
            let mut log_tail = last_lines(&log, LOG_TAIL_LINES);
            let pg_ctl_text = sys::output_text(&out);
            if !pg_ctl_text.is_empty() {
                if !log_tail.is_empty() {
                    log_tail.push('\n');
                }
                log_tail.push_str(&pg_ctl_text);
            }
            return Err(LocalDbError::StartFailed { log_tail });
        }
    }

    fn prepare_socket_dir(&self) -> Result<(), LocalDbError> {
        let sock = self.socket_dir();
        match fs::DirBuilder::new().mode(0o700).create(&sock) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                // No server runs (we hold the lock and found none): leftover
                // sockets and socket lock files of a killed server can go.
                if let Ok(entries) = fs::read_dir(&sock) {
                    for entry in entries.flatten() {
                        let _ = fs::remove_file(entry.path());
                    }
                }
            }
            Err(e) => return Err(LocalDbError::io_at("creating", &sock, e)),
        }
        sys::set_mode(&sock, 0o700)?;
        self.run_as.chown(&sock)
    }

    fn prepare_log(&self) -> Result<(), LocalDbError> {
        let log = self.log_path();
        match fs::metadata(&log) {
            Ok(meta) if meta.len() > LOG_ROTATE_BYTES => {
                let old = self.root.join("server.log.1");
                fs::rename(&log, &old).map_err(|e| LocalDbError::io_at("rotating", &log, e))?;
            }
            Ok(_) => self.run_as.chown(&log)?,
            Err(_) => {}
        }
        Ok(())
    }

    /// Sets aside a `postmaster.pid` that PostgreSQL would wrongly honour (its
    /// pid is a zombie nobody reaped, or a reused pid), once no process of the
    /// old server is left.
    fn clear_stale_pidfile(&self) -> Result<(), LocalDbError> {
        if !matches!(self.server_state()?, Server::Stale { blocking: true }) {
            return Ok(());
        }
        let data = self.data_dir();
        let deadline = Instant::now() + STALE_SERVER_GRACE;
        loop {
            match sys::processes_in(&data) {
                Some(pids) if !pids.is_empty() => {
                    if Instant::now() >= deadline {
                        return Err(LocalDbError::StartFailed {
                            log_tail: format!(
                                "processes of a previous server (pids {pids:?}) still run in {}; \
                                 end them and try again",
                                data.display()
                            ),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                _ => break,
            }
        }
        let pidfile = data.join("postmaster.pid");
        tracing::info!(path = %pidfile.display(), "removing stale postmaster.pid");
        match fs::remove_file(&pidfile) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(LocalDbError::io_at("removing", &pidfile, e)),
        }
    }

    fn read_log_from(&self, offset: u64) -> String {
        let Ok(mut file) = fs::File::open(self.log_path()) else {
            return String::new();
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let start = if offset <= len { offset } else { 0 };
        let mut buf = Vec::new();
        if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut buf).is_err() {
            return String::new();
        }
        String::from_utf8_lossy(&buf).into_owned()
    }

    fn log_tail_from(&self, offset: u64) -> String {
        last_lines(&self.read_log_from(offset), LOG_TAIL_LINES)
    }
}

fn reused(endpoint: Endpoint) -> StartOutcome {
    tracing::debug!(
        port = endpoint.port,
        pid = endpoint.pid,
        "reusing running PostgreSQL"
    );
    StartOutcome {
        endpoint,
        initialized: false,
        started: false,
    }
}

fn remove_dir_if_exists(path: &Path) -> Result<(), LocalDbError> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(LocalDbError::io_at("removing", path, e)),
    }
}

/// A loopback port free at this instant (the kernel's choice).
/// The file in a cluster's root naming the port its server last listened on.
const LAST_PORT_FILE: &str = "last-port";

impl Cluster {
    fn last_port(&self) -> Option<u16> {
        fs::read_to_string(self.root.join(LAST_PORT_FILE))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }
}

fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Ports a server may take: below the range the system hands out to
/// outgoing connections (32768 and up on Linux), so that once a server
/// stops, no client's connection takes its port before it starts again.
const SERVER_PORTS: std::ops::Range<u16> = 20_000..32_000;

/// A free port for a server: a few tries in [`SERVER_PORTS`] (from a seed
/// of the clock and the process), then any the system gives.
pub(crate) fn free_port() -> Result<u16, LocalDbError> {
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id().rotate_left(16);
    let span = u32::from(SERVER_PORTS.end - SERVER_PORTS.start);
    for _ in 0..50 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let port = SERVER_PORTS.start + (seed % span) as u16;
        if port_is_free(port) {
            return Ok(port);
        }
    }
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| LocalDbError::io("finding a free port on 127.0.0.1", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| LocalDbError::io("finding a free port on 127.0.0.1", e))?
        .port();
    Ok(port)
}

/// Quotes a word for the shell that `pg_ctl` runs `postgres` through.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Percent-encodes everything but RFC 3986 unreserved characters (and `/`
/// when `keep_slash`).
fn percent_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encodes_host_and_database() {
        let ep = Endpoint {
            pid: 1,
            port: 5433,
            socket_dir: PathBuf::from("/tmp/my dir/sock"),
        };
        assert_eq!(
            ep.url("app db"),
            "postgres://postgres@localhost:5433/app%20db?host=/tmp/my%20dir/sock"
        );
    }

    #[test]
    fn quotes_for_shell() {
        assert_eq!(sh_quote("/a b/it's"), r"'/a b/it'\''s'");
    }

    #[test]
    fn keeps_last_lines() {
        assert_eq!(last_lines("a\nb\nc\n", 2), "b\nc");
        assert_eq!(last_lines("", 2), "");
    }
}
