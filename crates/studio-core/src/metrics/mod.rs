//! Time series: metric series (one per entity and metric key), their
//! samples, and the daily rollups that serve long ranges and totals.
//!
//! Reading: [`series`] cuts any range into at most [`bucket::MAX_POINTS`]
//! buckets per line and returns each bucket's count, least, greatest and
//! sum, so a peak survives any zoom; [`totals`] sums a range per entity (or
//! for all), reading whole days from the rollups and only the partial days
//! at the ends from the samples. Writing: [`ingest`] (the import and the
//! generator's one path in), see [`import`].

pub mod bucket;
pub mod generate;
pub mod import;
mod ingest;

pub use bucket::{SampleSource, MAX_POINTS};
pub use import::{
    import, ImportFormat, ImportOptions, ImportProblem, ImportProblemKind, ImportReport, OnBadRows,
};
pub use ingest::{Ingest, Sample, CHUNK as INGEST_CHUNK};

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult, Rule};
pub use crate::records::Aggregate;
use crate::views::{self, Bind, Compiled, ViewDocument};

/// The longest range a chart or total may ask for.
const MAX_RANGE_DAYS: i64 = 100 * 366;
/// The most lines one chart may ask for.
pub const MAX_LINES: usize = 50;

/// A metric and how many series carry it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MetricInfo {
    pub metric_key: String,
    pub unit: Option<String>,
    pub series: i64,
}

/// Which lines a chart draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum Lines {
    /// One line per entity: its own series, or (with `subtree`) every
    /// series of it and its descendants combined.
    Entities { ids: Vec<Uuid>, subtree: bool },
    /// One line combining every series in scope.
    All,
}

/// A chart's question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SeriesQuery {
    pub metric: String,
    pub lines: Lines,
    /// Only series of the entities this view finds (None: every entity).
    #[serde(default)]
    pub scope: Option<ViewDocument>,
    /// How a line combines its samples within a bucket.
    #[serde(default)]
    pub aggregate: Aggregate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// At most this many points per line (up to [`MAX_POINTS`]).
    pub max_points: u32,
}

/// One bucket of a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    /// The bucket's start.
    pub t: DateTime<Utc>,
    /// The line's value: the samples combined by the query's aggregate.
    pub value: f64,
    pub min: f64,
    pub max: f64,
    /// Samples in the bucket.
    pub n: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SeriesLine {
    /// The entity's name (or the metric's, for a line over everything).
    pub label: String,
    pub entity_id: Option<Uuid>,
    pub unit: Option<String>,
    /// How many series the line combines.
    pub series: i64,
    pub points: Vec<SeriesPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SeriesResult {
    pub metric: String,
    pub bucket_seconds: i64,
    pub source: SampleSource,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub lines: Vec<SeriesLine>,
}

/// A metric's total over a range, for one entity (or for all).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MetricTotal {
    pub entity_id: Option<Uuid>,
    pub label: String,
    pub n: i64,
    pub sum: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl MetricTotal {
    /// The total as `aggregate` combines it (None when there are no samples).
    pub fn value(&self, aggregate: Aggregate) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        Some(match aggregate {
            Aggregate::Sum => self.sum,
            Aggregate::Avg => self.sum / self.n as f64,
            Aggregate::Min => self.min?,
            Aggregate::Max => self.max?,
            Aggregate::Count => self.n as f64,
        })
    }
}

/// Refuses a metric key that is not 1 to 64 lowercase letters, digits, `_`
/// or `.`, starting with a letter.
pub fn check_metric_key(key: &str, field: &str) -> CoreResult<()> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(
            Some(field),
            Rule::Format,
            "a metric key is 1 to 64 lowercase letters, digits, '_' or '.', starting with a letter",
        ))
    }
}

fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> CoreResult<()> {
    if to <= from {
        return Err(CoreError::invalid(
            Some("to"),
            Rule::Range,
            "the end of the range must come after its start",
        ));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(CoreError::invalid(
            Some("to"),
            Rule::Range,
            "a range spans at most 100 years",
        ));
    }
    Ok(())
}

/// The metrics the person sees, with their series counts.
pub async fn list_metrics(pool: &PgPool) -> CoreResult<Vec<MetricInfo>> {
    Ok(sqlx::query_as(
        "SELECT metric_key, max(unit) AS unit, count(*) AS series FROM metric_series
          WHERE deleted_at IS NULL GROUP BY metric_key ORDER BY metric_key",
    )
    .fetch_all(pool)
    .await?)
}

/// An empty statement to build on (or the scope's filter, compiled as the
/// person sees the schema).
async fn base(conn: &mut PgConnection, scope: Option<&ViewDocument>) -> CoreResult<Compiled> {
    match scope {
        Some(doc) => views::compile_for(conn, doc).await,
        None => Ok(Compiled {
            filter: "true".into(),
            sort: Vec::new(),
            binds: Vec::new(),
            page_size: 0,
        }),
    }
}

