//! `eco-studio doctor`: what this machine has of what Eco Studio needs.

use std::path::Path;
use std::process::ExitCode;

use studio_localdb::PgBinaries;

struct Check {
    name: &'static str,
    ok: bool,
    required: bool,
    detail: String,
}

pub fn run() -> ExitCode {
    let checks = [postgres(), webkit(), keychain()];
    for c in &checks {
        let mark = match (c.ok, c.required) {
            (true, _) => "ok  ",
            (false, true) => "FAIL",
            (false, false) => "warn",
        };
        println!("[{mark}] {:<22} {}", c.name, c.detail);
    }
    if checks.iter().any(|c| c.required && !c.ok) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn postgres() -> Check {
    match PgBinaries::locate() {
        Ok(bins) => Check {
            name: "PostgreSQL binaries",
            ok: true,
            required: true,
            detail: format!(
                "version {} in {}",
                bins.major_version,
                bins.bindir.display()
            ),
        },
        Err(e) => Check {
            name: "PostgreSQL binaries",
            ok: false,
            required: true,
            detail: e.to_string(),
        },
    }
}

fn webkit() -> Check {
    const LIB: &str = "libwebkit2gtk-4.1.so.0";
    let dirs = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
    ];
    let found = dirs
        .iter()
        .map(|d| Path::new(d).join(LIB))
        .find(|p| p.exists());
    Check {
        name: "WebKitGTK (app window)",
        ok: found.is_some(),
        required: false,
        detail: match found {
            Some(p) => format!("found {}", p.display()),
            None => format!(
                "{LIB} not found: the desktop app cannot open its window \
                 (apt-get install libwebkit2gtk-4.1-0); the CLI works without it"
            ),
        },
    }
}

fn keychain() -> Check {
    // Reading an entry that need not exist tells whether the Secret Service
    // answers, without storing anything.
    let (ok, detail) = match studio_keychain::probe() {
        Ok(()) => (true, "the OS keychain (Secret Service) answers".to_string()),
        Err(why) => (false, why.0),
    };
    Check {
        name: "OS keychain",
        ok,
        required: false,
        detail,
    }
}
