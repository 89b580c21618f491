//! What a dashboard and its widgets must satisfy before they are saved or
//! run (the checks that need no database).

use super::{GRID_COLUMNS, MAX_WIDGETS, VARIABLES_VERSION};
use crate::error::{CoreError, CoreResult, Rule};
use crate::metrics;
use crate::records::{
    GroupSource, KpiSource, Measure, MeasureOp, SaveDashboard, TimeRange, WidgetConfig, WidgetLines,
};

/// Checks what can be checked without the database.
pub fn check_config(config: &WidgetConfig, path: &str) -> CoreResult<()> {
    let limit = |l: u32, max: u32| {
        if (1..=max).contains(&l) {
            Ok(())
        } else {
            Err(CoreError::invalid(
                Some(&format!("{path}.limit")),
                Rule::Range,
                format!("a limit of 1 to {max}"),
            ))
        }
    };
    match config {
        WidgetConfig::Kpi { source, .. } => check_kpi(source, path),
        WidgetConfig::Bar { source, limit: l } | WidgetConfig::Pie { source, limit: l } => {
            limit(*l, 100)?;
            check_group(source, path)
        }
        WidgetConfig::TimeSeries { metric, lines, .. } => {
            crate::metrics::check_metric_key(metric, &format!("{path}.metric"))?;
            check_lines(lines, path)
        }
        WidgetConfig::Table { limit: l, .. } => limit(*l, 500),
        WidgetConfig::Alerts { limit: l } => limit(*l, 500),
        WidgetConfig::Treemap { depth, .. } => {
            if (1..=2).contains(depth) {
                Ok(())
            } else {
                Err(CoreError::invalid(
                    Some(&format!("{path}.depth")),
                    Rule::Range,
                    "a tree-map shows 1 or 2 levels",
                ))
            }
        }
        WidgetConfig::Markdown { text } => {
            if text.chars().count() > 20_000 {
                Err(CoreError::invalid(
                    Some(&format!("{path}.text")),
                    Rule::TooLong,
                    "a note has at most 20,000 characters",
                ))
            } else {
                Ok(())
            }
        }
    }
}

pub(super) fn check_save(input: &SaveDashboard) -> CoreResult<()> {
    let n = input.name.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(CoreError::invalid(
            Some("name"),
            Rule::Required,
            "a dashboard needs a name of 1 to 200 characters",
        ));
    }
    if input
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 2_000)
    {
        return Err(CoreError::invalid(
            Some("description"),
            Rule::TooLong,
            "at most 2,000 characters",
        ));
    }
    if let Some(key) = &input.key {
        let ok = !key.is_empty()
            && key.len() <= 64
            && key.starts_with(|c: char| c.is_ascii_lowercase())
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(CoreError::invalid(
                    Some("key"),
                    Rule::Format,
                    "a key is 1 to 64 lowercase letters, digits and underscores, starting with a letter",
                ));
        }
    }
    if input
        .refresh_seconds
        .is_some_and(|s| !(5..=86_400).contains(&s))
    {
        return Err(CoreError::invalid(
            Some("refreshSeconds"),
            Rule::Range,
            "refresh every 5 seconds to 24 hours (or not automatically)",
        ));
    }
    if input.variables.version != VARIABLES_VERSION {
        return Err(CoreError::invalid(
            Some("variables.version"),
            Rule::Choice,
            format!("this build reads dashboard variables of version {VARIABLES_VERSION}"),
        ));
    }
    match &input.variables.range {
        TimeRange::Last { hours } if *hours == 0 || *hours > 24 * 366 * 100 => {
            return Err(CoreError::invalid(
                Some("variables.range"),
                Rule::Range,
                "the last 1 hour to 100 years",
            ))
        }
        TimeRange::Between { from, to } if to <= from => {
            return Err(CoreError::invalid(
                Some("variables.range"),
                Rule::Range,
                "the range must end after it starts",
            ))
        }
        _ => {}
    }
    if input.widgets.len() > MAX_WIDGETS {
        return Err(CoreError::invalid(
            Some("widgets"),
            Rule::TooLong,
            format!("a dashboard holds at most {MAX_WIDGETS} widgets"),
        ));
    }
    for (i, w) in input.widgets.iter().enumerate() {
        let path = format!("widgets.{i}");
        if w.title.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(CoreError::invalid(
                Some(&format!("{path}.title")),
                Rule::TooLong,
                "at most 200 characters",
            ));
        }
        let (min_w, min_h) = w.config.min_size();
        let l = w.layout;
        if l.w < min_w || l.h < min_h || l.x + l.w > GRID_COLUMNS || l.h > 40 || l.y > 10_000 {
            return Err(CoreError::invalid(
                    Some(&format!("{path}.layout")),
                    Rule::Range,
                    format!(
                        "a {} widget is at least {min_w} × {min_h} cells and fits in {GRID_COLUMNS} columns",
                        w.config.type_name()
                    ),
                ));
        }
        check_config(&w.config, &path)?;
    }
    Ok(())
}

fn check_kpi(source: &KpiSource, path: &str) -> CoreResult<()> {
    match source {
        KpiSource::View { measure, .. } => check_measure(measure, path),
        KpiSource::Metric { metric, .. } => {
            metrics::check_metric_key(metric, &format!("{path}.metric"))
        }
        KpiSource::Alerts => Ok(()),
    }
}

fn check_measure(measure: &Measure, path: &str) -> CoreResult<()> {
    if measure.op != MeasureOp::Count && measure.property.is_none() {
        return Err(CoreError::invalid(
            Some(&format!("{path}.measure.property")),
            Rule::Required,
            "a sum, average, least or greatest needs a number property",
        ));
    }
    Ok(())
}

fn check_group(source: &GroupSource, path: &str) -> CoreResult<()> {
    match source {
        GroupSource::Property { measure, .. } | GroupSource::EntityType { measure, .. } => {
            check_measure(measure, path)
        }
        GroupSource::MetricTop { metric, .. } => {
            metrics::check_metric_key(metric, &format!("{path}.metric"))
        }
    }
}

fn check_lines(lines: &WidgetLines, path: &str) -> CoreResult<()> {
    if let WidgetLines::Entities { ids, .. } = lines {
        if ids.is_empty() || ids.len() > metrics::MAX_LINES {
            return Err(CoreError::invalid(
                Some(&format!("{path}.lines")),
                Rule::Range,
                format!("choose 1 to {} entities", metrics::MAX_LINES),
            ));
        }
    }
    Ok(())
}
