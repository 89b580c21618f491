//! The change pipeline: every mutation returns the changes it made, each
//! with exactly the audit row the pipeline wrote for it; operations compose
//! in one transaction (all or nothing); large moves run as background jobs
//! in the core, with progress, cancel and the moved entity's old parent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;
use studio_core::jobs::{JobEvent, JobOutcome, Jobs, MoveStart};
use studio_core::progress::CancelToken;
use studio_core::records::{TreeNode, VersionedId};
use studio_core::registry::{
    self, CreateEntity, EntityTypeInput, EntityTypeUpdate, MoveEntity, PurgePolicy, RenameEntity,
};
use studio_core::testing::test_db;
use studio_core::{Actor, Applied, Change, CoreError, Source};
use uuid::Uuid;

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

/// The audit rows of a request: (action, record id, before, after).
async fn audit_of(
    pool: &PgPool,
    request: Uuid,
) -> Vec<(String, Uuid, Option<Value>, Option<Value>)> {
    sqlx::query_as(
        "SELECT action, record_id, before, after FROM audit_events
         WHERE request_id = $1 ORDER BY occurred_at, id",
    )
    .bind(request)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The one change of `applied`, checked against the request's one audit row.
async fn one_change<T>(pool: &PgPool, a: &Actor, applied: &Applied<T>, action: &str) -> Change {
    assert_eq!(applied.changes.len(), 1, "{action}: one change");
    let rows = audit_of(pool, a.request_id).await;
    assert_eq!(rows.len(), 1, "{action}: one audit row for one change");
    assert_eq!(rows[0].0, action, "the audit row is the change's");
    applied.changes[0].clone()
}

async fn create(pool: &PgPool, a: &Actor, parent: Option<Uuid>, name: &str) -> Applied<TreeNode> {
    registry::create(
        pool,
        a,
        &CreateEntity {
            type_key: "site".into(),
            parent_id: parent,
            name: name.into(),
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn each_mutation_returns_its_change_and_the_audit_row_says_the_same() {
    let db = test_db().await;
    let pool = &db.pool;
    let a = actor();
    let t = registry::create_entity_type(
        pool,
        &a,
        &EntityTypeInput {
            key: "site".into(),
            name: "Site".into(),
            description: None,
            icon: None,
        },
    )
    .await
    .unwrap();
    match one_change(pool, &a, &t, "entity_type.create").await {
        Change::EntityTypeCreated { entity_type } => assert_eq!(entity_type, t.value),
        other => panic!("{other:?}"),
    }

    let a = actor();
    let root = create(pool, &a, None, "Estate").await;
    match one_change(pool, &a, &root, "entity.create").await {
        Change::EntityCreated { node } => {
            assert_eq!(node, root.value);
            let stored = registry::get_entity(pool, node.id).await.unwrap().node;
            assert_eq!(node, stored, "the created node is the stored row");
        }
        other => panic!("{other:?}"),
    }
    let root = root.value;
    let b1 = create(pool, &actor(), Some(root.id), "Block 1").await.value;
    let b2 = create(pool, &actor(), Some(root.id), "Block 2").await.value;

    let a = actor();
    let renamed = registry::rename(
        pool,
        &a,
        &RenameEntity {
            id: b1.id,
            expected_updated_at: b1.updated_at,
            name: "North block".into(),
        },
    )
    .await
    .unwrap();
    match one_change(pool, &a, &renamed, "entity.rename").await {
        Change::EntityRenamed {
            node,
            old_name,
            old_path_label,
        } => {
            assert_eq!(node, renamed.value);
            assert_eq!(old_name.as_deref(), Some("Block 1"));
            assert_eq!(old_path_label, b1.path_label);
            let row = &audit_of(pool, a.request_id).await[0];
            assert_eq!(row.2.as_ref().unwrap()["name"], "Block 1");
            assert_eq!(row.3.as_ref().unwrap()["name"], "North block");
        }
        other => panic!("{other:?}"),
    }
    let b1 = renamed.value;

    let a = actor();
    let moved = registry::move_entity(
        pool,
        &a,
        &MoveEntity {
            id: b1.id,
            expected_updated_at: b1.updated_at,
            new_parent_id: Some(b2.id),
        },
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap();
    match one_change(pool, &a, &moved, "entity.move").await {
        Change::EntityMoved {
            node,
            old_parent_id,
            rewritten,
            ..
        } => {
            assert_eq!(node, moved.value.node);
            assert_eq!(
                old_parent_id,
                Some(root.id),
                "read inside the move's transaction"
            );
            assert_eq!(moved.value.old_parent_id, Some(root.id));
            assert_eq!(rewritten, 1);
        }
        other => panic!("{other:?}"),
    }
    let b1 = moved.value.node;

    // A move to where it already is changes nothing and says so.
    let a = actor();
    let again = registry::move_entity(
        pool,
        &a,
        &MoveEntity {
            id: b1.id,
            expected_updated_at: b1.updated_at,
            new_parent_id: Some(b2.id),
        },
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert!(again.changes.is_empty(), "a no-op move has no change");
    assert!(
        audit_of(pool, a.request_id).await.is_empty(),
        "and no audit row"
    );

    let a = actor();
    let deleted = registry::delete(
        pool,
        &a,
        &VersionedId {
            id: b2.id,
            expected_updated_at: registry::get_entity(pool, b2.id)
                .await
                .unwrap()
                .node
                .updated_at,
        },
    )
    .await
    .unwrap();
    match one_change(pool, &a, &deleted, "entity.delete").await {
        Change::EntitiesDeleted {
            id,
            parent_id,
            count,
            deleted_at,
            ..
        } => {
            assert_eq!((id, parent_id, count), (b2.id, Some(root.id), 2));
            assert_eq!(deleted_at, deleted.value.deleted_at);
        }
        other => panic!("{other:?}"),
    }

    let a = actor();
    let restored = registry::restore(pool, &a, b2.id).await.unwrap();
    match one_change(pool, &a, &restored, "entity.restore").await {
        Change::EntitiesRestored { node, count, .. } => {
            assert_eq!((node.id, count), (b2.id, 2));
        }
        other => panic!("{other:?}"),
    }

    let b2 = restored.value.node;
    let gone = registry::delete(
        pool,
        &actor(),
        &VersionedId {
            id: b2.id,
            expected_updated_at: b2.updated_at,
        },
    )
    .await
    .unwrap();
    assert_eq!(gone.value.deleted, 2);
    let a = actor();
    let purged = registry::purge(
        pool,
        &a,
        b2.id,
        &PurgePolicy {
            retention: chrono::Duration::zero(),
        },
    )
    .await
    .unwrap();
    match one_change(pool, &a, &purged, "entity.purge").await {
        Change::EntitiesPurged { id, count, .. } => assert_eq!((id, count), (b2.id, 2)),
        other => panic!("{other:?}"),
    }

    let a = actor();
    let edited = registry::update_entity_type(
        pool,
        &a,
        &EntityTypeUpdate {
            id: t.value.id,
            expected_updated_at: t.value.updated_at,
            name: "Campus".into(),
            description: None,
            icon: Some("map-pin".into()),
        },
    )
    .await
    .unwrap();
    match one_change(pool, &a, &edited, "entity_type.update").await {
        Change::EntityTypeUpdated { before, after } => {
            assert_eq!(before.name, "Site");
            assert_eq!(after, edited.value);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn operations_share_one_transaction_all_or_nothing() {
    let db = test_db().await;
    let pool = &db.pool;
    crate::common::ensure_type(pool, "site", "Site", false).await;
    let a = actor();
    let input = |name: &str, parent| CreateEntity {
        type_key: "site".into(),
        parent_id: parent,
        name: name.into(),
    };

    // Three operations in one transaction: their changes come back in order.
    let changes = studio_core::transaction!(pool, |tx| async {
        let mut changes = Vec::new();
        let root = registry::create_in(tx, &a, &input("Campus", None))
            .await?
            .collect_into(&mut changes);
        let hall = registry::create_in(tx, &a, &input("Hall", Some(root.id)))
            .await?
            .collect_into(&mut changes);
        registry::rename_in(
            tx,
            &a,
            &RenameEntity {
                id: hall.id,
                expected_updated_at: hall.updated_at,
                name: "Main hall".into(),
            },
        )
        .await?
        .collect_into(&mut changes);
        Ok::<_, CoreError>(changes)
    })
    .await
    .unwrap();
    let kinds: Vec<&str> = changes
        .iter()
        .map(|c| match c {
            Change::EntityCreated { .. } => "created",
            Change::EntityRenamed { .. } => "renamed",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["created", "created", "renamed"]);
    let actions: Vec<String> = audit_of(pool, a.request_id)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        actions,
        ["entity.create", "entity.create", "entity.rename"],
        "one request"
    );

    // A failure in the third operation takes the first two back with it.
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM entities")
        .fetch_one(pool)
        .await
        .unwrap();
    let b = actor();
    let failed = studio_core::transaction!(pool, |tx| async {
        let root = registry::create_in(tx, &b, &input("Depot", None))
            .await?
            .value;
        let _bay = registry::create_in(tx, &b, &input("Bay", Some(root.id))).await?;
        let _blank = registry::create_in(tx, &b, &input("", Some(root.id))).await?;
        Ok::<_, CoreError>(())
    })
    .await;
    assert!(
        matches!(failed, Err(CoreError::Validation(ref v)) if v.field.as_deref() == Some("name"))
    );
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM entities")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(before, after, "nothing of the failed transaction remains");
    assert!(
        audit_of(pool, b.request_id).await.is_empty(),
        "nor any of its audit rows"
    );
}

/// Collects a job's events; `cancel_after_first_chunk` cancels it from its
/// first progress report past zero.
struct Recorder {
    events: Mutex<Vec<JobEvent>>,
    cancel_after_first_chunk: Option<(Arc<Jobs>, Mutex<Option<Uuid>>)>,
}

async fn finished(recorder: &Recorder) -> Vec<JobEvent> {
    for _ in 0..600 {
        if recorder
            .events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, JobEvent::Finished { .. }))
        {
            return std::mem::take(&mut *recorder.events.lock().unwrap());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the job did not finish within 30 s");
}

fn listener(recorder: &Arc<Recorder>) -> studio_core::jobs::JobListener {
    let recorder = Arc::clone(recorder);
    Arc::new(move |event| {
        if let (JobEvent::Progress { job_id, progress }, Some((jobs, once))) =
            (&event, &recorder.cancel_after_first_chunk)
        {
            let mut once = once.lock().unwrap();
            if progress.done > 0 && once.is_none() {
                *once = Some(*job_id);
                assert!(jobs.cancel(*job_id), "the job is running while it reports");
            }
        }
        recorder.events.lock().unwrap().push(event);
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_moves_run_as_jobs_with_progress_cancel_and_the_old_parent() {
    let db = test_db().await;
    let pool = &db.pool;
    // 1 + 100 × 100 = 10,001 rows: just above the background threshold.
    let tree = crate::kill_mid_move::build(pool, 100, 99).await;
    assert!(tree.size > registry::BACKGROUND_MOVE_THRESHOLD);
    let jobs = Jobs::new();
    let input = MoveEntity {
        id: tree.a.id,
        expected_updated_at: tree.a.updated_at,
        new_parent_id: Some(tree.b.id),
    };

    // Cancelled after its first chunk: nothing changed.
    let recorder = Arc::new(Recorder {
        events: Mutex::new(Vec::new()),
        cancel_after_first_chunk: Some((Arc::clone(&jobs), Mutex::new(None))),
    });
    let a = actor();
    let started = jobs
        .move_entity(pool, &a, &input, listener(&recorder))
        .await
        .unwrap();
    let MoveStart::Background { job_id, total } = started else {
        panic!("a subtree above the threshold moves in the background");
    };
    assert_eq!(total, tree.size);
    let events = finished(&recorder).await;
    match events.last() {
        Some(JobEvent::Finished {
            job_id: j, outcome, ..
        }) => {
            assert_eq!(*j, job_id);
            assert!(matches!(**outcome, JobOutcome::Cancelled), "{outcome:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        jobs.running().is_empty(),
        "a finished job is no longer listed"
    );
    assert!(!jobs.cancel(job_id), "nor can it be cancelled");
    let parent = registry::get_entity(pool, tree.a.id)
        .await
        .unwrap()
        .node
        .parent_id;
    assert_ne!(
        parent,
        Some(tree.b.id),
        "the cancelled move changed nothing"
    );
    assert!(audit_of(pool, a.request_id).await.is_empty());

    // Run to the end: progress rises to the total, the change names the old parent.
    let recorder = Arc::new(Recorder {
        events: Mutex::new(Vec::new()),
        cancel_after_first_chunk: None,
    });
    let a = actor();
    let MoveStart::Background { job_id, .. } = jobs
        .move_entity(pool, &a, &input, listener(&recorder))
        .await
        .unwrap()
    else {
        panic!("background again");
    };
    let events = finished(&recorder).await;
    let done: Vec<i64> = events
        .iter()
        .filter_map(|e| match e {
            JobEvent::Progress { progress, .. } => Some(progress.done),
            _ => None,
        })
        .collect();
    assert!(
        done.windows(2).all(|w| w[0] <= w[1]),
        "progress only rises: {done:?}"
    );
    assert_eq!(done.first(), Some(&0));
    assert_eq!(done.last(), Some(&tree.size));
    let Some(JobEvent::Finished { outcome, .. }) = events.last() else {
        panic!("finished last");
    };
    let JobOutcome::Moved(applied) = &**outcome else {
        panic!("committed: {outcome:?}");
    };
    assert_eq!(applied.value.old_parent_id, tree.a.parent_id);
    assert_eq!(applied.value.node.parent_id, Some(tree.b.id));
    assert!(matches!(
        &applied.changes[..],
        [Change::EntityMoved { old_parent_id, rewritten, .. }]
            if *old_parent_id == tree.a.parent_id && *rewritten == tree.size
    ));
    let source: String = sqlx::query_scalar(
        "SELECT source FROM audit_events WHERE request_id = $1 AND action = 'entity.move'",
    )
    .bind(a.request_id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        source, "test",
        "the job acts for the person and source that started it"
    );
    let _ = job_id;

    // Small subtrees move at once.
    let small = create(pool, &actor(), Some(tree.b.id), "Small").await.value;
    let recorder = Arc::new(Recorder {
        events: Mutex::new(Vec::new()),
        cancel_after_first_chunk: None,
    });
    let started = jobs
        .move_entity(
            pool,
            &actor(),
            &MoveEntity {
                id: small.id,
                expected_updated_at: small.updated_at,
                new_parent_id: None,
            },
            listener(&recorder),
        )
        .await
        .unwrap();
    assert!(matches!(started, MoveStart::Done(ref d) if d.value.old_parent_id == Some(tree.b.id)));
    assert!(
        recorder.events.lock().unwrap().is_empty(),
        "no job events for an inline move"
    );
}
