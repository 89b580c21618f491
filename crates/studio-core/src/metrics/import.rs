//! Importing readings from a CSV or JSON file: each record names an entity
//! (by id or `path_label`), a metric, a time and a value (and optionally a
//! unit). Records are read in chunks, checked, and stored through
//! [`Ingest`] in one transaction. A bad record (unknown entity, bad time,
//! a value that is not a finite number, a repeat of an earlier record...)
//! is reported with its line and kind; the person chooses whether such
//! problems abort the whole import (nothing is stored) or are skipped (every
//! good record is stored). Re-importing a file adds nothing.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{check_metric_key, Ingest, Sample};
use crate::change::{self, Actor, Applied, Change};
use crate::error::{CoreError, CoreResult, Rule};
use crate::progress::{CancelToken, OnProgress, Progress};

/// Problems listed in a report (all are counted).
pub const MAX_LISTED_PROBLEMS: usize = 1_000;
/// Records checked and stored per step.
const STEP: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ImportFormat {
    /// A header line naming `entity`, `metric`, `time`, `value` (and
    /// optionally `unit`) in any order, then one record per line.
    Csv,
    /// A JSON array of objects with those fields, or one object per line.
    Json,
}

impl ImportFormat {
    /// The format a file's extension names.
    pub fn from_path(path: &str) -> Option<Self> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(ImportFormat::Csv)
        } else if lower.ends_with(".json")
            || lower.ends_with(".ndjson")
            || lower.ends_with(".jsonl")
        {
            Some(ImportFormat::Json)
        } else {
            None
        }
    }
}

/// What bad records do to the import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum OnBadRows {
    /// Any bad record: nothing is stored.
    #[default]
    Abort,
    /// Bad records are left out; every good one is stored.
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportOptions {
    pub format: ImportFormat,
    pub on_bad_rows: OnBadRows,
}

/// Why a record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ImportProblemKind {
    /// Not a record (bad CSV or JSON, a missing field).
    Malformed,
    /// No live entity the person sees has this id or path label.
    UnknownEntity,
    BadMetric,
    BadTime,
    /// Not a finite number (NaN and infinities included).
    BadValue,
    /// A unit other than the series already has.
    UnitMismatch,
    /// The same entity, metric and time as an earlier record of the file.
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportProblem {
    /// The line (CSV, JSON lines) or the position in the array (JSON), from 1.
    pub line: i64,
    pub kind: ImportProblemKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Records read.
    pub records: i64,
    /// Samples stored now.
    pub inserted: i64,
    /// Good records whose (entity, metric, time) was stored before.
    pub already_present: i64,
    pub series_created: i64,
    /// Bad records (the first [`MAX_LISTED_PROBLEMS`] are in `problems`).
    pub problem_count: i64,
    pub problems: Vec<ImportProblem>,
    /// Whether anything was stored (false: aborted on bad records).
    pub committed: bool,
    pub rollup_days: i64,
}

/// One record as read, before checking.
#[derive(Debug, Clone, Default, PartialEq)]
struct RawRecord {
    line: i64,
    entity: Option<String>,
    metric: Option<String>,
    time: Option<String>,
    value: Option<String>,
    unit: Option<String>,
}

