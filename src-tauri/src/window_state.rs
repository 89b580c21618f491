//! The main window's size, position and maximized state, kept between runs
//! in `window.json` in the configuration directory (next to the connection
//! profiles). Each move or resize that changes the place rewrites the small
//! file (through a temporary file and a rename), so a killed app keeps it
//! too.
//!
//! A saved place is used only where it still fits: at least the window's
//! minimum size, and on a monitor that is connected now (a laptop taken
//! off its second screen opens on the one it has, at the saved size when it
//! fits there, centred). A missing or unreadable file opens the window as
//! configured, and says so in the log when the file was unreadable.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tauri::{PhysicalPosition, PhysicalSize, Runtime, WebviewWindow, WindowEvent};

const FILE_NAME: &str = "window.json";
/// The configured minimum inner size (tauri.conf.json).
pub const MIN_WIDTH: u32 = 800;
pub const MIN_HEIGHT: u32 = 500;
/// How much of a window must lie on a monitor for its place to be kept.
const MIN_VISIBLE: i64 = 100;

/// A window's place on the screen, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Geometry {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    #[serde(default)]
    pub maximized: bool,
}

/// A monitor's area, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Area {
    /// How many pixels of `g`'s rectangle lie on this area, per axis.
    fn overlap(&self, g: &Geometry) -> (i64, i64) {
        let across = |a: i32, a_len: u32, b: i32, b_len: u32| {
            let start = i64::from(a).max(i64::from(b));
            let end = (i64::from(a) + i64::from(a_len)).min(i64::from(b) + i64::from(b_len));
            (end - start).max(0)
        };
        (
            across(self.x, self.width, g.x, g.width),
            across(self.y, self.height, g.y, g.height),
        )
    }
}

/// Where to open the window given what was saved and the monitors there are
/// now; `None` keeps the configured size and the system's placement.
pub fn place(saved: Geometry, monitors: &[Area]) -> Option<Geometry> {
    if saved.width < MIN_WIDTH || saved.height < MIN_HEIGHT {
        return None;
    }
    let on_screen = monitors.iter().any(|m| {
        let (w, h) = m.overlap(&saved);
        w >= MIN_VISIBLE.min(i64::from(saved.width))
            && h >= MIN_VISIBLE.min(i64::from(saved.height))
    });
    if on_screen || monitors.is_empty() {
        return Some(saved);
    }
    // The monitor it was on is gone: the first one there is, centred, no
    // larger than that monitor.
    let m = monitors[0];
    let width = saved.width.min(m.width).max(MIN_WIDTH.min(m.width));
    let height = saved.height.min(m.height).max(MIN_HEIGHT.min(m.height));
    Some(Geometry {
        x: m.x + ((m.width - width) / 2) as i32,
        y: m.y + ((m.height - height) / 2) as i32,
        width,
        height,
        maximized: saved.maximized,
    })
}

/// Reads the saved place; `Ok(None)` when none was saved yet.
pub fn load(dir: &Path) -> std::io::Result<Option<Geometry>> {
    let path = dir.join(FILE_NAME);
    let named = |e: &dyn std::fmt::Display, kind| {
        std::io::Error::new(kind, format!("{}: {e}", path.display()))
    };
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| named(&e, std::io::ErrorKind::InvalidData)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(named(&e, e.kind())),
    }
}

/// Writes the place whole (a crash leaves the old file or the new one).
pub fn save(dir: &Path, geometry: &Geometry) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(FILE_NAME);
    let temp = dir.join(format!(".{FILE_NAME}.{}", std::process::id()));
    let bytes = serde_json::to_vec_pretty(geometry).map_err(std::io::Error::other)?;
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, &path)
}

/// What the window last looked like while it was neither maximized nor
/// minimized (its normal place), and whether it is maximized now.
pub struct WindowMemory {
    dir: PathBuf,
    last: Mutex<Option<Geometry>>,
}

impl WindowMemory {
    pub fn new(dir: PathBuf) -> Self {
        WindowMemory {
            dir,
            last: Mutex::new(None),
        }
    }

