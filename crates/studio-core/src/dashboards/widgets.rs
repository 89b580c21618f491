//! What each widget shows, computed in the database: a widget's request
//! carries its configuration, the dashboard's variables and the
//! cross-filters in force; the answer is the widget's data, or a typed
//! error for that widget alone (a deleted view or property, a bad config).
//!
//! Every widget over entities starts from its saved view (or every entity),
//! narrowed by the dashboard's root and the cross-filters, compiled by the
//! views' compiler: one filter language for tables, dashboards and exports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::{DashboardVariables, WidgetConfig};
use crate::alerts::{self, Alert, AlertFilter};
use crate::error::{CoreError, CoreResult, Rule};
use crate::metrics::{self, Aggregate, Lines, MetricTotal, SeriesQuery, SeriesResult, TotalsBy};
use crate::properties::ValueType;
pub use crate::records::{GroupSource, KpiSource, Measure, MeasureOp, WidgetLines};
use crate::views::{
    self, compile::number_of, Bind, Filter, Op, PropertyCondition, TimeCondition, ViewDocument,
    ViewPage, VIEW_DOCUMENT_VERSION,
};

/// A filter another widget set by a click.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum CrossFilter {
    /// A property holds this value (a bar or slice of a property group).
    Property {
        key: String,
        value: serde_json::Value,
    },
    /// Entities of this type (a bar or slice of an entity-type group).
    EntityType { key: String },
    /// This entity or what lies under it (a tile, a top entity).
    Under { entity_id: Uuid },
    /// This span of time (a point of a chart).
    Time {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// One widget's question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WidgetRequest {
    pub config: WidgetConfig,
    pub variables: DashboardVariables,
    #[serde(default)]
    pub filters: Vec<CrossFilter>,
    /// Points per line a chart has room for (default 1,000).
    #[serde(default)]
    pub max_points: Option<u32>,
}

/// One bar or slice.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct GroupValue {
    pub label: String,
    pub value: f64,
    /// What clicking it filters by.
    pub filter: Option<CrossFilter>,
}

/// One tile of a tree-map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TreeCount {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub count: i64,
}

/// What a widget shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "type"
)]
pub enum WidgetData {
    Kpi {
        value: Option<f64>,
        previous: Option<f64>,
        unit: Option<String>,
    },
    Groups {
        groups: Vec<GroupValue>,
    },
    Series {
        series: SeriesResult,
    },
    Table {
        page: ViewPage,
        columns: Vec<String>,
    },
    Alerts {
        alerts: Vec<Alert>,
    },
    Treemap {
        tiles: Vec<TreeCount>,
    },
    Markdown {
        text: String,
    },
}

/// The document a widget reads: its saved view (or every entity), with the
/// dashboard's root and the cross-filters added.
async fn scope(
    conn: &mut PgConnection,
    view_id: Option<Uuid>,
    variables: &DashboardVariables,
    filters: &[CrossFilter],
) -> CoreResult<ViewDocument> {
    let mut doc = match view_id {
        Some(id) => saved_document(conn, id).await?,
        None => ViewDocument {
            version: VIEW_DOCUMENT_VERSION,
            filter: None,
            columns: Vec::new(),
            sort: Vec::new(),
            group_by: None,
            page_size: 50,
            view_type: Default::default(),
        },
    };
    let mut all: Vec<Filter> = doc.filter.take().into_iter().collect();
    if let Some(root) = variables.root_id {
        all.push(Filter::Under(root));
    }
    let catalog = if filters
        .iter()
        .any(|f| matches!(f, CrossFilter::Property { .. }))
    {
        Some(views::catalog(conn).await?)
    } else {
        None
    };
    for f in filters {
        match f {
            CrossFilter::Property { key, value } => {
                let value_type = catalog
                    .as_ref()
                    .and_then(|c| c.properties.get(key))
                    .map(|p| p.value_type);
                // The operator that means "holds this value" for the type.
                let (op, value) = match (value, value_type) {
                    (serde_json::Value::Null, _) => (Op::IsEmpty, None),
                    (v, Some(ValueType::SingleSelect)) => (Op::In, Some(serde_json::json!([v]))),
                    (serde_json::Value::Array(items), Some(ValueType::MultiSelect)) => {
                        (Op::HasAll, Some(serde_json::Value::Array(items.clone())))
                    }
                    (v, Some(ValueType::MultiSelect)) => (Op::HasAny, Some(serde_json::json!([v]))),
                    (v, _) => (Op::Equals, Some(v.clone())),
                };
                all.push(Filter::Property(PropertyCondition {
                    key: key.clone(),
                    op,
                    value,
                }))
            }
            CrossFilter::EntityType { key } => all.push(Filter::Type(vec![key.clone()])),
            CrossFilter::Under { entity_id } => all.push(Filter::Under(*entity_id)),
            CrossFilter::Time { .. } => {}
        }
    }
    doc.filter = match all.len() {
        0 => None,
        1 => all.pop(),
        _ => Some(Filter::All(all)),
    };
    Ok(doc)
}

