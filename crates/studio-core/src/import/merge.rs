//! The merge: staging, the set-based plan, and writing it (see the
//! module's text in `mod.rs`).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Read;

use sqlx::{Connection, PgConnection, PgPool, Row as _};
use uuid::Uuid;

use super::mapping::{guess_mapping, Catalog, Converter, ImportMapping, ParentBy, Row};
use super::read::{self, FileFormat, Item};
use super::{
    DiffRow, FieldChange, ImportDiff, ImportIssue, ImportMode, SyncOptions, SyncReport, MAX_ISSUES,
    SAMPLE_ROWS,
};
use crate::change::{self, Actor, Applied, Change, RowsBind};
use crate::db::pooling::ExecuteCommitted;
use crate::error::{CoreError, CoreResult};
use crate::progress::{CancelToken, OnProgress, Progress};
use crate::read_model;
use crate::records::{VersionedId, REDACTED};
use crate::registry::{self, labels, MoveEntity, RenameEntity};

/// Records per batch sent from the reading thread (and per COPY).
const BATCH: usize = 5_000;
/// Entities created per statement.
const CREATE_CHUNK: usize = 5_000;

enum Msg {
    Mapping(Result<ImportMapping, Vec<ImportIssue>>),
    Batch(Batch),
}

#[derive(Default)]
struct Batch {
    rows: Vec<Row>,
    /// Lines with errors, with the external id as read.
    bad: Vec<(u64, String)>,
    issues: Vec<ImportIssue>,
    fatal: bool,
}

/// The issues of a run, counted exactly and kept up to [`MAX_ISSUES`].
#[derive(Default)]
struct Issues {
    kept: Vec<ImportIssue>,
    lines: BTreeSet<u64>,
    fatal: bool,
}

impl Issues {
    fn push(&mut self, issue: ImportIssue) {
        self.lines.insert(issue.line);
        if self.kept.len() < MAX_ISSUES {
            self.kept.push(issue);
        }
    }
    fn at(&mut self, line: u64, column: Option<&str>, message: impl Into<String>) {
        self.push(ImportIssue {
            line,
            column: column.map(str::to_string),
            message: message.into(),
        });
    }
    fn any(&self) -> bool {
        !self.lines.is_empty() || self.fatal
    }
}

fn copy_escape(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The COPY text of a batch: one line per record (the bad ones with their
/// external id only, so a deletion of what the file "no longer has" never
/// takes a row that merely failed).
fn copy_text(batch: &Batch) -> String {
    let mut out = String::with_capacity(batch.rows.len() * 256);
    for (line, external_id) in &batch.bad {
        let _ = write!(out, "{line}\tt\t");
        copy_escape(&mut out, external_id);
        out.push_str("\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n");
    }
    for row in &batch.rows {
        let _ = write!(out, "{}\tf\t", row.line);
        copy_escape(&mut out, &row.external_id);
        out.push('\t');
        copy_escape(&mut out, &row.name);
        out.push('\t');
        match &row.parent {
            Some(p) => copy_escape(&mut out, p),
            None => out.push_str("\\N"),
        }
        let _ = write!(out, "\t{}\t", row.hash);
        let mut vals = String::from("{");
        for (i, (id, v)) in row.values.iter().enumerate() {
            if i > 0 {
                vals.push(',');
            }
            let _ = write!(vals, "\"{id}\":{}", v.as_deref().unwrap_or("null"));
        }
        vals.push('}');
        copy_escape(&mut out, &vals);
        out.push('\t');
        match &row.tags {
            Some(ids) => {
                out.push('{');
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{id}");
                }
                out.push('}');
            }
            None => out.push_str("\\N"),
        }
        let _ = writeln!(out, "\t{}", Uuid::now_v7());
    }
    out
}

/// Reads and converts the file on its own thread.
fn start_reader(
    input: Box<dyn Read + Send>,
    format: FileFormat,
    given: Option<ImportMapping>,
    catalog: Catalog,
    cancel: CancelToken,
) -> tokio::sync::mpsc::Receiver<Msg> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Msg>(4);
    std::thread::spawn(move || {
        let keys: Vec<(String, String)> = catalog
            .definitions
            .values()
            .map(|d| (d.key.clone(), d.name.clone()))
            .collect();
        let mut converter: Option<Converter> = None;
        let mut batch = Batch::default();
        let mut catalog = Some(catalog);
        read::read(input, format, &mut |item| {
            if cancel.is_cancelled() {
                return false;
            }
            match item {
                Item::Header(header) => {
                    if converter.is_some() {
                        return true;
                    }
                    let mapping = given
                        .clone()
                        .unwrap_or_else(|| guess_mapping(&header, &keys));
                    let cat = catalog.take().expect("the catalog is taken once");
                    match Converter::new(mapping.clone(), &header, cat) {
                        Ok(c) => {
                            converter = Some(c);
                            tx.blocking_send(Msg::Mapping(Ok(mapping))).is_ok()
                        }
                        Err(issues) => {
                            let _ = tx.blocking_send(Msg::Mapping(Err(issues)));
                            false
                        }
                    }
                }
                Item::Record(record) => {
                    let Some(c) = &converter else { return false };
                    match c.convert(&record) {
                        Ok(row) => batch.rows.push(row),
                        Err((external_id, issues)) => {
                            batch.bad.push((record.line, external_id));
                            batch.issues.extend(issues);
                        }
                    }
                    if batch.rows.len() + batch.bad.len() >= BATCH {
                        return tx
                            .blocking_send(Msg::Batch(std::mem::take(&mut batch)))
                            .is_ok();
                    }
                    true
                }
                Item::Issue(issue) => {
                    batch.bad.push((issue.line, String::new()));
                    batch.issues.push(issue);
                    true
                }
                Item::Fatal(issue) => {
                    batch.issues.push(issue);
                    batch.fatal = true;
                    false
                }
            }
        });
        if !batch.rows.is_empty() || !batch.bad.is_empty() || !batch.issues.is_empty() {
            let _ = tx.blocking_send(Msg::Batch(batch));
        }
    });
    rx
}