/// The CTE `series (ord, id, unit, entity_id, label)`: the series of the
/// metric in scope, each with the line it belongs to.
fn series_cte(c: &mut Compiled, metric: &str, lines: &Lines) -> String {
    let metric = c.bind(Bind::Text(metric.to_string()));
    let filter = c.filter.clone();
    match lines {
        Lines::All => format!(
            "series AS (SELECT 1::bigint AS ord, s.id, s.unit, NULL::uuid AS entity_id
                          FROM metric_series s JOIN entity_read_model r ON r.entity_id = s.entity_id
                         WHERE s.metric_key = {metric} AND s.deleted_at IS NULL AND ({filter}))"
        ),
        Lines::Entities { ids, subtree } => {
            let ids = c.bind(Bind::Uuids(ids.clone()));
            let on = if *subtree {
                "(s.entity_id = l.entity_id OR l.entity_id = ANY (r.ancestor_ids))"
            } else {
                "s.entity_id = l.entity_id"
            };
            format!(
                "series AS (SELECT l.ord, s.id, s.unit, l.entity_id
                              FROM unnest({ids}::uuid[]) WITH ORDINALITY AS l(entity_id, ord)
                              JOIN metric_series s ON s.metric_key = {metric} AND s.deleted_at IS NULL
                              JOIN entity_read_model r ON r.entity_id = s.entity_id
                             WHERE {on} AND ({filter}))"
            )
        }
    }
}

fn check_lines(lines: &Lines) -> CoreResult<()> {
    if let Lines::Entities { ids, .. } = lines {
        if ids.is_empty() || ids.len() > MAX_LINES {
            return Err(CoreError::invalid(
                Some("lines"),
                Rule::Range,
                format!("a chart draws 1 to {MAX_LINES} entities' lines"),
            ));
        }
    }
    Ok(())
}

/// A chart's lines over a range, bucketed (see the module's text).
pub async fn series(pool: &PgPool, q: &SeriesQuery) -> CoreResult<SeriesResult> {
    check_metric_key(&q.metric, "metric")?;
    check_range(q.from, q.to)?;
    check_lines(&q.lines)?;
    let plan = bucket::plan(q.from, q.to, q.max_points);
    let mut tx = pool.begin().await?;
    // Custom plans for the actual values; no JIT (it costs more than
    // these statements take).
    sqlx::raw_sql("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off")
        .execute(&mut *tx)
        .await?;
    let mut c = base(&mut tx, q.scope.as_ref()).await?;
    let cte = series_cte(&mut c, &q.metric, &q.lines);
    let bucket = c.bind(Bind::Int(plan.bucket_seconds));
    let from = c.bind(Bind::Time(plan.from));
    let to = c.bind(Bind::Time(plan.to));
    let (table, column, n, min, max, sum) = match plan.source {
        SampleSource::Samples => (
            "metric_samples",
            "ts",
            "count(*)",
            "min(m.value)",
            "max(m.value)",
            "sum(m.value)",
        ),
        SampleSource::DailyRollups => (
            "metric_rollups_daily",
            "day",
            "sum(m.n)",
            "min(m.min_value)",
            "max(m.max_value)",
            "sum(m.sum_value)",
        ),
    };
    let sql = format!(
        "WITH {cte},
              counts AS (SELECT ord, count(*) AS series, max(unit) AS unit FROM series GROUP BY ord)
         SELECT 'p' AS kind, series.ord,
                date_bin(interval '1 second' * {bucket}, m.{column}, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS t,
                {n}::bigint AS n, {min} AS min, {max} AS max, {sum} AS sum, NULL::bigint AS series, NULL::text AS unit
           FROM series JOIN {table} m ON m.series_id = series.id AND m.{column} >= {from} AND m.{column} < {to}
          GROUP BY series.ord, 3
         UNION ALL
         SELECT 'c', ord, NULL, NULL, NULL, NULL, NULL, series, unit FROM counts
         ORDER BY 2, 3"
    );
    let rows = views::query_with(&sql, &c.binds)
        .fetch_all(&mut *tx)
        .await?;
    let labels = line_labels(&mut tx, &q.lines, &q.metric).await?;
    tx.commit().await?;

    let mut lines: Vec<SeriesLine> = labels
        .into_iter()
        .map(|(entity_id, label)| SeriesLine {
            label,
            entity_id,
            unit: None,
            series: 0,
            points: Vec::new(),
        })
        .collect();
    for row in rows {
        let ord: i64 = row.try_get("ord")?;
        let Some(line) = usize::try_from(ord - 1).ok().and_then(|i| lines.get_mut(i)) else {
            continue;
        };
        let kind: String = row.try_get("kind")?;
        if kind == "c" {
            line.series = row.try_get("series")?;
            line.unit = row.try_get("unit")?;
            continue;
        }
        let n: i64 = row.try_get("n")?;
        let (min, max, sum): (f64, f64, f64) = (
            row.try_get("min")?,
            row.try_get("max")?,
            row.try_get("sum")?,
        );
        let value = match q.aggregate {
            Aggregate::Sum => sum,
            Aggregate::Avg => sum / n.max(1) as f64,
            Aggregate::Min => min,
            Aggregate::Max => max,
            Aggregate::Count => n as f64,
        };
        line.points.push(SeriesPoint {
            t: row.try_get("t")?,
            value,
            min,
            max,
            n,
        });
    }
    Ok(SeriesResult {
        metric: q.metric.clone(),
        bucket_seconds: plan.bucket_seconds,
        source: plan.source,
        from: plan.from,
        to: plan.to,
        lines,
    })
}

/// Each line's entity and label, in line order.
async fn line_labels(
    conn: &mut PgConnection,
    lines: &Lines,
    metric: &str,
) -> CoreResult<Vec<(Option<Uuid>, String)>> {
    match lines {
        Lines::All => Ok(vec![(None, metric.to_string())]),
        Lines::Entities { ids, .. } => {
            let names: Vec<(Uuid, String)> = sqlx::query_as(
                "SELECT entity_id, name FROM entity_read_model WHERE entity_id = ANY ($1)",
            )
            .bind(ids)
            .fetch_all(&mut *conn)
            .await?;
            Ok(ids
                .iter()
                .map(|id| {
                    let name = names
                        .iter()
                        .find(|(i, _)| i == id)
                        .map_or_else(|| id.to_string(), |(_, n)| n.clone());
                    (Some(*id), name)
                })
                .collect())
        }
    }
}

/// How [`totals`] groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalsBy {
    /// One total per entity with samples, the largest sums first.
    Entity { limit: u32 },
    /// One total for everything in scope.
    All,
}

