//! Writes the TypeScript bindings of the app's commands and events to
//! `ui/src/bindings.ts` (`cargo run -q --example export-bindings`). An
//! example rather than a binary, so the Debian package never ships it. A
//! test fails when the committed file is stale.

fn main() {
    let path = eco_studio_desktop::bindings::default_path();
    eco_studio_desktop::bindings::export(&path).expect("export the TypeScript bindings");
    println!("wrote {}", path.display());
}
