//! The properties benchmark: loading an entity's property pane, setting one
//! value (validate, write, audit, read model), the read model's share of
//! that write, and a bulk edit of one property on 10,000 entities; each
//! beside its floor (the same statements as plain SQL, nothing around
//! them). Values are written for real and audited; every timed write
//! alternates between two values so each one changes something.

use std::time::Instant;

use sqlx::PgPool;
use studio_core::bulk::{self, BulkAction, BulkEdit, BulkTarget};
use studio_core::change::Actor;
use studio_core::error::CoreResult;
use studio_core::internals::{pane_fields_sql, refresh_values, PANE_ENTITY_SQL, PANE_GROUPS_SQL};
use studio_core::progress::CancelToken;
use studio_core::properties::{self, SetValues, ValueEdit};
use studio_core::records::PropertyValue;
use uuid::Uuid;

use crate::tree::{
    measure, missing, registry_facts, result, BenchOptions, BenchReport, OpResult, TargetInfo,
};

/// Entities a bulk edit touches.
const BULK_SIZE: i64 = 10_000;

/// Runs the benchmark, calling `step` with a line of what it is doing.
pub async fn bench_properties(
    pool: &PgPool,
    actor: &Actor,
    options: &BenchOptions,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<BenchReport> {
    let (postgres_version, entities) = registry_facts(pool).await?;
    step("picking targets");
    // A device holding a full set of values, and the property to set.
    let entity: Uuid = sqlx::query_scalar(
        "SELECT r.entity_id FROM entity_read_model r
         JOIN entity_type_definitions t ON t.id = r.entity_type_id AND t.key = 'hvac_unit'
         ORDER BY r.entity_id LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("HVAC unit"))?;
    let manufacturer: Uuid = sqlx::query_scalar(
        "SELECT id FROM property_definitions WHERE key = 'manufacturer' AND deleted_at IS NULL",
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("manufacturer property"))?;
    let responsible: Uuid = sqlx::query_scalar(
        "SELECT id FROM property_definitions WHERE key = 'responsible' AND deleted_at IS NULL",
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("responsible property"))?;
    // 10,000 devices of one tenant.
    let bulk_ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT r.entity_id FROM entity_read_model r
         JOIN entity_type_definitions t ON t.id = r.entity_type_id
         WHERE r.root_id = (SELECT root_id FROM entity_read_model WHERE entity_id = $1)
           AND t.key NOT IN ('tenant', 'site', 'building', 'floor', 'room')
         ORDER BY r.entity_id LIMIT $2",
    )
    .bind(entity)
    .bind(BULK_SIZE)
    .fetch_all(pool)
    .await?;
    if (bulk_ids.len() as i64) < BULK_SIZE {
        return Err(missing("tenant with 10,000 devices"));
    }
    let pane = properties::property_pane(pool, entity).await?;
    let fields = pane.sections.iter().map(|s| s.fields.len()).sum::<usize>();
    let targets = vec![
        TargetInfo {
            op: "pane_load",
            description: format!("property pane of HVAC unit {entity} ({fields} properties shown)"),
        },
        TargetInfo {
            op: "set_value",
            description: "manufacturer of that unit, two values in turn".into(),
        },
        TargetInfo {
            op: "read_model_refresh",
            description: "the read-model update inside set_value, alone (floor: a bare row update)"
                .into(),
        },
        TargetInfo {
            op: "bulk_set_10000",
            description: format!(
                "responsible on {} devices of one tenant, two values in turn",
                bulk_ids.len()
            ),
        },
    ];
    let n = options.iterations;
    let w = options.warmup;
    let mut results = Vec::new();

    step("pane_load");
    results.push(
        measure(
            "pane_load",
            n,
            w,
            || async move {
                let pane = properties::property_pane(pool, entity).await?;
                Ok(pane.sections.iter().map(|s| s.fields.len() as i64).sum())
            },
            || async move {
                let mut conn = pool.acquire().await?;
                let (type_id, _): (Uuid, chrono::DateTime<chrono::Utc>) =
                    sqlx::query_as(PANE_ENTITY_SQL)
                        .bind(entity)
                        .fetch_one(&mut *conn)
                        .await?;
                let rows = sqlx::query(sqlx::AssertSqlSafe(pane_fields_sql()))
                    .bind(entity)
                    .bind(type_id)
                    .fetch_all(&mut *conn)
                    .await?;
                sqlx::query(PANE_GROUPS_SQL).fetch_all(&mut *conn).await?;
                Ok(rows.len() as i64)
            },
        )
        .await?,
    );

    step("set_value");
    results.push(bench_set_value(pool, actor, entity, manufacturer, n, w).await?);

    step("read_model_refresh");
    let ids = [entity];
    let ids = &ids;
    results.push(
        measure(
            "read_model_refresh",
            n,
            w,
            || async move {
                let mut tx = pool.begin().await?;
                refresh_values(&mut tx, ids).await?;
                tx.commit().await?;
                Ok(1)
            },
            || async move {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "UPDATE entity_read_model SET updated_at = updated_at WHERE entity_id = $1",
                )
                .bind(entity)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(1)
            },
        )
        .await?,
    );

    step("bulk_set_10000");
    results.push(bench_bulk(pool, actor, &bulk_ids, responsible, (n / 10).clamp(2, 10)).await?);

    Ok(BenchReport {
        postgres_version,
        entities,
        targets,
        results,
    })
}

