//! Property test: random sequences of create / rename / move / delete /
//! restore on a fresh database keep the tree's invariants after every
//! operation, refused operations change nothing, and a restore right after
//! a delete gives back exactly the tree before the delete.
//!
//! `PROPTEST_CASES` overrides the number of cases (default 24).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sqlx::PgPool;
use studio_core::progress::CancelToken;
use studio_core::records::VersionedId;
use studio_core::registry::{self, CreateEntity, MoveEntity, RenameEntity};
use studio_core::testing::test_db;
use studio_core::{Actor, CoreError, Source};
use uuid::Uuid;

use crate::common::{check_invariants, snapshot, Row};

const TYPE: &str = "site";
const DEFAULT_CASES: u32 = 24;
const MAX_OPS: usize = 40;

/// Names that collide in slugs ("Pump", "pump", "PUMP!"), look like
/// collision suffixes ("Pump 2", "Room 12"), fall back to the type (emoji,
/// right-to-left), hold a dot, exceed the slug length, or are invalid.
const NAMES: &[&str] = &[
    "Pump",
    "pump",
    "PUMP!",
    "Pump 2",
    "Room 12",
    "Room",
    "Cafe",
    "🔥",
    "مبنى",
    "Zürich Süd",
    "a.b",
    "Building 1",
    "A very long name that goes on well beyond the forty-eight character slug limit",
    "",
    "bad\nname",
];

#[derive(Debug, Clone)]
enum Op {
    Create {
        parent: Option<usize>,
        name: usize,
    },
    Rename {
        x: usize,
        name: usize,
        stale: bool,
    },
    Move {
        x: usize,
        to: Option<usize>,
        stale: bool,
    },
    Delete {
        x: usize,
        stale: bool,
    },
    Restore {
        x: usize,
    },
    /// Delete then restore at once: the tree must come back exactly.
    DeleteRestore {
        x: usize,
    },
    /// An operation on an id that does not exist.
    Ghost {
        kind: u8,
    },
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let name = 0..NAMES.len();
    prop_oneof![
        5 => (proptest::option::weighted(0.85, any::<usize>()), name.clone())
            .prop_map(|(parent, name)| Op::Create { parent, name }),
        3 => (any::<usize>(), name, proptest::bool::weighted(0.1))
            .prop_map(|(x, name, stale)| Op::Rename { x, name, stale }),
        4 => (
            any::<usize>(),
            proptest::option::weighted(0.85, any::<usize>()),
            proptest::bool::weighted(0.1)
        )
            .prop_map(|(x, to, stale)| Op::Move { x, to, stale }),
        2 => (any::<usize>(), proptest::bool::weighted(0.1))
            .prop_map(|(x, stale)| Op::Delete { x, stale }),
        2 => any::<usize>().prop_map(|x| Op::Restore { x }),
        2 => any::<usize>().prop_map(|x| Op::DeleteRestore { x }),
        1 => (0u8..4).prop_map(|kind| Op::Ghost { kind }),
    ]
}

/// Everything but `updated_at` (a restore bumps it).
fn shape(rows: &[Row]) -> Vec<Row> {
    rows.iter()
        .map(|r| Row {
            updated_at: DateTime::<Utc>::MIN_UTC,
            ..r.clone()
        })
        .collect()
}

fn live_set(rows: &[Row]) -> HashSet<(Uuid, String, String)> {
    rows.iter()
        .filter(|r| r.live())
        .map(|r| (r.id, r.path.clone(), r.path_label.clone()))
        .collect()
}

/// How many operations succeeded and were refused, over all cases.
static SUCCEEDED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Validation,
    NotFound,
    Conflict,
    Other,
}

fn outcome<T>(r: &Result<T, CoreError>) -> Outcome {
    match r {
        Ok(_) => Outcome::Ok,
        Err(CoreError::Validation(_)) => Outcome::Validation,
        Err(CoreError::NotFound { .. }) => Outcome::NotFound,
        Err(CoreError::Conflict { .. }) => Outcome::Conflict,
        Err(_) => Outcome::Other,
    }
}

