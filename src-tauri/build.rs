fn main() {
    // Only the commands listed here exist for the window, and only those a
    // capability file grants may be called.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "startup_status",
        "list_roots",
        "list_children",
    ]);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(manifest),
    )
    .expect("tauri build script");
}
