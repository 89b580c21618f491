//! Stress: 50 concurrent sessions rename and move entities, set a property
//! and toggle a tag within one subtree (200 entities under one root) for
//! `ECO_STRESS_SECS` seconds (default 30). Every refused write must be a
//! Conflict (or a Validation for a move that would make a cycle); nothing
//! else may surface (no deadlock, serialization failure or unique
//! violation). No update is lost: each entity ends with the name of its last
//! successful rename and the value of its last successful set, as its newest
//! audit rows say, and the audit trail counts exactly the successful writes.
//! The tree invariants hold at the end, and the read model agrees with the
//! system of record.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use studio_core::db;
use studio_core::links::{self, EntityTagsEdit, NewTag};
use studio_core::progress::CancelToken;
use studio_core::properties::{self, PropertyDefinitionInput, SetValues, ValueEdit};
use studio_core::records::{CurrentRow, PropertyValue, Rules, ValueType};
use studio_core::registry::{self, CreateEntity, MoveEntity, RenameEntity};
use studio_core::testing::test_db;
use studio_core::{Actor, CoreError, Source};
use uuid::Uuid;

use crate::common::{check_invariants, snapshot};

const SESSIONS: usize = 50;
const GROUPS: usize = 20;
const PER_GROUP: usize = 9;
const DEFAULT_SECS: u64 = 30;

/// A small deterministic generator (xorshift64*), one per session.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The property and the tag the sessions write.
#[derive(Clone, Copy)]
struct Fixtures {
    level: Uuid,
    tag: Uuid,
}

#[derive(Default)]
struct Report {
    /// (entity, value, version after the set) of each successful set.
    sets: Vec<(Uuid, String, DateTime<Utc>)>,
    tag_edits: u64,
    /// (entity, name, version after the rename) of each successful rename.
    renames: Vec<(Uuid, String, DateTime<Utc>)>,
    moves: u64,
    noop_moves: u64,
    conflicts: u64,
    cycles: u64,
    reads: u64,
    unexpected: Vec<String>,
}

