//! A PgBouncer in front of a cluster, for the tests and benchmarks that
//! prove the studio works through a pooler in transaction mode. Debian's
//! `pgbouncer` package provides the program (`$ECO_PGBOUNCER` names another).
//!
//! The pooler listens on 127.0.0.1, takes any role the server knows
//! (`auth_type = trust`, roles looked up with `auth_query`) and reaches the
//! server over its private socket. It drops what a transaction leaves on
//! its server (`server_reset_query_always`), as the studio requires of a
//! transaction pooler.

use std::fs;
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cluster::{free_port, Cluster, Endpoint};
use crate::error::LocalDbError;

/// Names the pgbouncer program to run instead of the one on the system.
pub const PGBOUNCER_ENV: &str = "ECO_PGBOUNCER";

/// How the pooler shares server connections.
#[derive(Clone, Debug)]
pub struct PoolerSettings {
    /// `transaction` or `session`.
    pub pool_mode: &'static str,
    /// Server connections per database and role.
    pub pool_size: u32,
    /// Client connections the pooler accepts.
    pub max_client_conn: u32,
    /// Reset a server after every transaction (`server_reset_query_always`),
    /// as the studio requires of a transaction pooler; off only to test
    /// that the studio notices.
    pub reset_always: bool,
}

impl Default for PoolerSettings {
    fn default() -> Self {
        PoolerSettings {
            pool_mode: "transaction",
            pool_size: 4,
            max_client_conn: 2000,
            reset_always: true,
        }
    }
}

/// A running pooler. Stopped on drop unless [`Pooler::detach`]ed; a watchdog
/// stops it too when the process it watches is gone.
#[derive(Debug)]
pub struct Pooler {
    dir: PathBuf,
    port: u16,
    owned: bool,
}

/// Polls the watched pid every second; when it is gone, stops the pooler.
/// Arguments: watched pid, pid file, then the pooler's command line.
/// The pooler's pid is read from its pid file as soon as it is there (the
/// file may be gone by the end: the test cluster's watchdog removes the
/// whole run folder).
const WATCHDOG: &str = r#"watched=$1 pidfile=$2
shift 2
"$@" &
child=$!
pooler=
while kill -0 "$watched" 2>/dev/null; do
    [ -z "$pooler" ] && [ -s "$pidfile" ] && pooler=$(cat "$pidfile")
    state=$(sed 's/.*) //' "/proc/$watched/stat" 2>/dev/null | cut -c1)
    [ "$state" = Z ] && break
    sleep 1
done
[ -z "$pooler" ] && [ -s "$pidfile" ] && pooler=$(cat "$pidfile")
[ -n "$pooler" ] && kill "$pooler" 2>/dev/null
kill "$child" 2>/dev/null
"#;

