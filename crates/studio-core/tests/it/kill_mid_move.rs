//! A move of a big subtree (30,000 entities) is one transaction: killing the
//! process that runs it (SIGKILL, mid-move) leaves every row as it was and
//! no lock behind; cancelling it from the progress callback after the first
//! chunk returns `Cancelled` and changes nothing.
//!
//! The kill test re-executes this test binary to run only
//! `child_runs_a_big_move`, which does the move when `ECO_KILL_CHILD_DB` is
//! set and nothing otherwise (so ordinary runs pass it trivially, under both
//! nextest and cargo test).

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use studio_core::progress::{CancelToken, Progress as MoveProgress};
use studio_core::records::TreeNode;
use studio_core::registry::{self, CreateEntity, MoveEntity};
use studio_core::testing::test_db;
use studio_core::{Actor, CoreError, Source};
use uuid::Uuid;

const CHILD_DB: &str = "ECO_KILL_CHILD_DB";
const CHILD_MOVE: &str = "ECO_KILL_CHILD_MOVE";
const CHILD_APP: &str = "eco-kill-child";
const PROGRESS: &str = "eco-kill-progress";
const COMMITTED: &str = "eco-kill-committed";

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

pub(crate) struct Tree {
    pub a: TreeNode,
    pub b: TreeNode,
    /// Rows a move of `a` rewrites (itself included).
    pub size: i64,
}

