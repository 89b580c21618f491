//! Generated readings for measurements and the demo: hourly kWh per meter
//! with a daily shape (low at night, a morning ramp, a working-day plateau),
//! a weekly one (weekends lower), a per-meter scale, noise, a few gaps (a
//! meter offline for hours) and a few spikes. Deterministic for a seed.

use chrono::{DateTime, Datelike, Duration, DurationRound, Timelike, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Ingest, Sample};
use crate::error::{CoreError, CoreResult};
use crate::progress::{OnProgress, Progress};

/// The metric the generator writes.
pub const METRIC: &str = "energy.kwh";
pub const UNIT: &str = "kWh";

/// What [`generate`] made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedMetrics {
    pub series: u64,
    pub points_per_series: u64,
    pub inserted: u64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// A small, fast, deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The expected share of a meter's peak at an hour of a day of the week.
pub fn shape(t: DateTime<Utc>) -> f64 {
    let hour = t.hour() as f64;
    let daily = if !(6.0..22.0).contains(&hour) {
        0.25
    } else if hour < 9.0 {
        0.25 + 0.75 * (hour - 6.0) / 3.0
    } else if hour < 18.0 {
        1.0
    } else {
        1.0 - 0.75 * (hour - 18.0) / 4.0
    };
    let weekly = match t.weekday().num_days_from_monday() {
        5 => 0.6,
        6 => 0.5,
        _ => 1.0,
    };
    daily * weekly
}

/// The hourly readings of one meter (index `i` of the run) ending at `last`.
pub fn meter_readings(
    series_id: Uuid,
    i: u64,
    seed: u64,
    points: u64,
    last: DateTime<Utc>,
    out: &mut Vec<Sample>,
) {
    let mut rng = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(i));
    let peak = 5.0 + rng.unit() * 45.0;
    let first = last - Duration::hours(points as i64 - 1);
    let mut gap_left = 0u32;
    for h in 0..points {
        let t = first + Duration::hours(h as i64);
        if gap_left > 0 {
            gap_left -= 1;
            continue;
        }
        let roll = rng.unit();
        if roll < 0.0005 {
            // Offline for 2 to 12 hours.
            gap_left = 1 + (rng.next_u64() % 11) as u32;
            continue;
        }
        let mut value = peak * shape(t) * (0.9 + 0.2 * rng.unit());
        if roll > 0.999 {
            value *= 3.0 + 2.0 * rng.unit();
        }
        out.push(Sample {
            series_id,
            ts: t,
            value: (value * 1000.0).round() / 1000.0,
        });
    }
}

/// Writes `points` hourly kWh readings ending at the current hour for each
/// of `meters` (entity id, root id), creating their series, in the caller's
/// transaction. Progress counts samples.
pub async fn generate(
    conn: &mut PgConnection,
    meters: &[(Uuid, Uuid)],
    points: u64,
    seed: u64,
    on_progress: OnProgress<'_>,
) -> CoreResult<GeneratedMetrics> {
    if points == 0 || points > 10_000_000 {
        return Err(CoreError::invalid(
            Some("metrics"),
            crate::error::Rule::Range,
            "1 to 10,000,000 points per series",
        ));
    }
    let last = Utc::now()
        .duration_trunc(Duration::hours(1))
        .unwrap_or_else(|_| Utc::now());
    let mut ingest = Ingest::new();
    let total = meters.len() as i64 * points as i64;
    let mut batch: Vec<Sample> = Vec::with_capacity(super::ingest::CHUNK + points as usize);
    let mut series = 0u64;
    for (i, (entity, root)) in meters.iter().enumerate() {
        let existing: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM metric_series WHERE entity_id = $1 AND metric_key = $2 AND deleted_at IS NULL",
        )
        .bind(entity)
        .bind(METRIC)
        .fetch_optional(&mut *conn)
        .await?;
        let id = match existing {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO metric_series (id, entity_id, root_entity_id, metric_key, unit, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, now(), now())",
                )
                .bind(id)
                .bind(entity)
                .bind(root)
                .bind(METRIC)
                .bind(UNIT)
                .execute(&mut *conn)
                .await?;
                id
            }
        };
        series += 1;
        meter_readings(id, i as u64, seed, points, last, &mut batch);
        if batch.len() >= super::ingest::CHUNK {
            ingest.push(conn, &batch).await?;
            batch.clear();
            on_progress(Progress {
                done: (i as i64 + 1) * points as i64,
                total,
            });
        }
    }
    ingest.push(conn, &batch).await?;
    let inserted = ingest.inserted;
    ingest.finish(conn).await?;
    on_progress(Progress { done: total, total });
    Ok(GeneratedMetrics {
        series,
        points_per_series: points,
        inserted,
        first: last - Duration::hours(points as i64 - 1),
        last,
    })
}

/// Up to `count` energy meters (entity, root) to generate readings for, in
/// blocks of 500 per root (so an aggregate over one root covers at most 500
/// series).
pub async fn pick_meters(pool: &sqlx::PgPool, count: u64) -> CoreResult<Vec<(Uuid, Uuid)>> {
    Ok(sqlx::query_as(
        "WITH m AS (
            SELECT r.entity_id, r.root_id,
                   row_number() OVER (PARTITION BY r.root_id ORDER BY r.path_label) AS n,
                   dense_rank() OVER (ORDER BY r.root_id) AS rk
              FROM entity_read_model r
              JOIN entity_type_definitions t ON t.id = r.entity_type_id AND t.key = 'energy_meter')
         SELECT entity_id, root_id FROM m ORDER BY (n - 1) / 500, rk, n LIMIT $1",
    )
    .bind(i64::try_from(count).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?)
}

/// Vacuums and analyses the samples and rollups after a bulk load: reads
/// of a series are index-only scans, which need the visibility map.
pub async fn vacuum(pool: &sqlx::PgPool) -> CoreResult<()> {
    if crate::db::pooling::is_pooled(pool) {
        // VACUUM cannot run inside a transaction.
        return Err(crate::db::pooling::needs_session("vacuuming the readings"));
    }
    for statement in [
        "VACUUM (ANALYZE) metric_samples",
        "VACUUM (ANALYZE) metric_rollups_daily",
        "ANALYZE metric_series",
    ] {
        sqlx::query(statement).execute(pool).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn working_hours_use_more_than_nights_and_weekdays_more_than_sundays() {
        let monday_noon = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let monday_night = Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap();
        let sunday_noon = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
        assert!(shape(monday_noon) > 3.0 * shape(monday_night));
        assert!(shape(monday_noon) > shape(sunday_noon));
    }

    #[test]
    fn a_meter_has_gaps_and_spikes_but_no_more_points_than_hours() {
        let last = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let mut out = Vec::new();
        meter_readings(Uuid::nil(), 3, 1, 50_000, last, &mut out);
        assert!(out.len() < 50_000, "some hours are missing (gaps)");
        assert!(out.len() > 49_000, "but few");
        let peak = out.iter().map(|s| s.value).fold(0.0, f64::max);
        let typical = out.iter().map(|s| s.value).sum::<f64>() / out.len() as f64;
        assert!(
            peak > 3.0 * typical,
            "a spike stands out: {peak} vs {typical}"
        );
        assert!(
            out.windows(2).all(|w| w[0].ts < w[1].ts),
            "hourly and in order"
        );
        let mut again = Vec::new();
        meter_readings(Uuid::nil(), 3, 1, 50_000, last, &mut again);
        assert_eq!(out, again, "the same seed gives the same readings");
    }
}
