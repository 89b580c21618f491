//! The tree benchmark: times the registry's read paths and moves on the
//! current database (normally one filled by [`crate::generate`]) against
//! their floor, the same work as plain SQL through sqlx with nothing around
//! it. Targets are picked by SQL: a node with ~1,000 live children, the
//! deepest entity, a site and a tenant of typical size, a rare and a common
//! search word, and a subtree of ~1,000 nodes moved between two parents.
//!
//! The moves are real: each writes its audit row (`entity.move`), and every
//! round trip puts the subtree back where it was.

use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use studio_core::change::Actor;
use studio_core::error::{CoreError, CoreResult, Rule};
use studio_core::internals::{
    read_model_moved, CHILDREN_FIRST_SQL, CRUMBS_SQL, MOVE_CHUNK_SQL, MOVE_REPARENT_SQL,
    SUBTREE_SIZE_SQL,
};
use studio_core::progress::CancelToken;
use studio_core::registry::{self, labels, MoveEntity};

use crate::generate::{COMMON_WORD, RARE_WORD};

/// How much to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BenchOptions {
    /// Timed runs of each read operation (and of its floor).
    pub iterations: u32,
    /// Timed round trips of the move (each direction is one sample).
    pub move_round_trips: u32,
    /// Untimed runs of each read operation before timing.
    pub warmup: u32,
}

impl BenchOptions {
    /// `iterations` reads per operation, a fifth as many move round trips.
    pub fn with_iterations(iterations: u32) -> Self {
        let iterations = iterations.max(1);
        BenchOptions {
            iterations,
            move_round_trips: (iterations / 5).max(1),
            warmup: 5,
        }
    }
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self::with_iterations(50)
    }
}

/// The timings of one operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpResult {
    pub op: String,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub floor_p50_ms: f64,
    pub floor_p95_ms: f64,
    pub iterations: u32,
    /// The size of the result: nodes returned, crumbs, entities counted,
    /// matches (capped), or rows rewritten by one move.
    pub rows: i64,
}

impl OpResult {
    /// One JSON object (a line of `--json` output), with the registry's
    /// size and the server version so a line stands on its own.
    pub fn json_line(&self, report: &BenchReport) -> String {
        let micros = |ms: f64| (ms * 1_000.0).round() / 1_000.0;
        let rounded = OpResult {
            p50_ms: micros(self.p50_ms),
            p95_ms: micros(self.p95_ms),
            floor_p50_ms: micros(self.floor_p50_ms),
            floor_p95_ms: micros(self.floor_p95_ms),
            ..self.clone()
        };
        let mut value = serde_json::to_value(&rounded).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("entities".into(), report.entities.into());
            map.insert("postgres".into(), report.postgres_version.clone().into());
        }
        value.to_string()
    }
}

/// What an operation was measured on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    pub op: &'static str,
    pub description: String,
}

/// A whole benchmark run.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// `SELECT version()`.
    pub postgres_version: String,
    /// Live entities.
    pub entities: i64,
    pub targets: Vec<TargetInfo>,
    pub results: Vec<OpResult>,
}

/// An entity the benchmark works on.
#[derive(Debug, Clone)]
struct Picked {
    id: Uuid,
    path: String,
    label: String,
    size: i64,
}

/// The subtree moved back and forth, and its two parents.
#[derive(Debug, Clone)]
struct Mover {
    node: Picked,
    from: Picked,
    to: Picked,
    /// A free `path_label` for the node under `to` (for the raw floor).
    to_label: String,
}

#[derive(Debug, Clone)]
struct Targets {
    expand: Picked,
    deep: Picked,
    site: Picked,
    tenant: Picked,
    mover: Mover,
}

/// The server's version and the number of live entities, for a report.
pub(crate) async fn registry_facts(pool: &PgPool) -> CoreResult<(String, i64)> {
    let version: String = sqlx::query_scalar("SELECT version()")
        .fetch_one(pool)
        .await?;
    Ok((version, registry::count_live_entities(pool).await?))
}