/// A metric's totals over `from..to` for the entities in scope: whole UTC
/// days from the rollups, the partial days at either end from the samples.
pub async fn totals(
    conn: &mut PgConnection,
    metric: &str,
    scope: Option<&ViewDocument>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    by: TotalsBy,
) -> CoreResult<Vec<MetricTotal>> {
    check_metric_key(metric, "metric")?;
    check_range(from, to)?;
    let day = Duration::days(1);
    let floor = |t: DateTime<Utc>| t.duration_trunc(day).unwrap_or(t);
    let mut first_day = floor(from);
    if first_day < from {
        first_day += day;
    }
    let last_day = floor(to);
    // Whole days [d1, d2) from the rollups; [from, d1) and [d2, to) raw.
    let (d1, d2) = if first_day < last_day {
        (first_day, last_day)
    } else {
        (to, to)
    };
    let mut c = base(conn, scope).await?;
    let cte = series_cte(&mut c, metric, &Lines::All);
    let (from_p, d1_p, d2_p, to_p) = (
        c.bind(Bind::Time(from)),
        c.bind(Bind::Time(d1)),
        c.bind(Bind::Time(d2)),
        c.bind(Bind::Time(to)),
    );
    let parts = format!(
        "parts AS (
            SELECT m.series_id, count(*) AS n, min(m.value) AS mn, max(m.value) AS mx, sum(m.value) AS sm
              FROM series JOIN metric_samples m ON m.series_id = series.id
               AND m.ts >= {from_p} AND m.ts < {d1_p}
             GROUP BY m.series_id
            UNION ALL
            SELECT m.series_id, count(*), min(m.value), max(m.value), sum(m.value)
              FROM series JOIN metric_samples m ON m.series_id = series.id
               AND m.ts >= {d2_p} AND m.ts < {to_p}
             GROUP BY m.series_id
            UNION ALL
            SELECT m.series_id, sum(m.n), min(m.min_value), max(m.max_value), sum(m.sum_value)
              FROM series JOIN metric_rollups_daily m ON m.series_id = series.id
               AND m.day >= {d1_p} AND m.day < {d2_p}
             GROUP BY m.series_id)"
    );
    let sql = match by {
        TotalsBy::All => format!(
            "WITH {cte}, {parts}
             SELECT NULL::uuid AS entity_id, ''::text AS label, coalesce(sum(n), 0)::bigint AS n,
                    coalesce(sum(sm), 0)::float8 AS sum, min(mn) AS min, max(mx) AS max FROM parts"
        ),
        TotalsBy::Entity { limit } => {
            let limit = c.bind(Bind::Int(i64::from(limit.clamp(1, 1_000))));
            format!(
                "WITH {cte}, {parts}
                 SELECT s.entity_id, r.name AS label, sum(p.n)::bigint AS n, sum(p.sm)::float8 AS sum,
                        min(p.mn) AS min, max(p.mx) AS max
                   FROM parts p JOIN metric_series s ON s.id = p.series_id
                   JOIN entity_read_model r ON r.entity_id = s.entity_id
                  GROUP BY s.entity_id, r.name ORDER BY 4 DESC, 1 LIMIT {limit}"
            )
        }
    };
    let rows = views::query_with(&sql, &c.binds)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(MetricTotal {
                entity_id: row.try_get("entity_id")?,
                label: row.try_get::<String, _>("label")?,
                n: row.try_get("n")?,
                sum: row.try_get("sum")?,
                min: row.try_get("min")?,
                max: row.try_get("max")?,
            })
        })
        .collect()
}
