//! The import benchmark, under a root it makes for the run (and deletes
//! after), with a source of its own: a file of N rows with ten properties
//! each imported new, again unchanged, a dry run of a file where every row
//! changed, then that file (one value changed per row), then one where
//! every value of every row changed. Each is one timed run (rows per
//! second ride on its line); the floor is a plain COPY of the same file's
//! rows into a table without indexes (the least any import does).
//!
//! The process's peak resident memory is reported with the figures: the
//! file is streamed, so it should not grow with the number of rows.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;
use studio_core::change::Actor;
use studio_core::error::{CoreError, CoreResult};
use studio_core::import::{self, ImportMode, SyncOptions};
use studio_core::progress::CancelToken;
use studio_core::properties::{self, PropertyDefinitionInput, TypeLayoutUpdate};
use studio_core::records::{LayoutEntry, Rules, ValueType, VersionedId};
use studio_core::registry::{self, CreateEntity};
use uuid::Uuid;

use crate::tree::{registry_facts, result, BenchReport, TargetInfo};

pub(crate) const BENCH_TYPE: &str = "bench_import_item";
/// Properties per row.
const PROPERTIES: usize = 10;

/// What to run.
#[derive(Debug, Clone)]
pub struct ImportBenchOptions {
    /// Rows per file.
    pub rows: u64,
    /// Where the files are written (removed after).
    pub dir: PathBuf,
}

pub(crate) fn property_key(i: usize) -> String {
    format!("bench_import_p{i}")
}