/// The refusal of a benchmark that needs `what` in the registry.
pub(crate) fn missing(what: &str) -> CoreError {
    CoreError::invalid(
        None,
        Rule::State,
        format!("no {what} in this registry: fill it first, e.g. `eco-studio seed generate --entities 1000000`"),
    )
}

/// Runs the benchmark, calling `step` with a line of what it is doing.
pub async fn bench_tree(
    pool: &PgPool,
    actor: &Actor,
    options: &BenchOptions,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<BenchReport> {
    let (postgres_version, entities) = registry_facts(pool).await?;
    if entities < 1_000 {
        return Err(CoreError::invalid(
            None,
            Rule::State,
            format!(
                "the registry holds {entities} entities: fill it first, e.g. \
                 `eco-studio seed generate --entities 1000000`"
            ),
        ));
    }
    step("picking targets");
    let t = pick_targets(pool).await?;
    let rare = registry::search(pool, RARE_WORD, 50).await?.total;
    let common = registry::search(pool, COMMON_WORD, 50).await?.total;
    let mut targets = vec![
        TargetInfo {
            op: "expand_1000",
            description: format!("{} ({} live children)", t.expand.label, t.expand.size),
        },
        TargetInfo {
            op: "breadcrumb",
            description: format!("{} (depth {})", t.deep.label, t.deep.size),
        },
        TargetInfo {
            op: "subtree_count_site",
            description: format!("{} ({} entities)", t.site.label, t.site.size),
        },
        TargetInfo {
            op: "subtree_count_tenant",
            description: format!("{} ({} entities)", t.tenant.label, t.tenant.size),
        },
        TargetInfo {
            op: "search_rare",
            description: format!("\"{RARE_WORD}\" ({rare} matches)"),
        },
        TargetInfo {
            op: "search_common",
            description: format!(
                "\"{COMMON_WORD}\" ({common}{} matches)",
                if common >= registry::SEARCH_COUNT_CAP {
                    "+"
                } else {
                    ""
                }
            ),
        },
        TargetInfo {
            op: "move_1000",
            description: format!(
                "{} ({} rows) between {} and {}",
                t.mover.node.label, t.mover.node.size, t.mover.from.label, t.mover.to.label
            ),
        },
    ];
    if rare == 0 {
        targets[4]
            .description
            .push_str(" -- no match: not a generated registry?");
    }

    let n = options.iterations;
    let w = options.warmup;
    let mut results = Vec::new();

    step("expand_1000");
    let id = t.expand.id;
    results.push(
        measure(
            "expand_1000",
            n,
            w,
            || async move {
                Ok(registry::children_page(pool, id, None, 1_000)
                    .await?
                    .nodes
                    .len() as i64)
            },
            || async move {
                let rows = sqlx::query(CHILDREN_FIRST_SQL)
                    .bind(id)
                    .bind(1_001i64)
                    .fetch_all(pool)
                    .await?;
                Ok(rows.len() as i64)
            },
        )
        .await?,
    );

    step("breadcrumb");
    let id = t.deep.id;
    // The floor knows the path already: the ancestors' ids are its labels.
    let mut ancestors: Vec<Uuid> = t
        .deep
        .path
        .split('.')
        .filter_map(|label| Uuid::try_parse(label).ok())
        .collect();
    ancestors.pop();
    let ancestors = &ancestors;
    results.push(
        measure(
            "breadcrumb",
            n,
            w,
            || async move { Ok(registry::breadcrumb(pool, id).await?.len() as i64) },
            || async move {
                let rows = sqlx::query(CRUMBS_SQL)
                    .bind(ancestors)
                    .fetch_all(pool)
                    .await?;
                Ok(rows.len() as i64)
            },
        )
        .await?,
    );

    for (op, target) in [
        ("subtree_count_site", &t.site),
        ("subtree_count_tenant", &t.tenant),
    ] {
        step(op);
        let id = target.id;
        results.push(
            measure(
                op,
                n,
                w,
                || async move { registry::subtree_count(pool, id).await },
                || async move {
                    Ok(i64::from(
                        sqlx::query_scalar::<_, i32>(SUBTREE_SIZE_SQL)
                            .bind(id)
                            .fetch_one(pool)
                            .await?,
                    ))
                },
            )
            .await?,
        );
    }

    for (op, word) in [("search_rare", RARE_WORD), ("search_common", COMMON_WORD)] {
        step(op);
        results.push(
            measure(
                op,
                n,
                w,
                || async move { Ok(registry::search(pool, word, 50).await?.total) },
                || async move { raw_search(pool, word).await },
            )
            .await?,
        );
    }

    step("move_1000");
    results.extend(bench_move(pool, actor, &t.mover, options.move_round_trips).await?);

    Ok(BenchReport {
        postgres_version,
        entities,
        targets,
        results,
    })
}

/// Search's statement sent as a one-off (planned for its own pattern), no
/// transaction, no planner setting: the same SQL `registry::search` runs.
async fn raw_search(pool: &PgPool, word: &str) -> CoreResult<i64> {
    let rows = registry::SearchQuery::new(word, 50)
        .rows(pool, false)
        .await?;
    Ok(rows.first().map_or(0, |r| r.total))
}

/// Times `core` and `floor` alternately, `iterations` times each, after
/// `warmup` untimed runs of both. The rows are the core's.
pub(crate) async fn measure<C, CF, F, FF>(
    op: &str,
    iterations: u32,
    warmup: u32,
    mut core: C,
    mut floor: F,
) -> CoreResult<OpResult>
where
    C: FnMut() -> CF,
    CF: Future<Output = CoreResult<i64>>,
    F: FnMut() -> FF,
    FF: Future<Output = CoreResult<i64>>,
{
    for _ in 0..warmup {
        core().await?;
        floor().await?;
    }
    let mut core_times = Vec::with_capacity(iterations as usize);
    let mut floor_times = Vec::with_capacity(iterations as usize);
    let mut rows = 0;
    for _ in 0..iterations {
        let start = Instant::now();
        rows = core().await?;
        core_times.push(start.elapsed());
        let start = Instant::now();
        floor().await?;
        floor_times.push(start.elapsed());
    }
    Ok(result(op, &mut core_times, &mut floor_times, rows))
}

pub fn result(op: &str, core: &mut [Duration], floor: &mut [Duration], rows: i64) -> OpResult {
    OpResult {
        op: op.to_string(),
        p50_ms: percentile(core, 0.50),
        p95_ms: percentile(core, 0.95),
        floor_p50_ms: percentile(floor, 0.50),
        floor_p95_ms: percentile(floor, 0.95),
        iterations: core.len() as u32,
        rows,
    }
}

/// Nearest-rank percentile in milliseconds.
fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_unstable();
    let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1].as_secs_f64() * 1_000.0
}