/// One property of one entity set, alternately to two values, against the
/// version read back each time; the floor writes the same value with the
/// bare statements (value row, entity version) in one transaction.
async fn bench_set_value(
    pool: &PgPool,
    actor: &Actor,
    entity: Uuid,
    definition: Uuid,
    iterations: u32,
    warmup: u32,
) -> CoreResult<OpResult> {
    let version = |pane: &properties::PropertyPane| {
        pane.sections
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.definition.id == definition)
            .and_then(|f| f.value_updated_at)
    };
    let mut current = version(&properties::property_pane(pool, entity).await?);
    let mut core_times = Vec::new();
    let mut floor_times = Vec::new();
    for i in 0..(warmup + iterations) {
        let value = if i % 2 == 0 {
            "Bench Alpha"
        } else {
            "Bench Beta"
        };
        let start = Instant::now();
        let pane = properties::set_values(
            pool,
            &actor.next_request(),
            &SetValues {
                entity_id: entity,
                edits: vec![ValueEdit {
                    definition_id: definition,
                    expected_updated_at: current,
                    value: Some(PropertyValue::Text(value.into())),
                }],
            },
        )
        .await?
        .value;
        let core = start.elapsed();
        drop(pane);
        let start = Instant::now();
        let mut tx = pool.begin().await?;
        sqlx::query(
            "UPDATE entity_property_values SET value = $3::jsonb, updated_at = clock_timestamp()
             WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
        )
        .bind(entity)
        .bind(definition)
        .bind(serde_json::Value::String(value.into()).to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE entities SET updated_at = clock_timestamp() WHERE id = $1")
            .bind(entity)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let floor = start.elapsed();
        // The floor moved the value's version on: read it back untimed.
        current = version(&properties::property_pane(pool, entity).await?);
        if i >= warmup {
            core_times.push(core);
            floor_times.push(floor);
        }
    }
    Ok(result("set_value", &mut core_times, &mut floor_times, 1))
}

/// One property set on 10,000 entities, alternately to two values; the
/// floor runs the bulk edit's writes as bare statements in one transaction.
async fn bench_bulk(
    pool: &PgPool,
    actor: &Actor,
    ids: &[Uuid],
    definition: Uuid,
    rounds: u32,
) -> CoreResult<OpResult> {
    let mut core_times = Vec::new();
    let mut floor_times = Vec::new();
    let mut changed = 0;
    for i in 0..=rounds {
        let value = if i % 2 == 0 {
            "Bench Team A"
        } else {
            "Bench Team B"
        };
        let edit = BulkEdit {
            target: BulkTarget::Entities { ids: ids.to_vec() },
            action: BulkAction::SetProperty {
                definition_id: definition,
                value: Some(PropertyValue::Text(value.into())),
            },
        };
        let start = Instant::now();
        let done = bulk::bulk_apply(
            pool,
            &actor.next_request(),
            &edit,
            &|_| {},
            &CancelToken::new(),
        )
        .await?;
        let core = start.elapsed();
        changed = done.value.changed;
        // The same value again: every row written, and the next round
        // (the other value) changes them all.
        let json = serde_json::Value::String(value.into()).to_string();
        let start = Instant::now();
        let mut tx = pool.begin().await?;
        sqlx::query(
            "UPDATE entity_property_values SET value = $3::jsonb, updated_at = clock_timestamp()
             WHERE property_definition_id = $1 AND entity_id = ANY($2) AND deleted_at IS NULL",
        )
        .bind(definition)
        .bind(ids)
        .bind(&json)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE entities SET updated_at = clock_timestamp() WHERE id = ANY($1)")
            .bind(ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let floor = start.elapsed();
        // The floor bypassed the read model: bring it back in step, untimed.
        let mut tx = pool.begin().await?;
        for chunk in ids.chunks(5_000) {
            refresh_values(&mut tx, chunk).await?;
        }
        tx.commit().await?;
        if i > 0 {
            core_times.push(core);
            floor_times.push(floor);
        }
    }
    Ok(result(
        "bulk_set_10000",
        &mut core_times,
        &mut floor_times,
        changed,
    ))
}
