//! How a time range is cut into buckets: never more than the asked number of
//! points, on steps a person reads easily (a minute, 5 minutes, an hour, a
//! day...), and from the daily rollups once a bucket spans whole days.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::Serialize;

/// The most points one line of a chart gets.
pub const MAX_POINTS: u32 = 2_000;
/// The fewest points a caller may ask for.
pub const MIN_POINTS: u32 = 10;

const DAY: i64 = 86_400;
const STEPS: &[i64] = &[
    60,
    5 * 60,
    15 * 60,
    30 * 60,
    3_600,
    2 * 3_600,
    3 * 3_600,
    6 * 3_600,
    12 * 3_600,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
];

/// Where the points of a range are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum SampleSource {
    /// The samples themselves.
    Samples,
    /// One row per series and UTC day.
    DailyRollups,
}

/// A range cut into buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub bucket_seconds: i64,
    pub source: SampleSource,
    /// The range read: the one asked for, widened to whole days when read
    /// from rollups.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The bucket for `from..to` in at most `max_points` (clamped to
/// [`MIN_POINTS`]..=[`MAX_POINTS`]) buckets. `to` must be after `from`.
pub fn plan(from: DateTime<Utc>, to: DateTime<Utc>, max_points: u32) -> Plan {
    let points = i64::from(max_points.clamp(MIN_POINTS, MAX_POINTS));
    let range = (to - from).num_seconds().max(1);
    let wanted = (range + points - 1) / points;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| *s >= wanted)
        .unwrap_or_else(|| (wanted + DAY - 1) / DAY * DAY);
    if step >= DAY {
        let day = Duration::days(1);
        let start = from.duration_trunc(day).unwrap_or(from);
        let mut end = to.duration_trunc(day).unwrap_or(to);
        if end < to {
            end += day;
        }
        Plan {
            bucket_seconds: step,
            source: SampleSource::DailyRollups,
            from: start,
            to: end,
        }
    } else {
        Plan {
            bucket_seconds: step,
            source: SampleSource::Samples,
            from,
            to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn a_range_never_yields_more_points_than_asked() {
        for days in [1i64, 7, 30, 90, 365, 3 * 365, 20 * 365, 200 * 365] {
            for points in [10u32, 100, 800, 2_000, 50_000] {
                let from = t(2024, 1, 1, 7);
                let to = from + Duration::days(days);
                let p = plan(from, to, points);
                let span = (p.to - p.from).num_seconds();
                let buckets = (span + p.bucket_seconds - 1) / p.bucket_seconds;
                let cap = i64::from(points.clamp(MIN_POINTS, MAX_POINTS));
                // Widening to whole days adds at most one bucket at each end.
                assert!(
                    buckets <= cap + 2,
                    "{days} days in {points} points gave {buckets} buckets of {} s",
                    p.bucket_seconds
                );
            }
        }
    }

    #[test]
    fn short_ranges_read_samples_and_long_ones_rollups_on_whole_days() {
        let from = t(2024, 3, 1, 7);
        let month = plan(from, from + Duration::days(30), 2_000);
        assert_eq!(month.source, SampleSource::Samples);
        assert_eq!(
            month.bucket_seconds,
            30 * 60,
            "30 days in 2,000 points: half hours"
        );
        assert_eq!(month.from, from, "a sample range is read as asked");

        let year = plan(from, from + Duration::days(365), 2_000);
        assert_eq!(year.source, SampleSource::Samples);
        assert_eq!(year.bucket_seconds, 6 * 3_600);

        let decade = plan(from, from + Duration::days(3_650), 2_000);
        assert_eq!(decade.source, SampleSource::DailyRollups);
        assert_eq!(decade.bucket_seconds, 2 * DAY);
        assert_eq!(
            decade.from,
            t(2024, 3, 1, 0),
            "rollups start on a UTC midnight"
        );
        let end = from + Duration::days(3_650);
        assert_eq!(
            decade.to,
            end.duration_trunc(Duration::days(1)).unwrap() + Duration::days(1),
            "and end on the midnight after the range"
        );
    }

    #[test]
    fn a_year_in_a_few_hundred_points_is_read_from_rollups() {
        let from = t(2024, 1, 1, 0);
        let p = plan(from, from + Duration::days(365), 300);
        assert_eq!(p.source, SampleSource::DailyRollups);
        assert_eq!(p.bucket_seconds, 2 * DAY);
    }
}
