fn main() {
    // Only the commands listed in commands.list exist for the window, and
    // only those a capability file grants may be called.
    println!("cargo:rerun-if-changed=src-tauri/commands.list");
    let list = std::fs::read_to_string("src-tauri/commands.list").expect("src-tauri/commands.list");
    let commands: Vec<&'static str> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| &*Box::leak(l.to_string().into_boxed_str()))
        .collect();
    let commands: &'static [&'static str] = Box::leak(commands.into_boxed_slice());
    let manifest = tauri_build::AppManifest::new().commands(commands);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(manifest),
    )
    .expect("tauri build script");
}
