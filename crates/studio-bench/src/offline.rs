//! The offline benchmark, on roots it makes for the run (deleted after):
//! a site of `site` entities (areas of 100 devices) with five values each,
//! and, unless `large` is 0, a subtree of `large` entities. It times the
//! first download of each into a fresh cache file, an incremental refresh
//! after 100 changes on the server, expanding a node and searching in the
//! cache, and the replay of 1,000 queued value edits; the file's size
//! rides on the download lines.
//!
//! Floors: a download's is the server's side alone (the same snapshot read
//! to the end, nothing written); a refresh's is the change stream's query;
//! the cache's reads' is the bare indexed SQLite statement; the replay's is
//! the same 1,000 edits made directly on the server.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;
use studio_core::change::Actor;
use studio_core::error::{CoreError, CoreResult};
use studio_core::import::{self, ImportMode, SyncOptions};
use studio_core::offline::{self as server, Mutation, Selection, Snapshot};
use studio_core::progress::CancelToken;
use studio_core::properties::{self, SetValues, ValueEdit};
use studio_core::records::{PropertyValue, VersionedId};
use studio_core::registry::{self, CreateEntity};
use studio_offline::{AddOptions, OfflineCache};
use uuid::Uuid;

use crate::import::{property_key, setup, BENCH_TYPE};
use crate::tree::{registry_facts, result, BenchReport, TargetInfo};

/// Values per entity.
const VALUES: usize = 5;
/// Children per area.
const AREA: u64 = 100;

#[derive(Debug, Clone)]
pub struct OfflineBenchOptions {
    /// Entities of the site.
    pub site: u64,
    /// Entities of the large subtree (0: none).
    pub large: u64,
    /// Timed runs of the cache's reads.
    pub iterations: u32,
    /// Where the files are written (removed after).
    pub dir: PathBuf,
}

fn offline_err(e: studio_offline::OfflineError) -> CoreError {
    match e {
        studio_offline::OfflineError::Core(c) => c,
        other => CoreError::state(other.to_string()),
    }
}

/// A CSV of `n` entities: areas (`A…`) under the root, devices (`D…`)
/// under them, with five values each.
fn write_file(path: &Path, tag: &str, n: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    write!(out, "external_id,name,parent")?;
    for i in 0..VALUES {
        write!(out, ",{}", property_key(i))?;
    }
    writeln!(out)?;
    let areas = n.div_ceil(AREA + 1).max(1);
    let mut written = 0;
    for a in 0..areas {
        if written >= n {
            break;
        }
        write!(out, "{tag}A{a},Area {a},")?;
        for i in 0..VALUES {
            write!(
                out,
                ",{}",
                if i % 2 == 0 {
                    format!("{a}")
                } else {
                    format!("area {a}")
                }
            )?;
        }
        writeln!(out)?;
        written += 1;
        for d in 0..AREA {
            if written >= n {
                break;
            }
            write!(out, "{tag}D{a}_{d},Device {a}-{d},{tag}A{a}")?;
            for i in 0..VALUES {
                write!(
                    out,
                    ",{}",
                    if i % 2 == 0 {
                        format!("{d}")
                    } else {
                        format!("device {d}")
                    }
                )?;
            }
            writeln!(out)?;
            written += 1;
        }
    }
    Ok(())
}