async fn session(
    n: usize,
    pool: PgPool,
    ids: Arc<Vec<Uuid>>,
    root: Uuid,
    deadline: Instant,
    fixtures: Fixtures,
) -> Report {
    let mut rng = Rng::new(n as u64 + 1);
    let mut report = Report::default();
    let mut seq = 0u64;
    while Instant::now() < deadline {
        let x = ids[rng.below(ids.len())];
        let node = match registry::get_entity(&pool, x).await {
            Ok(d) => d.node,
            Err(e) => {
                report.unexpected.push(format!("reading {x}: {e:?}"));
                continue;
            }
        };
        report.reads += 1;
        let actor = Actor::new(None, Source::Test);
        let conflict_ok = |current: &CurrentRow| match current {
            CurrentRow::Entity(cur) => cur.id == x && cur.updated_at != node.updated_at,
            _ => false,
        };
        let dice = rng.below(100);
        if dice < 20 {
            // Set the property against the version of the value read now.
            seq += 1;
            // A plain decimal: no leading zero, so session 0 writes "1…".
            let value = format!("{}{seq:06}", n + 1);
            let version: Option<DateTime<Utc>> = sqlx::query_scalar(
                "SELECT updated_at FROM entity_property_values
                 WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
            )
            .bind(x)
            .bind(fixtures.level)
            .fetch_optional(&pool)
            .await
            .unwrap_or(None);
            let r = properties::set_values(
                &pool,
                &actor,
                &SetValues {
                    entity_id: x,
                    edits: vec![ValueEdit {
                        definition_id: fixtures.level,
                        expected_updated_at: version,
                        value: Some(PropertyValue::Number(value.clone())),
                    }],
                },
            )
            .await
            .map(|a| a.value);
            match r {
                Ok(pane) => {
                    let at = pane
                        .sections
                        .iter()
                        .flat_map(|s| &s.fields)
                        .find(|f| f.definition.id == fixtures.level)
                        .and_then(|f| f.value_updated_at);
                    match at {
                        Some(at) => report.sets.push((x, value, at)),
                        None => report
                            .unexpected
                            .push(format!("set of {x}: no version back")),
                    }
                }
                Err(CoreError::Conflict {
                    current: CurrentRow::PropertyValue(cur),
                    ..
                }) if cur.entity_id == x && cur.updated_at != version => report.conflicts += 1,
                Err(e) => report.unexpected.push(format!("set of {x}: {e:?}")),
            }
            continue;
        }
        if dice < 30 {
            // Toggle the tag against the entity's version.
            let has: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM entity_tags
                                WHERE entity_id = $1 AND tag_entity_id = $2 AND deleted_at IS NULL)",
            )
            .bind(x)
            .bind(fixtures.tag)
            .fetch_one(&pool)
            .await
            .unwrap_or(false);
            let (add, remove) = if has {
                (vec![], vec![fixtures.tag])
            } else {
                (vec![fixtures.tag], vec![])
            };
            let r = links::edit_entity_tags(
                &pool,
                &actor,
                &EntityTagsEdit {
                    entity_id: x,
                    expected_updated_at: node.updated_at,
                    add,
                    remove,
                },
            )
            .await;
            match r {
                Ok(_) => report.tag_edits += 1,
                Err(CoreError::Conflict { current, .. }) if conflict_ok(&current) => {
                    report.conflicts += 1
                }
                Err(e) => report.unexpected.push(format!("tags of {x}: {e:?}")),
            }
            continue;
        }
        if dice < 70 {
            seq += 1;
            let name = format!("s{n:02}-{seq:06}");
            let r = registry::rename(
                &pool,
                &actor,
                &RenameEntity {
                    id: x,
                    expected_updated_at: node.updated_at,
                    name: name.clone(),
                },
            )
            .await
            .map(|a| a.value);
            match r {
                Ok(t) if t.name == name && t.updated_at > node.updated_at => {
                    report.renames.push((x, name, t.updated_at));
                }
                Ok(t) => report
                    .unexpected
                    .push(format!("rename to {name} returned {t:?}")),
                Err(CoreError::Conflict { current, .. }) if conflict_ok(&current) => {
                    report.conflicts += 1;
                }
                Err(e) => report.unexpected.push(format!("rename of {x}: {e:?}")),
            }
        } else {
            let target = if rng.below(10) == 0 {
                root
            } else {
                ids[rng.below(ids.len())]
            };
            let r = registry::move_entity(
                &pool,
                &actor,
                &MoveEntity {
                    id: x,
                    expected_updated_at: node.updated_at,
                    new_parent_id: Some(target),
                },
                &|_| {},
                &CancelToken::new(),
            )
            .await
            .map(|a| a.value.node);
            match r {
                Ok(t) if t.parent_id == Some(target) => {
                    if t.updated_at == node.updated_at {
                        report.noop_moves += 1;
                    } else {
                        report.moves += 1;
                    }
                }
                Ok(t) => report
                    .unexpected
                    .push(format!("move of {x} under {target} returned {t:?}")),
                Err(CoreError::Conflict { current, .. }) if conflict_ok(&current) => {
                    report.conflicts += 1;
                }
                // Legitimate only for a cycle: nothing is deleted here.
                Err(CoreError::Validation(m)) if m.contains("under itself") => {
                    report.cycles += 1;
                }
                Err(e) => report
                    .unexpected
                    .push(format!("move of {x} under {target}: {e:?}")),
            }
        }
    }
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_sessions_rename_and_move_in_one_subtree_without_lost_updates() {
    let secs: u64 = std::env::var("ECO_STRESS_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_SECS);
    let db = test_db().await;
    let setup = Actor::new(None, Source::Test);
    crate::common::ensure_type(&db.pool, "site", "Site", false).await;
    let mut tx = db.pool.begin().await.unwrap();
    let root = registry::create_in(
        &mut tx,
        &setup,
        &CreateEntity {
            type_key: "site".to_string(),
            parent_id: None,
            name: "Stress root".to_string(),
        },
    )
    .await
    .map(|a| a.value)
    .unwrap()
    .id;
    let mut ids = Vec::new();
    let mut original_names = HashMap::new();
    for g in 0..GROUPS {
        let name = format!("Group {g}");
        let group = registry::create_in(
            &mut tx,
            &setup,
            &CreateEntity {
                type_key: "site".to_string(),
                parent_id: Some(root),
                name: name.clone(),
            },
        )
        .await
        .map(|a| a.value)
        .unwrap()
        .id;
        ids.push(group);
        original_names.insert(group, name);
        for i in 0..PER_GROUP {
            let name = format!("Node {g}-{i}");
            let id = registry::create_in(
                &mut tx,
                &setup,
                &CreateEntity {
                    type_key: "site".to_string(),
                    parent_id: Some(group),
                    name: name.clone(),
                },
            )
            .await
            .map(|a| a.value)
            .unwrap()
            .id;
            ids.push(id);
            original_names.insert(id, name);
        }
    }
    tx.commit().await.unwrap();
    assert_eq!(ids.len(), 200, "200 entities under one root");
    let level = properties::create_property_definition(
        &db.pool,
        &setup,
        &PropertyDefinitionInput {
            group_id: None,
            key: "level".into(),
            name: "Level".into(),
            description: None,
            value_type: ValueType::Number,
            is_required: false,
            is_sensitive: false,
            is_searchable: true,
            rules: Rules::default(),
        },
    )
    .await
    .unwrap()
    .value
    .id;
    let tag = links::create_tag(
        &db.pool,
        &setup,
        &NewTag {
            group_id: None,
            key: "checked".into(),
            name: "Checked".into(),
            color: None,
        },
    )
    .await
    .unwrap()
    .value
    .id;
    let fixtures = Fixtures { level, tag };

    let pool = db::pool_options_for(&db.url)
        .unwrap()
        .max_connections(60)
        // A connection opened ahead of use would hold a pooled server
        // while idle (its lease's BEGIN runs when it opens).
        .min_connections(if studio_core::testing::through_pooler() {
            0
        } else {
            SESSIONS as u32
        })
        .acquire_timeout(Duration::from_secs(60))
        .connect_lazy_with(db::parse_url(&db.url).unwrap());
    let ids = Arc::new(ids);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let handles: Vec<_> = (0..SESSIONS)
        .map(|n| {
            tokio::spawn(session(
                n,
                pool.clone(),
                ids.clone(),
                root,
                deadline,
                fixtures,
            ))
        })
        .collect();
    let mut reports = Vec::new();
    for h in handles {
        reports.push(h.await.expect("a session panicked"));
    }
    let elapsed = started.elapsed().as_secs_f64();

    let unexpected: Vec<&String> = reports.iter().flat_map(|r| &r.unexpected).collect();
    let renames: Vec<&(Uuid, String, DateTime<Utc>)> =
        reports.iter().flat_map(|r| &r.renames).collect();
    let moves: u64 = reports.iter().map(|r| r.moves).sum();
    let noop_moves: u64 = reports.iter().map(|r| r.noop_moves).sum();
    let conflicts: u64 = reports.iter().map(|r| r.conflicts).sum();
    let cycles: u64 = reports.iter().map(|r| r.cycles).sum();
    let reads: u64 = reports.iter().map(|r| r.reads).sum();
    let sets: Vec<&(Uuid, String, DateTime<Utc>)> = reports.iter().flat_map(|r| &r.sets).collect();
    let tag_edits: u64 = reports.iter().map(|r| r.tag_edits).sum();
    let writes = renames.len() as u64
        + moves
        + noop_moves
        + conflicts
        + cycles
        + sets.len() as u64
        + tag_edits;
    println!(
        "{SESSIONS} sessions, {elapsed:.1} s: {writes} writes ({:.0}/s), {} renames, {moves} moves \
         ({noop_moves} no-op), {} value sets, {tag_edits} tag edits, {conflicts} conflicts ({:.1}%), \
         {cycles} cycles refused, {reads} reads, {} unexpected errors",
        writes as f64 / elapsed,
        renames.len(),
        sets.len(),
        100.0 * conflicts as f64 / writes.max(1) as f64,
        unexpected.len()
    );
    assert!(
        unexpected.is_empty(),
        "every refused write must be a Conflict (or a cycle refusal); got {} others, e.g. {:#?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(10)]
    );
    assert!(
        !renames.is_empty() && moves > 0,
        "the run must make progress (renames {}, moves {moves})",
        renames.len()
    );

    // No lost update: the final name is the last successful rename.
    let rows = snapshot(&db.pool).await;
    let mut last: HashMap<Uuid, (&str, DateTime<Utc>)> = HashMap::new();
    for (id, name, at) in &renames {
        match last.get_mut(id) {
            None => {
                last.insert(*id, (name.as_str(), *at));
            }
            Some(e) => {
                assert_ne!(e.1, *at, "two renames of {id} committed with one version");
                if *at > e.1 {
                    *e = (name.as_str(), *at);
                }
            }
        }
    }
    let mut lost = Vec::new();
    for id in ids.iter() {
        let row = rows.iter().find(|r| r.id == *id).expect("entity exists");
        let want = last
            .get(id)
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| original_names[id].clone());
        if row.name.as_deref() != Some(want.as_str()) {
            lost.push(format!(
                "{id}: has {:?}, last rename was {want:?}",
                row.name
            ));
        }
    }
    assert!(
        lost.is_empty(),
        "every entity's name must be its last successful rename: {lost:#?}"
    );

    let audited_renames: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'entity.rename'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        audited_renames,
        renames.len() as i64,
        "one audit row per successful rename, none for refused ones"
    );
    let audited_moves: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'entity.move'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        audited_moves, moves as i64,
        "one audit row per successful (non no-op) move"
    );
    let latest: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT DISTINCT ON (entity_id) entity_id, after->>'name' FROM audit_events
         WHERE action = 'entity.rename'
         ORDER BY entity_id, occurred_at DESC, id DESC",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    for (id, name) in &latest {
        let row = rows.iter().find(|r| r.id == *id).expect("entity exists");
        assert_eq!(
            row.name.as_deref(),
            Some(name.as_str()),
            "the final name of {id} is the name of its newest rename audit row"
        );
    }
    assert_eq!(
        latest.len(),
        last.len(),
        "the audit trail names exactly the renamed entities"
    );

    let live_under_root = rows
        .iter()
        .filter(|r| r.deleted_at.is_none() && r.path.starts_with(&root.simple().to_string()))
        .count();
    assert_eq!(
        live_under_root, 201,
        "renames and moves within the subtree keep all 200 entities under the root"
    );
    if let Err(e) = check_invariants(&rows) {
        panic!("the tree invariants must hold after the run: {e}");
    }

    // No lost value: each entity holds the value of its last successful set.
    assert!(!sets.is_empty(), "the run must set values");
    let mut last_set: HashMap<Uuid, (&str, DateTime<Utc>)> = HashMap::new();
    for (id, value, at) in &sets {
        let e = last_set.entry(*id).or_insert((value.as_str(), *at));
        if *at > e.1 {
            *e = (value.as_str(), *at);
        }
    }
    let stored: HashMap<Uuid, String> = sqlx::query_as::<_, (Uuid, String)>(
        "SELECT entity_id, value #>> '{}' FROM entity_property_values
         WHERE property_definition_id = $1 AND deleted_at IS NULL",
    )
    .bind(fixtures.level)
    .fetch_all(&db.pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    for (id, (value, _)) in &last_set {
        assert_eq!(
            stored.get(id).map(String::as_str),
            Some(*value),
            "{id} holds the value of its last successful set"
        );
    }
    let audited_sets: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'entity.properties'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        audited_sets,
        sets.len() as i64,
        "one audit row per successful set"
    );
    let mut conn = db.pool.acquire().await.unwrap();
    let problems = studio_core::read_model::check(&mut conn, 10).await.unwrap();
    assert!(
        problems.is_empty(),
        "the read model never disagrees with the values: {problems:?}"
    );
    drop(conn);
    pool.close().await;
}
