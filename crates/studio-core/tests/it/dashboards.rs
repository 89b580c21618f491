//! Dashboards, metrics and alerts against a real database: importing
//! readings (bad records by line and kind, all-or-nothing or skipping,
//! idempotence, rollups), bucketed series and totals, dashboards saved
//! under the concurrency check, a widget over a deleted view failing alone,
//! alert transitions, the demo dashboard computing, and a scoped person
//! seeing no other tenant's samples, alerts or widget data.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sqlx::PgPool;
use studio_core::alerts::{self, AlertFilter, AlertLevel, AlertStatus, RaiseAlert};
use studio_core::dashboards::{
    self, CrossFilter, DashboardVariables, GroupSource, Measure, MeasureOp, SaveDashboard,
    TimeRange, WidgetConfig, WidgetData, WidgetInput, WidgetLayout, WidgetLines, WidgetRequest,
};
use studio_core::metrics::{
    self, Aggregate, ImportFormat, ImportOptions, ImportProblemKind, ImportReport, Lines,
    OnBadRows, SampleSource, SeriesQuery, TotalsBy,
};
use studio_core::people::{self, Capability, GrantScope, Login, NewPerson};
use studio_core::progress::CancelToken;
use studio_core::records::VersionedId;
use studio_core::testing::{test_db, TestDb};
use studio_core::views::{self, NewView};
use studio_core::{db, demo, Actor, CoreError, Rule, Source};
use uuid::Uuid;

fn owner() -> Actor {
    Actor::new(None, Source::Test)
}

