//! The views benchmark: three reference views over the generated registry
//! (V1: one tenant, HVAC units, a rated-power range, status active and a
//! tag, newest installation first; V2: V1 without the tag; V3: V2 across
//! every tenant), each timed for its first page, its count, its 100th page
//! by keyset, beside its floor: the SQL the compiler emits, sent as it is
//! (unprepared, no transaction). Then an export of 100,000 rows as CSV
//! (rows formatted and written to nowhere), beside its statement read raw.

use std::time::Instant;

use serde_json::json;
use sqlx::PgPool;
use studio_core::change::Actor;
use studio_core::error::CoreResult;
use studio_core::views::{self, Cursor, ViewDocument};
use uuid::Uuid;

use crate::tree::{
    measure, missing, registry_facts, result, BenchOptions, BenchReport, TargetInfo,
};

/// Rows the export writes.
const EXPORT_ROWS: u64 = 100_000;
/// Rows per page of the reference views.
const PAGE: u32 = 50;

fn document(filter: serde_json::Value, sort: serde_json::Value) -> CoreResult<ViewDocument> {
    views::parse_document(
        &json!({"version": 2, "filter": filter, "sort": sort, "pageSize": PAGE,
                "columns": [{"field": "name"}, {"field": "pathLabel"}, {"field": "property:rated_power_kw"},
                            {"field": "property:status"}, {"field": "property:install_date"}]})
        .to_string(),
    )
}

/// Runs the benchmark, calling `step` with a line of what it is doing.
pub async fn bench_views(
    pool: &PgPool,
    _actor: &Actor,
    options: &BenchOptions,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<BenchReport> {
    let (postgres_version, entities) = registry_facts(pool).await?;
    step("picking the tenant and the tag");
    // The tenant with the most HVAC units, and their most common tag.
    let (tenant, units): (Uuid, i64) = sqlx::query_as(
        "SELECT r.root_id, count(*) FROM entity_read_model r
           JOIN entity_type_definitions t ON t.id = r.entity_type_id AND t.key = 'hvac_unit'
          GROUP BY r.root_id ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("HVAC unit"))?;
    let tag: Uuid = sqlx::query_scalar(
        "SELECT t FROM entity_read_model r
           JOIN entity_type_definitions d ON d.id = r.entity_type_id AND d.key = 'hvac_unit',
                unnest(r.tag_ids) t
          WHERE r.root_id = $1 GROUP BY t ORDER BY count(*) DESC LIMIT 1",
    )
    .bind(tenant)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("tagged HVAC unit"))?;

    let base = vec![
        json!({"type": ["hvac_unit"]}),
        json!({"property": {"key": "rated_power_kw", "op": "between", "value": ["5", "400"]}}),
        json!({"property": {"key": "status", "op": "in", "value": ["active"]}}),
    ];
    let sort = json!([{"field": "property:install_date", "descending": true}]);
    let mut v1 = base.clone();
    v1.push(json!({"under": tenant}));
    v1.push(json!({"tag": {"match": "any", "tags": [tag]}}));
    let mut v2 = base.clone();
    v2.push(json!({"under": tenant}));
    let reference = [
        ("v1", document(json!({"all": v1}), sort.clone())?),
        ("v2", document(json!({"all": v2}), sort.clone())?),
        ("v3", document(json!({"all": base}), sort.clone())?),
    ];

    let mut targets = Vec::new();
    let mut results = Vec::new();
    let (n, w) = (options.iterations, options.warmup);
    for (name, doc) in &reference {
        let count = views::count(pool, doc).await?;
        targets.push(TargetInfo {
            op: leak(format!("{name}_first_page")),
            description: format!(
                "{} rows{} ({units} HVAC units in the tenant)",
                count.count,
                if count.exact { "" } else { " (estimated)" }
            ),
        });
        let mut conn = pool.acquire().await?;
        let compiled = views::compile_for(&mut conn, doc).await?;
        drop(conn);

        step(&format!("{name}: first page"));
        let (first_sql, first_binds) = views::page_sql(&compiled, None)?;
        results.push(
            measure(
                &format!("{name}_first_page"),
                n,
                w,
                || async { Ok(views::page(pool, doc, None).await?.rows.len() as i64) },
                || views::run_raw(pool, &first_sql, &first_binds, false),
            )
            .await?,
        );

        step(&format!("{name}: count"));
        let (count_sql, count_binds) = views::count_sql(&compiled);
        results.push(
            measure(
                &format!("{name}_count"),
                n,
                w,
                || async { Ok(views::count(pool, doc).await?.count) },
                || views::run_raw(pool, &count_sql, &count_binds, true),
            )
            .await?,
        );

        step(&format!("{name}: page 100"));
        let Some(cursor) = cursor_before_page(pool, doc, 100).await? else {
            continue; // fewer than 100 pages
        };
        let (page_sql, page_binds) = views::page_sql(&compiled, Some(&cursor))?;
        results.push(
            measure(
                &format!("{name}_page_100"),
                n,
                w,
                || async { Ok(views::page(pool, doc, Some(&cursor)).await?.rows.len() as i64) },
                || views::run_raw(pool, &page_sql, &page_binds, false),
            )
            .await?,
        );
    }

    // An export of 100,000 rows: every temperature sensor, newest first.
    step("export of 100,000 rows");
    let export = document(
        json!({"type": ["temperature_sensor"]}),
        json!([{"field": "property:install_date", "descending": true}]),
    )?;
    let runs = (options.iterations / 10).max(1);
    // The floor: the export's one statement, sent raw, its rows read.
    let (export_sql, export_binds) = {
        let mut conn = pool.acquire().await?;
        let mut compiled = views::compile_for(&mut conn, &export).await?;
        compiled.page_size = EXPORT_ROWS as u32;
        views::page_sql(&compiled, None)?
    };
    let mut core = Vec::new();
    let mut floor = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let mut sink = std::io::sink();
        rows = views::export(
            pool,
            &export,
            views::ExportFormat::Csv,
            Some(EXPORT_ROWS),
            &mut sink,
            |_| {},
            &studio_core::progress::CancelToken::new(),
        )
        .await? as i64;
        core.push(start.elapsed());
        let start = Instant::now();
        views::run_raw(pool, &export_sql, &export_binds, false).await?;
        floor.push(start.elapsed());
    }
    results.push(result("export_100k_csv", &mut core, &mut floor, rows));

    Ok(BenchReport {
        postgres_version,
        entities,
        targets,
        results,
    })
}

/// The names of the ops live as long as the report.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The cursor after page `n - 1` (so page `n` comes next), or None when
/// the view has fewer pages.
async fn cursor_before_page(
    pool: &PgPool,
    doc: &ViewDocument,
    n: u32,
) -> CoreResult<Option<Cursor>> {
    let mut after = None;
    for _ in 1..n {
        match views::page(pool, doc, after.as_ref()).await?.next {
            Some(c) => after = Some(c),
            None => return Ok(None),
        }
    }
    Ok(after)
}
