// Keep a console window from opening with the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // First: the start-up report measures from here.
    eco_studio_desktop::commands::startup::mark_process_start();
    eco_studio_desktop::run();
}