/// Reads `input` as the chosen format and stores its readings (see the
/// module's text). `size` (bytes, when known) scales the progress;
/// cancelling stops before the commit and stores nothing.
pub async fn import(
    pool: &PgPool,
    actor: &Actor,
    input: impl Read + Send,
    size: Option<u64>,
    options: ImportOptions,
    on_progress: OnProgress<'_>,
    cancel: &CancelToken,
) -> CoreResult<Applied<ImportReport>> {
    let counted = CountingReader {
        inner: BufReader::with_capacity(1 << 20, input),
        read: 0,
    };
    let mut records = Records::new(counted, options.format)?;
    let mut tx = pool.begin().await?;
    let mut state = State::default();
    let mut ingest = Ingest::new();
    let total = size.unwrap_or(0) as i64;
    loop {
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        let batch = records.next_batch(STEP, &mut state);
        if batch.is_empty() && records.done {
            break;
        }
        let samples = state.check(&mut tx, batch).await?;
        if options.on_bad_rows == OnBadRows::Skip || state.problem_count == 0 {
            ingest.push(&mut tx, &samples).await?;
        }
        on_progress(Progress {
            done: records.bytes_read() as i64,
            total: total.max(records.bytes_read() as i64),
        });
    }
    let abort = options.on_bad_rows == OnBadRows::Abort && state.problem_count > 0;
    let mut report = ImportReport {
        records: state.records,
        inserted: 0,
        already_present: 0,
        series_created: state.created.len() as i64,
        problem_count: state.problem_count,
        problems: std::mem::take(&mut state.problems),
        committed: !abort,
        rollup_days: 0,
    };
    if abort {
        tx.rollback().await?;
        report.series_created = 0;
        return Ok(Applied::unchanged(report));
    }
    report.inserted = ingest.inserted as i64;
    report.already_present = ingest.offered as i64 - ingest.inserted as i64;
    report.rollup_days = ingest.finish(&mut tx).await? as i64;
    if report.inserted == 0 && report.series_created == 0 {
        tx.commit().await?;
        return Ok(Applied::unchanged(report));
    }
    let change = Change::MetricsImported {
        summary: serde_json::json!({
            "records": report.records, "inserted": report.inserted,
            "alreadyPresent": report.already_present, "seriesCreated": report.series_created,
            "problems": report.problem_count,
        }),
    };
    let applied = change::record(&mut tx, actor, change, report).await?;
    tx.commit().await?;
    Ok(applied)
}

struct CountingReader<R> {
    inner: R,
    read: u64,
}

impl<R: BufRead> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for CountingReader<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.read += amt as u64;
        self.inner.consume(amt);
    }
}

/// The records of a file, read a batch at a time.
struct Records<R: BufRead> {
    kind: RecordsKind<R>,
    done: bool,
}

enum RecordsKind<R: BufRead> {
    Csv {
        reader: csv::Reader<CountingReader<R>>,
        columns: [Option<usize>; 5],
    },
    JsonLines {
        reader: CountingReader<R>,
        line: i64,
    },
    /// A whole array, read at once (positions are the "lines").
    JsonArray {
        items: std::vec::IntoIter<serde_json::Value>,
        position: i64,
        size: u64,
    },
}

const FIELDS: [&str; 5] = ["entity", "metric", "time", "value", "unit"];