/// Root "Estate" with "Big block" (a) and "Target" (b) under it, and
/// `mids` × (1 + `leaves`) entities under a, inserted with SQL but following
/// the invariants: path = parent path + id label, path_label = parent label
/// + slug of the name (names `mid_7`, `leaf_12` are their own slugs).
pub(crate) async fn build(pool: &PgPool, mids: i32, leaves: i32) -> Tree {
    let type_id = crate::common::ensure_type(pool, "site", "Site", false).await;
    let create = |parent: Option<Uuid>, name: &str| {
        let input = CreateEntity {
            type_key: "site".into(),
            parent_id: parent,
            name: name.into(),
        };
        async move {
            registry::create(pool, &actor(), &input)
                .await
                .map(|a| a.value)
                .unwrap()
        }
    };
    let root = create(None, "Estate").await;
    let a = create(Some(root.id), "Big block").await;
    let b = create(Some(root.id), "Target").await;
    let (a_path, a_label): (String, String) =
        sqlx::query_as("SELECT path::text, path_label FROM entities WHERE id = $1")
            .bind(a.id)
            .fetch_one(pool)
            .await
            .unwrap();

    let mut tx = pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO entities (id, entity_type_id, parent_entity_id, path, path_label, created_at, updated_at)
         SELECT s.u, $1, $2, ($3 || '.' || replace(s.u::text, '-', ''))::ltree,
                $4 || '.mid_' || s.i, now(), now()
         FROM (SELECT gen_random_uuid() AS u, i FROM generate_series(1, $5) AS i) s",
    )
    .bind(type_id)
    .bind(a.id)
    .bind(&a_path)
    .bind(&a_label)
    .bind(mids)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO entities (id, entity_type_id, parent_entity_id, path, path_label, created_at, updated_at)
         SELECT s.u, $1, s.mid, (s.mid_path || '.' || replace(s.u::text, '-', ''))::ltree,
                s.mid_label || '.leaf_' || s.j, now(), now()
         FROM (SELECT gen_random_uuid() AS u, m.id AS mid, m.path::text AS mid_path,
                      m.path_label AS mid_label, j
               FROM entities m CROSS JOIN generate_series(1, $2) AS j
               WHERE m.parent_entity_id = $3) s",
    )
    .bind(type_id)
    .bind(leaves)
    .bind(a.id)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO entity_property_values (id, entity_id, property_definition_id, value, created_at, updated_at)
         SELECT gen_random_uuid(), e.id, '01900000-0000-7000-8000-000000000002',
                to_jsonb(regexp_replace(e.path_label, '^.*\\.', '')), now(), now()
         FROM entities e WHERE e.path <@ $1::ltree AND e.id <> $2",
    )
    .bind(&a_path)
    .bind(a.id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Rows written with SQL bypass the change pipeline: rebuild what is
    // derived from them.
    let mut conn = pool.acquire().await.unwrap();
    studio_core::read_model::rebuild(&mut conn).await.unwrap();
    drop(conn);
    sqlx::query("ANALYZE entities").execute(pool).await.unwrap();

    let size = registry::move_size(pool, a.id).await.unwrap();
    assert_eq!(
        size,
        1 + i64::from(mids) * (1 + i64::from(leaves)),
        "the subtree was built as asked"
    );
    let bad: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities c JOIN entities p ON p.id = c.parent_entity_id
         LEFT JOIN entity_property_values v ON v.entity_id = c.id
         WHERE c.path <@ $1::ltree AND c.id <> $2
           AND (c.path <> p.path || text2ltree(replace(c.id::text, '-', ''))
                OR c.path_label IS DISTINCT FROM p.path_label || '.' || (v.value #>> '{}'))",
    )
    .bind(&a_path)
    .bind(a.id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(bad, 0, "the SQL-built rows follow the tree invariants");
    let a = registry::get_entity(pool, a.id).await.unwrap().node;
    Tree { a, b, size }
}

type Snapshot = Vec<(
    Uuid,
    Option<Uuid>,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
)>;

async fn snapshot(pool: &PgPool) -> Snapshot {
    sqlx::query_as(
        "SELECT id, parent_entity_id, path::text, path_label, updated_at, deleted_at
         FROM entities ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn assert_same(before: &Snapshot, after: &Snapshot, what: &str) {
    let differing = before
        .iter()
        .zip(after.iter())
        .filter(|(b, a)| b != a)
        .count();
    assert!(
        before.len() == after.len() && differing == 0,
        "{what}: the tree must be exactly as before ({} rows before, {} after, {differing} differ; \
         first: {:?})",
        before.len(),
        after.len(),
        before
            .iter()
            .zip(after.iter())
            .find(|(b, a)| b != a)
    );
}

async fn audited_moves(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'entity.move'")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn parse_progress(line: &str) -> Option<(i64, i64)> {
    let mut parts = line.strip_prefix(PROGRESS)?.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Runs in the child process only (when `ECO_KILL_CHILD_DB` is set): moves
/// the subtree, printing progress, slowly enough to be killed mid-move.
#[tokio::test(flavor = "multi_thread")]
async fn child_runs_a_big_move() {
    let Ok(url) = std::env::var(CHILD_DB) else {
        return;
    };
    let spec = std::env::var(CHILD_MOVE).expect("the ids to move");
    let (id, to) = spec.split_once(' ').expect("\"<id> <new parent>\"");
    let (id, to) = (Uuid::parse_str(id).unwrap(), Uuid::parse_str(to).unwrap());
    let opts = studio_core::db::parse_url(&url)
        .unwrap()
        .application_name(CHILD_APP);
    let pool = studio_core::db::pool_options_for(&url)
        .unwrap()
        .max_connections(2)
        .connect_lazy_with(opts);
    let node = registry::get_entity(&pool, id).await.unwrap().node;
    let r = registry::move_entity(
        &pool,
        &Actor::new(None, Source::Test),
        &MoveEntity {
            id,
            expected_updated_at: node.updated_at,
            new_parent_id: Some(to),
        },
        &|p| {
            println!("{PROGRESS} {} {}", p.done, p.total);
            if p.done > 0 {
                // A slow machine: leave the parent time to kill us mid-move.
                std::thread::sleep(Duration::from_millis(300));
            }
        },
        &CancelToken::new(),
    )
    .await
    .map(|a| a.value.node);
    println!("{COMMITTED} {r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_process_mid_move_leaves_the_tree_as_before() {
    if std::env::var_os(CHILD_DB).is_some() {
        return;
    }
    let db = test_db().await;
    let tree = build(&db.pool, 100, 299).await;
    assert_eq!(tree.size, 30_001, "30,000 entities under the moved one");
    let before = snapshot(&db.pool).await;
    let moves_before = audited_moves(&db.pool).await;

    let exe = std::env::current_exe().expect("the test binary");
    let mut child = Command::new(exe)
        .args([
            "kill_mid_move::child_runs_a_big_move",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DB, &db.url)
        .env(CHILD_MOVE, format!("{} {}", tree.a.id, tree.b.id))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("re-run the test binary as the child");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    // Wait until the child has rewritten a first chunk (and not all).
    let mut lines = Vec::new();
    let start = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                let running = parse_progress(&line).is_some_and(|(d, t)| d > 0 && d < t);
                lines.push(line);
                if running {
                    break;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the child ended before its move was under way: {lines:#?}")
            }
        }
        if start.elapsed() > Duration::from_secs(300) {
            unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
            panic!("the child's move never got under way: {lines:#?}");
        }
    }

    // The child's backend holds the move's transaction open, with locks.
    let backends: Vec<i32> = sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = $1 AND xact_start IS NOT NULL",
    )
    .bind(CHILD_APP)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(
        !backends.is_empty(),
        "the child's move must be running in an open transaction"
    );
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_locks WHERE pid = ANY($1)")
        .bind(&backends)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(
        held > 0,
        "the child's transaction holds locks while it moves"
    );

    // Prefer killing while a chunk's UPDATE is executing.
    let mut during_update = false;
    let poll_start = Instant::now();
    while poll_start.elapsed() < Duration::from_secs(3) {
        let active: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE pid = ANY($1) AND state = 'active' AND query LIKE 'UPDATE entities%'",
        )
        .bind(&backends)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        if active > 0 {
            during_update = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // SAFETY: kill has no memory-safety preconditions; the pid is our child's.
    let rc = unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    assert_eq!(rc, 0, "SIGKILL could be sent to the child");
    let status = child.wait().expect("wait for the killed child");
    assert_eq!(
        status.signal(),
        Some(libc::SIGKILL),
        "the child died of SIGKILL: {status:?}"
    );
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
        lines.push(line);
    }
    assert!(
        !lines.iter().any(|l| l.starts_with(COMMITTED)),
        "the child was killed before its move finished: {lines:#?}"
    );
    println!(
        "killed the child {} ({} progress lines seen)",
        if during_update {
            "while a chunk UPDATE was executing"
        } else {
            "between chunks, with its transaction open"
        },
        lines.len()
    );

    // PostgreSQL notices the closed socket and rolls the transaction back.
    let start = Instant::now();
    loop {
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)")
                .bind(&backends)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the killed child's backends must go away"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_locks WHERE pid = ANY($1)")
        .bind(&backends)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(held, 0, "no lock of the killed child remains");

    let after = snapshot(&db.pool).await;
    assert_same(&before, &after, "after killing the move");
    assert_eq!(
        audited_moves(&db.pool).await,
        moves_before,
        "a move that never committed is not audited"
    );

    // Nothing is left locked: the same move now runs to the end.
    let fresh = registry::get_entity(&db.pool, tree.a.id)
        .await
        .unwrap()
        .node;
    let moved = tokio::time::timeout(
        Duration::from_secs(300),
        registry::move_entity(
            &db.pool,
            &actor(),
            &MoveEntity {
                id: fresh.id,
                expected_updated_at: fresh.updated_at,
                new_parent_id: Some(tree.b.id),
            },
            &|_| {},
            &CancelToken::new(),
        ),
    )
    .await
    .expect("a move after the kill must not wait on a dead transaction's locks")
    .expect("the move after the kill succeeds")
    .value
    .node;
    assert_eq!(moved.parent_id, Some(tree.b.id));
    let under_b = registry::subtree_count(&db.pool, tree.b.id).await.unwrap();
    assert_eq!(
        under_b,
        1 + tree.size,
        "the whole subtree is under the target now"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_move_cancelled_after_the_first_chunk_changes_nothing() {
    if std::env::var_os(CHILD_DB).is_some() {
        return;
    }
    let db = test_db().await;
    let tree = build(&db.pool, 40, 299).await;
    assert_eq!(tree.size, 12_001);
    let before = snapshot(&db.pool).await;
    let moves_before = audited_moves(&db.pool).await;

    let token = CancelToken::new();
    let seen = Mutex::new(Vec::<MoveProgress>::new());
    let r = registry::move_entity(
        &db.pool,
        &actor(),
        &MoveEntity {
            id: tree.a.id,
            expected_updated_at: tree.a.updated_at,
            new_parent_id: Some(tree.b.id),
        },
        &|p| {
            seen.lock().unwrap().push(p);
            if p.done > 0 {
                token.cancel();
            }
        },
        &token,
    )
    .await
    .map(|a| a.value.node);
    assert!(
        matches!(r, Err(CoreError::Cancelled)),
        "a move cancelled between chunks returns Cancelled, got {r:?}"
    );
    let seen = seen.into_inner().unwrap();
    assert_eq!(
        seen.len(),
        2,
        "the move stops right after the first chunk: {seen:?}"
    );
    assert_eq!(
        seen[0],
        MoveProgress {
            done: 0,
            total: tree.size
        }
    );
    assert!(
        seen[1].done > 0 && seen[1].done < tree.size,
        "one chunk, not the whole subtree, was rewritten before the cancel: {seen:?}"
    );
    let after = snapshot(&db.pool).await;
    assert_same(&before, &after, "after a cancelled move");
    assert_eq!(
        audited_moves(&db.pool).await,
        moves_before,
        "a cancelled move is not audited"
    );

    // The same move, not cancelled, rewrites every row.
    let last = Mutex::new(None);
    let moved = registry::move_entity(
        &db.pool,
        &actor(),
        &MoveEntity {
            id: tree.a.id,
            expected_updated_at: tree.a.updated_at,
            new_parent_id: Some(tree.b.id),
        },
        &|p| *last.lock().unwrap() = Some(p),
        &CancelToken::new(),
    )
    .await
    .map(|a| a.value.node)
    .expect("after a cancel the move can be done again");
    assert_eq!(moved.parent_id, Some(tree.b.id));
    assert_eq!(
        last.into_inner().unwrap(),
        Some(MoveProgress {
            done: tree.size,
            total: tree.size
        }),
        "the full move rewrites every row of the subtree"
    );
    let b_path: String = sqlx::query_scalar("SELECT path::text FROM entities WHERE id = $1")
        .bind(tree.b.id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let under_b: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities WHERE path <@ $1::ltree AND path_label LIKE 'estate.target.%'",
    )
    .bind(&b_path)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        under_b, tree.size,
        "every moved row has the new path and label prefix"
    );
    assert_eq!(audited_moves(&db.pool).await, moves_before + 1);
}
