//! Import and sync: rows of a CSV, JSON or NDJSON file become entities of
//! one type, matched to what earlier imports created by their external id
//! (seed 002's ERP sync, for every type).
//!
//! How a run goes:
//! 1. the file is read and checked on its own thread, streamed in batches
//!    (`read`, `mapping`): each record's cells become values checked by
//!    their property's rules, tags resolved, and a hash of all it sets;
//! 2. the batches are copied into a staging table (COPY), so memory does
//!    not grow with the file;
//! 3. one set-based plan (`merge`): rows matched to `external_refs` by
//!    (source, external id), rows whose hash is unchanged skipped without
//!    reading their values, parents resolved (by external id, in the file
//!    or imported before, or by `path_label`), values compared;
//! 4. a dry run reports the plan (created / updated with before → after /
//!    unchanged / deleted / errors by line and column) and writes nothing;
//!    an execution writes it in the same transaction, all or nothing, or
//!    leaving out the rows with errors (`ImportMode::RowByRow`).
//!
//! The run log (`sync_imports`) gets its row before the transaction and is
//! closed by it; a run killed midway is found by the next one (its row
//! unlocked and still `processing`) and marked failed: its transaction
//! never committed, so nothing of it was written.

mod mapping;
mod merge;
pub mod read;

use std::io::Read;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

pub use mapping::{guess_mapping, ImportMapping, ParentBy, ParentColumn, PropertyColumn};
pub use read::FileFormat;

use crate::change::{Actor, Applied};
use crate::db::pooling::ExecuteCommitted;
use crate::error::{CoreError, CoreResult, Rule};
use crate::progress::{CancelToken, OnProgress};

/// How many rows of each kind a report lists (the counts are exact).
pub const SAMPLE_ROWS: usize = 200;
/// How many errors a report and the run log keep (the count is exact).
pub const MAX_ISSUES: usize = 1_000;

/// One problem of the file, where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportIssue {
    /// The line in the file (1 is a CSV's header; 0: the file as a whole).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ImportMode {
    /// Any error and nothing is written.
    #[default]
    AllOrNothing,
    /// The rows with errors are left out (and reported); the rest is written.
    RowByRow,
}

impl ImportMode {
    fn as_str(self) -> &'static str {
        match self {
            ImportMode::AllOrNothing => "all_or_nothing",
            ImportMode::RowByRow => "row_by_row",
        }
    }
}

/// What to import, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncOptions {
    /// The entity type every row becomes.
    pub type_key: String,
    /// The system the external ids belong to (`csv` when not given).
    pub source: Option<String>,
    /// The file's format (from its name when not given).
    pub format: Option<FileFormat>,
    /// Which column holds what (guessed from the header when not given).
    pub mapping: Option<ImportMapping>,
    #[serde(default)]
    pub mode: ImportMode,
    /// Soft-delete the entities of this type and source the file no longer
    /// has.
    #[serde(default)]
    pub delete_missing: bool,
    /// The parent of new rows that name none (None: they become roots).
    pub under: Option<Uuid>,
    /// The file's name, for the run log.
    pub file_name: Option<String>,
}

impl SyncOptions {
    pub fn source(&self) -> &str {
        self.source.as_deref().unwrap_or("csv")
    }
}

/// One field of an updated row, before and after (stored JSON; sensitive
/// values redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// A property key, or `name`, `parent`, `tags`.
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One row of the diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DiffRow {
    /// The line in the file (0 for an entity the file no longer has).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub line: u64,
    pub external_id: String,
    pub entity_id: Option<Uuid>,
    pub name: String,
    pub changes: Vec<FieldChange>,
}

/// What an import does (a dry run) or did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportDiff {
    /// Records read (good and bad).
    pub total: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub deleted: i64,
    /// Rows with errors (one row may have several).
    pub error_rows: i64,
    pub created_rows: Vec<DiffRow>,
    pub updated_rows: Vec<DiffRow>,
    pub deleted_rows: Vec<DiffRow>,
    pub errors: Vec<ImportIssue>,
}

/// The result of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// The run log's row (None for a dry run).
    pub run_id: Option<Uuid>,
    pub dry_run: bool,
    /// `completed` (written), `failed` (nothing written) or `dry_run`.
    pub status: String,
    /// The mapping used (the guessed one when none was given).
    pub mapping: Option<ImportMapping>,
    pub diff: ImportDiff,
}

/// A run, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncImport {
    pub id: Uuid,
    pub source: String,
    pub entity_type: String,
    pub status: String,
    pub mode: String,
    pub total_records: i32,
    pub created_count: i32,
    pub updated_count: i32,
    pub skipped_count: i32,
    pub deleted_count: i32,
    pub error_count: i32,
    #[cfg_attr(feature = "specta", specta(type = Vec<ImportIssue>))]
    pub errors: sqlx::types::Json<Vec<ImportIssue>>,
    pub file_name: Option<String>,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
}

