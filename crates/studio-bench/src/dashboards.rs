//! The dashboards benchmark, on a registry with generated readings
//! (`eco-studio seed generate --metrics N`): one series over 30 days and
//! over a year, an aggregate over the 500 series of one root for 30 days, a
//! KPI over a view of about 100,000 entities, a full refresh of the
//! energy-manager dashboard (its nine widgets requested at once, as the
//! window does; over one root, then over the whole estate), and an ingest
//! of 100,000 readings.
//!
//! Floors: for a series, reading its samples in the range by the index
//! alone (`count(*)`, no bucketing); for the KPI, its statement sent raw;
//! for the refresh, one round trip per widget (`SELECT 1`); for the ingest,
//! COPY of the same rows into an unindexed temporary table.

use std::time::Instant;

use chrono::{Duration, Utc};
use serde_json::json;
use sqlx::PgPool;
use studio_core::change::Actor;
use studio_core::dashboards::{self, DashboardVariables, TimeRange, WidgetRequest};
use studio_core::error::CoreResult;
use studio_core::metrics::{self, Aggregate, Ingest, Lines, Sample, SeriesQuery};
use studio_core::views;
use uuid::Uuid;

use crate::tree::{
    measure, missing, registry_facts, result, BenchOptions, BenchReport, TargetInfo,
};

/// Readings per ingest run.
const INGEST_ROWS: usize = 100_000;

