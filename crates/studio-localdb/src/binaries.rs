//! Finding the installed PostgreSQL server binaries.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::LocalDbError;

/// Environment variable naming the directory with `initdb`, `pg_ctl` and `postgres`.
/// When set (and not empty) it is the only place searched.
pub const BINDIR_ENV: &str = "ECO_PG_BINDIR";

/// Programs a directory must hold to be used.
const REQUIRED: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

/// A directory of PostgreSQL server binaries and their major version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgBinaries {
    /// Absolute directory holding `initdb`, `pg_ctl` and `postgres` (and usually `psql`).
    pub bindir: PathBuf,
    /// Major version reported by `pg_ctl --version` (e.g. 15).
    pub major_version: u32,
}

impl PgBinaries {
    /// Finds the server binaries. Search order: `$ECO_PG_BINDIR` (alone, when set);
    /// otherwise `pg_config --bindir`, `/usr/lib/postgresql/<highest>/bin`, then the
    /// directories of `PATH` that hold `initdb` and `pg_ctl` (symlinks resolved).
    pub fn locate() -> Result<Self, LocalDbError> {
        match std::env::var_os(BINDIR_ENV).filter(|v| !v.is_empty()) {
            Some(dir) => Self::locate_in(&[PathBuf::from(dir)]),
            None => Self::locate_in(&default_candidates()),
        }
    }

    /// Uses the first of `candidates` that holds `initdb`, `pg_ctl` and `postgres`;
    /// `BinariesNotFound` (listing every candidate) when none does.
    pub fn locate_in(candidates: &[PathBuf]) -> Result<Self, LocalDbError> {
        for dir in candidates {
            if has_server_binaries(dir) {
                let bindir = std::path::absolute(dir)
                    .map_err(|e| LocalDbError::io_at("resolving", dir, e))?;
                let major_version = read_major_version(&bindir)?;
                tracing::debug!(bindir = %bindir.display(), major_version, "found PostgreSQL binaries");
                return Ok(PgBinaries {
                    bindir,
                    major_version,
                });
            }
        }
        Err(LocalDbError::BinariesNotFound {
            searched: candidates.to_vec(),
        })
    }

    /// Path of one program in the binaries directory (e.g. `psql`).
    pub fn program(&self, name: &str) -> PathBuf {
        self.bindir.join(name)
    }
}

/// The directories `locate()` searches when `ECO_PG_BINDIR` is not set, in order.
pub fn default_candidates() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut push = |p: PathBuf| {
        if !out.contains(&p) {
            out.push(p);
        }
    };

    if let Some(dir) = pg_config_bindir() {
        if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
            push(dir);
        }
    }

    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let major = name.split('.').next()?.parse::<u32>().ok()?;
                Some((major, e.path().join("bin")))
            })
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.0));
        for (_, dir) in versions {
            push(dir);
        }
    }

    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let pg_ctl = dir.join("pg_ctl");
            if !(pg_ctl.is_file() && dir.join("initdb").is_file()) {
                continue;
            }
            // Distribution wrappers often symlink pg_ctl into PATH; the real
            // directory also holds `postgres`.
            if let Some(real_dir) = std::fs::canonicalize(&pg_ctl)
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
            {
                push(real_dir);
            }
            push(dir);
        }
    }
    out
}

fn pg_config_bindir() -> Option<PathBuf> {
    let out = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let dir = text.trim();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

fn has_server_binaries(dir: &Path) -> bool {
    REQUIRED.iter().all(|name| is_executable(&dir.join(name)))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn read_major_version(bindir: &Path) -> Result<u32, LocalDbError> {
    let pg_ctl = bindir.join("pg_ctl");
    let out = Command::new(&pg_ctl)
        .arg("--version")
        .stdin(Stdio::null())
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| LocalDbError::io_at("running", &pg_ctl, e))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(LocalDbError::CommandFailed {
            program: format!("{} --version", pg_ctl.display()),
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    parse_major_version(&stdout).ok_or_else(|| LocalDbError::CommandFailed {
        program: format!("{} --version", pg_ctl.display()),
        status: out.status,
        stderr: format!("unrecognised version output: {}", stdout.trim()),
    })
}

/// Parses the major version out of `pg_ctl (PostgreSQL) 15.18 (Debian ...)`
/// (or `9.6.24` style, giving 9).
pub(crate) fn parse_major_version(text: &str) -> Option<u32> {
    let rest = match text.find("(PostgreSQL)") {
        Some(i) => &text[i + "(PostgreSQL)".len()..],
        None => text,
    };
    let token = rest.split_whitespace().next()?;
    let digits: String = token.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_major_version;

    #[test]
    fn parses_versions() {
        assert_eq!(
            parse_major_version("pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(parse_major_version("pg_ctl (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(parse_major_version("pg_ctl (PostgreSQL) 17devel"), Some(17));
        assert_eq!(parse_major_version("nonsense"), None);
    }
}