/// Moves the subtree to the other parent and back, `round_trips` times
/// with `registry::move_entity` and as many with the raw statements; each
/// direction is a sample. One untimed round trip of each comes first.
/// Returns `move_1000` and `move_1000_read_model`: the read model's share
/// of the raw move (its statements) against the rest of it (the rewrite of
/// the entities) as the floor.
async fn bench_move(
    pool: &PgPool,
    actor: &Actor,
    m: &Mover,
    round_trips: u32,
) -> CoreResult<[OpResult; 2]> {
    let mut core_times = Vec::new();
    let mut floor_times = Vec::new();
    let mut entity_times = Vec::new();
    let mut read_model_times = Vec::new();
    let rewritten = AtomicI64::new(0);
    for round in 0..=round_trips {
        let timed = round > 0;
        for to in [&m.to, &m.from] {
            let version = registry::get_entity(pool, m.node.id).await?.node.updated_at;
            let start = Instant::now();
            let node = registry::move_entity(
                pool,
                actor,
                &MoveEntity {
                    id: m.node.id,
                    expected_updated_at: version,
                    new_parent_id: Some(to.id),
                },
                &|p| rewritten.store(p.total, Ordering::Relaxed),
                &CancelToken::new(),
            )
            .await?
            .value
            .node;
            if timed {
                core_times.push(start.elapsed());
            }
            if node.parent_id != Some(to.id) {
                return Err(CoreError::Database("the move did not land".into()));
            }
        }
        for (from, to, from_label, to_label) in [
            (&m.from, &m.to, &m.node.label, &m.to_label),
            (&m.to, &m.from, &m.to_label, &m.node.label),
        ] {
            let start = Instant::now();
            let (entities, read_model) = raw_move(pool, m, from, to, from_label, to_label).await?;
            if timed {
                floor_times.push(start.elapsed());
                entity_times.push(entities);
                read_model_times.push(read_model);
            }
        }
    }
    let rows = rewritten.load(Ordering::Relaxed);
    let rows = if rows > 0 { rows } else { m.node.size };
    Ok([
        result("move_1000", &mut core_times, &mut floor_times, rows),
        result(
            "move_1000_read_model",
            &mut read_model_times,
            &mut entity_times,
            rows,
        ),
    ])
}