/// Runs the benchmark, calling `step` with a line of what it is doing.
pub async fn bench_dashboards(
    pool: &PgPool,
    _actor: &Actor,
    options: &BenchOptions,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<BenchReport> {
    let (postgres_version, entities) = registry_facts(pool).await?;
    step("picking a series and a root");
    let metric = metrics::generate::METRIC;
    let (series_id, entity, first, last): (
        Uuid,
        Uuid,
        chrono::DateTime<Utc>,
        chrono::DateTime<Utc>,
    ) = sqlx::query_as(
        "SELECT s.id, s.entity_id,
                    (SELECT min(ts) FROM metric_samples WHERE series_id = s.id),
                    (SELECT max(ts) FROM metric_samples WHERE series_id = s.id)
               FROM metric_series s WHERE s.metric_key = $1 AND s.deleted_at IS NULL
              ORDER BY s.id LIMIT 1",
    )
    .bind(metric)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("metric series (run `eco-studio seed generate --metrics 50000000`)"))?;
    let (root, root_series): (Uuid, i64) = sqlx::query_as(
        "SELECT root_entity_id, count(*) FROM metric_series WHERE metric_key = $1 AND deleted_at IS NULL
          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
    )
    .bind(metric)
    .fetch_one(pool)
    .await?;
    let (all_series, all_samples): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM metric_series WHERE deleted_at IS NULL),
                (SELECT reltuples::bigint FROM pg_class WHERE relname = 'metric_samples')",
    )
    .fetch_one(pool)
    .await?;
    let to = last + Duration::hours(1);
    let (n, w) = (options.iterations, options.warmup);
    let mut targets = Vec::new();
    let mut results = Vec::new();

    let one = |from| SeriesQuery {
        metric: metric.into(),
        lines: Lines::Entities {
            ids: vec![entity],
            subtree: false,
        },
        scope: None,
        aggregate: Aggregate::Sum,
        from,
        to,
        max_points: metrics::MAX_POINTS,
    };
    let floor_sql =
        "SELECT count(*) FROM metric_samples WHERE series_id = $1 AND ts >= $2 AND ts < $3";
    for (op, days, target) in [("series_30d", 30, "≤ 20 ms"), ("series_1y", 365, "≤ 50 ms")] {
        step(op);
        let from = (to - Duration::days(days)).max(first);
        let q = one(from);
        targets.push(TargetInfo {
            op,
            description: format!("{target}: one series, {days} days at most 2,000 points ({all_series} series, ~{all_samples} samples)"),
        });
        results.push(
            measure(
                op,
                n,
                w,
                || async {
                    let r = metrics::series(pool, &q).await?;
                    Ok(r.lines[0].points.len() as i64)
                },
                || async {
                    let c: i64 = sqlx::query_scalar(floor_sql)
                        .bind(series_id)
                        .bind(from)
                        .bind(to)
                        .persistent(false)
                        .fetch_one(pool)
                        .await?;
                    Ok(c)
                },
            )
            .await?,
        );
    }

    step("aggregate_500_30d");
    targets.push(TargetInfo {
        op: "aggregate_500_30d",
        description: format!(
            "≤ 200 ms: one line summing the {root_series} series under one root, 30 days"
        ),
    });
    let from = to - Duration::days(30);
    let aggregate = SeriesQuery {
        metric: metric.into(),
        lines: Lines::Entities {
            ids: vec![root],
            subtree: true,
        },
        scope: None,
        aggregate: Aggregate::Sum,
        from,
        to,
        max_points: metrics::MAX_POINTS,
    };
    results.push(
        measure(
            "aggregate_500_30d",
            n,
            w,
            || async {
                let r = metrics::series(pool, &aggregate).await?;
                Ok(r.lines[0].series)
            },
            || async {
                let c: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM metric_series s JOIN metric_samples m ON m.series_id = s.id
                      WHERE s.root_entity_id = $1 AND s.metric_key = $2 AND m.ts >= $3 AND m.ts < $4",
                )
                .bind(root)
                .bind(metric)
                .bind(from)
                .bind(to)
                .persistent(false)
                .fetch_one(pool)
                .await?;
                Ok(c)
            },
        )
        .await?,
    );

    // A KPI over about 100,000 entities: the rated power of HVAC units and
    // energy meters.
    step("kpi_view_100k");
    let kpi_view = views::parse_document(
        &json!({"version": 2, "filter": {"type": ["hvac_unit", "energy_meter"]}}).to_string(),
    )?;
    let count = views::count(pool, &kpi_view).await?.count;
    targets.push(TargetInfo {
        op: "kpi_view_100k",
        description: format!(
            "≤ 100 ms: sum of rated_power_kw over {count} entities (HVAC units and meters)"
        ),
    });
    let kpi_sql = "SELECT coalesce(sum(CASE WHEN jsonb_typeof(r.properties -> 'rated_power_kw') = 'number'
                                  THEN (r.properties ->> 'rated_power_kw')::numeric END), 0)::float8
                     FROM entity_read_model r JOIN entity_type_definitions t ON t.id = r.entity_type_id
                    WHERE t.key IN ('hvac_unit', 'energy_meter')";
    // The KPI reads the view's document through a saved view made for the
    // run (deleted after).
    let view = views::create_view(
        pool,
        _actor,
        &views::NewView {
            name: "Bench: HVAC units and meters".into(),
            key: None,
            description: None,
            shared: true,
            root_id: None,
            document: kpi_view,
        },
    )
    .await?
    .value;
    let kpi = WidgetRequest {
        config: dashboards::WidgetConfig::Kpi {
            source: dashboards::KpiSource::View {
                view_id: Some(view.id),
                measure: dashboards::Measure {
                    op: dashboards::MeasureOp::Sum,
                    property: Some("rated_power_kw".into()),
                },
            },
            compare: false,
        },
        variables: DashboardVariables::default(),
        filters: Vec::new(),
        max_points: None,
    };
    let measured = measure(
        "kpi_view_100k",
        n,
        w,
        || async {
            match dashboards::widget_data(pool, &kpi).await? {
                dashboards::WidgetData::Kpi { value, .. } => Ok(value.unwrap_or(0.0) as i64),
                _ => Ok(0),
            }
        },
        || async {
            let v: f64 = sqlx::query_scalar(kpi_sql)
                .persistent(false)
                .fetch_one(pool)
                .await?;
            Ok(v as i64)
        },
    )
    .await;
    let _ = views::delete_view(
        pool,
        _actor,
        &studio_core::records::VersionedId {
            id: view.id,
            expected_updated_at: view.updated_at,
        },
    )
    .await?;
    results.push(measured?);

    // The energy manager's nine widgets over the sites of the root, all
    // requested at once as the window does (each on its own connection):
    // once with the root as the dashboard's root, once over the whole estate.
    let sites: Vec<Uuid> = sqlx::query_scalar(
        "SELECT r.entity_id FROM entity_read_model r
           JOIN entity_type_definitions t ON t.id = r.entity_type_id AND t.key = 'site'
          WHERE r.root_id = $1 ORDER BY r.path_label LIMIT 6",
    )
    .bind(root)
    .fetch_all(pool)
    .await?;
    let widgets = studio_core::demo::energy_manager_widgets(&sites);
    let under_root: i64 =
        sqlx::query_scalar("SELECT count(*) FROM entity_read_model WHERE root_id = $1")
            .bind(root)
            .fetch_one(pool)
            .await?;
    for (op, root_id, what) in [
        (
            "dashboard_refresh_root",
            Some(root),
            format!("the root's {under_root} entities"),
        ),
        (
            "dashboard_refresh_estate",
            None,
            format!("all {entities} entities"),
        ),
    ] {
        step(op);
        targets.push(TargetInfo {
            op,
            description: format!(
                "≤ 300 ms: the energy manager's {} widgets at once over {what}, 30 days",
                widgets.len()
            ),
        });
        let variables = DashboardVariables {
            root_id,
            range: TimeRange::Between { from, to },
            ..DashboardVariables::default()
        };
        let requests: Vec<WidgetRequest> = widgets
            .iter()
            .map(|w| WidgetRequest {
                config: w.config.clone(),
                variables: variables.clone(),
                filters: Vec::new(),
                max_points: Some(1_000),
            })
            .collect();
        results.push(
            measure(
                op,
                (n / 3).max(1),
                w,
                || async {
                    let mut running = tokio::task::JoinSet::new();
                    for r in requests.clone() {
                        let pool = pool.clone();
                        running.spawn(async move { dashboards::widget_data(&pool, &r).await });
                    }
                    while let Some(done) = running.join_next().await {
                        done.map_err(|e| studio_core::CoreError::Database(e.to_string()))??;
                    }
                    Ok(requests.len() as i64)
                },
                || async {
                    let mut running = tokio::task::JoinSet::new();
                    for _ in &requests {
                        let pool = pool.clone();
                        running.spawn(async move { sqlx::query("SELECT 1").execute(&pool).await });
                    }
                    while let Some(done) = running.join_next().await {
                        done.map_err(|e| studio_core::CoreError::Database(e.to_string()))??;
                    }
                    Ok(requests.len() as i64)
                },
            )
            .await?,
        );
    }

    // Ingest: 100,000 new readings of a series made for the run, in a
    // transaction rolled back each time.
    step("ingest_100k");
    targets.push(TargetInfo {
        op: "ingest_100k",
        description: "≥ 200,000 readings/s: 100,000 readings through the import path (COPY, key-ordered insert, rollups)".into(),
    });
    let runs = (n / 5).max(2);
    let mut core = Vec::new();
    let mut floor = Vec::new();
    for i in 0..runs {
        let mut tx = pool.begin().await?;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO metric_series (id, entity_id, root_entity_id, metric_key, unit, created_at, updated_at)
             VALUES ($1, $2, (SELECT root_id FROM entity_read_model WHERE entity_id = $2), 'bench.ingest', 'kWh', now(), now())",
        )
        .bind(id)
        .bind(entity)
        .execute(&mut *tx)
        .await?;
        let start_at = Utc::now() - Duration::hours(INGEST_ROWS as i64 + i as i64);
        let rows: Vec<Sample> = (0..INGEST_ROWS)
            .map(|h| Sample {
                series_id: id,
                ts: start_at + Duration::hours(h as i64),
                value: (h % 97) as f64 * 0.5,
            })
            .collect();
        let started = Instant::now();
        let mut ingest = Ingest::new();
        ingest.push(&mut tx, &rows).await?;
        ingest.finish(&mut tx).await?;
        core.push(started.elapsed());
        tx.rollback().await?;

        let mut tx = pool.begin().await?;
        sqlx::query("CREATE TEMPORARY TABLE bench_copy (series_id uuid, ts timestamptz, value float8) ON COMMIT DROP")
            .execute(&mut *tx)
            .await?;
        let started = Instant::now();
        let mut text = String::with_capacity(rows.len() * 72);
        for s in &rows {
            use std::fmt::Write as _;
            let _ = writeln!(
                text,
                "{}\t{}\t{:?}",
                s.series_id,
                s.ts.format("%Y-%m-%d %H:%M:%S%.6f+00"),
                s.value
            );
        }
        let mut copy = tx.copy_in_raw("COPY bench_copy FROM STDIN").await?;
        copy.send(text.into_bytes()).await?;
        copy.finish().await?;
        floor.push(started.elapsed());
        tx.rollback().await?;
    }
    results.push(result(
        "ingest_100k",
        &mut core,
        &mut floor,
        INGEST_ROWS as i64,
    ));

    Ok(BenchReport {
        postgres_version,
        entities,
        targets,
        results,
    })
}