impl<R: BufRead> Records<R> {
    fn new(mut reader: CountingReader<R>, format: ImportFormat) -> CoreResult<Self> {
        let kind = match format {
            ImportFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .trim(csv::Trim::All)
                    .from_reader(reader);
                let headers = reader.headers().map_err(|e| {
                    CoreError::invalid(
                        Some("file"),
                        Rule::Format,
                        format!("the CSV header cannot be read: {e}"),
                    )
                })?;
                let mut columns = [None; 5];
                for (i, h) in headers.iter().enumerate() {
                    if let Some(f) = FIELDS.iter().position(|f| h.eq_ignore_ascii_case(f)) {
                        columns[f] = Some(i);
                    }
                }
                if let Some(missing) = (0..4).find(|f| columns[*f].is_none()) {
                    return Err(CoreError::invalid(
                        Some("file"),
                        Rule::Format,
                        format!(
                            "the CSV header must name the columns entity, metric, time and value (and may name unit); {:?} is missing",
                            FIELDS[missing]
                        ),
                    ));
                }
                RecordsKind::Csv { reader, columns }
            }
            ImportFormat::Json => {
                let starts_array = loop {
                    let buf = reader.fill_buf().map_err(io_error)?;
                    match buf.iter().position(|b| !b.is_ascii_whitespace()) {
                        Some(i) => {
                            let first = buf[i];
                            reader.consume(i);
                            break first == b'[';
                        }
                        None if buf.is_empty() => break false,
                        None => {
                            let n = buf.len();
                            reader.consume(n);
                        }
                    }
                };
                if starts_array {
                    let items: Vec<serde_json::Value> = serde_json::from_reader(&mut reader)
                        .map_err(|e| {
                            CoreError::invalid(
                                Some("file"),
                                Rule::Format,
                                format!("the JSON file cannot be read: {e}"),
                            )
                        })?;
                    RecordsKind::JsonArray {
                        items: items.into_iter(),
                        position: 0,
                        size: reader.read,
                    }
                } else {
                    RecordsKind::JsonLines { reader, line: 0 }
                }
            }
        };
        Ok(Records { kind, done: false })
    }

    fn bytes_read(&self) -> u64 {
        match &self.kind {
            RecordsKind::Csv { reader, .. } => reader.position().byte(),
            RecordsKind::JsonLines { reader, .. } => reader.read,
            RecordsKind::JsonArray { size, .. } => *size,
        }
    }

    /// Up to `n` records; malformed ones go straight to `state`'s problems.
    fn next_batch(&mut self, n: usize, state: &mut State) -> Vec<RawRecord> {
        let mut out = Vec::with_capacity(n.min(STEP));
        while out.len() < n && !self.done {
            match &mut self.kind {
                RecordsKind::Csv { reader, columns } => {
                    let mut record = csv::StringRecord::new();
                    match reader.read_record(&mut record) {
                        Ok(false) => self.done = true,
                        Ok(true) => {
                            let line = record.position().map_or(0, |p| p.line() as i64);
                            if record.iter().all(str::is_empty) {
                                continue;
                            }
                            let get = |f: usize| {
                                columns[f]
                                    .and_then(|i| record.get(i))
                                    .filter(|v| !v.is_empty())
                                    .map(str::to_string)
                            };
                            out.push(RawRecord {
                                line,
                                entity: get(0),
                                metric: get(1),
                                time: get(2),
                                value: get(3),
                                unit: get(4),
                            });
                        }
                        Err(e) => {
                            let line = e.position().map_or(0, |p| p.line() as i64);
                            state.records += 1;
                            state.problem(
                                line,
                                ImportProblemKind::Malformed,
                                format!("not a CSV record: {e}"),
                            );
                            if !matches!(
                                e.kind(),
                                csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                            ) {
                                self.done = true;
                            }
                        }
                    }
                }
                RecordsKind::JsonLines { reader, line } => {
                    let mut text = String::new();
                    match reader.read_line(&mut text) {
                        Ok(0) => self.done = true,
                        Ok(_) => {
                            *line += 1;
                            if text.trim().is_empty() {
                                continue;
                            }
                            match serde_json::from_str::<serde_json::Value>(&text) {
                                Ok(v) => out.push(json_record(*line, &v)),
                                Err(e) => {
                                    state.records += 1;
                                    state.problem(
                                        *line,
                                        ImportProblemKind::Malformed,
                                        format!("not a JSON object: {e}"),
                                    );
                                }
                            }
                        }
                        Err(e) => {
                            *line += 1;
                            state.records += 1;
                            state.problem(
                                *line,
                                ImportProblemKind::Malformed,
                                format!("the line cannot be read: {e}"),
                            );
                        }
                    }
                }
                RecordsKind::JsonArray {
                    items, position, ..
                } => match items.next() {
                    None => self.done = true,
                    Some(v) => {
                        *position += 1;
                        out.push(json_record(*position, &v));
                    }
                },
            }
        }
        out
    }
}

fn io_error(e: std::io::Error) -> CoreError {
    CoreError::invalid(
        Some("file"),
        Rule::Format,
        format!("the file cannot be read: {e}"),
    )
}

fn json_record(line: i64, v: &serde_json::Value) -> RawRecord {
    let text = |k: &str| match v.get(k) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    RawRecord {
        line,
        entity: text("entity"),
        metric: text("metric"),
        time: text("time"),
        value: text("value"),
        unit: text("unit"),
    }
}

/// A time as RFC 3339 (any offset), or `YYYY-MM-DD[ T]HH:MM[:SS[.f]]` or
/// `YYYY-MM-DD` read as UTC; between 1900 and 2200.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .or_else(|| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .ok()?
                    .and_hms_opt(0, 0, 0)
            })
            .map(|n| n.and_utc())
        })?;
    let year = t.format("%Y").to_string().parse::<i32>().ok()?;
    (1900..=2200).contains(&year).then_some(t)
}

