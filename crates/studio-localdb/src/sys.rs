//! OS helpers: which user runs the server, running its programs, process liveness.

use std::ffi::{CStr, CString, OsStr};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::LocalDbError;

/// The OS user the PostgreSQL programs run as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RunAs {
    /// Not root: run the programs directly.
    CurrentUser,
    /// Root: run them through `runuser -u <name> --`, and hand directories to this user.
    User { name: String, uid: u32, gid: u32 },
}

/// The user the server must run as: `postgres` when we are root, else ourselves.
pub(crate) fn server_user() -> Result<RunAs, LocalDbError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(RunAs::CurrentUser);
    }
    match lookup_user("postgres") {
        Some((uid, gid)) => Ok(RunAs::User {
            name: "postgres".to_owned(),
            uid,
            gid,
        }),
        None => Err(LocalDbError::NoPostgresUser),
    }
}

fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let cname = CString::new(name).ok()?;
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: all-zero is a valid `passwd` (null pointers, zero ids).
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer refers to live, correctly sized storage.
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || result.is_null() {
            return None;
        }
        return Some((pwd.pw_uid, pwd.pw_gid));
    }
}

/// Home directory of the current user from the password database (fallback when
/// `HOME` is unset).
pub(crate) fn home_from_passwd() -> Option<PathBuf> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    // SAFETY: all-zero is a valid `passwd`.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to live, correctly sized storage.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() || pwd.pw_dir.is_null() {
        return None;
    }
    // SAFETY: pw_dir points into `buf`, NUL-terminated by getpwuid_r.
    let dir = unsafe { CStr::from_ptr(pwd.pw_dir) };
    let dir = PathBuf::from(OsStr::from_bytes(dir.to_bytes()));
    (!dir.as_os_str().is_empty()).then_some(dir)
}

pub(crate) fn runuser_path() -> &'static Path {
    for candidate in [
        "/usr/sbin/runuser",
        "/sbin/runuser",
        "/usr/bin/runuser",
        "/bin/runuser",
    ] {
        if Path::new(candidate).is_file() {
            return Path::new(candidate);
        }
    }
    Path::new("runuser")
}

impl RunAs {
    /// A command running `program` as this user, with a neutral working
    /// directory (`/`: the caller's may be private to root), C messages, and
    /// no libpq/server variables from our environment leaking in.
    pub(crate) fn command(&self, program: &Path) -> Command {
        let mut cmd = match self {
            RunAs::CurrentUser => Command::new(program),
            RunAs::User { name, .. } => {
                let mut c = Command::new(runuser_path());
                c.arg("-u").arg(name).arg("--").arg(program);
                c
            }
        };
        cmd.current_dir("/").env("LC_ALL", "C").stdin(Stdio::null());
        for var in [
            "PGDATA",
            "PGPORT",
            "PGHOST",
            "PGOPTIONS",
            "PGUSER",
            "PGDATABASE",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Hands `path` to the server user (root only; a no-op otherwise).
    pub(crate) fn chown(&self, path: &Path) -> Result<(), LocalDbError> {
        if let RunAs::User { uid, gid, .. } = self {
            let meta = std::fs::symlink_metadata(path)
                .map_err(|e| LocalDbError::io_at("inspecting", path, e))?;
            use std::os::unix::fs::MetadataExt;
            if meta.uid() != *uid || meta.gid() != *gid {
                std::os::unix::fs::lchown(path, Some(*uid), Some(*gid))
                    .map_err(|e| LocalDbError::io_at("changing the owner of", path, e))?;
            }
        }
        Ok(())
    }
}

/// Sets a path's permission bits if they differ.
pub(crate) fn set_mode(path: &Path, mode: u32) -> Result<(), LocalDbError> {
    let meta = std::fs::metadata(path).map_err(|e| LocalDbError::io_at("inspecting", path, e))?;
    if meta.permissions().mode() & 0o7777 != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| LocalDbError::io_at("setting permissions of", path, e))?;
    }
    Ok(())
}

/// Runs a command, turning a spawn error into `Io` and a non-zero exit into
/// `CommandFailed` (with its stderr, or stdout when stderr is empty).
pub(crate) fn run(mut cmd: Command, what: &str) -> Result<Output, LocalDbError> {
    let out = cmd
        .output()
        .map_err(|e| LocalDbError::io(format!("running {what}"), e))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(LocalDbError::CommandFailed {
            program: what.to_owned(),
            status: out.status,
            stderr: output_text(&out),
        })
    }
}

/// The diagnostic text of a finished command, trimmed and bounded.
pub(crate) fn output_text(out: &Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    if text.is_empty() {
        text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    }
    const MAX: usize = 8000;
    if text.len() > MAX {
        let mut cut = text.len() - MAX;
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        text = format!("...{}", &text[cut..]);
    }
    text
}

/// What a pid recorded in `postmaster.pid` refers to now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PidState {
    /// No such process: PostgreSQL itself treats the lock file as stale.
    Gone,
    /// The pid exists but is not our server (a zombie nobody reaped, or the pid
    /// was reused by another program). PostgreSQL would wrongly refuse to start
    /// while it exists, so the lock file must be set aside.
    NotOurs,
    /// A live process that is (or, lacking /proc, may be) our server.
    Alive,
}

/// Classifies `pid` against the server of `data_dir`.
pub(crate) fn pid_state(pid: u32, data_dir: &Path) -> PidState {
    let Ok(raw) = libc::pid_t::try_from(pid) else {
        return PidState::Gone;
    };
    if raw <= 0 {
        return PidState::Gone;
    }
    // SAFETY: signal 0 only checks for existence and permission.
    if unsafe { libc::kill(raw, 0) } != 0
        && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
    {
        return PidState::Gone;
    }
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if !Path::new("/proc/self").exists() {
        return PidState::Alive; // no /proc: trust kill()
    }
    match process_state(pid) {
        Some('Z') | Some('X') => return PidState::NotOurs,
        None if !proc_dir.exists() => return PidState::Gone,
        _ => {}
    }
    match std::fs::read_link(proc_dir.join("cwd")) {
        // The postmaster and its children run with the data directory as cwd.
        Ok(cwd) => match std::fs::canonicalize(data_dir) {
            Ok(data) if cwd == data => PidState::Alive,
            Ok(_) => PidState::NotOurs,
            Err(_) => PidState::Alive,
        },
        // Another user's process we may not inspect: assume alive, as
        // PostgreSQL does.
        Err(_) => PidState::Alive,
    }
}

/// The state letter of `/proc/<pid>/stat` (R, S, D, Z, ...).
pub(crate) fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.trim_start().chars().next()
}

/// Live (non-zombie) processes whose working directory is `data_dir`: server
/// processes still around after their postmaster died. `None` without /proc.
pub(crate) fn processes_in(data_dir: &Path) -> Option<Vec<u32>> {
    let data = std::fs::canonicalize(data_dir).ok()?;
    let entries = std::fs::read_dir("/proc").ok()?;
    let me = std::process::id();
    let mut pids = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        if let Ok(cwd) = std::fs::read_link(entry.path().join("cwd")) {
            if cwd == data && !matches!(process_state(pid), Some('Z') | Some('X')) {
                pids.push(pid);
            }
        }
    }
    Some(pids)
}