impl Pooler {
    /// Starts a pooler for `cluster` (running at `endpoint`) with its files
    /// in `dir`, stopped when `watched` (a process id) ends at the latest.
    pub fn start(
        cluster: &Cluster,
        endpoint: &Endpoint,
        dir: &Path,
        settings: &PoolerSettings,
        watched: u32,
    ) -> Result<Pooler, LocalDbError> {
        let program = program()?;
        fs::create_dir_all(dir).map_err(|e| LocalDbError::io_at("creating", dir, e))?;
        let run_as = cluster.run_as();
        run_as.chown(dir)?;
        let port = free_port()?;
        let users = dir.join("users.txt");
        fs::write(&users, "\"postgres\" \"\"\n")
            .map_err(|e| LocalDbError::io_at("writing", &users, e))?;
        let pidfile = dir.join("pgbouncer.pid");
        let _ = fs::remove_file(&pidfile);
        let log = dir.join("pgbouncer.log");
        let ini = dir.join("pgbouncer.ini");
        let config = format!(
            "[databases]\n\
             * = host={sock} port={server_port}\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = trust\n\
             auth_file = {users}\n\
             auth_user = postgres\n\
             auth_query = SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename = $1\n\
             pool_mode = {mode}\n\
             default_pool_size = {size}\n\
             max_client_conn = {clients}\n\
             server_idle_timeout = 5\n\
             server_reset_query = DISCARD ALL\n\
             server_reset_query_always = {reset}\n\
             ignore_startup_parameters = extra_float_digits\n\
             logfile = {log}\n\
             pidfile = {pid}\n",
            sock = endpoint.socket_dir.display(),
            server_port = endpoint.port,
            users = users.display(),
            mode = settings.pool_mode,
            size = settings.pool_size,
            clients = settings.max_client_conn,
            reset = u8::from(settings.reset_always),
            log = log.display(),
            pid = pidfile.display(),
        );
        fs::write(&ini, config).map_err(|e| LocalDbError::io_at("writing", &ini, e))?;
        for file in [&users, &ini] {
            run_as.chown(file)?;
        }
        let log_offset = fs::metadata(&log).map(|m| m.len()).unwrap_or(0);

        let inner = run_as.command(&program);
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(WATCHDOG)
            .arg("eco-studio-pooler-watchdog")
            .arg(watched.to_string())
            .arg(&pidfile)
            .arg(inner.get_program())
            .args(inner.get_args())
            .arg(&ini)
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: setsid is async-signal-safe; it detaches the watchdog so it
        // outlives a test process that starts a run-wide pooler.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        cmd.spawn()
            .map_err(|e| LocalDbError::io("starting pgbouncer", e))?;

        let pooler = Pooler {
            dir: dir.to_path_buf(),
            port,
            owned: true,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if fs::metadata(&pidfile).is_ok_and(|m| m.len() > 0) && pooler.answers() {
                return Ok(pooler);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let tail = fs::read_to_string(&log)
            .ok()
            .map(|t| t.get(log_offset as usize..).unwrap_or_default().to_string())
            .unwrap_or_default();
        Err(LocalDbError::StartFailed {
            log_tail: format!("pgbouncer did not start within 15 s:\n{tail}"),
        })
    }

    /// A pooler started earlier (by another process), found by its files.
    pub fn find(dir: &Path) -> Option<Pooler> {
        let ini = fs::read_to_string(dir.join("pgbouncer.ini")).ok()?;
        let port = ini
            .lines()
            .find_map(|l| l.strip_prefix("listen_port = "))?
            .trim()
            .parse()
            .ok()?;
        let pooler = Pooler {
            dir: dir.to_path_buf(),
            port,
            owned: false,
        };
        pooler.answers().then_some(pooler)
    }

    /// Whether the pooler accepts connections.
    pub fn answers(&self) -> bool {
        TcpStream::connect_timeout(
            &([127, 0, 0, 1], self.port).into(),
            Duration::from_millis(200),
        )
        .is_ok()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A URL reaching `database` as `user` through the pooler, marked for a
    /// transaction pooler (`pooler=transaction`).
    pub fn url(&self, database: &str, user: &str) -> String {
        format!(
            "postgres://{user}@127.0.0.1:{}/{database}?pooler=transaction",
            self.port
        )
    }

    /// Leaves the pooler running after this value is dropped (its watchdog
    /// still stops it when the watched process ends).
    pub fn detach(mut self) -> Pooler {
        self.owned = false;
        self
    }

    /// Stops the pooler now.
    pub fn stop(&self) {
        if let Ok(pid) = fs::read_to_string(self.dir.join("pgbouncer.pid")) {
            if let Ok(pid) = pid.trim().parse::<i32>() {
                // SAFETY: kill has no memory-safety preconditions.
                unsafe {
                    libc::kill(pid, libc::SIGTERM);
                }
            }
        }
    }
}

impl Drop for Pooler {
    fn drop(&mut self) {
        if self.owned {
            self.stop();
        }
    }
}

fn program() -> Result<PathBuf, LocalDbError> {
    if let Some(p) = std::env::var_os(PGBOUNCER_ENV) {
        return Ok(PathBuf::from(p));
    }
    let mut searched = vec![PathBuf::from("/usr/sbin/pgbouncer")];
    if let Some(path) = std::env::var_os("PATH") {
        searched.extend(std::env::split_paths(&path).map(|d| d.join("pgbouncer")));
    }
    searched
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or(LocalDbError::PoolerNotFound { searched })
}
