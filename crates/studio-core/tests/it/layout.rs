//! The architecture's checkable rules (ARCHITECTURE.md), read from the
//! sources: the modules of studio-core import each other without cycles
//! (between top-level modules and between the files of each folder); one
//! file writes the audit trail; only studio-core and studio-bench talk to
//! PostgreSQL; tauri stays in the app; the app's commands hold no SQL.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `src/a/b.rs` → `a::b`, `src/a/mod.rs` → `a`, `src/lib.rs` → ``.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The paths a source refers to: `crate::a::b…` (also `$crate::…` in
/// macros) and `super::x…`, with `use` groups expanded at their top level
/// (`super::{a::{self, f}, b}` → `super::a`, `super::b`).
fn referenced_paths(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let path_chars = |c: &char| c.is_alphanumeric() || *c == '_' || *c == ':';
    let mut out = Vec::new();
    for root in ["crate::", "super::"] {
        let head = root.trim_end_matches("::");
        let mut rest = code.as_str();
        while let Some(at) = rest.find(root) {
            let before = rest[..at].chars().last();
            rest = &rest[at + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // part of a longer name
            }
            if let Some(group) = rest.strip_prefix('{') {
                // Split the group at its top-level commas, up to its brace.
                let start = out.len();
                let mut depth = 0;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.push(item.clone());
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 {
                        item.push(c);
                    }
                }
                out.push(item);
                for entry in &mut out[start..] {
                    let name: String = entry.trim().chars().take_while(path_chars).collect();
                    *entry = format!("{head}::{}", name.trim_end_matches(':'));
                }
            } else {
                let name: String = rest.chars().take_while(path_chars).collect();
                out.push(format!("{head}::{}", name.trim_end_matches(':')));
            }
        }
    }
    out.retain(|p| !p.ends_with("::"));
    out
}

/// Resolves a referenced path against the known modules: the longest known
/// module prefix of the absolute path.
fn resolve(from: &str, path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let absolute: Vec<&str> = if let Some(rest) = path.strip_prefix("crate::") {
        rest.split("::").collect()
    } else if let Some(rest) = path.strip_prefix("super::") {
        let mut parent: Vec<&str> = from.split("::").filter(|s| !s.is_empty()).collect();
        parent.pop();
        parent.extend(rest.split("::"));
        parent
    } else {
        return None;
    };
    (1..=absolute.len())
        .rev()
        .map(|n| absolute[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

/// A cycle in the graph, if any (as a path that ends where it starts).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str()) {
            if let Some(c) = visit(node, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

/// The graphs of one crate's sources: between its top-level modules, and
/// between the files (sibling modules) of each folder.
fn module_graphs(src: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let files = rust_files(src);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        let from = module_of(src, file);
        if from.is_empty() {
            continue; // lib.rs declares and re-exports; it is the root
        }
        let source = std::fs::read_to_string(file).unwrap();
        for path in referenced_paths(&source) {
            let Some(to) = resolve(&from, &path, &modules) else {
                continue;
            };
            let a: Vec<&str> = from.split("::").collect();
            let b: Vec<&str> = to.split("::").collect();
            // The first level where the two differ, below a common parent.
            let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            if common == a.len() || common == b.len() {
                continue; // a module and its own parent or child
            }
            let parent = a[..common].join("::");
            graphs
                .entry(parent)
                .or_default()
                .entry(a[common].to_string())
                .or_default()
                .insert(b[common].to_string());
        }
    }
    graphs
}

#[test]
fn studio_core_modules_import_each_other_without_cycles() {
    let src = workspace().join("crates/studio-core/src");
    let graphs = module_graphs(&src);
    let top = graphs
        .get("")
        .expect("top-level modules refer to each other");
    assert!(
        top.get("registry")
            .is_some_and(|deps| deps.contains("change")),
        "the reader sees registry → change (the graph is built from the imports): {top:?}"
    );
    for (parent, edges) in &graphs {
        if let Some(cycle) = find_cycle(edges) {
            panic!(
                "modules of {} import each other in a cycle: {}",
                if parent.is_empty() {
                    "studio-core"
                } else {
                    parent
                },
                cycle.join(" → ")
            );
        }
    }
}

#[test]
fn the_reader_and_the_cycle_finder_work() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&edges), None);
    edges.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&edges).map(|c| c.join(">")).as_deref(),
        Some("a>b>c>a")
    );

    let paths = referenced_paths(
        "use super::{labels::{self, x}, locks};\nlet y = crate::db::clock(c); // crate::error\n$crate::properties::m!()",
    );
    let paths: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            "crate::db::clock",
            "crate::properties::m",
            "super::labels",
            "super::locks"
        ])
    );
    let modules: BTreeSet<String> = ["registry", "registry::labels", "db"]
        .map(String::from)
        .into();
    assert_eq!(
        resolve("registry::moves", "super::labels", &modules).as_deref(),
        Some("registry::labels")
    );
    assert_eq!(
        resolve("registry::moves", "crate::db::clock", &modules).as_deref(),
        Some("db")
    );
    assert_eq!(
        resolve("registry::moves", "crate::transaction", &modules),
        None
    );
}

