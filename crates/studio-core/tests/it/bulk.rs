//! Bulk edit against a real PostgreSQL: the preview, all-or-nothing
//! application with one request id, tags in bulk, cancel after a chunk, and
//! a process killed mid-way (SIGKILL) changing nothing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use studio_core::bulk::{self, BulkAction, BulkEdit, BulkTarget};
use studio_core::links::{self, NewTag, TagGroupInput};
use studio_core::progress::CancelToken;
use studio_core::properties::{self, PropertyDefinitionInput, TypeLayoutUpdate};
use studio_core::records::{LayoutEntry, PropertyValue, Rules, SelectionMode, ValueType};
use studio_core::testing::test_db;
use studio_core::{read_model, Actor, CoreError, Rule, Source};
use uuid::Uuid;

const CHILD_DB: &str = "ECO_BULK_CHILD_DB";
const CHILD_EDIT: &str = "ECO_BULK_CHILD_EDIT";
const PROGRESS: &str = "eco-bulk-progress";

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

async fn define(pool: &PgPool, key: &str, t: ValueType, sensitive: bool) -> Uuid {
    properties::create_property_definition(
        pool,
        &actor(),
        &PropertyDefinitionInput {
            group_id: None,
            key: key.into(),
            name: key.into(),
            description: None,
            value_type: t,
            is_required: false,
            is_sensitive: sensitive,
            is_searchable: true,
            rules: Rules::default(),
        },
    )
    .await
    .unwrap()
    .value
    .id
}