/// Checks a source name: 1–100 characters, no control characters.
fn check_source(source: &str) -> CoreResult<()> {
    let n = source.chars().count();
    if n == 0 || n > 100 || source.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            Some("source"),
            Rule::Format,
            "a source is 1 to 100 characters, like erp_sap or csv",
        ));
    }
    Ok(())
}

/// Marks the runs that were killed midway (still `pending` or
/// `processing`, started over a minute ago, their row not locked by a
/// live transaction) as failed.
pub async fn sweep_interrupted(pool: &PgPool) -> CoreResult<u64> {
    sweep_interrupted_after(pool, 60).await
}

/// [`sweep_interrupted`] for runs started over `seconds` ago (a run being
/// imported holds its row locked, whatever its age).
pub async fn sweep_interrupted_after(pool: &PgPool, seconds: i64) -> CoreResult<u64> {
    let done = sqlx::query(
        "UPDATE sync_imports SET status = 'failed', completed_at = clock_timestamp(),
                updated_at = clock_timestamp(),
                errors = errors || jsonb_build_array(jsonb_build_object(
                    'line', 0, 'column', NULL,
                    'message', 'the run was interrupted; nothing of it was written'))
          WHERE id IN (SELECT id FROM sync_imports
                        WHERE status IN ('pending', 'processing')
                          AND started_at < clock_timestamp() - make_interval(secs => $1)
                        FOR UPDATE SKIP LOCKED)",
    )
    .bind(seconds as f64)
    .execute_committed(pool)
    .await?;
    Ok(done.rows_affected())
}

/// The latest runs, newest first (as the person may see them).
pub async fn list_runs(pool: &PgPool, limit: i64) -> CoreResult<Vec<SyncImport>> {
    sweep_interrupted(pool).await?;
    Ok(sqlx::query_as(
        "SELECT id, source, entity_type, status, mode, total_records, created_count, updated_count,
                skipped_count, deleted_count, error_count, errors, file_name, started_at,
                completed_at, created_by
           FROM sync_imports WHERE deleted_at IS NULL
          ORDER BY started_at DESC LIMIT $1",
    )
    .bind(limit.clamp(1, 1_000))
    .fetch_all(pool)
    .await?)
}

/// One run.
pub async fn get_run(pool: &PgPool, id: Uuid) -> CoreResult<SyncImport> {
    sqlx::query_as(
        "SELECT id, source, entity_type, status, mode, total_records, created_count, updated_count,
                skipped_count, deleted_count, error_count, errors, file_name, started_at,
                completed_at, created_by
           FROM sync_imports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or(CoreError::NotFound {
        what: "import run",
        id,
    })
}

/// Imports `input` (or, with `dry_run`, reports what importing it would
/// do and writes nothing). `progress` hears the records read so far.
pub async fn run(
    pool: &PgPool,
    actor: &Actor,
    options: &SyncOptions,
    input: Box<dyn Read + Send>,
    dry_run: bool,
    progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Applied<SyncReport>> {
    check_source(options.source())?;
    let format = options
        .format
        .or_else(|| options.file_name.as_deref().and_then(FileFormat::from_name))
        .ok_or_else(|| {
            CoreError::invalid(
                Some("format"),
                Rule::Required,
                "say the file's format (csv, json or ndjson)",
            )
        })?;
    sweep_interrupted(pool).await?;
    merge::run(
        pool, actor, options, format, input, dry_run, progress, cancel,
    )
    .await
}

/// Imports in the caller's transaction without a run log (a pack's sample
/// data): a `failed` report means the caller must roll back.
pub(crate) async fn run_in(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    options: &SyncOptions,
    format: FileFormat,
    input: Box<dyn Read + Send>,
) -> CoreResult<(SyncReport, Vec<crate::Change>)> {
    check_source(options.source())?;
    merge::run_in(conn, actor, options, format, input).await
}

/// The first rows of a file as the importer reads them, and the mapping
/// its header suggests for a type: what an import dialog shows first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportInspect {
    pub format: FileFormat,
    pub columns: Vec<String>,
    /// Up to `rows` records, cells in the order of `columns`.
    pub rows: Vec<Vec<String>>,
    /// Problems met in those rows (a file that cannot be read at all).
    pub issues: Vec<ImportIssue>,
    /// The guessed mapping (when a type was given).
    pub mapping: Option<ImportMapping>,
}

/// Reads the first `rows` records of `input` (nothing is written).
pub async fn inspect(
    pool: &PgPool,
    type_key: Option<&str>,
    format: FileFormat,
    input: Box<dyn Read + Send>,
    rows: usize,
) -> CoreResult<ImportInspect> {
    let (columns, records, issues) = tokio::task::spawn_blocking(move || {
        let mut columns: Vec<String> = Vec::new();
        let mut records: Vec<read::Record> = Vec::new();
        let mut issues: Vec<ImportIssue> = Vec::new();
        read::read(input, format, &mut |item| {
            match item {
                read::Item::Header(h) => columns = h,
                read::Item::Record(r) => records.push(r),
                read::Item::Issue(i) | read::Item::Fatal(i) => issues.push(i),
            }
            records.len() < rows && issues.len() < 20
        });
        (columns, records, issues)
    })
    .await
    .map_err(|e| CoreError::Unavailable(format!("reading the file failed: {e}")))?;
    let cells = records
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| r.cells.get(c).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    let mapping = match type_key {
        Some(t) => {
            let mut conn = pool.acquire().await?;
            let catalog = mapping::Catalog::load(&mut conn, t).await?;
            let keys: Vec<(String, String)> = catalog
                .definitions
                .values()
                .map(|d| (d.key.clone(), d.name.clone()))
                .collect();
            Some(guess_mapping(&columns, &keys))
        }
        None => None,
    };
    Ok(ImportInspect {
        format,
        columns,
        rows: cells,
        issues,
        mapping,
    })
}

/// A saved mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportPreset {
    pub id: Uuid,
    pub owner_user_id: Option<Uuid>,
    pub name: String,
    pub entity_type: String,
    #[cfg_attr(feature = "specta", specta(type = ImportMapping))]
    pub mapping: sqlx::types::Json<ImportMapping>,
    pub updated_at: DateTime<Utc>,
}