/// What the checks keep between batches.
#[derive(Debug, Default)]
struct State {
    records: i64,
    problem_count: i64,
    problems: Vec<ImportProblem>,
    /// Entity references resolved (None: unknown).
    entities: HashMap<String, Option<(Uuid, Uuid)>>,
    /// Series by (entity, metric): id and unit.
    series: HashMap<(Uuid, String), (Uuid, Option<String>)>,
    created: Vec<Uuid>,
    /// (series, time in microseconds) seen in this file, and the line.
    seen: HashMap<(Uuid, i64), i64>,
}

impl State {
    fn problem(&mut self, line: i64, kind: ImportProblemKind, message: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(ImportProblem {
                line,
                kind,
                message,
            });
        }
    }

    /// Checks a batch; returns its good records as samples (creating the
    /// series they need).
    async fn check(
        &mut self,
        conn: &mut PgConnection,
        batch: Vec<RawRecord>,
    ) -> CoreResult<Vec<Sample>> {
        self.records += batch.len() as i64;
        // Resolve the references not seen before, in one query.
        let unknown: HashSet<&str> = batch
            .iter()
            .filter_map(|r| r.entity.as_deref())
            .filter(|e| !self.entities.contains_key(*e))
            .collect();
        if !unknown.is_empty() {
            let ids: Vec<Uuid> = unknown
                .iter()
                .filter_map(|e| Uuid::parse_str(e).ok())
                .collect();
            let labels: Vec<String> = unknown.iter().map(|e| e.to_string()).collect();
            let found: Vec<(Uuid, String, Uuid)> = sqlx::query_as(
                "SELECT entity_id, path_label, root_id FROM entity_read_model
                  WHERE entity_id = ANY ($1) OR path_label = ANY ($2)",
            )
            .bind(&ids)
            .bind(&labels)
            .fetch_all(&mut *conn)
            .await?;
            for reference in unknown {
                let hit = found.iter().find(|(id, label, _)| {
                    label == reference || Uuid::parse_str(reference).ok() == Some(*id)
                });
                self.entities
                    .insert(reference.to_string(), hit.map(|(id, _, root)| (*id, *root)));
            }
        }
        // Check each record; collect the series still to find or create.
        struct Good {
            line: i64,
            entity: Uuid,
            root: Uuid,
            metric: String,
            ts: DateTime<Utc>,
            value: f64,
            unit: Option<String>,
        }
        let mut good: Vec<Good> = Vec::with_capacity(batch.len());
        for r in batch {
            let (Some(entity), Some(metric), Some(time), Some(value)) = (
                r.entity.as_deref(),
                r.metric.as_deref(),
                r.time.as_deref(),
                r.value.as_deref(),
            ) else {
                let missing: Vec<&str> = [
                    ("entity", r.entity.is_none()),
                    ("metric", r.metric.is_none()),
                    ("time", r.time.is_none()),
                    ("value", r.value.is_none()),
                ]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(f, _)| *f)
                .collect();
                self.problem(
                    r.line,
                    ImportProblemKind::Malformed,
                    format!("missing {}", missing.join(", ")),
                );
                continue;
            };
            let Some((entity_id, root)) = self.entities.get(entity).copied().flatten() else {
                self.problem(
                    r.line,
                    ImportProblemKind::UnknownEntity,
                    format!("no entity has the id or path label {:?}", clip(entity)),
                );
                continue;
            };
            if check_metric_key(metric, "metric").is_err() {
                self.problem(
                    r.line,
                    ImportProblemKind::BadMetric,
                    format!(
                        "{:?} is not a metric key (lowercase letters, digits, '_' or '.')",
                        clip(metric)
                    ),
                );
                continue;
            }
            let Some(ts) = parse_time(time) else {
                self.problem(
                    r.line,
                    ImportProblemKind::BadTime,
                    format!("{:?} is not a time (RFC 3339, or YYYY-MM-DD HH:MM:SS in UTC, 1900 to 2200)", clip(time)),
                );
                continue;
            };
            let Some(v) = value.parse::<f64>().ok().filter(|v| v.is_finite()) else {
                self.problem(
                    r.line,
                    ImportProblemKind::BadValue,
                    format!("{:?} is not a finite number", clip(value)),
                );
                continue;
            };
            if r.unit.as_ref().is_some_and(|u| u.chars().count() > 32) {
                self.problem(
                    r.line,
                    ImportProblemKind::UnitMismatch,
                    "a unit has at most 32 characters".into(),
                );
                continue;
            }
            good.push(Good {
                line: r.line,
                entity: entity_id,
                root,
                metric: metric.to_string(),
                ts,
                value: v,
                unit: r.unit,
            });
        }
        // Find the series not yet known; create the missing ones.
        let wanted: HashSet<(Uuid, &str)> = good
            .iter()
            .filter(|g| !self.series.contains_key(&(g.entity, g.metric.clone())))
            .map(|g| (g.entity, g.metric.as_str()))
            .collect();
        if !wanted.is_empty() {
            let (entities, metrics): (Vec<Uuid>, Vec<String>) =
                wanted.iter().map(|(e, m)| (*e, m.to_string())).unzip();
            let found: Vec<(Uuid, Uuid, String, Option<String>)> = sqlx::query_as(
                "SELECT s.id, s.entity_id, s.metric_key, s.unit FROM metric_series s
                   JOIN unnest($1::uuid[], $2::text[]) AS w(entity_id, metric_key)
                     ON s.entity_id = w.entity_id AND s.metric_key = w.metric_key
                  WHERE s.deleted_at IS NULL",
            )
            .bind(&entities)
            .bind(&metrics)
            .fetch_all(&mut *conn)
            .await?;
            for (id, entity, metric, unit) in found {
                self.series.insert((entity, metric), (id, unit));
            }
            for g in &good {
                let key = (g.entity, g.metric.clone());
                if self.series.contains_key(&key) {
                    continue;
                }
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO metric_series (id, entity_id, root_entity_id, metric_key, unit, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, now(), now())",
                )
                .bind(id)
                .bind(g.entity)
                .bind(g.root)
                .bind(&g.metric)
                .bind(&g.unit)
                .execute(&mut *conn)
                .await?;
                self.created.push(id);
                self.series.insert(key, (id, g.unit.clone()));
            }
        }
        let mut samples = Vec::with_capacity(good.len());
        for g in good {
            let (series_id, unit) = self.series[&(g.entity, g.metric.clone())].clone();
            if let (Some(given), Some(kept)) = (&g.unit, &unit) {
                if given != kept {
                    self.problem(
                        g.line,
                        ImportProblemKind::UnitMismatch,
                        format!(
                            "the series {} of this entity is in {kept:?}, not {given:?}",
                            g.metric
                        ),
                    );
                    continue;
                }
            }
            if let Some(first) = self
                .seen
                .insert((series_id, g.ts.timestamp_micros()), g.line)
            {
                self.seen
                    .insert((series_id, g.ts.timestamp_micros()), first);
                self.problem(
                    g.line,
                    ImportProblemKind::Duplicate,
                    format!("the same entity, metric and time as line {first}"),
                );
                continue;
            }
            samples.push(Sample {
                series_id,
                ts: g.ts,
                value: g.value,
            });
        }
        Ok(samples)
    }
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_in_the_forms_a_meter_export_uses() {
        let utc = |s: &str| parse_time(s).map(|t| t.to_rfc3339());
        assert_eq!(
            utc("2026-01-02T03:04:05Z").as_deref(),
            Some("2026-01-02T03:04:05+00:00")
        );
        assert_eq!(
            utc("2026-01-02T04:04:05+01:00").as_deref(),
            Some("2026-01-02T03:04:05+00:00")
        );
        assert_eq!(
            utc("2026-01-02 03:04:05").as_deref(),
            Some("2026-01-02T03:04:05+00:00")
        );
        assert_eq!(
            utc("2026-01-02 03:04").as_deref(),
            Some("2026-01-02T03:04:00+00:00")
        );
        assert_eq!(
            utc("2026-01-02").as_deref(),
            Some("2026-01-02T00:00:00+00:00")
        );
        for bad in ["yesterday", "2026-13-01", "1850-01-01", "12:00", ""] {
            assert_eq!(utc(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(
            ImportFormat::from_path("a/readings.CSV"),
            Some(ImportFormat::Csv)
        );
        assert_eq!(ImportFormat::from_path("x.jsonl"), Some(ImportFormat::Json));
        assert_eq!(ImportFormat::from_path("x.xlsx"), None);
    }
}