/// What staging found.
struct Staged {
    mapping: Option<ImportMapping>,
    total: i64,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn run(
    pool: &PgPool,
    actor: &Actor,
    options: &SyncOptions,
    format: FileFormat,
    input: Box<dyn Read + Send>,
    dry_run: bool,
    progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Applied<SyncReport>> {
    let catalog = {
        let mut conn = pool.acquire().await?;
        let catalog = Catalog::load(&mut conn, &options.type_key).await?;
        if let Some(under) = options.under {
            let live: Option<bool> =
                sqlx::query_scalar("SELECT deleted_at IS NULL FROM entities WHERE id = $1")
                    .bind(under)
                    .fetch_optional(&mut *conn)
                    .await?;
            if live != Some(true) {
                return Err(CoreError::invalid(
                    Some("under"),
                    crate::Rule::Reference,
                    "the parent for new rows is not a live entity",
                ));
            }
        }
        catalog
    };
    let run_id = if dry_run {
        None
    } else {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO sync_imports (id, source, entity_type, status, mode, file_name, started_at,
                                       created_by, created_at, updated_at)
             VALUES ($1, $2, $3, 'pending', $4, $5, clock_timestamp(), $6, now(), now())",
        )
        .bind(id)
        .bind(options.source())
        .bind(&options.type_key)
        .bind(options.mode.as_str())
        .bind(&options.file_name)
        .bind(actor.user_id)
        .execute_committed(pool)
        .await?;
        Some(id)
    };
    let outcome = {
        let mut conn = pool.acquire().await?;
        let mut tx = conn.begin().await?;
        let result = plan_and_apply(
            &mut tx, actor, options, format, input, catalog, run_id, dry_run, progress, cancel,
        )
        .await;
        match result {
            Ok((report, changes)) if report.status == "completed" => {
                tx.commit().await?;
                Ok(Applied {
                    value: report,
                    changes,
                })
            }
            Ok((report, _)) => {
                tx.rollback().await?;
                Ok(Applied::unchanged(report))
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    };
    if let Some(id) = run_id {
        let failure: Option<(serde_json::Value, &ImportDiff)> = match &outcome {
            Ok(applied) if applied.value.status == "failed" => Some((
                serde_json::to_value(&applied.value.diff.errors).unwrap_or_default(),
                &applied.value.diff,
            )),
            Err(e) => {
                let issue = ImportIssue {
                    line: 0,
                    column: None,
                    message: e.to_string(),
                };
                sqlx::query(
                    "UPDATE sync_imports SET status = 'failed', errors = $2, error_count = 1,
                            completed_at = clock_timestamp(), updated_at = clock_timestamp()
                      WHERE id = $1",
                )
                .bind(id)
                .bind(serde_json::json!([issue]))
                .execute_committed(pool)
                .await?;
                None
            }
            Ok(_) => None,
        };
        if let Some((errors, diff)) = failure {
            sqlx::query(
                "UPDATE sync_imports SET status = 'failed', errors = $2, error_count = $3,
                        total_records = $4, completed_at = clock_timestamp(),
                        updated_at = clock_timestamp()
                  WHERE id = $1",
            )
            .bind(id)
            .bind(errors)
            .bind(diff.error_rows as i32)
            .bind(diff.total as i32)
            .execute_committed(pool)
            .await?;
        }
    }
    outcome
}

/// Imports in the caller's transaction, without a run log (a pack's
/// sample data): the report says `completed` or `failed` (then the caller
/// must roll back: some rows may be written).
pub(crate) async fn run_in(
    conn: &mut PgConnection,
    actor: &Actor,
    options: &SyncOptions,
    format: FileFormat,
    input: Box<dyn Read + Send>,
) -> CoreResult<(SyncReport, Vec<Change>)> {
    let catalog = Catalog::load(conn, &options.type_key).await?;
    plan_and_apply(
        conn,
        actor,
        options,
        format,
        input,
        catalog,
        None,
        false,
        &|_| {},
        &CancelToken::new(),
    )
    .await
}

/// Stages the file, plans, and (unless a dry run, or errors in
/// all-or-nothing mode) writes, in the caller's transaction. The report's
/// status says whether to commit.
#[allow(clippy::too_many_arguments)]
async fn plan_and_apply(
    conn: &mut PgConnection,
    actor: &Actor,
    options: &SyncOptions,
    format: FileFormat,
    input: Box<dyn Read + Send>,
    catalog: Catalog,
    run_id: Option<Uuid>,
    dry_run: bool,
    progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<(SyncReport, Vec<Change>)> {
    if let Some(id) = run_id {
        let claimed = sqlx::query(
            "UPDATE sync_imports SET status = 'processing', updated_at = clock_timestamp()
              WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
        if claimed.rows_affected() != 1 {
            return Err(CoreError::state(
                "the import run was closed before it started",
            ));
        }
    }
    let type_id = catalog.type_id;
    let type_key = catalog.type_key.clone();
    let sensitive: HashSet<Uuid> = catalog
        .definitions
        .values()
        .filter(|d| d.sensitive)
        .map(|d| d.id)
        .collect();
    let keys: HashMap<Uuid, String> = catalog
        .definitions
        .values()
        .map(|d| (d.id, d.key.clone()))
        .collect();
    let mut issues = Issues::default();
    let staged = stage(
        conn,
        format,
        input,
        options,
        catalog,
        &mut issues,
        progress,
        cancel,
    )
    .await?;
    let mut diff = ImportDiff {
        total: staged.total,
        ..ImportDiff::default()
    };
    let Some(mapping) = staged.mapping.clone() else {
        if !issues.any() {
            issues.at(0, None, "the file holds no records (not even a header)");
        }
        return Ok((finish(run_id, dry_run, None, diff, issues), Vec::new()));
    };
    let source = options.source();

    // Duplicate external ids: the first line wins, the others are errors.
    let dups: Vec<(String, Vec<i64>)> = sqlx::query_as(
        "SELECT external_id, array_agg(line ORDER BY line) FROM eco_import_rows
          WHERE NOT bad GROUP BY external_id HAVING count(*) > 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut dup_lines = Vec::new();
    for (external_id, lines) in &dups {
        for l in &lines[1..] {
            issues.at(
                *l as u64,
                Some(&mapping.external_id),
                format!("external id {external_id:?} is also on line {}", lines[0]),
            );
            dup_lines.push(*l);
        }
    }
    if !dup_lines.is_empty() {
        sqlx::query("UPDATE eco_import_rows SET bad = true WHERE line = ANY($1)")
            .bind(&dup_lines)
            .execute(&mut *conn)
            .await?;
    }

    // Match by external id: live entities only (a ref whose entity was
    // deleted is retired and its row created again).
    sqlx::query(
        "CREATE TEMP TABLE eco_import_plan ON COMMIT DROP AS
         SELECT s.line, s.external_id, s.name, s.parent_ref, s.hash, s.vals, s.tags, s.new_id,
                e.id AS entity_id, r.sync_hash AS old_hash, r.id AS ref_id,
                e.entity_type_id AS old_type, e.parent_entity_id AS old_parent,
                NULL::uuid AS parent_id,
                CASE WHEN e.id IS NULL THEN 'create'
                     WHEN r.sync_hash = s.hash THEN 'unchanged' ELSE 'update' END AS kind,
                false AS done
           FROM eco_import_rows s
           LEFT JOIN external_refs r ON r.source = $1 AND r.external_id = s.external_id
                AND r.deleted_at IS NULL
           LEFT JOIN entities e ON e.id = r.entity_id AND e.deleted_at IS NULL
          WHERE NOT s.bad",
    )
    .bind(source)
    .execute(&mut *conn)
    .await?;
    sqlx::query("CREATE INDEX ON eco_import_plan (external_id)")
        .execute(&mut *conn)
        .await?;
    sqlx::query("CREATE INDEX ON eco_import_plan (new_id)")
        .execute(&mut *conn)
        .await?;
    sqlx::query("ANALYZE eco_import_plan")
        .execute(&mut *conn)
        .await?;
    let wrong_type: Vec<(i64, String, String)> = sqlx::query_as(
        "UPDATE eco_import_plan p SET kind = 'error' FROM entity_type_definitions t
          WHERE p.entity_id IS NOT NULL AND p.old_type <> $1 AND t.id = p.old_type
         RETURNING p.line, p.external_id, t.key",
    )
    .bind(type_id)
    .fetch_all(&mut *conn)
    .await?;
    for (line, external_id, other) in wrong_type {
        issues.at(
            line as u64,
            Some(&mapping.external_id),
            format!("{external_id:?} of {source} is a {other}, not a {type_key}"),
        );
    }

    // Parents.
    match &mapping.parent {
        None => {
            sqlx::query(
                "UPDATE eco_import_plan SET parent_id = CASE WHEN kind = 'create' THEN $1
                                                             ELSE old_parent END
                  WHERE kind IN ('create', 'update')",
            )
            .bind(options.under)
            .execute(&mut *conn)
            .await?;
        }
        Some(p) => {
            sqlx::query(
                "UPDATE eco_import_plan SET parent_id = $1
                  WHERE parent_ref IS NULL AND kind IN ('create', 'update')",
            )
            .bind(options.under)
            .execute(&mut *conn)
            .await?;
            match p.by {
                ParentBy::ExternalId => {
                    sqlx::query(
                        "UPDATE eco_import_plan p SET parent_id = coalesce(f.entity_id, f.new_id)
                           FROM eco_import_plan f
                          WHERE p.parent_ref = f.external_id AND f.kind <> 'error'
                            AND p.kind IN ('create', 'update')",
                    )
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query(
                        "UPDATE eco_import_plan p SET parent_id = e.id
                           FROM external_refs r JOIN entities e ON e.id = r.entity_id
                                AND e.deleted_at IS NULL
                          WHERE p.parent_id IS NULL AND p.parent_ref IS NOT NULL
                            AND r.source = $1 AND r.external_id = p.parent_ref
                            AND r.deleted_at IS NULL AND p.kind IN ('create', 'update')",
                    )
                    .bind(source)
                    .execute(&mut *conn)
                    .await?;
                }
                ParentBy::PathLabel => {
                    sqlx::query(
                        "UPDATE eco_import_plan p SET parent_id = e.id FROM entities e
                          WHERE e.path_label = p.parent_ref AND e.deleted_at IS NULL
                            AND p.kind IN ('create', 'update')",
                    )
                    .execute(&mut *conn)
                    .await?;
                }
            }
            let missing: Vec<(i64, String)> = sqlx::query_as(
                "UPDATE eco_import_plan SET kind = 'error'
                  WHERE parent_ref IS NOT NULL AND parent_id IS NULL AND kind IN ('create', 'update')
                 RETURNING line, parent_ref",
            )
            .fetch_all(&mut *conn)
            .await?;
            for (line, parent) in missing {
                issues.at(
                    line as u64,
                    Some(&p.column),
                    format!("no parent {parent:?} (not in the file, nor imported from {source})"),
                );
            }
        }
    }
    // A row whose parent row has errors has one too (repeated down the
    // chain), and rows whose parents form a loop are never reached.
    loop {
        let orphaned: Vec<(i64, i64)> = sqlx::query_as(
            "UPDATE eco_import_plan p SET kind = 'error' FROM eco_import_plan f
              WHERE p.parent_id = f.new_id AND f.kind = 'error' AND p.kind IN ('create', 'update')
             RETURNING p.line, f.line",
        )
        .fetch_all(&mut *conn)
        .await?;
        if orphaned.is_empty() {
            break;
        }
        for (line, parent_line) in orphaned {
            issues.at(
                line as u64,
                mapping.parent.as_ref().map(|p| p.column.as_str()),
                format!("its parent (line {parent_line}) has errors"),
            );
        }
    }
    check_loops(conn, &mut issues, &mapping).await?;

    // Roots and rows are locked before the values are compared, so what is
    // written is compared with what it replaces.
    if !dry_run {
        lock_targets(conn, options).await?;
    }
    let changes_found = compare(conn, &mapping).await?;
    diff.unchanged = sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM eco_import_plan WHERE kind = 'unchanged'",
    )
    .fetch_one(&mut *conn)
    .await?
        + changes_found.untouched as i64;
    diff.created = sqlx::query_scalar("SELECT count(*) FROM eco_import_plan WHERE kind = 'create'")
        .fetch_one(&mut *conn)
        .await?;
    diff.updated = changes_found.changed.len() as i64;
    let deleted = if options.delete_missing {
        missing_rows(conn, source, type_id).await?
    } else {
        Vec::new()
    };
    diff.deleted = deleted.len() as i64;
    diff.created_rows = created_samples(conn, &keys, &sensitive).await?;
    diff.updated_rows = updated_samples(conn, &changes_found, &keys, &sensitive).await?;
    diff.deleted_rows = deleted.iter().take(SAMPLE_ROWS).cloned().collect();

    let failed = issues.fatal || (issues.any() && options.mode == ImportMode::AllOrNothing);
    if dry_run || failed {
        let mut report = finish(run_id, dry_run, Some(mapping), diff, issues);
        if failed && !dry_run {
            report.status = "failed".into();
        }
        return Ok((report, Vec::new()));
    }
    if cancel.is_cancelled() {
        return Err(CoreError::Cancelled);
    }

    // Writing.
    let mut changes = Vec::new();
    let not_created = create_rows(conn, actor, source, &type_key, type_id, cancel).await?;
    if !not_created.is_empty() {
        for line in &not_created {
            issues.at(*line as u64, None, "its parent could not be created");
        }
        if options.mode == ImportMode::AllOrNothing {
            let mut report = finish(run_id, dry_run, Some(mapping), diff, issues);
            report.status = "failed".into();
            return Ok((report, Vec::new()));
        }
        diff.created -= not_created.len() as i64;
    }
    apply_updates(conn, actor, &changes_found, &mut changes).await?;
    for row in &deleted {
        let Some(id) = row.entity_id else { continue };
        let current: Option<(chrono::DateTime<chrono::Utc>, bool)> =
            sqlx::query_as("SELECT updated_at, deleted_at IS NULL FROM entities WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((expected_updated_at, true)) = current {
            registry::delete_in(
                conn,
                actor,
                &VersionedId {
                    id,
                    expected_updated_at,
                },
            )
            .await?
            .collect_into(&mut changes);
        }
    }
    sqlx::query(
        "UPDATE external_refs r SET sync_hash = p.hash, synced_at = clock_timestamp(),
                updated_at = clock_timestamp()
           FROM eco_import_plan p WHERE r.id = p.ref_id AND p.kind = 'update'",
    )
    .execute(&mut *conn)
    .await?;
    let report = finish(run_id, dry_run, Some(mapping), diff, issues);
    if let Some(id) = run_id {
        let d = &report.diff;
        sqlx::query(
            "UPDATE sync_imports SET status = 'completed', total_records = $2, created_count = $3,
                    updated_count = $4, skipped_count = $5, deleted_count = $6, error_count = $7,
                    errors = $8, completed_at = clock_timestamp(), updated_at = clock_timestamp()
              WHERE id = $1",
        )
        .bind(id)
        .bind(d.total as i32)
        .bind(d.created as i32)
        .bind(d.updated as i32)
        .bind(d.unchanged as i32)
        .bind(d.deleted as i32)
        .bind(d.error_rows as i32)
        .bind(serde_json::to_value(&d.errors).unwrap_or_default())
        .execute(&mut *conn)
        .await?;
    }
    let summary = serde_json::json!({
        "run_id": run_id, "type": type_key, "source": source, "file": options.file_name,
        "total": report.diff.total, "created": report.diff.created,
        "updated": report.diff.updated, "unchanged": report.diff.unchanged,
        "deleted": report.diff.deleted, "errors": report.diff.error_rows,
    });
    let applied = change::record(conn, actor, Change::Imported { summary }, ()).await?;
    changes.extend(applied.changes);
    Ok((report, changes))
}

fn finish(
    run_id: Option<Uuid>,
    dry_run: bool,
    mapping: Option<ImportMapping>,
    mut diff: ImportDiff,
    issues: Issues,
) -> SyncReport {
    diff.error_rows = issues.lines.len() as i64;
    let mut errors = issues.kept;
    errors.sort_by_key(|a| a.line);
    diff.errors = errors;
    let failed = issues.fatal || mapping.is_none();
    SyncReport {
        run_id,
        dry_run,
        status: if dry_run {
            "dry_run".into()
        } else if failed {
            "failed".into()
        } else {
            "completed".into()
        },
        mapping,
        diff,
    }
}

/// Streams the file into `eco_import_rows`.
#[allow(clippy::too_many_arguments)]
async fn stage(
    conn: &mut PgConnection,
    format: FileFormat,
    input: Box<dyn Read + Send>,
    options: &SyncOptions,
    catalog: Catalog,
    issues: &mut Issues,
    progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Staged> {
    // Several imports may share one transaction (a pack's sample data).
    sqlx::query("DROP TABLE IF EXISTS eco_import_values, eco_import_plan, eco_import_rows")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "CREATE TEMP TABLE eco_import_rows (
            line bigint NOT NULL, bad boolean NOT NULL, external_id text NOT NULL,
            name text, parent_ref text, hash text, vals text, tags uuid[], new_id uuid
         ) ON COMMIT DROP",
    )
    .execute(&mut *conn)
    .await?;
    let mut rx = start_reader(
        input,
        format,
        options.mapping.clone(),
        catalog,
        cancel.clone(),
    );
    let mut mapping = None;
    let mut total = 0i64;
    while let Some(msg) = rx.recv().await {
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        match msg {
            Msg::Mapping(Ok(m)) => mapping = Some(m),
            Msg::Mapping(Err(found)) => {
                for i in found {
                    issues.push(i);
                }
                issues.fatal = true;
            }
            Msg::Batch(batch) => {
                total += (batch.rows.len() + batch.bad.len()) as i64;
                for i in &batch.issues {
                    issues.push(i.clone());
                }
                if batch.fatal {
                    issues.fatal = true;
                }
                if !batch.rows.is_empty() || !batch.bad.is_empty() {
                    let text = copy_text(&batch);
                    let mut copy = conn
                        .copy_in_raw(
                            "COPY eco_import_rows (line, bad, external_id, name, parent_ref, hash,
                                                   vals, tags, new_id) FROM STDIN",
                        )
                        .await?;
                    copy.send(text.into_bytes()).await?;
                    copy.finish().await?;
                }
                progress(Progress {
                    done: total,
                    total: 0,
                });
            }
        }
    }
    if cancel.is_cancelled() {
        return Err(CoreError::Cancelled);
    }
    sqlx::query("ANALYZE eco_import_rows")
        .execute(&mut *conn)
        .await?;
    Ok(Staged { mapping, total })
}

/// Rows to create whose parents (in the file) form a loop are errors.
async fn check_loops(
    conn: &mut PgConnection,
    issues: &mut Issues,
    mapping: &ImportMapping,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE eco_import_plan p SET done = true
          WHERE kind = 'create' AND (parent_id IS NULL OR NOT EXISTS
                (SELECT 1 FROM eco_import_plan f WHERE f.new_id = p.parent_id AND f.kind = 'create'))",
    )
    .execute(&mut *conn)
    .await?;
    loop {
        let reached = sqlx::query(
            "UPDATE eco_import_plan p SET done = true
              WHERE kind = 'create' AND NOT done AND EXISTS
                    (SELECT 1 FROM eco_import_plan f WHERE f.new_id = p.parent_id AND f.done)",
        )
        .execute(&mut *conn)
        .await?;
        if reached.rows_affected() == 0 {
            break;
        }
    }
    let looped: Vec<i64> = sqlx::query_scalar(
        "UPDATE eco_import_plan SET kind = 'error' WHERE kind = 'create' AND NOT done RETURNING line",
    )
    .fetch_all(&mut *conn)
    .await?;
    for line in looped {
        issues.at(
            line as u64,
            mapping.parent.as_ref().map(|p| p.column.as_str()),
            "its parents in the file form a loop",
        );
    }
    sqlx::query("UPDATE eco_import_plan SET done = false WHERE done")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Locks the roots the import writes under (checking the person may write
/// there) and the rows it updates.
async fn lock_targets(conn: &mut PgConnection, options: &SyncOptions) -> CoreResult<()> {
    let mut roots: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT ltree2text(subpath(e.path, 0, 1)) FROM entities e
          WHERE e.id IN (SELECT entity_id FROM eco_import_plan WHERE kind = 'update'
                         UNION SELECT parent_id FROM eco_import_plan
                          WHERE kind IN ('create', 'update') AND parent_id IS NOT NULL)",
    )
    .fetch_all(&mut *conn)
    .await?;
    let new_roots: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM eco_import_plan WHERE parent_id IS NULL
                         AND (kind = 'create' OR (kind = 'update' AND old_parent IS NOT NULL)))",
    )
    .fetch_one(&mut *conn)
    .await?;
    if new_roots {
        roots.push(registry::TOP_LEVEL_LOCK.to_string());
    }
    if options.delete_missing {
        let more: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT ltree2text(subpath(e.path, 0, 1)) FROM external_refs r
               JOIN entities e ON e.id = r.entity_id AND e.deleted_at IS NULL
              WHERE r.source = $1 AND r.deleted_at IS NULL",
        )
        .bind(options.source())
        .fetch_all(&mut *conn)
        .await?;
        roots.extend(more);
    }
    if !roots.is_empty() {
        registry::lock_roots_for_import(conn, &roots).await?;
    }
    sqlx::query(
        "SELECT e.id FROM entities e
          WHERE e.id IN (SELECT entity_id FROM eco_import_plan WHERE kind = 'update')
          ORDER BY e.id FOR UPDATE",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The entity-level changes of the rows to update.
#[derive(Default)]
struct Found {
    /// Entities with any change, by line.
    changed: Vec<(i64, Uuid)>,
    renames: Vec<(i64, Uuid, String, String)>,
    moves: Vec<(i64, Uuid, Option<Uuid>, Option<Uuid>)>,
    /// entity → (added, removed)
    tags: HashMap<Uuid, (Vec<Uuid>, Vec<Uuid>)>,
    /// Rows whose hash changed but whose entity already holds it all.
    untouched: usize,
}

async fn compare(conn: &mut PgConnection, mapping: &ImportMapping) -> CoreResult<Found> {
    sqlx::query(
        // The current values are read by entity (the definitions' index,
        // under statistics that lag a large import, would be a trap).
        "CREATE TEMP TABLE eco_import_values ON COMMIT DROP AS
         WITH wanted AS (
                SELECT p.line, p.entity_id, d.key::uuid AS definition_id,
                       nullif(d.value, 'null'::jsonb) AS after
                  FROM eco_import_plan p CROSS JOIN LATERAL jsonb_each(p.vals::jsonb) d
                 WHERE p.kind = 'update'),
              current AS MATERIALIZED (
                SELECT c.id, c.entity_id, c.property_definition_id, c.value
                  FROM eco_import_plan p CROSS JOIN LATERAL
                       (SELECT v.id, v.entity_id, v.property_definition_id, v.value
                          FROM entity_property_values v
                         WHERE v.entity_id = p.entity_id AND v.deleted_at IS NULL OFFSET 0) c
                 WHERE p.kind = 'update')
         SELECT w.line, w.entity_id, w.definition_id, w.after, c.id AS value_id, c.value AS before
           FROM wanted w LEFT JOIN current c ON c.entity_id = w.entity_id
                AND c.property_definition_id = w.definition_id
          WHERE w.after IS DISTINCT FROM c.value",
    )
    .execute(&mut *conn)
    .await?;
    let mut found = Found::default();
    let mut lines: HashMap<Uuid, i64> = HashMap::new();
    let value_rows: Vec<(i64, Uuid)> =
        sqlx::query_as("SELECT DISTINCT line, entity_id FROM eco_import_values")
            .fetch_all(&mut *conn)
            .await?;
    for (line, id) in value_rows {
        lines.insert(id, line);
    }
    found.renames = sqlx::query_as(
        "SELECT p.line, p.entity_id, r.name, p.name FROM eco_import_plan p
           JOIN entity_read_model r ON r.entity_id = p.entity_id
          WHERE p.kind = 'update' AND r.name <> p.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (line, id, _, _) in &found.renames {
        lines.insert(*id, *line);
    }
    if mapping.parent.is_some() {
        found.moves = sqlx::query_as(
            "SELECT line, entity_id, old_parent, parent_id FROM eco_import_plan
              WHERE kind = 'update' AND parent_id IS DISTINCT FROM old_parent",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (line, id, _, _) in &found.moves {
            lines.insert(*id, *line);
        }
    }
    if mapping.tags.is_some() {
        let rows: Vec<(i64, Uuid, Vec<Uuid>, Vec<Uuid>)> = sqlx::query_as(
            "SELECT p.line, p.entity_id, p.tags,
                    coalesce((SELECT array_agg(t.tag_entity_id) FROM entity_tags t
                               WHERE t.entity_id = p.entity_id AND t.deleted_at IS NULL), '{}')
               FROM eco_import_plan p WHERE p.kind = 'update' AND p.tags IS NOT NULL",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (line, id, want, have) in rows {
            let added: Vec<Uuid> = want.iter().filter(|t| !have.contains(t)).copied().collect();
            let removed: Vec<Uuid> = have.iter().filter(|t| !want.contains(t)).copied().collect();
            if !added.is_empty() || !removed.is_empty() {
                found.tags.insert(id, (added, removed));
                lines.insert(id, line);
            }
        }
    }
    let updates: i64 =
        sqlx::query_scalar("SELECT count(*) FROM eco_import_plan WHERE kind = 'update'")
            .fetch_one(&mut *conn)
            .await?;
    found.untouched = (updates as usize).saturating_sub(lines.len());
    found.changed = lines.into_iter().map(|(id, line)| (line, id)).collect();
    found.changed.sort_unstable();
    Ok(found)
}

fn shown(json: Option<String>, sensitive: bool) -> Option<String> {
    match json {
        Some(_) if sensitive => Some(REDACTED.to_string()),
        other => other,
    }
}

/// A created row as the sample shows it: line, external id, name, parent, values.
type CreatedRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<serde_json::Value>,
);

async fn created_samples(
    conn: &mut PgConnection,
    keys: &HashMap<Uuid, String>,
    sensitive: &HashSet<Uuid>,
) -> CoreResult<Vec<DiffRow>> {
    let rows: Vec<CreatedRow> = sqlx::query_as(
        "SELECT line, external_id, name, parent_ref, vals::jsonb FROM eco_import_plan
              WHERE kind = 'create' ORDER BY line LIMIT $1",
    )
    .bind(SAMPLE_ROWS as i64)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(line, external_id, name, parent, vals)| {
            let mut changes = Vec::new();
            if let Some(p) = parent {
                changes.push(FieldChange {
                    field: "parent".into(),
                    before: None,
                    after: Some(p),
                });
            }
            if let Some(serde_json::Value::Object(map)) = vals {
                for (id, v) in map {
                    let Ok(id) = Uuid::parse_str(&id) else {
                        continue;
                    };
                    if v.is_null() {
                        continue;
                    }
                    changes.push(FieldChange {
                        field: keys.get(&id).cloned().unwrap_or_default(),
                        before: None,
                        after: shown(Some(v.to_string()), sensitive.contains(&id)),
                    });
                }
            }
            DiffRow {
                line: line as u64,
                external_id,
                entity_id: None,
                name,
                changes,
            }
        })
        .collect())
}

