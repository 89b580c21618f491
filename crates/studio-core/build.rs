//! The migrations are embedded at compile time (rebuild when they change),
//! and so are the domain packs (`packs/` at the repository's root), so the
//! app and the command line carry them: every file of every pack, by its
//! path under `packs/`.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let packs = manifest.join("../../packs");
    println!("cargo:rerun-if-changed={}", packs.display());
    let mut files = Vec::new();
    walk(&packs, &mut files);
    files.sort();
    let mut code = String::from("pub static EMBEDDED: &[(&str, &[u8])] = &[\n");
    for f in &files {
        let rel = f.strip_prefix(&packs).expect("under packs/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        // Only a pack's files (`<pack>/...`), not the folder's README.
        if !rel.contains('/') {
            continue;
        }
        println!("cargo:rerun-if-changed={}", f.display());
        let abs = f.canonicalize().expect("the file exists");
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            abs.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("packs_embedded.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