/// A saved view's document; a deleted or unseen view is a clear error.
async fn saved_document(conn: &mut PgConnection, id: Uuid) -> CoreResult<ViewDocument> {
    let row: Option<(serde_json::Value, Option<DateTime<Utc>>, String)> =
        sqlx::query_as("SELECT config, deleted_at, name FROM admin_saved_views WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        None => Err(CoreError::NotFound {
            what: "saved view",
            id,
        }),
        Some((_, Some(_), name)) => Err(CoreError::invalid(
            Some("viewId"),
            Rule::Reference,
            format!(
                "the view {name:?} this widget reads was deleted: restore it or choose another"
            ),
        )),
        Some((config, None, _)) => views::document::upgrade(config),
    }
}

/// The widget's time range: a time cross-filter, else the variables'.
fn range(
    variables: &DashboardVariables,
    filters: &[CrossFilter],
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    filters
        .iter()
        .rev()
        .find_map(|f| match f {
            CrossFilter::Time { from, to } => Some((*from, *to)),
            _ => None,
        })
        .unwrap_or_else(|| variables.range.resolve(now))
}

/// Computes one widget's data (see the module's text).
pub async fn widget_data(pool: &PgPool, request: &WidgetRequest) -> CoreResult<WidgetData> {
    super::check_config(&request.config, "config")?;
    let now = Utc::now();
    let (from, to) = range(&request.variables, &request.filters, now);
    let vars = &request.variables;
    let filters = &request.filters[..];
    match &request.config {
        WidgetConfig::Markdown { text } => Ok(WidgetData::Markdown { text: text.clone() }),
        WidgetConfig::Kpi { source, compare } => {
            let mut tx = pool.begin().await?;
            let data = kpi(&mut tx, source, *compare, vars, filters, from, to).await?;
            tx.commit().await?;
            Ok(data)
        }
        WidgetConfig::Bar { source, limit } | WidgetConfig::Pie { source, limit } => {
            let mut tx = pool.begin().await?;
            let groups = groups(&mut tx, source, *limit, vars, filters, from, to).await?;
            tx.commit().await?;
            Ok(WidgetData::Groups { groups })
        }
        WidgetConfig::TimeSeries {
            metric,
            lines,
            aggregate,
            ..
        } => {
            let mut conn = pool.acquire().await?;
            let (lines, view_id) = match lines {
                WidgetLines::Entities { ids, subtree } => (
                    Lines::Entities {
                        ids: ids.clone(),
                        subtree: *subtree,
                    },
                    None,
                ),
                WidgetLines::View { view_id } => (Lines::All, *view_id),
            };
            let doc = scope(&mut conn, view_id, vars, filters).await?;
            drop(conn);
            let series = metrics::series(
                pool,
                &SeriesQuery {
                    metric: metric.clone(),
                    lines,
                    scope: doc.filter.is_some().then_some(doc),
                    aggregate: *aggregate,
                    from,
                    to,
                    max_points: request.max_points.unwrap_or(1_000),
                },
            )
            .await?;
            Ok(WidgetData::Series { series })
        }
        WidgetConfig::Table { view_id, limit } => {
            let mut conn = pool.acquire().await?;
            let mut doc = scope(&mut conn, Some(*view_id), vars, filters).await?;
            drop(conn);
            doc.page_size = (*limit).min(views::compile::MAX_PAGE_SIZE);
            let columns = doc.columns.iter().map(|c| c.field.clone()).collect();
            let page = views::page(pool, &doc, None).await?;
            Ok(WidgetData::Table { page, columns })
        }
        WidgetConfig::Alerts { limit } => {
            let under = filters.iter().rev().find_map(|f| match f {
                CrossFilter::Under { entity_id } => Some(*entity_id),
                _ => None,
            });
            let alerts = alerts::list(
                pool,
                &AlertFilter {
                    statuses: Vec::new(),
                    entity_id: under.or(vars.root_id),
                    subtree: true,
                    limit: Some(*limit),
                },
            )
            .await?;
            Ok(WidgetData::Alerts { alerts })
        }
        WidgetConfig::Treemap {
            root_id,
            depth,
            view_id,
        } => {
            let mut tx = pool.begin().await?;
            let tiles = treemap(
                &mut tx,
                root_id.or(vars.root_id),
                *depth,
                *view_id,
                vars,
                filters,
            )
            .await?;
            tx.commit().await?;
            Ok(WidgetData::Treemap { tiles })
        }
    }
}