/// The presets the person may use (their own and the shared ones).
pub async fn list_presets(pool: &PgPool) -> CoreResult<Vec<ImportPreset>> {
    Ok(sqlx::query_as(
        "SELECT id, owner_user_id, name, entity_type, mapping, updated_at FROM import_presets
          WHERE deleted_at IS NULL ORDER BY lower(name)",
    )
    .fetch_all(pool)
    .await?)
}

/// Saves a preset under `name` (replacing the person's preset of that
/// name). `shared` presets have no owner (global administrators). Audited.
pub async fn save_preset(
    pool: &PgPool,
    actor: &Actor,
    name: &str,
    entity_type: &str,
    mapping: &ImportMapping,
    shared: bool,
) -> CoreResult<Applied<ImportPreset>> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(CoreError::invalid(
            Some("name"),
            Rule::Required,
            "a preset needs a name of 1 to 120 characters",
        ));
    }
    let mut tx = pool.begin().await?;
    let owner: Option<Uuid> = if shared {
        None
    } else {
        let me: Option<Uuid> = sqlx::query_scalar("SELECT eco_current_user_id()")
            .fetch_one(&mut *tx)
            .await?;
        Some(me.ok_or_else(|| {
            CoreError::invalid(
                Some("shared"),
                Rule::State,
                "only a signed-in person has presets of their own; save it shared",
            )
        })?)
    };
    sqlx::query(
        "UPDATE import_presets SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
          WHERE owner_user_id IS NOT DISTINCT FROM $1 AND lower(name) = lower($2)
            AND deleted_at IS NULL",
    )
    .bind(owner)
    .bind(name)
    .execute(&mut *tx)
    .await?;
    let preset: ImportPreset = sqlx::query_as(
        "INSERT INTO import_presets (id, owner_user_id, name, entity_type, mapping, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, now(), now())
         RETURNING id, owner_user_id, name, entity_type, mapping, updated_at",
    )
    .bind(Uuid::now_v7())
    .bind(owner)
    .bind(name)
    .bind(entity_type)
    .bind(sqlx::types::Json(mapping))
    .fetch_one(&mut *tx)
    .await?;
    let change = crate::Change::ImportPresetChanged {
        action: "import_preset.save",
        preset_id: preset.id,
        summary: serde_json::json!({
            "name": preset.name, "type": preset.entity_type, "shared": shared,
            "mapping": preset.mapping.0,
        }),
    };
    let applied = crate::change::record(&mut tx, actor, change, preset).await?;
    tx.commit().await?;
    Ok(applied)
}

/// Deletes a preset (soft). Audited.
pub async fn delete_preset(pool: &PgPool, actor: &Actor, id: Uuid) -> CoreResult<Applied<()>> {
    let mut tx = pool.begin().await?;
    let name: Option<String> = sqlx::query_scalar(
        "UPDATE import_presets SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
          WHERE id = $1 AND deleted_at IS NULL RETURNING name",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(name) = name else {
        return Err(CoreError::NotFound {
            what: "import preset",
            id,
        });
    };
    let change = crate::Change::ImportPresetChanged {
        action: "import_preset.delete",
        preset_id: id,
        summary: serde_json::json!({ "name": name }),
    };
    let applied = crate::change::record(&mut tx, actor, change, ()).await?;
    tx.commit().await?;
    Ok(applied)
}
