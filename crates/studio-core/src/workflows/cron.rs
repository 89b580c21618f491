//! Schedules: five cron fields (minute, hour, day of month, month, day of
//! week; lists, ranges, steps, `*`) read in an IANA time zone. A local
//! time that a clock change skips is not fired; one it repeats fires once
//! (the earlier instant).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::error::{Rule, ValidationError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    /// Day of month and day of week both restricted: either matches (cron's rule).
    either_day: bool,
    zone: Tz,
}

fn bad(message: String) -> ValidationError {
    ValidationError::new(Some("trigger.cron"), Rule::Format, message)
}

fn field(text: &str, min: u32, max: u32, name: &str) -> Result<(Vec<bool>, bool), ValidationError> {
    let mut set = vec![false; (max + 1) as usize];
    let mut restricted = true;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| bad(format!("{name}: {s:?} is not a step")))?,
            ),
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            if step == 1 {
                restricted = false;
            }
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (num(a, name)?, num(b, name)?)
        } else {
            let v = num(range, name)?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(bad(format!("{name}: {part:?} is outside {min}-{max}")));
        }
        let mut v = lo;
        while v <= hi {
            set[v as usize] = true;
            v += step;
        }
    }
    Ok((set, restricted))
}

fn num(s: &str, name: &str) -> Result<u32, ValidationError> {
    s.parse()
        .map_err(|_| bad(format!("{name}: {s:?} is not a number")))
}

impl Schedule {
    pub fn parse(cron: &str, time_zone: &str) -> Result<Schedule, ValidationError> {
        let parts: Vec<&str> = cron.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(bad(
                "a schedule has five fields: minute hour day-of-month month day-of-week".into(),
            ));
        }
        let (minutes, _) = field(parts[0], 0, 59, "minute")?;
        let (hours, _) = field(parts[1], 0, 23, "hour")?;
        let (days, dom_restricted) = field(parts[2], 1, 31, "day of month")?;
        let (months, _) = field(parts[3], 1, 12, "month")?;
        let (mut weekdays, dow_restricted) = field(parts[4], 0, 7, "day of week")?;
        // 7 is Sunday too.
        if weekdays[7] {
            weekdays[0] = true;
        }
        let zone: Tz = time_zone.parse().map_err(|_| {
            ValidationError::new(
                Some("trigger.timeZone"),
                Rule::Choice,
                format!("{time_zone:?} is not a time zone (like Europe/Paris or UTC)"),
            )
        })?;
        Ok(Schedule {
            minutes,
            hours,
            days,
            months,
            weekdays,
            either_day: dom_restricted && dow_restricted,
            zone,
        })
    }

    fn day_matches(&self, d: NaiveDate) -> bool {
        if !self.months[d.month() as usize] {
            return false;
        }
        let dom = self.days[d.day() as usize];
        let dow = self.weekdays[d.weekday().num_days_from_sunday() as usize];
        if self.either_day {
            dom || dow
        } else {
            dom && dow
        }
    }

    /// The first firing strictly after `after` (None within five years).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&self.zone);
        let first_day = local.date_naive();
        for offset in 0..(366 * 5) {
            let day = first_day + Duration::days(offset);
            if !self.day_matches(day) {
                continue;
            }
            for h in (0..24).filter(|h| self.hours[*h as usize]) {
                for m in (0..60).filter(|m| self.minutes[*m as usize]) {
                    let Some(naive) = day.and_hms_opt(h, m, 0) else {
                        continue;
                    };
                    let Some(at) = self.zone.from_local_datetime(&naive).earliest() else {
                        continue;
                    };
                    let at = at.with_timezone(&Utc);
                    if at > after {
                        return Some(at);
                    }
                }
            }
        }
        None
    }
}

/// Truncates to the minute (schedules fire on whole minutes).
pub fn minute_of(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn weekday_mornings_in_a_zone() {
        let s = Schedule::parse("30 7 * * 1-5", "Europe/Paris").unwrap();
        // Friday 2026-11-27 08:00 UTC = 09:00 Paris: next is Monday 07:30 Paris = 06:30 UTC.
        assert_eq!(
            s.next_after(at("2026-11-27T08:00:00Z")),
            Some(at("2026-11-30T06:30:00Z"))
        );
    }

    #[test]
    fn steps_lists_and_the_skipped_hour() {
        let s = Schedule::parse("*/15 * * * *", "UTC").unwrap();
        assert_eq!(
            s.next_after(at("2026-01-01T00:14:59Z")),
            Some(at("2026-01-01T00:15:00Z"))
        );
        // 02:30 does not exist in Paris on 2026-03-29: the next is the 30th.
        let s = Schedule::parse("30 2 * * *", "Europe/Paris").unwrap();
        assert_eq!(
            s.next_after(at("2026-03-28T12:00:00Z")),
            Some(at("2026-03-30T00:30:00Z"))
        );
    }

    #[test]
    fn refuses_bad_fields_and_zones() {
        assert!(Schedule::parse("60 * * * *", "UTC").is_err());
        assert!(Schedule::parse("* * * *", "UTC").is_err());
        assert_eq!(
            Schedule::parse("* * * * *", "Mars/Olympus")
                .unwrap_err()
                .field
                .as_deref(),
            Some("trigger.timeZone")
        );
    }
}