/// The SQL aggregate of a measure over `r`, checking its property.
async fn measure_sql(
    conn: &mut PgConnection,
    c: &mut views::Compiled,
    measure: &Measure,
) -> CoreResult<String> {
    if measure.op == MeasureOp::Count {
        return Ok("count(*)::float8".into());
    }
    let key = measure.property.as_deref().unwrap_or_default();
    let catalog = views::catalog(conn).await?;
    let info = catalog.properties.get(key).ok_or_else(|| {
        CoreError::invalid(
            Some("measure.property"),
            Rule::Reference,
            format!("the property {key:?} this widget measures was deleted or is not searchable"),
        )
    })?;
    if info.value_type != ValueType::Number || info.sensitive || !info.in_read_model {
        return Err(CoreError::invalid(
            Some("measure.property"),
            Rule::Type,
            format!("{key:?} is not a searchable number property: it cannot be summed or averaged"),
        ));
    }
    let p = c.bind(Bind::Text(key.to_string()));
    let n = number_of("r", &p);
    Ok(match measure.op {
        MeasureOp::Sum => format!("coalesce(sum({n}), 0)::float8"),
        MeasureOp::Avg => format!("avg({n})::float8"),
        MeasureOp::Min => format!("min({n})::float8"),
        MeasureOp::Max => format!("max({n})::float8"),
        MeasureOp::Count => unreachable!("counted above"),
    })
}

async fn measure_over(
    conn: &mut PgConnection,
    doc: &ViewDocument,
    measure: &Measure,
) -> CoreResult<Option<f64>> {
    let mut c = views::compile_for(conn, doc).await?;
    let agg = measure_sql(conn, &mut c, measure).await?;
    let sql = format!("SELECT {agg} FROM entity_read_model r WHERE {}", c.filter);
    Ok(views::query_with(&sql, &c.binds)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?)
}