async fn import_text(
    pool: &PgPool,
    text: &str,
    format: ImportFormat,
    on_bad_rows: OnBadRows,
) -> ImportReport {
    metrics::import(
        pool,
        &owner(),
        text.as_bytes(),
        Some(text.len() as u64),
        ImportOptions {
            format,
            on_bad_rows,
        },
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .expect("the import runs")
    .value
}

async fn samples(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM metric_samples")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Two meters of the demo (path labels) under Northwind.
async fn two_meters(pool: &PgPool) -> (String, String) {
    let labels: Vec<String> = sqlx::query_scalar(
        "SELECT r.path_label FROM entity_read_model r
           JOIN entity_type_definitions t ON t.id = r.entity_type_id AND t.key = 'energy_meter'
          WHERE r.path_label LIKE 'northwind_energy.%' ORDER BY r.path_label LIMIT 2",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (labels[0].clone(), labels[1].clone())
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap()
}

#[tokio::test]
async fn an_import_reports_bad_records_by_line_and_stores_all_or_none_as_chosen() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let (m1, m2) = two_meters(pool).await;
    let before = samples(pool).await;
    let csv = format!(
        "entity,metric,time,value,unit\n\
         {m1},site.water,2026-01-05T00:00:00Z,1.5,m3\n\
         {m1},site.water,2026-01-05 01:00:00,2.5,\n\
         no.such.entity,site.water,2026-01-05T02:00:00Z,1,\n\
         {m2},site.water,yesterday,1,\n\
         {m2},site.water,2026-01-05T03:00:00Z,NaN,\n\
         {m1},site.water,2026-01-05T00:00:00Z,9,\n\
         {m2},Site Water,2026-01-05T03:00:00Z,1,\n\
         {m2},site.water,,1,\n\
         {m2},site.water,2026-01-05T04:00:00Z,4,kWh\n"
    );
    let aborted = import_text(pool, &csv, ImportFormat::Csv, OnBadRows::Abort).await;
    assert!(!aborted.committed, "bad records abort the import");
    assert_eq!(
        samples(pool).await,
        before,
        "an aborted import stores nothing"
    );
    let kinds: Vec<(i64, ImportProblemKind)> =
        aborted.problems.iter().map(|p| (p.line, p.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (4, ImportProblemKind::UnknownEntity),
            (5, ImportProblemKind::BadTime),
            (6, ImportProblemKind::BadValue),
            (8, ImportProblemKind::BadMetric),
            (9, ImportProblemKind::Malformed),
            (7, ImportProblemKind::Duplicate),
        ],
        "each bad record by its line and kind: {:?}",
        aborted.problems
    );
    let series: i64 =
        sqlx::query_scalar("SELECT count(*) FROM metric_series WHERE metric_key = 'site.water'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(series, 0, "no series is left behind by an aborted import");

    let skipped = import_text(pool, &csv, ImportFormat::Csv, OnBadRows::Skip).await;
    assert!(skipped.committed);
    assert_eq!(
        skipped.inserted, 3,
        "the good records are stored: {skipped:?}"
    );
    assert_eq!(skipped.problem_count, 6);
    assert_eq!(skipped.series_created, 2);
    assert_eq!(samples(pool).await, before + 3);

    let again = import_text(pool, &csv, ImportFormat::Csv, OnBadRows::Skip).await;
    assert_eq!(
        again.inserted, 0,
        "a second import of the same file adds nothing"
    );
    assert_eq!(again.already_present, 3);
    assert_eq!(samples(pool).await, before + 3);

    // A unit other than the series' is refused; JSON lines and arrays read alike.
    let lines = format!(
        "{{\"entity\": \"{m1}\", \"metric\": \"site.water\", \"time\": \"2026-01-05T05:00:00Z\", \"value\": 3, \"unit\": \"l\"}}\n\
         {{\"entity\": \"{m1}\", \"metric\": \"site.water\", \"time\": \"2026-01-05T06:00:00Z\", \"value\": 6}}\n"
    );
    let json = import_text(pool, &lines, ImportFormat::Json, OnBadRows::Skip).await;
    assert_eq!(json.inserted, 1);
    assert_eq!(json.problems[0].kind, ImportProblemKind::UnitMismatch);
    let array = format!("[{{\"entity\": \"{m1}\", \"metric\": \"site.water\", \"time\": \"2026-01-05T07:00:00Z\", \"value\": 7}}]");
    assert_eq!(
        import_text(pool, &array, ImportFormat::Json, OnBadRows::Abort)
            .await
            .inserted,
        1
    );

    // The daily rollup of the meter's day matches its samples.
    let (n, sum): (i64, f64) = sqlx::query_as(
        "SELECT d.n::bigint, d.sum_value FROM metric_rollups_daily d JOIN metric_series s ON s.id = d.series_id
          JOIN entity_read_model r ON r.entity_id = s.entity_id
         WHERE r.path_label = $1 AND s.metric_key = 'site.water' AND d.day = '2026-01-05T00:00:00Z'",
    )
    .bind(&m1)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (n, sum),
        (4, 1.5 + 2.5 + 6.0 + 7.0),
        "the rollup is recomputed after each import"
    );

    // A header without the needed columns is refused before anything runs.
    let err = metrics::import(
        pool,
        &owner(),
        "meter,when,reading\n".as_bytes(),
        None,
        ImportOptions {
            format: ImportFormat::Csv,
            on_bad_rows: OnBadRows::Skip,
        },
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .expect_err("a header without entity, metric, time, value");
    assert!(
        matches!(err, CoreError::Validation(ref v) if v.rule == Rule::Format),
        "{err:?}"
    );
}

/// A series of hourly readings with one spike, imported through the CSV path.
async fn hourly_series(pool: &PgPool, label: &str, hours: i64, spike_at: i64) {
    let mut csv = String::from("entity,metric,time,value\n");
    for h in 0..hours {
        let value = if h == spike_at {
            500.0
        } else {
            1.0 + (h % 24) as f64
        };
        csv.push_str(&format!(
            "{label},test.kwh,{},{value}\n",
            (t0() + Duration::hours(h)).to_rfc3339()
        ));
    }
    let report = import_text(pool, &csv, ImportFormat::Csv, OnBadRows::Abort).await;
    assert_eq!(report.inserted, hours);
}

#[tokio::test]
async fn series_are_bucketed_to_the_points_asked_peaks_survive_and_totals_agree_with_rollups() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let (m1, _) = two_meters(pool).await;
    let hours = 24 * 400;
    hourly_series(pool, &m1, hours, 1_234).await;
    let entity = alerts::entity_by_reference(pool, &m1).await.unwrap();
    let query = |from: DateTime<Utc>, to: DateTime<Utc>, max_points: u32| SeriesQuery {
        metric: "test.kwh".into(),
        lines: Lines::Entities {
            ids: vec![entity],
            subtree: false,
        },
        scope: None,
        aggregate: Aggregate::Sum,
        from,
        to,
        max_points,
    };
    let year = metrics::series(pool, &query(t0(), t0() + Duration::days(365), 200))
        .await
        .unwrap();
    let line = &year.lines[0];
    assert_eq!(line.series, 1);
    assert!(
        line.points.len() <= 202,
        "at most the points asked (and the partial days): {}",
        line.points.len()
    );
    assert_eq!(
        year.source,
        SampleSource::DailyRollups,
        "a year in 200 points is read from the rollups"
    );
    let peak = line.points.iter().map(|p| p.max).fold(0.0, f64::max);
    assert_eq!(
        peak, 500.0,
        "the spike survives bucketing as its bucket's maximum"
    );
    let total: f64 = line.points.iter().map(|p| p.value).sum();

    let month = metrics::series(pool, &query(t0(), t0() + Duration::days(30), 2_000))
        .await
        .unwrap();
    assert_eq!(month.source, SampleSource::Samples);
    assert_eq!(
        month.lines[0].points.len(),
        720,
        "hourly readings in half-hour buckets: one point an hour"
    );

    // Totals: whole days from the rollups and the partial edges raw agree
    // with summing the samples themselves.
    let mut conn = pool.acquire().await.unwrap();
    let from = t0() + Duration::hours(5);
    let to = t0() + Duration::days(365);
    let totals = metrics::totals(&mut conn, "test.kwh", None, from, to, TotalsBy::All)
        .await
        .unwrap();
    let raw: f64 = sqlx::query_scalar(
        "SELECT sum(value) FROM metric_samples m JOIN metric_series s ON s.id = m.series_id
          WHERE s.metric_key = 'test.kwh' AND m.ts >= $1 AND m.ts < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(
        (totals[0].sum - raw).abs() < 1e-6,
        "totals {} must equal the samples' sum {raw}",
        totals[0].sum
    );
    assert!((total - totals[0].sum).abs() > 0.0 || total > 0.0);

    let bad = metrics::series(pool, &query(t0(), t0(), 100))
        .await
        .expect_err("an empty range");
    assert!(matches!(bad, CoreError::Validation(ref v) if v.rule == Rule::Range));
}

fn markdown(x: u32, text: &str) -> WidgetInput {
    WidgetInput {
        id: None,
        title: Some(format!("Note {x}")),
        layout: WidgetLayout {
            x,
            y: 0,
            w: 2,
            h: 1,
        },
        config: WidgetConfig::Markdown { text: text.into() },
    }
}

fn new_dashboard(name: &str, widgets: Vec<WidgetInput>) -> SaveDashboard {
    SaveDashboard {
        id: None,
        expected_updated_at: None,
        key: None,
        name: name.into(),
        description: None,
        shared: true,
        root_id: None,
        refresh_seconds: Some(30),
        variables: DashboardVariables::default(),
        widgets,
    }
}

#[tokio::test]
async fn a_dashboard_saved_by_two_editors_conflicts_and_a_widget_over_a_deleted_view_fails_alone() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let created = dashboards::save(
        pool,
        &owner(),
        &new_dashboard("Plant", vec![markdown(0, "a"), markdown(2, "b")]),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(created.widgets.len(), 2);

    // Both load it; the first moves a widget and drops the other; the second's save conflicts.
    let mut first = new_dashboard("Plant", Vec::new());
    first.id = Some(created.id);
    first.expected_updated_at = Some(created.updated_at);
    first.widgets = vec![WidgetInput {
        id: Some(created.widgets[0].id),
        title: None,
        layout: WidgetLayout {
            x: 6,
            y: 3,
            w: 4,
            h: 2,
        },
        config: created.widgets[0].config.clone(),
    }];
    let saved = dashboards::save(pool, &owner(), &first)
        .await
        .unwrap()
        .value;
    assert_eq!(saved.widgets.len(), 1);
    assert_eq!(
        saved.widgets[0].layout,
        WidgetLayout {
            x: 6,
            y: 3,
            w: 4,
            h: 2
        }
    );
    let mut second = first.clone();
    second.name = "Plant (mine)".into();
    let err = dashboards::save(pool, &owner(), &second)
        .await
        .expect_err("a stale save");
    assert!(matches!(err, CoreError::Conflict { .. }), "{err:?}");
    assert_eq!(
        dashboards::get(pool, created.id).await.unwrap().name,
        "Plant",
        "nothing was overwritten"
    );

    // A widget too small or off the grid is refused, changing nothing.
    let mut bad = first.clone();
    bad.expected_updated_at = Some(saved.updated_at);
    bad.widgets[0].layout = WidgetLayout {
        x: 11,
        y: 0,
        w: 4,
        h: 2,
    };
    let err = dashboards::save(pool, &owner(), &bad)
        .await
        .expect_err("off the grid");
    assert!(
        matches!(err, CoreError::Validation(ref v) if v.field.as_deref() == Some("widgets.0.layout"))
    );

    // A pie over a saved view: fine, then the view is deleted and only that widget fails.
    let doc =
        views::parse_document(r#"{"version": 2, "filter": {"type": ["hvac_unit"]}}"#).unwrap();
    let view = views::create_view(
        pool,
        &owner(),
        &NewView {
            name: "HVAC".into(),
            key: None,
            description: None,
            shared: true,
            root_id: None,
            document: doc,
        },
    )
    .await
    .unwrap()
    .value;
    let pie = WidgetConfig::Pie {
        source: GroupSource::Property {
            view_id: Some(view.id),
            key: "status".into(),
            measure: Measure {
                op: MeasureOp::Count,
                property: None,
            },
        },
        limit: 10,
    };
    let request = |config: WidgetConfig, filters: Vec<CrossFilter>| WidgetRequest {
        config,
        variables: DashboardVariables::default(),
        filters,
        max_points: None,
    };
    let WidgetData::Groups { groups } =
        dashboards::widget_data(pool, &request(pie.clone(), vec![]))
            .await
            .unwrap()
    else {
        panic!("a pie's data is groups")
    };
    let hvac_units: i64 = groups.iter().map(|g| g.value as i64).sum();
    assert!(hvac_units > 0);
    // Cross-filtering by one slice narrows the other widgets to it.
    let first_slice = groups[0].filter.clone().expect("a slice filters");
    let WidgetData::Groups { groups: narrowed } =
        dashboards::widget_data(pool, &request(pie.clone(), vec![first_slice]))
            .await
            .unwrap()
    else {
        panic!()
    };
    assert_eq!(narrowed.len(), 1, "filtered to its own slice: {narrowed:?}");
    assert_eq!(narrowed[0].value, groups[0].value);

    let _ = views::delete_view(
        pool,
        &owner(),
        &VersionedId {
            id: view.id,
            expected_updated_at: view.updated_at,
        },
    )
    .await
    .unwrap();
    let err = dashboards::widget_data(pool, &request(pie, vec![]))
        .await
        .expect_err("the view is gone");
    assert!(
        matches!(err, CoreError::Validation(ref v) if v.rule == Rule::Reference && v.message.contains("HVAC")),
        "a clear error naming the deleted view: {err:?}"
    );
    let note = WidgetConfig::Markdown {
        text: "still here".into(),
    };
    assert!(
        dashboards::widget_data(pool, &request(note, vec![]))
            .await
            .is_ok(),
        "other widgets keep working"
    );

    // Deleting and restoring follow the version check too.
    let current = dashboards::get(pool, created.id).await.unwrap();
    let gone = dashboards::delete(
        pool,
        &owner(),
        &VersionedId {
            id: current.id,
            expected_updated_at: current.updated_at,
        },
    )
    .await
    .unwrap()
    .value;
    assert!(dashboards::list(pool)
        .await
        .unwrap()
        .iter()
        .all(|d| d.id != created.id));
    let _ = dashboards::restore(
        pool,
        &owner(),
        &VersionedId {
            id: gone.id,
            expected_updated_at: gone.updated_at,
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn alerts_move_pending_acknowledged_resolved_and_refuse_stale_or_backward_steps() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let (m1, _) = two_meters(pool).await;
    let entity = alerts::entity_by_reference(pool, &m1).await.unwrap();
    let raised = alerts::raise(
        pool,
        &owner(),
        &RaiseAlert {
            entity_id: entity,
            level: AlertLevel::Critical,
            message: "  Breaker tripped ".into(),
        },
    )
    .await
    .unwrap()
    .value;
    assert_eq!(
        (raised.status, raised.message.as_str()),
        (AlertStatus::Pending, "Breaker tripped")
    );
    let v = |a: &alerts::Alert| VersionedId {
        id: a.id,
        expected_updated_at: a.updated_at,
    };
    let acked = alerts::transition(pool, &owner(), &v(&raised), AlertStatus::Acknowledged)
        .await
        .unwrap()
        .value;
    assert!(acked.acknowledged_at.is_some());
    let stale = alerts::transition(pool, &owner(), &v(&raised), AlertStatus::Resolved)
        .await
        .expect_err("stale");
    assert!(matches!(stale, CoreError::Conflict { .. }));
    let back = alerts::transition(pool, &owner(), &v(&acked), AlertStatus::Acknowledged)
        .await
        .expect_err("again");
    assert!(matches!(back, CoreError::Validation(ref v) if v.rule == Rule::State));
    let resolved = alerts::transition(pool, &owner(), &v(&acked), AlertStatus::Resolved)
        .await
        .unwrap()
        .value;
    assert_eq!(resolved.status, AlertStatus::Resolved);
    let open = alerts::list(
        pool,
        &AlertFilter {
            entity_id: Some(entity),
            ..AlertFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(
        open.iter().all(|a| a.id != raised.id),
        "a resolved alert is not open"
    );
    let empty = alerts::raise(
        pool,
        &owner(),
        &RaiseAlert {
            entity_id: entity,
            level: AlertLevel::Info,
            message: "   ".into(),
        },
    )
    .await
    .expect_err("no message");
    assert!(matches!(empty, CoreError::Validation(ref v) if v.field.as_deref() == Some("message")));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE record_id = $1 ORDER BY occurred_at, id",
    )
    .bind(raised.id)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["alert.raise", "alert.acknowledge", "alert.resolve"]
    );
}

#[tokio::test]
async fn the_demo_dashboard_shows_real_data_in_every_widget() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let dashboard = dashboards::by_key(pool, demo::DASHBOARD_KEY)
        .await
        .unwrap()
        .expect("the demo dashboard");
    assert_eq!(dashboard.widgets.len(), 9);
    for w in &dashboard.widgets {
        let data = dashboards::widget_data(
            pool,
            &WidgetRequest {
                config: w.config.clone(),
                variables: dashboard.variables.clone(),
                filters: Vec::new(),
                max_points: Some(800),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{:?}: {e:?}", w.title));
        let has_data = match &data {
            WidgetData::Kpi { value, .. } => value.is_some_and(|v| v > 0.0),
            WidgetData::Groups { groups } => !groups.is_empty(),
            WidgetData::Series { series } => {
                series.lines.len() == 6 && series.lines.iter().all(|l| l.points.len() >= 600)
            }
            WidgetData::Alerts { alerts } => alerts.len() == 3,
            WidgetData::Treemap { tiles } => tiles.len() > 3,
            WidgetData::Markdown { text } => !text.is_empty(),
            WidgetData::Table { page, .. } => !page.rows.is_empty(),
        };
        assert!(has_data, "{:?} shows data: {data:?}", w.title);
    }
}

async fn scoped_person(db: &TestDb, root: Uuid) -> PgPool {
    let role = format!("reader_{}", &db.name[db.name.len() - 12..]);
    let added = people::add_person(
        &db.pool,
        &owner(),
        &NewPerson {
            role: role.clone(),
            display_name: "Reader".into(),
            email: None,
            login: Login::NewRoleWithoutPassword,
            is_admin: false,
        },
    )
    .await
    .unwrap()
    .value;
    let _ = people::grant_scope(
        &db.pool,
        &owner(),
        &GrantScope {
            user_id: added.person.id,
            root_id: root,
            capabilities: vec![Capability::Read],
        },
    )
    .await
    .unwrap();
    db::connect(&db::with_user(&db.url, &role).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scoped_person_sees_no_sample_alert_or_widget_data_outside_their_roots() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let northwind = people::root_by_label(pool, "northwind_energy")
        .await
        .unwrap()
        .unwrap();
    let helios = people::root_by_label(pool, "helios_facilities")
        .await
        .unwrap()
        .unwrap();
    let reader = scoped_person(&db, northwind).await;

    let helios_samples: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM metric_samples m JOIN metric_series s ON s.id = m.series_id WHERE s.root_entity_id = $1",
    )
    .bind(helios)
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(helios_samples > 10_000, "the demo has Helios readings");
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM metric_samples")
        .fetch_one(&reader)
        .await
        .unwrap();
    let northwind_samples: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM metric_samples m JOIN metric_series s ON s.id = m.series_id WHERE s.root_entity_id = $1",
    )
    .bind(northwind)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        seen, northwind_samples,
        "the reader counts only Northwind's samples"
    );
    let rollups: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM metric_rollups_daily d WHERE NOT EXISTS
            (SELECT 1 FROM metric_series s WHERE s.id = d.series_id AND s.root_entity_id = $1)",
    )
    .bind(northwind)
    .fetch_one(&reader)
    .await
    .unwrap();
    assert_eq!(rollups, 0);

    // Widgets: a line per tenant (subtree) and the top consumers.
    let request = |config: WidgetConfig| WidgetRequest {
        config,
        variables: DashboardVariables {
            range: TimeRange::Last { hours: 24 * 30 },
            ..DashboardVariables::default()
        },
        filters: Vec::new(),
        max_points: Some(300),
    };
    let lines = WidgetConfig::TimeSeries {
        metric: metrics::generate::METRIC.into(),
        lines: WidgetLines::Entities {
            ids: vec![northwind, helios],
            subtree: true,
        },
        aggregate: Aggregate::Sum,
        area: false,
    };
    let WidgetData::Series { series } = dashboards::widget_data(&reader, &request(lines.clone()))
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(
        !series.lines[0].points.is_empty(),
        "Northwind's line has points"
    );
    assert!(
        series.lines[1].points.is_empty(),
        "Helios's line is empty for the reader"
    );
    assert_eq!(series.lines[1].series, 0);
    let WidgetData::Series { series: as_owner } = dashboards::widget_data(pool, &request(lines))
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(
        !as_owner.lines[1].points.is_empty(),
        "the owner sees Helios's line"
    );

    let top = WidgetConfig::Bar {
        source: GroupSource::MetricTop {
            view_id: None,
            metric: metrics::generate::METRIC.into(),
            aggregate: Aggregate::Sum,
        },
        limit: 100,
    };
    let WidgetData::Groups { groups } = dashboards::widget_data(&reader, &request(top))
        .await
        .unwrap()
    else {
        panic!()
    };
    let helios_labels: Vec<String> = sqlx::query_scalar(
        "SELECT r.name FROM entity_read_model r JOIN metric_series s ON s.entity_id = r.entity_id
          WHERE s.root_entity_id = $1",
    )
    .bind(helios)
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!groups.is_empty());
    for g in &groups {
        let CrossFilter::Under { entity_id } = g.filter.clone().unwrap() else {
            panic!()
        };
        let root: Uuid =
            sqlx::query_scalar("SELECT root_id FROM entity_read_model WHERE entity_id = $1")
                .bind(entity_id)
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(root, northwind, "{} is not the reader's", g.label);
    }
    assert!(!helios_labels.is_empty());

    // Alerts: none of Helios's, and raising one there is refused.
    let alerts_seen = alerts::list(&reader, &AlertFilter::default())
        .await
        .unwrap();
    assert!(alerts_seen.iter().all(|a| a.root_entity_id == northwind));
    let helios_meter: Uuid = sqlx::query_scalar(
        "SELECT s.entity_id FROM metric_series s WHERE s.root_entity_id = $1 LIMIT 1",
    )
    .bind(helios)
    .fetch_one(pool)
    .await
    .unwrap();
    let actor = Actor::for_session(&reader, Source::Test).await.unwrap();
    let err = alerts::raise(
        &reader,
        &actor,
        &RaiseAlert {
            entity_id: helios_meter,
            level: AlertLevel::Info,
            message: "x".into(),
        },
    )
    .await
    .expect_err("not the reader's entity");
    assert!(matches!(err, CoreError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn purging_a_meter_removes_its_readings_and_alerts() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let (m1, _) = two_meters(pool).await;
    let room = studio_core::registry::get_entity(
        pool,
        alerts::entity_by_reference(pool, &m1).await.unwrap(),
    )
    .await
    .unwrap()
    .node
    .parent_id;
    // A meter of its own (the demo's have tags and relationships, which
    // block a purge by design), with readings and an alert.
    let meter = studio_core::registry::create(
        pool,
        &owner(),
        &studio_core::registry::CreateEntity {
            type_key: "energy_meter".into(),
            parent_id: room,
            name: "Spare meter".into(),
        },
    )
    .await
    .unwrap()
    .value
    .id;
    let mut csv = String::from("entity,metric,time,value\n");
    for h in 0..48 {
        csv.push_str(&format!(
            "{meter},energy.kwh,{},{h}\n",
            (t0() + Duration::hours(h)).to_rfc3339()
        ));
    }
    assert_eq!(
        import_text(pool, &csv, ImportFormat::Csv, OnBadRows::Abort)
            .await
            .inserted,
        48
    );
    let _ = alerts::raise(
        pool,
        &owner(),
        &RaiseAlert {
            entity_id: meter,
            level: AlertLevel::Warning,
            message: "Drifting".into(),
        },
    )
    .await
    .unwrap();
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(meter)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let samples_sql = "SELECT count(*) FROM metric_samples m JOIN metric_series s ON s.id = m.series_id WHERE s.entity_id = $1";
    assert_eq!(count(samples_sql).await, 48, "the meter has its readings");
    let node = studio_core::registry::get_entity(pool, meter)
        .await
        .unwrap();
    let _ = studio_core::registry::delete(
        pool,
        &owner(),
        &VersionedId {
            id: meter,
            expected_updated_at: node.node.updated_at,
        },
    )
    .await
    .unwrap();
    let before = samples(pool).await;
    let _ = studio_core::registry::purge(
        pool,
        &owner(),
        meter,
        &studio_core::registry::PurgePolicy {
            retention: Duration::zero(),
        },
    )
    .await
    .expect("readings and alerts do not block a purge");
    assert_eq!(count(samples_sql).await, 0);
    assert!(samples(pool).await < before);
    assert_eq!(
        count("SELECT count(*) FROM metric_series WHERE entity_id = $1").await,
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM alerts WHERE entity_id = $1").await,
        0
    );
    let orphans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM metric_rollups_daily d WHERE NOT EXISTS (SELECT 1 FROM metric_series s WHERE s.id = d.series_id)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
}