#[test]
fn only_the_change_pipeline_writes_the_audit_trail() {
    let root = workspace();
    let mut writers = Vec::new();
    for dir in ["crates", "src-tauri/src"] {
        for file in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            if file.components().any(|c| c.as_os_str() == "tests") {
                continue; // tests write audit rows on purpose (to force constraints)
            }
            if text.contains("INSERT INTO audit_events") {
                writers.push(file.strip_prefix(&root).unwrap().display().to_string());
            }
        }
    }
    assert_eq!(writers, ["crates/studio-core/src/change/audit.rs"]);
}

fn dependencies(manifest: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(workspace().join(manifest)).unwrap();
    let mut in_deps = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps {
            if let Some((name, _)) = line.split_once('=') {
                let name = name.trim().trim_end_matches(".workspace").to_string();
                if !name.is_empty() && !name.starts_with('#') {
                    out.insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn crates_depend_only_on_what_their_layer_allows() {
    let core = dependencies("crates/studio-core/Cargo.toml");
    let bench = dependencies("crates/studio-bench/Cargo.toml");
    let cli = dependencies("crates/studio-cli/Cargo.toml");
    let localdb = dependencies("crates/studio-localdb/Cargo.toml");
    let app = dependencies("Cargo.toml");
    assert!(
        core.contains("sqlx") && bench.contains("sqlx"),
        "the crates that talk to PostgreSQL"
    );
    for (name, deps) in [
        ("studio-cli", &cli),
        ("the app", &app),
        ("studio-localdb", &localdb),
    ] {
        assert!(
            !deps.contains("sqlx"),
            "{name} must not talk to PostgreSQL itself"
        );
    }
    for (name, deps) in [
        ("studio-core", &core),
        ("studio-bench", &bench),
        ("studio-cli", &cli),
        ("studio-localdb", &localdb),
    ] {
        assert!(!deps.contains("tauri"), "{name} must not depend on tauri");
    }
    assert!(
        !core.contains("keyring"),
        "studio-core never touches a keychain"
    );
    assert!(!cli.contains("studio-bench") || cli.contains("studio-core"));
    let offline = dependencies("crates/studio-offline/Cargo.toml");
    assert!(
        offline.contains("sqlx")
            && offline.contains("studio-core")
            && !offline.contains("tauri")
            && !offline.contains("keyring"),
        "studio-offline keeps its SQLite file through sqlx, reaches the server through studio-core, and knows nothing of the shell or the keychain"
    );
    let keychain = dependencies("crates/studio-keychain/Cargo.toml");
    assert!(
        keychain.contains("keyring") && !keychain.contains("sqlx") && !keychain.contains("tauri"),
        "studio-keychain holds the keychain crate and nothing of the database or the shell"
    );
    for (name, deps) in [
        ("studio-cli", &cli),
        ("the app", &app),
        ("studio-bench", &bench),
    ] {
        assert!(
            !deps.contains("keyring"),
            "{name} reaches the keychain only through studio-keychain"
        );
    }
}

#[test]
fn the_apps_commands_hold_no_sql() {
    for file in rust_files(&workspace().join("src-tauri/src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in ["sqlx::", "SELECT ", "INSERT ", "UPDATE ", "DELETE FROM"] {
            assert!(
                !text.contains(needle),
                "{} holds SQL ({needle:?}): it belongs in studio-core",
                file.display()
            );
        }
    }
}