#[allow(clippy::too_many_arguments)]
async fn kpi(
    conn: &mut PgConnection,
    source: &KpiSource,
    compare: bool,
    vars: &DashboardVariables,
    filters: &[CrossFilter],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<WidgetData> {
    // Custom plans for the actual values; no JIT (it costs more than
    // these statements take).
    sqlx::raw_sql("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off")
        .execute(&mut *conn)
        .await?;
    match source {
        KpiSource::View { view_id, measure } => {
            let doc = scope(conn, *view_id, vars, filters).await?;
            let value = measure_over(conn, &doc, measure).await?;
            let previous = if compare {
                let mut before = doc.clone();
                let created = Filter::Created(TimeCondition {
                    op: Op::Before,
                    value: Some(serde_json::Value::String(from.to_rfc3339())),
                });
                before.filter = Some(match before.filter.take() {
                    Some(f) => Filter::All(vec![f, created]),
                    None => created,
                });
                measure_over(conn, &before, measure).await?
            } else {
                None
            };
            Ok(WidgetData::Kpi {
                value,
                previous,
                unit: None,
            })
        }
        KpiSource::Metric { metric, aggregate } => {
            let doc = scope(conn, None, vars, filters).await?;
            let scope_doc = doc.filter.is_some().then_some(&doc);
            let now = metrics::totals(conn, metric, scope_doc, from, to, TotalsBy::All).await?;
            let previous = if compare {
                let span = to - from;
                metrics::totals(conn, metric, scope_doc, from - span, from, TotalsBy::All)
                    .await?
                    .first()
                    .and_then(|t| t.value(*aggregate))
            } else {
                None
            };
            let unit: Option<String> = sqlx::query_scalar(
                "SELECT max(unit) FROM metric_series WHERE metric_key = $1 AND deleted_at IS NULL",
            )
            .bind(metric)
            .fetch_one(&mut *conn)
            .await?;
            Ok(WidgetData::Kpi {
                value: now.first().and_then(|t| t.value(*aggregate)),
                previous,
                unit,
            })
        }
        KpiSource::Alerts => {
            let under = filters.iter().rev().find_map(|f| match f {
                CrossFilter::Under { entity_id } => Some(*entity_id),
                _ => None,
            });
            let under = under.or(vars.root_id);
            // Open now, and open when the range began (raised before it and
            // not yet resolved then).
            let (open, open_then): (i64, i64) = sqlx::query_as(
                "SELECT count(*) FILTER (WHERE a.status <> 'resolved'),
                        count(*) FILTER (WHERE a.raised_at < $2 AND (a.resolved_at IS NULL OR a.resolved_at >= $2))
                   FROM alerts a JOIN entity_read_model r ON r.entity_id = a.entity_id
                  WHERE a.deleted_at IS NULL
                    AND ($1::uuid IS NULL OR a.entity_id = $1 OR $1 = ANY (r.ancestor_ids))",
            )
            .bind(under)
            .bind(from)
            .fetch_one(&mut *conn)
            .await?;
            Ok(WidgetData::Kpi {
                value: Some(open as f64),
                previous: compare.then_some(open_then as f64),
                unit: None,
            })
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn groups(
    conn: &mut PgConnection,
    source: &GroupSource,
    limit: u32,
    vars: &DashboardVariables,
    filters: &[CrossFilter],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<Vec<GroupValue>> {
    // Custom plans for the actual values; no JIT (it costs more than
    // these statements take).
    sqlx::raw_sql("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off")
        .execute(&mut *conn)
        .await?;
    match source {
        GroupSource::Property {
            view_id,
            key,
            measure,
        } => {
            let doc = scope(conn, *view_id, vars, filters).await?;
            let mut c = views::compile_for(conn, &doc).await?;
            let catalog = views::catalog(conn).await?;
            let info = catalog.properties.get(key).ok_or_else(|| {
                CoreError::invalid(
                    Some("source.key"),
                    Rule::Reference,
                    format!("the property {key:?} this chart groups by was deleted or is not searchable"),
                )
            })?;
            if info.sensitive || !info.in_read_model {
                return Err(CoreError::invalid(
                    Some("source.key"),
                    Rule::State,
                    format!("{key:?} is sensitive or not searchable: charts cannot group by it"),
                ));
            }
            let agg = measure_sql(conn, &mut c, measure).await?;
            let k = c.bind(Bind::Text(key.clone()));
            let lim = c.bind(Bind::Int(i64::from(limit)));
            let sql = format!(
                "SELECT r.properties -> {k} AS key, {agg} AS value FROM entity_read_model r
                  WHERE r.properties ? {k} AND {}
                  GROUP BY 1 ORDER BY 2 DESC NULLS LAST, 1 LIMIT {lim}",
                c.filter
            );
            let rows = views::query_with(&sql, &c.binds)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|row| {
                    let key_value: Option<serde_json::Value> = row.try_get("key")?;
                    let value: Option<f64> = row.try_get("value")?;
                    let label = match &key_value {
                        None | Some(serde_json::Value::Null) => "(empty)".to_string(),
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                    };
                    Ok(GroupValue {
                        label,
                        value: value.unwrap_or(0.0),
                        filter: Some(CrossFilter::Property {
                            key: key.clone(),
                            value: key_value.unwrap_or(serde_json::Value::Null),
                        }),
                    })
                })
                .collect()
        }
        GroupSource::EntityType { view_id, measure } => {
            let doc = scope(conn, *view_id, vars, filters).await?;
            let mut c = views::compile_for(conn, &doc).await?;
            let agg = measure_sql(conn, &mut c, measure).await?;
            let lim = c.bind(Bind::Int(i64::from(limit)));
            let sql = format!(
                "SELECT t.key, t.name, g.value FROM (
                    SELECT r.entity_type_id, {agg} AS value FROM entity_read_model r WHERE {}
                     GROUP BY 1) g
                   JOIN entity_type_definitions t ON t.id = g.entity_type_id
                  ORDER BY g.value DESC NULLS LAST, t.name LIMIT {lim}",
                c.filter
            );
            let rows = views::query_with(&sql, &c.binds)
                .fetch_all(&mut *conn)
                .await?;
            rows.iter()
                .map(|row| {
                    let key: String = row.try_get("key")?;
                    Ok(GroupValue {
                        label: row.try_get("name")?,
                        value: row.try_get::<Option<f64>, _>("value")?.unwrap_or(0.0),
                        filter: Some(CrossFilter::EntityType { key }),
                    })
                })
                .collect()
        }
        GroupSource::MetricTop {
            view_id,
            metric,
            aggregate,
        } => {
            let doc = scope(conn, *view_id, vars, filters).await?;
            let scope_doc = doc.filter.is_some().then_some(&doc);
            let totals: Vec<MetricTotal> = metrics::totals(
                conn,
                metric,
                scope_doc,
                from,
                to,
                TotalsBy::Entity { limit },
            )
            .await?;
            let mut groups: Vec<GroupValue> = totals
                .iter()
                .filter_map(|t| {
                    Some(GroupValue {
                        label: t.label.clone(),
                        value: t.value(*aggregate)?,
                        filter: t
                            .entity_id
                            .map(|entity_id| CrossFilter::Under { entity_id }),
                    })
                })
                .collect();
            if *aggregate != Aggregate::Sum {
                groups.sort_by(|a, b| b.value.total_cmp(&a.value));
            }
            Ok(groups)
        }
    }
}

/// Tiles under `base` (or under every root): one or two levels, each with
/// the entities of its subtree (those the view finds, when given).
async fn treemap(
    conn: &mut PgConnection,
    base: Option<Uuid>,
    depth: u32,
    view_id: Option<Uuid>,
    vars: &DashboardVariables,
    filters: &[CrossFilter],
) -> CoreResult<Vec<TreeCount>> {
    let nodes = "WITH level1 AS (
                     SELECT entity_id, parent_id, name, descendant_count FROM entity_read_model
                      WHERE ($1::uuid IS NULL AND parent_id IS NULL) OR parent_id = $1
                      ORDER BY descendant_count DESC LIMIT 40),
                  level2 AS (
                     SELECT r.entity_id, r.parent_id, r.name, r.descendant_count FROM level1 l,
                     LATERAL (SELECT entity_id, parent_id, name, descendant_count FROM entity_read_model c
                               WHERE c.parent_id = l.entity_id AND $2 > 1
                               ORDER BY descendant_count DESC LIMIT 12) r),
                  nodes AS (SELECT * FROM level1 UNION ALL SELECT * FROM level2)";
    let narrowed = view_id.is_some()
        || filters
            .iter()
            .any(|f| !matches!(f, CrossFilter::Time { .. }));
    if !narrowed {
        let sql = format!(
            "{nodes} SELECT entity_id AS id, parent_id, name, (descendant_count + 1)::bigint AS count FROM nodes"
        );
        let mut tiles: Vec<TreeCount> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(base)
            .bind(depth as i32)
            .fetch_all(&mut *conn)
            .await?;
        tiles.retain(|t| t.count > 0);
        return Ok(tiles);
    }
    let doc = scope(conn, view_id, vars, filters).await?;
    let mut c = views::compile_for(conn, &doc).await?;
    // The compiled filter numbers its parameters from $1: the node query's
    // two come after.
    let b = c.bind(Bind::Uuids(base.into_iter().collect()));
    let d = c.bind(Bind::Int(i64::from(depth)));
    let nodes = nodes
        .replace("$1::uuid IS NULL", &format!("cardinality({b}::uuid[]) = 0"))
        .replace("parent_id = $1", &format!("parent_id = ANY ({b}::uuid[])"))
        .replace("$2 > 1", &format!("{d} > 1"));
    let sql = format!(
        "{nodes} SELECT n.entity_id AS id, n.parent_id, n.name,
                (SELECT count(*) FROM entity_read_model r
                  WHERE (r.entity_id = n.entity_id OR n.entity_id = ANY (r.ancestor_ids)) AND {}) AS count
           FROM nodes n",
        c.filter
    );
    let rows = views::query_with(&sql, &c.binds)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(TreeCount {
                id: row.try_get("id")?,
                parent_id: row.try_get("parent_id")?,
                name: row.try_get("name")?,
                count: row.try_get("count")?,
            })
        })
        .filter(|t: &CoreResult<TreeCount>| t.as_ref().map_or(true, |t| t.count > 0))
        .collect()
}