/// A root with `n` entities under it, made through the import.
async fn make_subtree(
    pool: &PgPool,
    actor: &Actor,
    dir: &Path,
    name: &str,
    n: u64,
) -> CoreResult<Uuid> {
    let root = registry::create(
        pool,
        actor,
        &CreateEntity {
            type_key: BENCH_TYPE.into(),
            parent_id: None,
            name: format!("{name} {}", chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")),
        },
    )
    .await?
    .value
    .id;
    let tag = Uuid::now_v7().simple().to_string()[20..].to_string();
    let path = dir.join(format!("offline_{tag}.csv"));
    write_file(&path, &tag, n.saturating_sub(1))
        .map_err(|e| CoreError::Unavailable(format!("writing the benchmark's file: {e}")))?;
    let input = std::fs::File::open(&path).map_err(|e| CoreError::Unavailable(e.to_string()))?;
    let report = import::run(
        pool,
        actor,
        &SyncOptions {
            type_key: BENCH_TYPE.into(),
            source: Some(format!("bench-offline-{tag}")),
            format: None,
            mapping: None,
            mode: ImportMode::AllOrNothing,
            delete_missing: false,
            under: Some(root),
            file_name: Some("offline.csv".into()),
        },
        Box::new(std::io::BufReader::new(input)),
        false,
        &|_| {},
        &CancelToken::new(),
    )
    .await?
    .value;
    if report.status == "failed" {
        return Err(CoreError::state(format!(
            "the benchmark's import failed: {:?}",
            report.diff.errors.first()
        )));
    }
    Ok(root)
}

/// The server's side of a download: the snapshot read to its end.
async fn snapshot_floor(pool: &PgPool, root: Uuid) -> CoreResult<Duration> {
    let start = Instant::now();
    let mut snap = Snapshot::begin(pool, &Selection::Subtrees(vec![root])).await?;
    while !snap.entities(5_000).await?.is_empty() {}
    while !snap.values(20_000).await?.is_empty() {}
    while !snap.relationships(5_000).await?.is_empty() {}
    snap.finish().await?;
    Ok(start.elapsed())
}

async fn download(
    dir: &Path,
    pool: &PgPool,
    root: Uuid,
    name: &str,
) -> CoreResult<(Duration, OfflineCache, i64)> {
    let path = dir.join(format!("{name}.sqlite"));
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let cache = OfflineCache::open(&path).await.map_err(offline_err)?;
    let start = Instant::now();
    cache
        .add(pool, root, &AddOptions::default(), &CancelToken::new())
        .await
        .map_err(offline_err)?;
    let took = start.elapsed();
    let bytes = cache.status().await.map_err(offline_err)?.file_bytes;
    Ok((took, cache, bytes))
}

/// Entities under `root` with the text value to edit, in label order.
async fn targets(pool: &PgPool, root: Uuid, n: i64) -> CoreResult<Vec<Uuid>> {
    let roots = vec![root];
    let mut snap = Snapshot::begin(pool, &Selection::Subtrees(roots)).await?;
    let mut out = Vec::new();
    loop {
        let page = snap.entities(5_000).await?;
        if page.is_empty() || out.len() as i64 >= n {
            break;
        }
        out.extend(page.into_iter().filter(|e| e.id != root).map(|e| e.id));
    }
    snap.finish().await?;
    out.truncate(n as usize);
    Ok(out)
}

async fn text_definition(pool: &PgPool) -> CoreResult<Uuid> {
    properties::list_property_definitions(pool, false)
        .await?
        .into_iter()
        .find(|d| d.key == property_key(1))
        .map(|d| d.id)
        .ok_or_else(|| CoreError::state("the benchmark's text property is missing"))
}

async fn value_version(
    pool: &PgPool,
    entity: Uuid,
    def: Uuid,
) -> CoreResult<Option<chrono::DateTime<chrono::Utc>>> {
    let pane = properties::property_pane(pool, entity).await?;
    Ok(pane
        .sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .find(|f| f.definition.id == def)
        .and_then(|f| f.value_updated_at))
}

/// Runs the benchmark; `step` hears what it is doing.
pub async fn bench_offline(
    pool: &PgPool,
    actor: &Actor,
    options: &OfflineBenchOptions,
    step: &(dyn Fn(&str) + Send + Sync),
) -> CoreResult<(BenchReport, Vec<serde_json::Value>)> {
    let (postgres_version, entities) = registry_facts(pool).await?;
    std::fs::create_dir_all(&options.dir)
        .map_err(|e| CoreError::Unavailable(format!("{}: {e}", options.dir.display())))?;
    setup(pool, actor).await?;
    let def = text_definition(pool).await?;
    step(&format!("making a site of {} entities", options.site));
    let site = make_subtree(
        pool,
        actor,
        &options.dir,
        "Offline benchmark site",
        options.site,
    )
    .await?;
    let mut made = vec![site];
    let mut results = Vec::new();
    let mut extra = Vec::new();

    // First download of the site (three runs, each into a fresh file).
    step("downloading the site");
    let mut core = Vec::new();
    let mut floor = Vec::new();
    let mut kept = None;
    let mut bytes = 0;
    for run in 0..3 {
        floor.push(snapshot_floor(pool, site).await?);
        let (took, cache, b) = download(&options.dir, pool, site, &format!("site{run}")).await?;
        core.push(took);
        bytes = b;
        if let Some(old) = kept.replace(cache) {
            old.close().await;
        }
    }
    let cache = kept.ok_or_else(|| CoreError::state("no download ran"))?;
    let status = cache.status().await.map_err(offline_err)?;
    let values = status.scopes.first().map_or(0, |s| s.values);
    results.push(result(
        "offline_download_site",
        &mut core,
        &mut floor,
        options.site as i64,
    ));
    extra.push(json!({"op": "offline_download_site", "file_bytes": bytes, "values": values}));

    // An incremental refresh after 100 changes on the server.
    step("refreshing after 100 changes");
    let edit_targets = targets(pool, site, 1_000).await?;
    let mut core = Vec::new();
    let mut floor = Vec::new();
    for run in 0..5 {
        for (i, e) in edit_targets.iter().take(100).enumerate() {
            let version = value_version(pool, *e, def).await?;
            let _ = properties::set_values(
                pool,
                actor,
                &SetValues {
                    entity_id: *e,
                    edits: vec![ValueEdit {
                        definition_id: def,
                        expected_updated_at: version,
                        value: Some(PropertyValue::Text(format!("server {run}-{i}"))),
                    }],
                },
            )
            .await?;
        }
        let since = chrono::Utc::now() - chrono::Duration::seconds(5);
        let start = Instant::now();
        let _ = server::changes_since(pool, since).await?;
        floor.push(start.elapsed());
        let start = Instant::now();
        cache
            .refresh(pool, &CancelToken::new())
            .await
            .map_err(offline_err)?;
        core.push(start.elapsed());
    }
    results.push(result(
        "offline_refresh_100_changes",
        &mut core,
        &mut floor,
        100,
    ));

    // Expanding and searching in the cache.
    step("expanding and searching offline");
    let area = cache
        .children(site, None, 1)
        .await
        .map_err(offline_err)?
        .nodes
        .first()
        .map(|n| n.id)
        .ok_or_else(|| CoreError::state("the site has no areas"))?;
    let mut core = Vec::new();
    let mut floor = Vec::new();
    let mut rows = 0;
    for _ in 0..options.iterations {
        let start = Instant::now();
        rows = cache
            .children(area, None, 100)
            .await
            .map_err(offline_err)?
            .nodes
            .len() as i64;
        core.push(start.elapsed());
        let start = Instant::now();
        let _ = cache.floor_children(area, 100).await.map_err(offline_err)?;
        floor.push(start.elapsed());
    }
    results.push(result("offline_expand", &mut core, &mut floor, rows));
    let mut core = Vec::new();
    let mut floor = Vec::new();
    for i in 0..options.iterations {
        let query = format!("device {}-{}", i % 40, i % 90);
        let start = Instant::now();
        rows = cache
            .search(&query, 50)
            .await
            .map_err(offline_err)?
            .hits
            .len() as i64;
        core.push(start.elapsed());
        let start = Instant::now();
        let _ = cache.floor_search(&query, 50).await.map_err(offline_err)?;
        floor.push(start.elapsed());
    }
    results.push(result("offline_search", &mut core, &mut floor, rows));

    // The replay of 1,000 queued value edits (against the same edits made
    // directly on the server).
    step("replaying 1,000 queued edits");
    cache
        .refresh(pool, &CancelToken::new())
        .await
        .map_err(offline_err)?;
    for (i, e) in edit_targets.iter().enumerate() {
        let pane = cache.pane(*e).await.map_err(offline_err)?;
        let version = pane
            .sections
            .iter()
            .flat_map(|s| s.fields.iter())
            .find(|f| f.definition.id == def)
            .and_then(|f| f.value_updated_at);
        cache
            .enqueue(Mutation::SetValues {
                input: SetValues {
                    entity_id: *e,
                    edits: vec![ValueEdit {
                        definition_id: def,
                        expected_updated_at: version,
                        value: Some(PropertyValue::Text(format!("offline {i}"))),
                    }],
                },
            })
            .await
            .map_err(offline_err)?;
    }
    let start = Instant::now();
    let report = cache.replay(pool, actor).await.map_err(offline_err)?;
    let took = start.elapsed();
    let start = Instant::now();
    for (i, e) in edit_targets.iter().enumerate() {
        let version = value_version(pool, *e, def).await?;
        let _ = properties::set_values(
            pool,
            actor,
            &SetValues {
                entity_id: *e,
                edits: vec![ValueEdit {
                    definition_id: def,
                    expected_updated_at: version,
                    value: Some(PropertyValue::Text(format!("direct {i}"))),
                }],
            },
        )
        .await?;
    }
    let direct = start.elapsed();
    results.push(result(
        "offline_replay_1000",
        &mut [took],
        &mut [direct],
        edit_targets.len() as i64,
    ));
    extra.push(json!({
        "op": "offline_replay_1000",
        "applied": report.applied,
        "conflicts": report.conflicts,
    }));
    cache.close().await;

    if options.large > 0 {
        step(&format!("making a subtree of {} entities", options.large));
        let large = make_subtree(
            pool,
            actor,
            &options.dir,
            "Offline benchmark region",
            options.large,
        )
        .await?;
        made.push(large);
        step("downloading the large subtree");
        let floor = snapshot_floor(pool, large).await?;
        let (took, cache, bytes) = download(&options.dir, pool, large, "large").await?;
        let values = cache
            .status()
            .await
            .map_err(offline_err)?
            .scopes
            .first()
            .map_or(0, |s| s.values);
        cache.close().await;
        results.push(result(
            "offline_download_large",
            &mut [took],
            &mut [floor],
            options.large as i64,
        ));
        extra.push(json!({"op": "offline_download_large", "file_bytes": bytes, "values": values}));
    }

    step("removing the benchmark's roots");
    for root in made {
        let node = registry::get_entity(pool, root).await?.node;
        let _ = registry::delete(
            pool,
            actor,
            &VersionedId {
                id: root,
                expected_updated_at: node.updated_at,
            },
        )
        .await?;
    }
    let _ = std::fs::remove_dir_all(&options.dir);
    Ok((
        BenchReport {
            postgres_version,
            entities,
            targets: vec![
                TargetInfo {
                    op: "offline_download_site",
                    description: format!(
                        "first download of a {}-entity site with {} values each (goal: 5,000 entities in 5 s)",
                        options.site, VALUES
                    ),
                },
                TargetInfo {
                    op: "offline_refresh_100_changes",
                    description: "incremental refresh after 100 changes (goal: 200 ms)".into(),
                },
                TargetInfo {
                    op: "offline_expand",
                    description: "children of an area from SQLite (goal: 5 ms p50)".into(),
                },
                TargetInfo {
                    op: "offline_search",
                    description: "search by name from SQLite (goal: 5 ms p50)".into(),
                },
                TargetInfo {
                    op: "offline_replay_1000",
                    description: "replay of 1,000 queued value edits (goal: 10 s)".into(),
                },
                TargetInfo {
                    op: "offline_download_large",
                    description: format!(
                        "first download of a {}-entity subtree (goal: 100,000 in 10 s)",
                        options.large
                    ),
                },
            ],
            results,
        },
        extra,
    ))
}