/// Writes the benchmark's CSV: `version` shifts values (0: the first file;
/// 1: the first property of every row changed; 2: every property changed).
fn write_file(path: &Path, rows: u64, version: u32) -> std::io::Result<u64> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    write!(out, "external_id,name")?;
    for i in 0..PROPERTIES {
        write!(out, ",{}", property_key(i))?;
    }
    writeln!(out)?;
    for r in 0..rows {
        write!(out, "X{r},Item {r}")?;
        for i in 0..PROPERTIES {
            let changed = match version {
                0 => 0,
                1 => u64::from(i == 0),
                _ => 1,
            };
            if i % 2 == 0 {
                write!(
                    out,
                    ",{}",
                    (r * 7 + i as u64 * 13 + changed * 1_000) % 100_000
                )?;
            } else {
                write!(out, ",value {} {}", r % 997 + changed, i)?;
            }
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// Peak resident memory of this process (MiB), from /proc.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

pub(crate) async fn setup(pool: &PgPool, actor: &Actor) -> CoreResult<()> {
    let mut tx = pool.begin().await?;
    let type_id = registry::ensure_entity_type(
        &mut tx,
        actor,
        &registry::EntityTypeSpec {
            key: BENCH_TYPE,
            name: "Import benchmark item",
            description: Some("Made by eco-studio bench import"),
            icon: None,
            is_system: false,
        },
    )
    .await?
    .value;
    let existing: Vec<(String, Uuid)> =
        sqlx::query_as("SELECT key, id FROM property_definitions WHERE key LIKE 'bench_import_p%' AND deleted_at IS NULL")
            .fetch_all(&mut *tx)
            .await?;
    let mut ids = Vec::new();
    for i in 0..PROPERTIES {
        let key = property_key(i);
        let id = match existing.iter().find(|(k, _)| *k == key) {
            Some((_, id)) => *id,
            None => {
                properties::create_property_definition_in(
                    &mut tx,
                    actor,
                    &PropertyDefinitionInput {
                        group_id: None,
                        key: key.clone(),
                        name: format!("Bench import {i}"),
                        description: None,
                        value_type: if i % 2 == 0 {
                            ValueType::Number
                        } else {
                            ValueType::Text
                        },
                        is_required: false,
                        is_sensitive: false,
                        is_searchable: true,
                        rules: Rules::default(),
                    },
                )
                .await?
                .value
                .id
            }
        };
        ids.push(id);
    }
    let layout = properties::type_layout_in(&mut tx, type_id).await?;
    if layout.entries.is_empty() {
        let _ = properties::set_type_layout_in(
            &mut tx,
            actor,
            &TypeLayoutUpdate {
                entity_type_id: type_id,
                expected_updated_at: layout.updated_at,
                entries: ids
                    .into_iter()
                    .map(|definition_id| LayoutEntry {
                        definition_id,
                        is_required: false,
                    })
                    .collect(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The floor: the file's rows copied as text into a table without
/// indexes, in a transaction rolled back.
async fn copy_floor(pool: &PgPool, path: &Path) -> CoreResult<Duration> {
    let bytes = std::fs::read(path).map_err(|e| CoreError::Unavailable(e.to_string()))?;
    let start = Instant::now();
    let mut tx = pool.begin().await?;
    let columns: Vec<String> = (0..PROPERTIES + 2).map(|i| format!("c{i} text")).collect();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TEMP TABLE eco_bench_copy ({}) ON COMMIT DROP",
        columns.join(", ")
    )))
    .execute(&mut *tx)
    .await?;
    let mut copy = tx
        .copy_in_raw("COPY eco_bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)")
        .await?;
    copy.send(bytes).await?;
    copy.finish().await?;
    tx.rollback().await?;
    Ok(start.elapsed())
}

/// Runs the benchmark; `step` hears what it is doing.
pub async fn bench_import(
    pool: &PgPool,
    actor: &Actor,
    options: &ImportBenchOptions,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<(BenchReport, Vec<serde_json::Value>)> {
    let (postgres_version, entities) = registry_facts(pool).await?;
    let io =
        |e: std::io::Error| CoreError::Unavailable(format!("writing the benchmark's files: {e}"));
    std::fs::create_dir_all(&options.dir).map_err(io)?;
    let files: Vec<PathBuf> = (0..3)
        .map(|v| options.dir.join(format!("bench_import_{v}.csv")))
        .collect();
    step(&format!("writing three files of {} rows", options.rows));
    let mut sizes = Vec::new();
    for (v, f) in files.iter().enumerate() {
        sizes.push(write_file(f, options.rows, v as u32).map_err(io)?);
    }
    setup(pool, actor).await?;
    let root = registry::create(
        pool,
        actor,
        &CreateEntity {
            type_key: BENCH_TYPE.into(),
            parent_id: None,
            name: format!(
                "Import benchmark {}",
                chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
            ),
        },
    )
    .await?
    .value
    .id;
    let source = format!("bench-{}", Uuid::now_v7().simple());
    let run = |file: &Path, dry_run: bool| {
        let options = SyncOptions {
            type_key: BENCH_TYPE.into(),
            source: Some(source.clone()),
            format: None,
            mapping: None,
            mode: ImportMode::AllOrNothing,
            delete_missing: false,
            under: Some(root),
            file_name: Some(
                file.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
        };
        let file = file.to_path_buf();
        async move {
            let input = std::fs::File::open(&file)
                .map_err(|e| CoreError::Unavailable(format!("{}: {e}", file.display())))?;
            let start = Instant::now();
            let applied = import::run(
                pool,
                actor,
                &options,
                Box::new(std::io::BufReader::with_capacity(1 << 20, input)),
                dry_run,
                &|_| {},
                &CancelToken::new(),
            )
            .await?;
            let report = applied.value;
            if report.status == "failed" {
                return Err(CoreError::state(format!(
                    "the benchmark's import failed: {:?}",
                    report.diff.errors.first()
                )));
            }
            Ok::<_, CoreError>((start.elapsed(), report))
        }
    };
    let floor = copy_floor(pool, &files[0]).await?;
    let mut results = Vec::new();
    let mut extra = Vec::new();
    let rows = options.rows as i64;
    let mut record = |op: &str, took: Duration, floor: Duration, check: bool| {
        let mut core = [took];
        let mut fl = [floor];
        results.push(result(op, &mut core, &mut fl, rows));
        extra.push(json!({
            "op": op,
            "rows_per_s": (options.rows as f64 / took.as_secs_f64()).round(),
            "ok": check,
        }));
    };
    let ops: [(&str, usize, bool); 5] = [
        ("import_create", 0, false),
        ("import_unchanged", 0, false),
        ("import_dry_run_changed", 1, true),
        ("import_changed_one_value", 1, false),
        ("import_changed_all_values", 2, false),
    ];
    for (op, file, dry) in ops {
        step(op);
        let (took, report) = run(&files[file], dry).await?;
        let d = &report.diff;
        let check = match op {
            "import_create" => d.created == rows,
            "import_unchanged" => d.unchanged == rows && d.updated == 0,
            _ => d.updated == rows,
        };
        record(op, took, floor, check);
    }
    let rss = peak_rss_mib();
    for e in &mut extra {
        if let Some(map) = e.as_object_mut() {
            map.insert("peak_rss_mib".into(), json!((rss * 10.0).round() / 10.0));
            map.insert(
                "file_mib".into(),
                json!((sizes[0] as f64 / 1_048_576.0 * 10.0).round() / 10.0),
            );
        }
    }
    step("deleting the benchmark's root");
    let updated_at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT updated_at FROM entities WHERE id = $1")
            .bind(root)
            .fetch_one(pool)
            .await?;
    let _ = registry::delete(
        pool,
        actor,
        &VersionedId {
            id: root,
            expected_updated_at: updated_at,
        },
    )
    .await?;
    for f in &files {
        let _ = std::fs::remove_file(f);
    }
    let describe = |op: &'static str, what: &str| TargetInfo {
        op,
        description: what.to_string(),
    };
    Ok((
        BenchReport {
            postgres_version,
            entities,
            targets: vec![
                describe(
                    "import_create",
                    "every row new: entities, values, refs, read model, audit",
                ),
                describe(
                    "import_unchanged",
                    "the same file again: every row skipped by its hash",
                ),
                describe(
                    "import_dry_run_changed",
                    "the diff of a file where every row changed",
                ),
                describe(
                    "import_changed_one_value",
                    "that file: one value per row updated",
                ),
                describe(
                    "import_changed_all_values",
                    "every value of every row updated",
                ),
            ],
            results,
        },
        extra,
    ))
}