/// The floor of a move: the statements that rewrite the subtree's paths
/// and labels and re-parent its top, then the read model's statements for
/// the move, in one transaction. Returns the time of each part.
async fn raw_move(
    pool: &PgPool,
    m: &Mover,
    from: &Picked,
    to: &Picked,
    from_label: &str,
    to_label: &str,
) -> CoreResult<(Duration, Duration)> {
    let hex = labels::id_label(m.node.id);
    let old_path = format!("{}.{hex}", from.path);
    let new_path = format!("{}.{hex}", to.path);
    // The subtree's top sits one level below its parent.
    let depth = from.path.split('.').count() as i32 + 1;
    let mut tx = pool.begin().await?;
    let start = Instant::now();
    // The move's own statements, the whole subtree as one chunk.
    let n = sqlx::query(MOVE_CHUNK_SQL)
        .bind(&old_path)
        .bind(&new_path)
        .bind(to_label)
        .bind(depth)
        .bind(from_label.len() as i32)
        .bind(i64::MAX)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(MOVE_REPARENT_SQL)
        .bind(m.node.id)
        .bind(to.id)
        .execute(&mut *tx)
        .await?;
    let entities = start.elapsed();
    let start = Instant::now();
    read_model_moved(&mut tx, m.node.id).await?;
    let read_model = start.elapsed();
    tx.commit().await?;
    if n as i64 != m.node.size {
        return Err(CoreError::Database(format!(
            "the raw move rewrote {n} rows, expected {}",
            m.node.size
        )));
    }
    Ok((entities, read_model))
}

