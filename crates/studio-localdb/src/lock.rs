//! Cross-process exclusive file locks (`flock(2)`).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::LocalDbError;

/// An exclusive `flock` on a file, held until this guard is dropped.
///
/// `flock` locks belong to the open file description, so two guards on the same
/// path exclude each other even within one process (two threads), and the lock
/// is released by the kernel if the holding process dies.
#[derive(Debug)]
pub struct FileLockGuard {
    file: File,
    path: PathBuf,
}

impl FileLockGuard {
    /// The locked file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLockGuard {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first makes the
        // release immediate even if the descriptor were somehow shared.
        // SAFETY: the descriptor is owned by `self.file` and still open.
        unsafe {
            libc::flock(self.file.as_raw_fd(), libc::LOCK_UN);
        }
    }
}

/// Takes an exclusive lock on `path` (created if missing), waiting up to
/// `timeout`. On success the holder's pid is written into the file so that a
/// waiter that gives up can say who holds it.
pub fn lock_exclusive(path: &Path, timeout: Duration) -> Result<FileLockGuard, LocalDbError> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .open(path)
        .map_err(|e| LocalDbError::io_at("opening lock file", path, e))?;
    let fd = file.as_raw_fd();
    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        // SAFETY: `fd` is a valid open descriptor owned by `file`.
        let rc = unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) };
        if rc == 0 {
            break;
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EWOULDBLOCK) | Some(libc::EINTR) => {}
            _ => return Err(LocalDbError::io_at("locking", path, err)),
        }
        if started.elapsed() >= timeout {
            return Err(LocalDbError::Locked {
                path: path.to_path_buf(),
                holder_pid: read_holder(&mut file),
            });
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
    // Best effort: the pid is only informational.
    let _ = file
        .set_len(0)
        .and_then(|_| file.seek(SeekFrom::Start(0)))
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    Ok(FileLockGuard {
        file,
        path: path.to_path_buf(),
    })
}

fn read_holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}