async fn values_of(pool: &PgPool, def: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM entity_property_values WHERE property_definition_id = $1 AND deleted_at IS NULL")
        .bind(def)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn consistent(pool: &PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    let problems = read_model::check(&mut conn, 20).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

#[tokio::test]
async fn a_bulk_edit_is_previewed_then_applied_all_or_nothing_with_one_request() {
    let db = test_db().await;
    let pool = &db.pool;
    // 1 + 10 × 5 entities under the root.
    let tree = crate::kill_mid_move::build(pool, 10, 4).await;
    let root = tree.a.id;
    let note = define(pool, "note", ValueType::Text, false).await;
    let target = BulkTarget::Subtree {
        root_id: root,
        type_key: None,
    };
    let edit = BulkEdit {
        target: target.clone(),
        action: BulkAction::SetProperty {
            definition_id: note,
            value: Some(PropertyValue::Text("checked".into())),
        },
    };
    let preview = bulk::bulk_preview(pool, &edit).await.unwrap();
    assert_eq!((preview.targets, preview.changing), (51, 51));
    assert_eq!(preview.samples.len(), 10);
    assert_eq!(preview.samples[0].after.as_deref(), Some("\"checked\""));
    assert_eq!(values_of(pool, note).await, 0, "a preview changes nothing");

    let a = actor();
    let done = bulk::bulk_apply(pool, &a, &edit, &|_| {}, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!((done.value.targets, done.value.changed), (51, 51));
    assert_eq!(done.changes.len(), 1, "one change for the whole edit");
    assert_eq!(values_of(pool, note).await, 51);
    let rows: (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT entity_id) FROM audit_events WHERE request_id = $1 AND action = 'entity.properties'",
    )
    .bind(a.request_id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(rows, (51, 51), "one audit row per entity, one request id");
    consistent(pool).await;
    // Again: nothing changes, nothing is written.
    let again = bulk::bulk_apply(pool, &actor(), &edit, &|_| {}, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(again.value.changed, 0);
    assert!(again.changes.is_empty());

    // One entity that refuses (its type requires the property) refuses the
    // whole clear: nothing changes.
    let type_id: Uuid = sqlx::query_scalar("SELECT entity_type_id FROM entities WHERE id = $1")
        .bind(root)
        .fetch_one(pool)
        .await
        .unwrap();
    let layout = properties::type_layout(pool, type_id).await.unwrap();
    let _required = properties::set_type_layout(
        pool,
        &actor(),
        &TypeLayoutUpdate {
            entity_type_id: type_id,
            expected_updated_at: layout.updated_at,
            entries: vec![LayoutEntry {
                definition_id: note,
                is_required: true,
            }],
        },
    )
    .await
    .unwrap();
    let clear = BulkEdit {
        target: BulkTarget::Entities {
            ids: vec![root, tree.b.id],
        },
        action: BulkAction::SetProperty {
            definition_id: note,
            value: None,
        },
    };
    match bulk::bulk_apply(pool, &actor(), &clear, &|_| {}, &CancelToken::new()).await {
        Err(CoreError::Validation(v)) => assert_eq!(v.rule, Rule::Required),
        other => panic!("refused: {other:?}"),
    }
    assert_eq!(values_of(pool, note).await, 51, "nothing was cleared");
    // An invalid value is refused before anything is written.
    let number = define(pool, "count", ValueType::Number, false).await;
    let bad = BulkEdit {
        target,
        action: BulkAction::SetProperty {
            definition_id: number,
            value: Some(PropertyValue::Number("12,5".into())),
        },
    };
    assert!(matches!(
        bulk::bulk_preview(pool, &bad).await,
        Err(CoreError::Validation(_))
    ));
    assert_eq!(values_of(pool, number).await, 0);
}

#[tokio::test]
async fn tags_in_bulk_respect_single_choice_groups_and_cancel_changes_nothing() {
    let db = test_db().await;
    let pool = &db.pool;
    let tree = crate::kill_mid_move::build(pool, 60, 99).await; // 6,001 entities
    let status = links::create_tag_group(
        pool,
        &actor(),
        &TagGroupInput {
            key: "status".into(),
            name: "Status".into(),
            description: None,
            selection_mode: SelectionMode::Single,
        },
    )
    .await
    .unwrap()
    .value;
    let tag = |key: &str| NewTag {
        group_id: Some(status.id),
        key: key.into(),
        name: key.into(),
        color: None,
    };
    let active = links::create_tag(pool, &actor(), &tag("active"))
        .await
        .unwrap()
        .value;
    let retired = links::create_tag(pool, &actor(), &tag("retired"))
        .await
        .unwrap()
        .value;
    let under = BulkTarget::Subtree {
        root_id: tree.a.id,
        type_key: None,
    };
    let add = |t: Uuid| BulkEdit {
        target: under.clone(),
        action: BulkAction::AddTag { tag_id: t },
    };
    let added = bulk::bulk_apply(
        pool,
        &actor(),
        &add(active.id),
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(added.value.changed, 6_001);
    assert_eq!(carrying(pool, active.id).await, 6_001);
    match bulk::bulk_preview(pool, &add(retired.id)).await {
        Err(CoreError::Validation(v)) => assert_eq!(v.rule, Rule::Choice),
        other => panic!("two tags of a single-choice group: {other:?}"),
    }
    consistent(pool).await;

    // Cancelled after its first chunk: nothing changes.
    let remove = BulkEdit {
        target: under,
        action: BulkAction::RemoveTag { tag_id: active.id },
    };
    let cancel = CancelToken::new();
    let seen = std::sync::Mutex::new(Vec::new());
    let r = bulk::bulk_apply(
        pool,
        &actor(),
        &remove,
        &|p| {
            seen.lock().unwrap().push(p.done);
            if p.done > 0 {
                cancel.cancel();
            }
        },
        &cancel,
    )
    .await;
    assert!(matches!(r, Err(CoreError::Cancelled)), "{r:?}");
    assert_eq!(
        seen.lock().unwrap()[..2],
        [0, 2_000],
        "cancelled after the first chunk"
    );
    assert_eq!(carrying(pool, active.id).await, 6_001);
    consistent(pool).await;
}

async fn carrying(pool: &PgPool, tag: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM entity_read_model WHERE tag_ids @> ARRAY[$1]::uuid[]")
        .bind(tag)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Runs in the child process only: a slow bulk edit, to be killed mid-way.
#[tokio::test(flavor = "multi_thread")]
async fn child_runs_a_big_bulk_edit() {
    let Ok(url) = std::env::var(CHILD_DB) else {
        return;
    };
    let spec = std::env::var(CHILD_EDIT).expect("<root> <definition>");
    let (root, def) = spec.split_once(' ').unwrap();
    let pool = studio_core::db::pool_options_for(&url)
        .unwrap()
        .max_connections(2)
        .connect_lazy_with(studio_core::db::parse_url(&url).unwrap());
    let edit = BulkEdit {
        target: BulkTarget::Subtree {
            root_id: Uuid::parse_str(root).unwrap(),
            type_key: None,
        },
        action: BulkAction::SetProperty {
            definition_id: Uuid::parse_str(def).unwrap(),
            value: Some(PropertyValue::Text("killed".into())),
        },
    };
    let r = bulk::bulk_apply(
        &pool,
        &actor(),
        &edit,
        &|p| {
            println!("{PROGRESS} {} {}", p.done, p.total);
            if p.done > 0 {
                std::thread::sleep(Duration::from_millis(500));
            }
        },
        &CancelToken::new(),
    )
    .await
    .map(|a| a.value);
    println!("finished {r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_edit_killed_mid_way_changes_nothing() {
    if std::env::var_os(CHILD_DB).is_some() {
        return;
    }
    let db = test_db().await;
    let pool = &db.pool;
    let tree = crate::kill_mid_move::build(pool, 100, 49).await; // 5,001 entities
    let note = define(pool, "note", ValueType::Text, false).await;
    let audit_before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "bulk::child_runs_a_big_bulk_edit",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DB, &db.url)
        .env(CHILD_EDIT, format!("{} {}", tree.a.id, note))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Wait for the first chunk written (and not all).
    let start = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                let mut parts = line.split_whitespace();
                if parts.next() == Some(PROGRESS) {
                    let done: i64 = parts.next().unwrap().parse().unwrap();
                    let total: i64 = parts.next().unwrap().parse().unwrap();
                    if done > 0 && done < total {
                        break;
                    }
                }
                assert!(
                    !line.starts_with("finished"),
                    "the child finished before it was killed: {line}"
                );
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => panic!("the child ended early"),
        }
        if start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("the child's bulk edit never got under way");
        }
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed");
    // Its transaction died with it: no value, no audit row, a consistent read model.
    for _ in 0..100 {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND backend_type = 'client backend' AND xact_start IS NOT NULL AND state <> 'idle'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        values_of(pool, note).await,
        0,
        "no value of the killed edit remains"
    );
    let audit_after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        audit_after, audit_before,
        "no audit row of the killed edit remains"
    );
    consistent(pool).await;
    // And the same edit runs to the end afterwards (no lock left behind).
    let edit = BulkEdit {
        target: BulkTarget::Subtree {
            root_id: tree.a.id,
            type_key: None,
        },
        action: BulkAction::SetProperty {
            definition_id: note,
            value: Some(PropertyValue::Text("done".into())),
        },
    };
    let done = tokio::time::timeout(
        Duration::from_secs(120),
        bulk::bulk_apply(pool, &actor(), &edit, &|_| {}, &CancelToken::new()),
    )
    .await
    .expect("no lock of the killed transaction is left")
    .unwrap();
    assert_eq!(done.value.changed, 5_001);
}