async fn pick_targets(pool: &PgPool) -> CoreResult<Targets> {
    let missing = |what: &str| {
        CoreError::invalid(
            None,
            Rule::State,
            format!("no {what} found in this registry"),
        )
    };

    // The smallest node with at least 1,000 live children, else the widest.
    let (expand_id, children): (Uuid, i64) = sqlx::query_as(
        "SELECT parent_entity_id, count(*) FROM entities
         WHERE deleted_at IS NULL AND parent_entity_id IS NOT NULL
         GROUP BY parent_entity_id
         ORDER BY count(*) >= 1000 DESC,
                  CASE WHEN count(*) >= 1000 THEN count(*) ELSE -count(*) END,
                  parent_entity_id
         LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("node with children"))?;
    let expand = picked(pool, expand_id, children).await?;

    let (deep_id, depth): (Uuid, i32) = sqlx::query_as(
        "SELECT id, nlevel(path) FROM entities WHERE deleted_at IS NULL
         ORDER BY nlevel(path) DESC, path_label LIMIT 1",
    )
    .fetch_one(pool)
    .await?;
    let deep = picked(pool, deep_id, i64::from(depth)).await?;

    // A site of a few thousand entities (the largest up to 10,000), and the
    // largest tenant up to 150,000 (leaving out one holding a --wide site).
    let site = sized_top(pool, 2, "site", 10_000)
        .await?
        .ok_or_else(|| missing("site"))?;
    let tenant = sized_top(pool, 1, "tenant", 150_000)
        .await?
        .ok_or_else(|| missing("tenant"))?;

    // The subtree (building, floor or room) closest to 1,000 rows.
    let (mover_id, size): (Uuid, i64) = sqlx::query_as(
        "WITH s AS (
            SELECT subpath(path, 0, 3) AS p, count(*) AS n FROM entities
            WHERE nlevel(path) >= 3 GROUP BY 1
            UNION ALL
            SELECT subpath(path, 0, 4), count(*) FROM entities
            WHERE nlevel(path) >= 4 GROUP BY 1
            UNION ALL
            SELECT subpath(path, 0, 5), count(*) FROM entities
            WHERE nlevel(path) >= 5 GROUP BY 1)
         SELECT e.id, s.n FROM s JOIN entities e ON e.path = s.p
         WHERE e.deleted_at IS NULL AND e.parent_entity_id IS NOT NULL
         ORDER BY abs(s.n - 1000), e.path_label LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("subtree to move"))?;
    let node = picked(pool, mover_id, size).await?;
    let (from_id, grandparent, type_id): (Uuid, Option<Uuid>, Uuid) = sqlx::query_as(
        "SELECT p.id, p.parent_entity_id, p.entity_type_id FROM entities e
         JOIN entities p ON p.id = e.parent_entity_id WHERE e.id = $1",
    )
    .bind(mover_id)
    .fetch_one(pool)
    .await?;
    // Another parent of the same type: a sibling of the current parent,
    // else any in the same root outside the moved subtree.
    let to_id: Uuid = sqlx::query_scalar(
        "SELECT b.id FROM entities b
         WHERE b.entity_type_id = $2 AND b.id <> $1 AND b.deleted_at IS NULL
           AND subpath(b.path, 0, 1) = subpath($4::ltree, 0, 1)
           AND NOT (b.path <@ $4::ltree)
         ORDER BY (b.parent_entity_id IS NOT DISTINCT FROM $3) DESC, b.path_label
         LIMIT 1",
    )
    .bind(from_id)
    .bind(type_id)
    .bind(grandparent)
    .bind(&node.path)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| missing("second parent for the move"))?;
    let from = picked(pool, from_id, 0).await?;
    let to = picked(pool, to_id, 0).await?;
    let own = node.label.rsplit('.').next().unwrap_or(&node.label);
    let mut to_label = format!("{}.{own}", to.label);
    let mut n = 2;
    while sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM entities WHERE path_label = $1)",
    )
    .bind(&to_label)
    .fetch_one(pool)
    .await?
    {
        to_label = format!("{}.{own}_{n}", to.label);
        n += 1;
    }
    Ok(Targets {
        expand,
        deep,
        site,
        tenant,
        mover: Mover {
            node,
            from,
            to,
            to_label,
        },
    })
}

async fn picked(pool: &PgPool, id: Uuid, size: i64) -> CoreResult<Picked> {
    let (path, label): (String, String) =
        sqlx::query_as("SELECT path::text, path_label FROM entities WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(CoreError::NotFound { what: "entity", id })?;
    Ok(Picked {
        id,
        path,
        label,
        size,
    })
}

/// The live entity of type `type_key` at `level` whose subtree is the
/// largest not above `max` (else the smallest above it).
async fn sized_top(
    pool: &PgPool,
    level: i32,
    type_key: &str,
    max: i64,
) -> CoreResult<Option<Picked>> {
    let row: Option<(Uuid, i64)> = sqlx::query_as(
        "WITH s AS (
            SELECT subpath(path, 0, $1) AS p, count(*) AS n FROM entities
            WHERE nlevel(path) >= $1 AND deleted_at IS NULL GROUP BY 1)
         SELECT e.id, s.n FROM s
         JOIN entities e ON e.path = s.p AND e.deleted_at IS NULL
         JOIN entity_type_definitions t ON t.id = e.entity_type_id AND t.key = $2
         ORDER BY s.n <= $3 DESC, CASE WHEN s.n <= $3 THEN -s.n ELSE s.n END, e.path_label
         LIMIT 1",
    )
    .bind(level)
    .bind(type_key)
    .bind(max)
    .fetch_optional(pool)
    .await?;
    match row {
        Some((id, n)) => Ok(Some(picked(pool, id, n).await?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&mut s, 0.5), 50.0);
        assert_eq!(percentile(&mut s, 0.95), 95.0);
        let mut one = vec![Duration::from_millis(3)];
        assert_eq!(percentile(&mut one, 0.95), 3.0);
    }
}