fn valid_name(name: &str) -> bool {
    !name.trim().is_empty() && !name.chars().any(char::is_control)
}

fn is_descendant_or_self(rows: &HashMap<Uuid, &Row>, node: Uuid, ancestor: Uuid) -> bool {
    let mut cur = Some(node);
    while let Some(id) = cur {
        if id == ancestor {
            return true;
        }
        cur = rows.get(&id).and_then(|r| r.parent_id);
    }
    false
}

fn stale(t: DateTime<Utc>) -> DateTime<Utc> {
    t - chrono::Duration::seconds(1)
}

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

async fn run_case(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let db = test_db().await;
    crate::common::ensure_type(&db.pool, TYPE, "Site", false).await;
    let result = apply_all(&db.pool, &ops).await;
    db.pool.close().await;
    result
}

async fn apply_all(pool: &PgPool, ops: &[Op]) -> Result<(), TestCaseError> {
    for (step, op) in ops.iter().enumerate() {
        apply(pool, op)
            .await
            .map_err(|e| TestCaseError::fail(format!("step {step} ({op:?}): {e}")))?;
    }
    Ok(())
}

/// Applies one operation, predicting from the current rows whether it must
/// succeed or with which refusal, and checks the result.
async fn apply(pool: &PgPool, op: &Op) -> Result<(), String> {
    let before = snapshot(pool).await;
    let by_id: HashMap<Uuid, &Row> = before.iter().map(|r| (r.id, r)).collect();
    let pick = |i: usize| -> Option<&Row> {
        if before.is_empty() {
            None
        } else {
            Some(&before[i % before.len()])
        }
    };
    let a = actor();
    let cancel = CancelToken::new();

    let (expected, got, detail): (Outcome, Outcome, String) = match op {
        Op::Create { parent, name } => {
            let name = NAMES[*name];
            let parent = parent.and_then(pick);
            let expected = if !valid_name(name) || parent.is_some_and(|p| !p.live()) {
                Outcome::Validation
            } else {
                Outcome::Ok
            };
            let r = registry::create(
                pool,
                &a,
                &CreateEntity {
                    type_key: TYPE.into(),
                    parent_id: parent.map(|p| p.id),
                    name: name.into(),
                },
            )
            .await
            .map(|a| a.value);
            if let Ok(node) = &r {
                let after = snapshot(pool).await;
                let new: Vec<&Row> = after
                    .iter()
                    .filter(|r| !by_id.contains_key(&r.id))
                    .collect();
                if new.len() != 1 || new[0].id != node.id {
                    return Err(format!(
                        "a create must add exactly its own row, added {new:?}"
                    ));
                }
                if new[0].name.as_deref() != Some(name) || new[0].parent_id != parent.map(|p| p.id)
                {
                    return Err(format!(
                        "the created row is not what was asked: {:?}",
                        new[0]
                    ));
                }
            }
            (expected, outcome(&r), format!("{r:?}"))
        }
        Op::Rename {
            x,
            name,
            stale: is_stale,
        } => {
            let Some(x) = pick(*x) else { return Ok(()) };
            let name = NAMES[*name];
            let expected = if !valid_name(name) {
                Outcome::Validation
            } else if *is_stale {
                Outcome::Conflict
            } else if !x.live() {
                Outcome::Validation
            } else {
                Outcome::Ok
            };
            let r = registry::rename(
                pool,
                &a,
                &RenameEntity {
                    id: x.id,
                    expected_updated_at: if *is_stale {
                        stale(x.updated_at)
                    } else {
                        x.updated_at
                    },
                    name: name.into(),
                },
            )
            .await
            .map(|a| a.value);
            if r.is_ok() {
                let after = snapshot(pool).await;
                let renamed = after.iter().find(|r| r.id == x.id).unwrap();
                if renamed.name.as_deref() != Some(name) {
                    return Err(format!("the rename did not store the name: {renamed:?}"));
                }
                if after
                    .iter()
                    .map(|r| &r.path)
                    .ne(before.iter().map(|r| &r.path))
                {
                    return Err("a rename changed a path".into());
                }
            }
            (expected, outcome(&r), format!("{r:?}"))
        }
        Op::Move {
            x,
            to,
            stale: is_stale,
        } => {
            let Some(x) = pick(*x) else { return Ok(()) };
            let target = to.and_then(pick);
            let expected = if *is_stale {
                Outcome::Conflict
            } else if !x.live() {
                Outcome::Validation
            } else if let Some(t) = target {
                if !t.live() || is_descendant_or_self(&by_id, t.id, x.id) {
                    Outcome::Validation
                } else {
                    Outcome::Ok
                }
            } else {
                Outcome::Ok
            };
            let r = registry::move_entity(
                pool,
                &a,
                &MoveEntity {
                    id: x.id,
                    expected_updated_at: if *is_stale {
                        stale(x.updated_at)
                    } else {
                        x.updated_at
                    },
                    new_parent_id: target.map(|t| t.id),
                },
                &|_| {},
                &cancel,
            )
            .await
            .map(|a| a.value.node);
            if r.is_ok() {
                let after = snapshot(pool).await;
                let moved = after.iter().find(|r| r.id == x.id).unwrap();
                if moved.parent_id != target.map(|t| t.id) {
                    return Err(format!("the move did not set the parent: {moved:?}"));
                }
                if after.len() != before.len()
                    || after
                        .iter()
                        .map(|r| &r.name)
                        .ne(before.iter().map(|r| &r.name))
                {
                    return Err("a move added, removed or renamed rows".into());
                }
            }
            (expected, outcome(&r), format!("{r:?}"))
        }
        Op::Delete { x, stale: is_stale } => {
            let Some(x) = pick(*x) else { return Ok(()) };
            let expected = if *is_stale {
                Outcome::Conflict
            } else if !x.live() {
                Outcome::Validation
            } else {
                Outcome::Ok
            };
            let r = registry::delete(
                pool,
                &a,
                &VersionedId {
                    id: x.id,
                    expected_updated_at: if *is_stale {
                        stale(x.updated_at)
                    } else {
                        x.updated_at
                    },
                },
            )
            .await
            .map(|a| a.value);
            if let Ok(out) = &r {
                let after = snapshot(pool).await;
                let newly: Vec<&Row> = after
                    .iter()
                    .zip(&before)
                    .filter(|(a, b)| !a.live() && b.live())
                    .map(|(a, _)| a)
                    .collect();
                let live_subtree = before
                    .iter()
                    .filter(|r| r.live() && is_descendant_or_self(&by_id, r.id, x.id))
                    .count();
                if newly.len() as i64 != out.deleted || newly.len() != live_subtree {
                    return Err(format!(
                        "delete reported {} and deleted {}, the live subtree had {live_subtree}",
                        out.deleted,
                        newly.len()
                    ));
                }
            }
            (expected, outcome(&r), format!("{r:?}"))
        }
        Op::Restore { x } => {
            let deleted: Vec<&Row> = before.iter().filter(|r| !r.live()).collect();
            let x = if deleted.is_empty() {
                match pick(*x) {
                    Some(x) => x,
                    None => return Ok(()),
                }
            } else {
                deleted[*x % deleted.len()]
            };
            let parent_deleted = x.parent_id.is_some_and(|p| !by_id[&p].live());
            let expected = if x.live() || parent_deleted {
                Outcome::Validation
            } else {
                Outcome::Ok
            };
            let r = registry::restore(pool, &a, x.id).await.map(|a| a.value);
            if let Ok(out) = &r {
                let after = snapshot(pool).await;
                let back = after
                    .iter()
                    .zip(&before)
                    .filter(|(a, b)| a.live() && !b.live())
                    .count();
                if back as i64 != out.restored {
                    return Err(format!(
                        "restore reported {} and brought back {back}",
                        out.restored
                    ));
                }
            }
            (expected, outcome(&r), format!("{r:?}"))
        }
        Op::DeleteRestore { x } => {
            let Some(x) = pick(*x) else { return Ok(()) };
            if !x.live() {
                return Ok(());
            }
            let d = registry::delete(
                pool,
                &a,
                &VersionedId {
                    id: x.id,
                    expected_updated_at: x.updated_at,
                },
            )
            .await
            .map(|a| a.value);
            if d.is_err() {
                return Err(format!(
                    "deleting a live entity with its version failed: {d:?}"
                ));
            }
            check_invariants(&snapshot(pool).await)
                .map_err(|e| format!("after the delete: {e}"))?;
            let r = registry::restore(pool, &a, x.id).await.map(|a| a.value);
            if r.is_err() {
                return Err(format!("restoring what was just deleted failed: {r:?}"));
            }
            let after = snapshot(pool).await;
            if live_set(&after) != live_set(&before) {
                return Err(
                    "delete + restore changed the set of live (id, path, path_label)".into(),
                );
            }
            if shape(&after) != shape(&before) {
                return Err(
                    "delete + restore changed the tree (parents, labels, deletions or names)"
                        .into(),
                );
            }
            (Outcome::Ok, Outcome::Ok, String::new())
        }
        Op::Ghost { kind } => {
            let ghost = Uuid::now_v7();
            let r: Result<(), CoreError> = match kind {
                0 => registry::rename(
                    pool,
                    &a,
                    &RenameEntity {
                        id: ghost,
                        expected_updated_at: Utc::now(),
                        name: "Ghost".into(),
                    },
                )
                .await
                .map(|a| a.value)
                .map(|_| ()),
                1 => match before.first() {
                    // Moving a real entity under a missing parent.
                    Some(x) if x.live() => registry::move_entity(
                        pool,
                        &a,
                        &MoveEntity {
                            id: x.id,
                            expected_updated_at: x.updated_at,
                            new_parent_id: Some(ghost),
                        },
                        &|_| {},
                        &cancel,
                    )
                    .await
                    .map(|a| a.value.node)
                    .map(|_| ()),
                    _ => return Ok(()),
                },
                2 => registry::delete(
                    pool,
                    &a,
                    &VersionedId {
                        id: ghost,
                        expected_updated_at: Utc::now(),
                    },
                )
                .await
                .map(|a| a.value)
                .map(|_| ()),
                _ => registry::restore(pool, &a, ghost)
                    .await
                    .map(|a| a.value)
                    .map(|_| ()),
            };
            (Outcome::NotFound, outcome(&r), format!("{r:?}"))
        }
    };

    if got != expected {
        return Err(format!("expected {expected:?}, got {got:?}: {detail}"));
    }
    if got == Outcome::Ok {
        SUCCEEDED.fetch_add(1, Ordering::Relaxed);
    } else {
        REFUSED.fetch_add(1, Ordering::Relaxed);
    }
    let after = snapshot(pool).await;
    if got != Outcome::Ok && after != before {
        return Err(format!("a refused operation ({got:?}) changed the tree"));
    }
    check_invariants(&after)?;
    read_model_agrees(pool).await
}

/// The read model, kept by the change pipeline, equals the one recomputed
/// from the system of record after every operation.
async fn read_model_agrees(pool: &PgPool) -> Result<(), String> {
    let mut conn = pool.acquire().await.map_err(|e| e.to_string())?;
    let problems = studio_core::read_model::check(&mut conn, 10)
        .await
        .map_err(|e| e.to_string())?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the read model disagrees with the system of record: {problems:?}"
        ))
    }
}

#[test]
fn random_operation_sequences_keep_the_tree_invariants() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let config = Config {
        cases,
        // No regression files next to the tests; shrinking opens a database
        // per attempt, so keep it bounded.
        failure_persistence: None,
        max_shrink_iters: 200,
        max_shrink_time: 90_000,
        ..Config::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut runner = TestRunner::new(config);
    let result = runner.run(
        &proptest::collection::vec(op_strategy(), 1..=MAX_OPS),
        |ops| rt.block_on(run_case(ops)),
    );
    println!(
        "{cases} cases: {} operations succeeded, {} were refused as predicted",
        SUCCEEDED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("the tree invariants must hold after every operation: {e}");
    }
}
