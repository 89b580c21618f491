//! Domain packs (list, install, uninstall) and imports of rows (inspect a
//! file, a dry run's diff, the import itself as a background job, the run
//! log, mapping presets).

use serde::{Deserialize, Serialize};
use studio_core::import::{
    self, FileFormat, ImportInspect, ImportMapping, ImportPreset, SyncImport, SyncOptions,
    SyncReport,
};
use studio_core::packs::{self, InstallReport, PackInfo, UninstallReport};
use studio_core::{CoreError, Rule};
use tauri::{AppHandle, State, Window};
use uuid::Uuid;

use crate::error::AppResult;
use crate::events::{announce, job_listener};
use crate::state::AppState;

/// Every pack built into the app, and the installed ones with their
/// versions.
#[tauri::command]
#[specta::specta]
pub async fn pack_list(state: State<'_, AppState>) -> AppResult<Vec<PackInfo>> {
    Ok(packs::list(&state.pool().await?).await?)
}

/// Installs (or upgrades to) the built-in pack `key`.
#[tauri::command]
#[specta::specta]
pub async fn pack_install(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    key: String,
) -> AppResult<InstallReport> {
    let (pool, actor) = state.request(&window)?;
    let pack = packs::builtin(&key)?;
    let applied = packs::install(&pool, &actor, &pack).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Uninstalls a pack; refused while entities of its types live unless
/// `delete_entities`.
#[tauri::command]
#[specta::specta]
pub async fn pack_uninstall(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    key: String,
    delete_entities: bool,
) -> AppResult<UninstallReport> {
    let (pool, actor) = state.request(&window)?;
    let applied = packs::uninstall(&pool, &actor, &key, delete_entities).await?;
    Ok(announce(&app, &actor.source, applied))
}

/// Where the rows come from: a file on disk, or a file's text the window
/// read (a file picked in the window has no path).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ImportSource {
    #[serde(rename_all = "camelCase")]
    Path { path: String },
    #[serde(rename_all = "camelCase")]
    Text { name: String, text: String },
}

impl ImportSource {
    fn name(&self) -> &str {
        match self {
            ImportSource::Path { path } => path,
            ImportSource::Text { name, .. } => name,
        }
    }

    /// The reader, its size in bytes, and the file's name.
    fn open(&self) -> AppResult<(Box<dyn std::io::Read + Send>, i64, String)> {
        match self {
            ImportSource::Path { path } => {
                let p = std::path::Path::new(path);
                let file = std::fs::File::open(p).map_err(|e| {
                    CoreError::invalid(
                        Some("path"),
                        Rule::Reference,
                        format!("cannot open {path}: {e}"),
                    )
                })?;
                let size = file.metadata().map(|m| m.len() as i64).unwrap_or(0);
                let name = p
                    .file_name()
                    .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
                Ok((Box::new(std::io::BufReader::new(file)), size, name))
            }
            ImportSource::Text { name, text } => Ok((
                Box::new(std::io::Cursor::new(text.clone().into_bytes())),
                text.len() as i64,
                name.clone(),
            )),
        }
    }

    fn format(&self, given: Option<FileFormat>) -> AppResult<FileFormat> {
        Ok(given
            .or_else(|| FileFormat::from_name(self.name()))
            .ok_or_else(|| {
                CoreError::invalid(
                    Some("format"),
                    Rule::Required,
                    "choose a .csv, .json or .ndjson file (or say its format)",
                )
            })?)
    }
}

/// The first rows of a file and the mapping its header suggests for
/// `type_key`. Nothing is written.
#[tauri::command]
#[specta::specta]
pub async fn import_inspect(
    state: State<'_, AppState>,
    source: ImportSource,
    type_key: Option<String>,
    format: Option<FileFormat>,
) -> AppResult<ImportInspect> {
    let format = source.format(format)?;
    let (input, _, _) = source.open()?;
    Ok(import::inspect(&state.pool().await?, type_key.as_deref(), format, input, 20).await?)
}

fn with_file(
    mut options: SyncOptions,
    source: &ImportSource,
    name: String,
) -> AppResult<SyncOptions> {
    options.format = Some(source.format(options.format)?);
    if options.file_name.is_none() {
        options.file_name = Some(name);
    }
    Ok(options)
}

/// What importing the file would do (created / updated with before →
/// after / unchanged / deleted / errors by line). Nothing is written.
#[tauri::command]
#[specta::specta]
pub async fn import_preview(
    window: Window,
    state: State<'_, AppState>,
    source: ImportSource,
    options: SyncOptions,
) -> AppResult<SyncReport> {
    let (pool, actor) = state.request(&window)?;
    let (input, _, name) = source.open()?;
    let options = with_file(options, &source, name)?;
    let applied = import::run(
        &pool,
        &actor,
        &options,
        input,
        true,
        &|_| {},
        &studio_core::progress::CancelToken::new(),
    )
    .await?;
    Ok(applied.value)
}

/// A running import: its job (progress in bytes as `JobProgress` events,
/// the report when it ends; cancel with `cancel_job`).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStarted {
    pub job_id: Uuid,
    pub total: i64,
}

/// Imports the file in the background.
#[tauri::command]
#[specta::specta]
pub async fn import_start(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    source: ImportSource,
    options: SyncOptions,
) -> AppResult<SyncStarted> {
    let (pool, actor) = state.request(&window)?;
    let (input, size, name) = source.open()?;
    let options = with_file(options, &source, name)?;
    let (job_id, total) = state
        .jobs()
        .import_rows(&pool, &actor, options, input, size, job_listener(app))
        .await?;
    Ok(SyncStarted { job_id, total })
}

/// The latest import runs, newest first.
#[tauri::command]
#[specta::specta]
pub async fn import_runs(state: State<'_, AppState>) -> AppResult<Vec<SyncImport>> {
    Ok(import::list_runs(&state.pool().await?, 100).await?)
}

/// The mapping presets the person may use.
#[tauri::command]
#[specta::specta]
pub async fn import_presets(state: State<'_, AppState>) -> AppResult<Vec<ImportPreset>> {
    Ok(import::list_presets(&state.pool().await?).await?)
}

/// Saves a mapping as a preset (replacing the person's preset of that name).
#[tauri::command]
#[specta::specta]
pub async fn import_preset_save(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    name: String,
    type_key: String,
    mapping: ImportMapping,
    shared: bool,
) -> AppResult<ImportPreset> {
    let (pool, actor) = state.request(&window)?;
    let applied = import::save_preset(&pool, &actor, &name, &type_key, &mapping, shared).await?;
    Ok(announce(&app, &actor.source, applied))
}

#[tauri::command]
#[specta::specta]
pub async fn import_preset_delete(
    app: AppHandle,
    window: Window,
    state: State<'_, AppState>,
    id: Uuid,
) -> AppResult<()> {
    let (pool, actor) = state.request(&window)?;
    let applied = import::delete_preset(&pool, &actor, id).await?;
    announce(&app, &actor.source, applied);
    Ok(())
}
