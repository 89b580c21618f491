//! The one way samples enter the database, in the caller's transaction:
//! chunks are copied (COPY, text format) into a temporary staging table and
//! moved into `metric_samples` in key order, skipping (series, time) pairs
//! already stored, so running the same input twice adds nothing. A series
//! that holds nothing at or after a chunk's first time for it (an append,
//! a new series) takes a plain insert, which measured nearly twice as fast
//! as the skipping one; the series are locked for the transaction, so two
//! ingests of one series take turns. The days
//! touched are remembered and their rollups recomputed at the end.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::CoreResult;

/// One reading of one series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub series_id: Uuid,
    pub ts: DateTime<Utc>,
    pub value: f64,
}

/// Rows staged per statement.
pub const CHUNK: usize = 100_000;
const DAY_SECONDS: i64 = 86_400;
/// Touched days recomputed per statement.
const ROLLUP_BATCH: usize = 20_000;

/// An ingest in progress (see the module's text).
#[derive(Debug, Default)]
pub struct Ingest {
    touched: HashSet<(Uuid, i64)>,
    /// Samples offered, and those stored (new).
    pub offered: u64,
    pub inserted: u64,
    staging: bool,
}

impl Ingest {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `rows` (any order, each (series, time) at most once; pairs
    /// already stored are skipped).
    pub async fn push(&mut self, conn: &mut PgConnection, rows: &[Sample]) -> CoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        if !self.staging {
            sqlx::query(
                "CREATE TEMPORARY TABLE IF NOT EXISTS eco_metric_staging
                     (series_id uuid NOT NULL, ts timestamptz NOT NULL, value float8 NOT NULL)
                     ON COMMIT DROP",
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "CREATE TEMPORARY TABLE IF NOT EXISTS eco_metric_fresh (series_id uuid NOT NULL) ON COMMIT DROP",
            )
            .execute(&mut *conn)
            .await?;
            self.staging = true;
        }
        for chunk in rows.chunks(CHUNK) {
            let mut text = String::with_capacity(chunk.len() * 72);
            for s in chunk {
                let _ = writeln!(
                    text,
                    "{}\t{}\t{:?}",
                    s.series_id,
                    s.ts.format("%Y-%m-%d %H:%M:%S%.6f+00"),
                    s.value
                );
                self.touched
                    .insert((s.series_id, s.ts.timestamp().div_euclid(DAY_SECONDS)));
            }
            let mut copy = conn
                .copy_in_raw("COPY eco_metric_staging (series_id, ts, value) FROM STDIN")
                .await?;
            copy.send(text.into_bytes()).await?;
            copy.finish().await?;
            // The chunk's series are locked (concurrent ingests of one
            // series take turns), then the rows of series that hold nothing
            // at or after the chunk's first time for them (appends, new
            // series: the usual case) go in by a plain insert; the others
            // skip what is stored already.
            sqlx::query(
                "SELECT 1 FROM metric_series
                  WHERE id IN (SELECT DISTINCT series_id FROM eco_metric_staging)
                  ORDER BY id FOR UPDATE",
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO eco_metric_fresh (series_id)
                 SELECT f.series_id FROM (SELECT series_id, min(ts) AS first FROM eco_metric_staging
                                           GROUP BY series_id) f
                  WHERE NOT EXISTS (SELECT 1 FROM metric_samples m
                                     WHERE m.series_id = f.series_id AND m.ts >= f.first)",
            )
            .execute(&mut *conn)
            .await?;
            let appended = sqlx::query(
                "INSERT INTO metric_samples (series_id, ts, value)
                 SELECT series_id, ts, value FROM eco_metric_staging
                  WHERE series_id IN (SELECT series_id FROM eco_metric_fresh)
                  ORDER BY series_id, ts",
            )
            .execute(&mut *conn)
            .await?;
            let merged = sqlx::query(
                "INSERT INTO metric_samples (series_id, ts, value)
                 SELECT series_id, ts, value FROM eco_metric_staging
                  WHERE series_id NOT IN (SELECT series_id FROM eco_metric_fresh)
                  ORDER BY series_id, ts
                 ON CONFLICT DO NOTHING",
            )
            .execute(&mut *conn)
            .await?;
            let done = appended.rows_affected() + merged.rows_affected();
            sqlx::query("TRUNCATE eco_metric_staging, eco_metric_fresh")
                .execute(&mut *conn)
                .await?;
            self.offered += chunk.len() as u64;
            self.inserted += done;
        }
        Ok(())
    }

    /// Recomputes the rollups of every day touched; returns how many.
    pub async fn finish(self, conn: &mut PgConnection) -> CoreResult<u64> {
        let mut days: Vec<(Uuid, i64)> = self.touched.into_iter().collect();
        days.sort_unstable();
        for batch in days.chunks(ROLLUP_BATCH) {
            let ids: Vec<Uuid> = batch.iter().map(|(s, _)| *s).collect();
            let starts: Vec<DateTime<Utc>> = batch
                .iter()
                .map(|(_, d)| DateTime::from_timestamp(d * DAY_SECONDS, 0).unwrap_or_default())
                .collect();
            sqlx::query(
                // LATERAL: one index range per day (a join would hash the
                // whole samples table).
                "INSERT INTO metric_rollups_daily AS r (series_id, day, n, min_value, max_value, sum_value)
                 SELECT t.series_id, t.day, d.n, d.mn, d.mx, d.sm
                   FROM unnest($1::uuid[], $2::timestamptz[]) AS t(series_id, day)
                   CROSS JOIN LATERAL (
                        SELECT count(*) AS n, min(m.value) AS mn, max(m.value) AS mx, sum(m.value) AS sm
                          FROM metric_samples m
                         WHERE m.series_id = t.series_id AND m.ts >= t.day AND m.ts < t.day + interval '1 day') d
                  WHERE d.n > 0
                 ON CONFLICT (series_id, day) DO UPDATE
                    SET n = excluded.n, min_value = excluded.min_value,
                        max_value = excluded.max_value, sum_value = excluded.sum_value",
            )
            .bind(&ids)
            .bind(&starts)
            .execute(&mut *conn)
            .await?;
        }
        Ok(days.len() as u64)
    }
}