    /// Puts the window where it was last time (see the module's doc).
    pub fn restore<R: Runtime>(&self, window: &WebviewWindow<R>) {
        let saved = match load(&self.dir) {
            Ok(Some(saved)) => saved,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!("the window's saved place was not read, opening as configured: {e}");
                return;
            }
        };
        let monitors: Vec<Area> = window
            .available_monitors()
            .unwrap_or_default()
            .iter()
            .map(|m| Area {
                x: m.position().x,
                y: m.position().y,
                width: m.size().width,
                height: m.size().height,
            })
            .collect();
        let Some(g) = place(saved, &monitors) else {
            tracing::warn!(
                "the window's saved size {}×{} is below its minimum: opening as configured",
                saved.width,
                saved.height
            );
            return;
        };
        let _ = window.set_size(PhysicalSize::new(g.width, g.height));
        let _ = window.set_position(PhysicalPosition::new(g.x, g.y));
        if g.maximized {
            let _ = window.maximize();
        }
        *self.last.lock().expect("window memory") = Some(g);
    }

    /// Notes the window's place after it moved or was resized.
    pub fn note<R: Runtime>(&self, window: &tauri::Window<R>, event: &WindowEvent) {
        if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            return;
        }
        let maximized = window.is_maximized().unwrap_or(false);
        let minimized = window.is_minimized().unwrap_or(false);
        let mut last = self.last.lock().expect("window memory");
        if minimized {
            return;
        }
        if let (true, Some(g)) = (maximized, last.as_mut()) {
            // Keep the normal place to come back to, remember the state.
            if !g.maximized {
                g.maximized = true;
                drop(last);
                self.persist();
            }
            return;
        }
        let (Ok(position), Ok(size)) = (window.outer_position(), window.inner_size()) else {
            return;
        };
        if size.width == 0 || size.height == 0 {
            return;
        }
        let now = Geometry {
            x: position.x,
            y: position.y,
            width: size.width,
            height: size.height,
            maximized,
        };
        if *last != Some(now) {
            *last = Some(now);
            drop(last);
            self.persist();
        }
    }

    /// Writes the last noted place (nothing when the window was not placed).
    pub fn persist(&self) {
        let Some(g) = *self.last.lock().expect("window memory") else {
            return;
        };
        match save(&self.dir, &g) {
            Ok(()) => tracing::debug!("saved the window's place {g:?}"),
            Err(e) => tracing::warn!("the window's place was not saved: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Area = Area {
        x: 0,
        y: 0,
        width: 1920,
        height: 1080,
    };

    fn at(x: i32, y: i32, width: u32, height: u32) -> Geometry {
        Geometry {
            x,
            y,
            width,
            height,
            maximized: false,
        }
    }

    #[test]
    fn a_place_on_a_connected_monitor_is_kept() {
        let g = at(300, 200, 1000, 700);
        assert_eq!(place(g, &[SCREEN]), Some(g));
        // Partly off the screen but with a good part on it.
        let g = at(1700, 900, 1000, 700);
        assert_eq!(place(g, &[SCREEN]), Some(g));
    }

    #[test]
    fn a_place_on_a_monitor_that_is_gone_is_centred_on_one_there_is() {
        let g = Geometry {
            maximized: true,
            ..at(2500, 100, 2400, 700)
        };
        let placed = place(g, &[SCREEN]).expect("placed");
        assert_eq!((placed.width, placed.height), (1920, 700));
        assert_eq!((placed.x, placed.y), (0, 190));
        assert!(placed.maximized);
    }

    #[test]
    fn a_size_below_the_minimum_is_not_used() {
        assert_eq!(place(at(0, 0, 200, 600), &[SCREEN]), None);
        assert_eq!(place(at(0, 0, 900, 100), &[SCREEN]), None);
    }

    #[test]
    fn the_file_round_trips_and_a_damaged_one_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(load(dir.path()).expect("no file yet"), None);
        let g = Geometry {
            maximized: true,
            ..at(-20, 40, 1200, 760)
        };
        save(dir.path(), &g).expect("saved");
        assert_eq!(load(dir.path()).expect("read"), Some(g));
        std::fs::write(dir.path().join(FILE_NAME), b"{\"x\": 1").expect("written");
        let error = load(dir.path()).expect_err("damaged");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("window.json"), "{error}");
    }
}
