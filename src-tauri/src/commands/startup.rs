//! Start-up status, and the moment the tree first painted.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use tauri::State;

use crate::state::{AppState, StartupStatus};

/// Names a file that receives the milliseconds from process start to the
/// tree's first painted rows (`eco-studio bench startup` reads it).
pub const STARTUP_REPORT_ENV: &str = "ECO_STARTUP_REPORT";

static PROCESS_START: OnceLock<Instant> = OnceLock::new();
static PAINTED: AtomicBool = AtomicBool::new(false);

/// Notes when the process started; `main` calls it before anything else.
pub fn mark_process_start() {
    let _ = PROCESS_START.set(Instant::now());
}

/// Where the app is in opening its database (the window asks on load, then
/// follows `StartupEvent`).
#[tauri::command]
#[specta::specta]
pub fn startup_status(state: State<'_, AppState>) -> StartupStatus {
    state.status()
}

/// The window's tree has painted its first rows. Only the first call of
/// the process counts: it logs the time since start and, when
/// `ECO_STARTUP_REPORT` names a file, writes the milliseconds there.
#[tauri::command]
#[specta::specta]
pub fn startup_painted() {
    if PAINTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let ms = PROCESS_START
        .get_or_init(Instant::now)
        .elapsed()
        .as_secs_f64()
        * 1_000.0;
    tracing::info!("the tree painted its first rows {ms:.0} ms after start");
    if let Some(path) = std::env::var_os(STARTUP_REPORT_ENV).filter(|p| !p.is_empty()) {
        if let Err(e) = write_report(Path::new(&path), ms) {
            tracing::warn!("could not write the start-up report to {path:?}: {e}");
        }
    }
}

/// Writes beside the target and renames, so a reader never sees half a number.
fn write_report(path: &Path, ms: f64) -> std::io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    std::fs::write(&partial, format!("{ms:.1}\n"))?;
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_holds_one_number_and_no_partial_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("painted");
        write_report(&path, 1234.56).expect("write the report");
        let text = std::fs::read_to_string(&path).expect("read the report");
        assert_eq!(
            text, "1234.6\n",
            "the report is the milliseconds, one decimal"
        );
        assert!(
            !dir.path().join("painted.partial").exists(),
            "the partial file is renamed into place"
        );
    }
}