async fn updated_samples(
    conn: &mut PgConnection,
    found: &Found,
    keys: &HashMap<Uuid, String>,
    sensitive: &HashSet<Uuid>,
) -> CoreResult<Vec<DiffRow>> {
    let first: Vec<(i64, Uuid)> = found.changed.iter().take(SAMPLE_ROWS).copied().collect();
    let ids: Vec<Uuid> = first.iter().map(|(_, id)| *id).collect();
    let heads: HashMap<Uuid, (String, String)> = sqlx::query_as::<_, (Uuid, String, String)>(
        "SELECT entity_id, external_id, name FROM eco_import_plan WHERE entity_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, ext, name)| (id, (ext, name)))
    .collect();
    let values: Vec<(Uuid, Uuid, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT entity_id, definition_id, before::text, after::text FROM eco_import_values
          WHERE entity_id = ANY($1) ORDER BY definition_id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for (line, id) in first {
        let (external_id, name) = heads.get(&id).cloned().unwrap_or_default();
        let mut changes = Vec::new();
        if let Some((_, _, old, new)) = found.renames.iter().find(|r| r.1 == id) {
            changes.push(FieldChange {
                field: "name".into(),
                before: Some(old.clone()),
                after: Some(new.clone()),
            });
        }
        if let Some((_, _, old, new)) = found.moves.iter().find(|m| m.1 == id) {
            changes.push(FieldChange {
                field: "parent".into(),
                before: old.map(|u| u.to_string()),
                after: new.map(|u| u.to_string()),
            });
        }
        for (_, def, before, after) in values.iter().filter(|v| v.0 == id) {
            let s = sensitive.contains(def);
            changes.push(FieldChange {
                field: keys.get(def).cloned().unwrap_or_default(),
                before: shown(before.clone(), s),
                after: shown(after.clone(), s),
            });
        }
        if let Some((added, removed)) = found.tags.get(&id) {
            changes.push(FieldChange {
                field: "tags".into(),
                before: (!removed.is_empty()).then(|| {
                    removed
                        .iter()
                        .map(Uuid::to_string)
                        .collect::<Vec<_>>()
                        .join(";")
                }),
                after: (!added.is_empty()).then(|| {
                    added
                        .iter()
                        .map(Uuid::to_string)
                        .collect::<Vec<_>>()
                        .join(";")
                }),
            });
        }
        out.push(DiffRow {
            line: line as u64,
            external_id,
            entity_id: Some(id),
            name,
            changes,
        });
    }
    Ok(out)
}

/// The live entities of this type and source that the file no longer has.
async fn missing_rows(
    conn: &mut PgConnection,
    source: &str,
    type_id: Uuid,
) -> CoreResult<Vec<DiffRow>> {
    let rows: Vec<(String, Uuid, String)> = sqlx::query_as(
        "SELECT r.external_id, e.id, coalesce(m.name, '') FROM external_refs r
           JOIN entities e ON e.id = r.entity_id AND e.deleted_at IS NULL
           LEFT JOIN entity_read_model m ON m.entity_id = e.id
          WHERE r.source = $1 AND r.deleted_at IS NULL AND e.entity_type_id = $2
            AND NOT EXISTS (SELECT 1 FROM eco_import_rows s WHERE s.external_id = r.external_id)
          ORDER BY e.path",
    )
    .bind(source)
    .bind(type_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(external_id, id, name)| DiffRow {
            line: 0,
            external_id,
            entity_id: Some(id),
            name,
            changes: Vec::new(),
        })
        .collect())
}

/// Creates the new rows, parents before children, a chunk per statement.
/// Returns the lines that could not be created (their parent never was).
async fn create_rows(
    conn: &mut PgConnection,
    actor: &Actor,
    source: &str,
    type_key: &str,
    type_id: Uuid,
    cancel: &CancelToken,
) -> CoreResult<Vec<i64>> {
    loop {
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        let rows = sqlx::query(
            "SELECT p.line, p.new_id, p.name, p.parent_id, pe.path::text AS ppath,
                    pe.path_label AS plabel
               FROM eco_import_plan p LEFT JOIN entities pe ON pe.id = p.parent_id
              WHERE p.kind = 'create' AND NOT p.done
                AND (p.parent_id IS NULL OR (pe.id IS NOT NULL AND pe.deleted_at IS NULL))
              ORDER BY p.line LIMIT $1",
        )
        .bind(CREATE_CHUNK as i64)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            break;
        }
        struct New {
            id: Uuid,
            name: String,
            parent: Option<Uuid>,
            ppath: Option<String>,
            plabel: Option<String>,
            base: String,
        }
        let mut news = Vec::with_capacity(rows.len());
        for r in &rows {
            let name: String = r.try_get("name")?;
            news.push(New {
                id: r.try_get("new_id")?,
                base: labels::slugify(&name, type_key),
                name,
                parent: r.try_get("parent_id")?,
                ppath: r.try_get("ppath")?,
                plabel: r.try_get("plabel")?,
            });
        }
        let wanted: Vec<String> = news
            .iter()
            .flat_map(|n| {
                let [a, b, c, _] = labels::candidates(n.plabel.as_deref(), &n.base, n.id);
                [a, b, c]
            })
            .collect();
        let mut taken: HashSet<String> =
            // A join, not `= ANY`: an array scanned per row of a sequential
            // scan (statistics behind a big import) costs seconds.
            sqlx::query_scalar(
                "SELECT e.path_label FROM unnest($1::text[]) AS w(label)
                   JOIN entities e ON e.path_label = w.label",
            )
                .bind(&wanted)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        let mut ids = Vec::with_capacity(news.len());
        let mut parents = Vec::with_capacity(news.len());
        let mut paths = Vec::with_capacity(news.len());
        let mut path_labels = Vec::with_capacity(news.len());
        let mut names = Vec::with_capacity(news.len());
        for n in news {
            let label =
                labels::first_free(n.plabel.as_deref(), &n.base, n.id, |l| taken.contains(l));
            taken.insert(label.clone());
            let path = match &n.ppath {
                Some(p) => format!("{p}.{}", labels::id_label(n.id)),
                None => labels::id_label(n.id),
            };
            ids.push(n.id);
            parents.push(n.parent);
            paths.push(path);
            path_labels.push(label);
            names.push(n.name);
        }
        sqlx::query(
            "INSERT INTO entities (id, entity_type_id, parent_entity_id, path, path_label,
                                   created_at, updated_at)
             SELECT x.id, $1, x.parent, x.path::ltree, x.label, now(), clock_timestamp()
               FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[])
                    AS x(id, parent, path, label)",
        )
        .bind(type_id)
        .bind(&ids)
        .bind(&parents)
        .bind(&paths)
        .bind(&path_labels)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO entity_property_values (id, entity_id, property_definition_id, value,
                                                 created_at, updated_at)
             SELECT gen_random_uuid(), x.id, $1, to_jsonb(x.name), now(), now()
               FROM unnest($2::uuid[], $3::text[]) AS x(id, name)",
        )
        .bind(crate::records::NAME_PROPERTY_ID)
        .bind(&ids)
        .bind(&names)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO entity_property_values (id, entity_id, property_definition_id, value,
                                                 created_at, updated_at)
             SELECT gen_random_uuid(), p.new_id, d.key::uuid, d.value, now(), now()
               FROM eco_import_plan p CROSS JOIN LATERAL jsonb_each(p.vals::jsonb) d
              WHERE p.new_id = ANY($1) AND d.value <> 'null'::jsonb",
        )
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO entity_tags (id, entity_id, tag_entity_id, created_at)
             SELECT gen_random_uuid(), p.new_id, t, now()
               FROM eco_import_plan p CROSS JOIN LATERAL unnest(p.tags) t
              WHERE p.new_id = ANY($1)",
        )
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE external_refs SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
              WHERE id IN (SELECT ref_id FROM eco_import_plan
                            WHERE new_id = ANY($1) AND ref_id IS NOT NULL)",
        )
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO external_refs (id, entity_id, source, external_id, sync_hash, synced_at,
                                        created_at, updated_at)
             SELECT gen_random_uuid(), p.new_id, $2, p.external_id, p.hash, clock_timestamp(),
                    now(), now()
               FROM eco_import_plan p WHERE p.new_id = ANY($1)",
        )
        .bind(&ids)
        .bind(source)
        .execute(&mut *conn)
        .await?;
        read_model::add_entities(conn, &ids).await?;
        // One audit row per entity created, and one for its first values,
        // shaped like those of the same edits made one by one.
        change::write_rows(
            conn,
            actor,
            "entity.create",
            "entities",
            "SELECT e.id, e.id, NULL::jsonb,
                    jsonb_build_object('type', $7::text, 'parent_id', e.parent_entity_id,
                                       'name', x.name, 'path_label', e.path_label)
               FROM unnest($6::uuid[], $8::text[]) AS x(id, name) JOIN entities e ON e.id = x.id",
            &[
                RowsBind::Uuids(&ids),
                RowsBind::Text(type_key),
                RowsBind::Texts(&names),
            ],
        )
        .await?;
        change::write_rows(
            conn,
            actor,
            "entity.properties",
            "entity_property_values",
            &format!(
                "SELECT p.new_id, p.new_id, jsonb_object_agg(def.key, 'null'::jsonb),
                        jsonb_object_agg(def.key, CASE WHEN def.is_sensitive THEN '{REDACTED}'::jsonb
                                                       ELSE d.value END)
                   FROM unnest($6::uuid[]) AS c(id)
                   JOIN eco_import_plan p ON p.new_id = c.id
                  CROSS JOIN LATERAL jsonb_each(p.vals::jsonb) d
                   JOIN property_definitions def ON def.id = d.key::uuid
                  WHERE d.value <> 'null'::jsonb
                  GROUP BY p.new_id"
            ),
            &[RowsBind::Uuids(&ids)],
        )
        .await?;
        sqlx::query(
            "UPDATE eco_import_plan p SET done = true FROM unnest($1::uuid[]) AS x(id)
              WHERE p.new_id = x.id",
        )
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    }
    Ok(sqlx::query_scalar(
        "SELECT line FROM eco_import_plan WHERE kind = 'create' AND NOT done ORDER BY line",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Writes the changes of the rows to update: renames and moves one by one
/// (through the registry's own operations), values and tags set-based.
async fn apply_updates(
    conn: &mut PgConnection,
    actor: &Actor,
    found: &Found,
    changes: &mut Vec<Change>,
) -> CoreResult<()> {
    let version = async |conn: &mut PgConnection, id: Uuid| -> CoreResult<_> {
        Ok(sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
            "SELECT updated_at FROM entities WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?)
    };
    for (line, id, _, new_name) in &found.renames {
        let expected_updated_at = version(conn, *id).await?;
        registry::rename_in(
            conn,
            actor,
            &RenameEntity {
                id: *id,
                expected_updated_at,
                name: new_name.clone(),
            },
        )
        .await
        .map_err(|e| at_line(*line, e))?
        .collect_into(changes);
    }
    for (line, id, _, new_parent) in &found.moves {
        let expected_updated_at = version(conn, *id).await?;
        registry::move_entity_in(
            conn,
            actor,
            &MoveEntity {
                id: *id,
                expected_updated_at,
                new_parent_id: *new_parent,
            },
            &|_| {},
            &CancelToken::new(),
        )
        .await
        .map_err(|e| at_line(*line, e))?
        .collect_into(changes);
    }
    sqlx::query(
        "UPDATE entity_property_values v SET value = x.after, updated_at = clock_timestamp()
           FROM eco_import_values x WHERE v.id = x.value_id AND x.after IS NOT NULL",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE entity_property_values v SET deleted_at = clock_timestamp(),
                updated_at = clock_timestamp()
           FROM eco_import_values x WHERE v.id = x.value_id AND x.after IS NULL",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO entity_property_values (id, entity_id, property_definition_id, value,
                                             created_at, updated_at)
         SELECT gen_random_uuid(), x.entity_id, x.definition_id, x.after, now(), clock_timestamp()
           FROM eco_import_values x WHERE x.value_id IS NULL AND x.after IS NOT NULL",
    )
    .execute(&mut *conn)
    .await?;
    change::write_rows(
        conn,
        actor,
        "entity.properties",
        "entity_property_values",
        &format!(
            "SELECT x.entity_id, x.entity_id,
                    jsonb_object_agg(d.key, CASE WHEN x.before IS NULL THEN 'null'::jsonb
                                                 WHEN d.is_sensitive THEN '{REDACTED}'::jsonb
                                                 ELSE x.before END),
                    jsonb_object_agg(d.key, CASE WHEN x.after IS NULL THEN 'null'::jsonb
                                                 WHEN d.is_sensitive THEN '{REDACTED}'::jsonb
                                                 ELSE x.after END)
               FROM eco_import_values x JOIN property_definitions d ON d.id = x.definition_id
              GROUP BY x.entity_id"
        ),
        &[],
    )
    .await?;
    if !found.tags.is_empty() {
        let (mut add_e, mut add_t, mut rem_e, mut rem_t) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut ids, mut befores, mut afters) = (Vec::new(), Vec::new(), Vec::new());
        for (id, (added, removed)) in &found.tags {
            for t in added {
                add_e.push(*id);
                add_t.push(*t);
            }
            for t in removed {
                rem_e.push(*id);
                rem_t.push(*t);
            }
            ids.push(*id);
            befores.push(serde_json::json!({ "removed": removed }).to_string());
            afters.push(serde_json::json!({ "added": added }).to_string());
        }
        sqlx::query(
            "INSERT INTO entity_tags (id, entity_id, tag_entity_id, created_at)
             SELECT gen_random_uuid(), x.e, x.t, now() FROM unnest($1::uuid[], $2::uuid[]) AS x(e, t)",
        )
        .bind(&add_e)
        .bind(&add_t)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE entity_tags et SET deleted_at = clock_timestamp()
               FROM unnest($1::uuid[], $2::uuid[]) AS x(e, t)
              WHERE et.entity_id = x.e AND et.tag_entity_id = x.t AND et.deleted_at IS NULL",
        )
        .bind(&rem_e)
        .bind(&rem_t)
        .execute(&mut *conn)
        .await?;
        change::write_rows(
            conn,
            actor,
            "entity.tags",
            "entity_tags",
            "SELECT x.id, x.id, x.before::jsonb, x.after::jsonb
               FROM unnest($6::uuid[], $7::text[], $8::text[]) AS x(id, before, after)",
            &[
                RowsBind::Uuids(&ids),
                RowsBind::Texts(&befores),
                RowsBind::Texts(&afters),
            ],
        )
        .await?;
    }
    // Versions move on; the read model takes the changed values as they
    // are (its searchable ones), and is recomputed only where tags changed
    // (renames and moves kept it in step themselves).
    // (One statement: the values are grouped once, by a hash, not looked
    // up per chunk in an array.)
    let changed: Vec<Uuid> = found.changed.iter().map(|(_, id)| *id).collect();
    if !changed.is_empty() {
        sqlx::query(
            "WITH moved AS (
                UPDATE entities e SET updated_at = clock_timestamp()
                  FROM unnest($1::uuid[]) AS c(id) WHERE e.id = c.id
                RETURNING e.id, e.updated_at),
                  vals AS (
                SELECT x.entity_id,
                       coalesce(jsonb_object_agg(d.key, x.after)
                                FILTER (WHERE x.after IS NOT NULL AND d.is_searchable
                                          AND NOT d.is_sensitive), '{}') AS added,
                       coalesce(array_agg(d.key) FILTER (WHERE x.after IS NULL), '{}') AS removed
                  FROM eco_import_values x JOIN property_definitions d ON d.id = x.definition_id
                 GROUP BY x.entity_id)
             UPDATE entity_read_model r
                SET properties = CASE WHEN v.entity_id IS NULL THEN r.properties
                                      ELSE (r.properties - v.removed) || v.added END,
                    updated_at = m.updated_at
               FROM moved m LEFT JOIN vals v ON v.entity_id = m.id
              WHERE r.entity_id = m.id",
        )
        .bind(&changed)
        .execute(&mut *conn)
        .await?;
    }
    let retagged: Vec<Uuid> = found.tags.keys().copied().collect();
    for chunk in retagged.chunks(5_000) {
        read_model::refresh_values(conn, chunk).await?;
    }
    Ok(())
}

/// An error of one row's operation, with its line.
fn at_line(line: i64, e: CoreError) -> CoreError {
    match e {
        CoreError::Validation(mut v) => {
            v.message = format!("line {line}: {}", v.message);
            CoreError::Validation(v)
        }
        other => other,
    }
}
