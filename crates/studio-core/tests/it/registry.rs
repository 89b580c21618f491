//! The registry against a real PostgreSQL: every test gets a fresh, migrated
//! database of its own.

use studio_core::demo;
use studio_core::records::TreeNode;
use studio_core::registry::{self, CreateEntity};
use studio_core::testing::test_db;
use studio_core::{Actor, CoreError, Source};

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

async fn with_type(pool: &sqlx::PgPool, key: &'static str) {
    crate::common::ensure_type(pool, key, key, false).await;
}

async fn create(
    pool: &sqlx::PgPool,
    parent: Option<uuid::Uuid>,
    name: &str,
) -> Result<TreeNode, CoreError> {
    let mut tx = pool.begin().await.unwrap();
    let r = registry::create_in(
        &mut tx,
        &actor(),
        &CreateEntity {
            type_key: "site".to_string(),
            parent_id: parent,
            name: name.to_string(),
        },
    )
    .await
    .map(|a| a.value);
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

async fn count(pool: &sqlx::PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn demo_seed_builds_a_consistent_estate_once() {
    let db = test_db().await;
    assert!(
        demo::is_fresh(&db.pool).await.unwrap(),
        "a new database has never held an entity"
    );
    let report = demo::seed_demo(&db.pool, &actor())
        .await
        .map(|a| a.value)
        .expect("seed the demo");
    assert!(
        report.entities >= 300,
        "the demo is a few hundred entities, got {}",
        report.entities
    );
    assert_eq!(
        registry::count_live_entities(&db.pool).await.unwrap() as usize,
        report.entities,
        "the report counts what was stored"
    );
    assert!(
        !demo::is_fresh(&db.pool).await.unwrap(),
        "a seeded registry is not fresh"
    );

    // Every entity's path is its parent's path plus its own id label, and
    // its path_label its parent's path_label plus one slug.
    let bad_paths = count(
        &db.pool,
        "SELECT count(*) FROM entities c LEFT JOIN entities p ON p.id = c.parent_entity_id
         WHERE c.path <> COALESCE(p.path, ''::ltree) || text2ltree(replace(c.id::text, '-', ''))
            OR (p.id IS NOT NULL AND c.path_label NOT LIKE p.path_label || '.%')
            OR (p.id IS NULL AND c.path_label LIKE '%.%')",
    )
    .await;
    assert_eq!(bad_paths, 0, "paths must mirror the parent chain");

    let names = count(
        &db.pool,
        "SELECT count(*) FROM entity_property_values v JOIN property_definitions d ON d.id = v.property_definition_id
         WHERE d.key = 'name' AND v.deleted_at IS NULL",
    )
    .await;
    assert_eq!(
        names as usize, report.entities,
        "every entity has exactly one name"
    );

    let audited = count(
        &db.pool,
        "SELECT count(*) FROM audit_events WHERE action = 'entity.create'",
    )
    .await;
    assert_eq!(
        audited as usize, report.entities,
        "every creation is audited"
    );

    let roots = registry::list_roots(&db.pool).await.unwrap();
    let root_names: Vec<_> = roots.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        root_names,
        [
            "Greenfield Campus",
            "Helios Facilities",
            "Northwind Energy",
            "Tags"
        ],
        "roots are the tenants and the tag library, in path-label order"
    );
    assert!(roots[..3]
        .iter()
        .all(|r| r.has_children && r.type_key == "tenant" && r.icon.is_some()));
    assert_eq!(
        roots[3].type_key, "tag_library",
        "the tags live under their own root"
    );

    let sites = registry::list_children(&db.pool, roots[2].id)
        .await
        .unwrap();
    assert_eq!(sites.len(), 2, "Northwind has two sites");
    assert!(sites.iter().all(|s| s.parent_id == Some(roots[2].id)));
    assert_eq!(sites[0].path_label, "northwind_energy.london_docklands");

    // A second seed is refused and changes nothing.
    let before = count(&db.pool, "SELECT count(*) FROM entities").await;
    let err = demo::seed_demo(&db.pool, &actor())
        .await
        .map(|a| a.value)
        .unwrap_err();
    assert!(
        matches!(err, CoreError::Validation(_)),
        "re-seeding is a validation error, got {err:?}"
    );
    assert_eq!(
        count(&db.pool, "SELECT count(*) FROM entities").await,
        before,
        "a refused seed writes nothing"
    );
}

#[tokio::test]
async fn leaves_have_no_children_and_unknown_parents_are_not_found() {
    let db = test_db().await;
    with_type(&db.pool, "site").await;
    let root = create(&db.pool, None, "Only root").await.unwrap();
    let roots = registry::list_roots(&db.pool).await.unwrap();
    assert_eq!(roots.len(), 1);
    assert!(!roots[0].has_children, "a root without children says so");
    assert!(registry::list_children(&db.pool, root.id)
        .await
        .unwrap()
        .is_empty());
    let missing = uuid::Uuid::now_v7();
    match registry::list_children(&db.pool, missing).await {
        Err(CoreError::NotFound { id, .. }) => assert_eq!(id, missing),
        other => panic!("children of an unknown entity must be NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn names_are_validated_and_round_trip_exactly() {
    let db = test_db().await;
    with_type(&db.pool, "site").await;
    for bad in ["", "   ", "tab\there", "line\nbreak", "nul\u{0}"] {
        let err = create(&db.pool, None, bad).await.unwrap_err();
        assert!(
            matches!(err, CoreError::Validation(_)),
            "{bad:?} must be refused, got {err:?}"
        );
    }
    let too_long = "x".repeat(registry::MAX_NAME_CHARS + 1);
    assert!(matches!(
        create(&db.pool, None, &too_long).await,
        Err(CoreError::Validation(_))
    ));
    assert_eq!(
        count(&db.pool, "SELECT count(*) FROM entities").await,
        0,
        "refused names write nothing"
    );

    let exact = [
        "Düsseldorf Süd 🔌",
        "مبنى الإدارة",
        "x".repeat(registry::MAX_NAME_CHARS).leak(),
    ];
    for name in exact {
        create(&db.pool, None, name)
            .await
            .unwrap_or_else(|e| panic!("{name:?} must be accepted: {e}"));
    }
    let roots = registry::list_roots(&db.pool).await.unwrap();
    for name in exact {
        assert!(
            roots.iter().any(|r| r.name == name),
            "{name:?} must come back exactly"
        );
    }
    assert!(
        roots
            .iter()
            .all(|r| !r.path_label.is_empty() && r.path_label.is_ascii()),
        "slugs stay ASCII labels"
    );
}

#[tokio::test]
async fn sibling_duplicates_get_distinct_path_labels() {
    let db = test_db().await;
    with_type(&db.pool, "site").await;
    let parent = create(&db.pool, None, "Parent").await.unwrap();
    let mut labels = Vec::new();
    for _ in 0..5 {
        labels.push(
            create(&db.pool, Some(parent.id), "Pump")
                .await
                .unwrap()
                .path_label,
        );
    }
    assert_eq!(
        &labels[..3],
        ["parent.pump", "parent.pump_2", "parent.pump_3"]
    );
    let mut unique = labels.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        5,
        "duplicate names never share a path_label: {labels:?}"
    );
}

#[tokio::test]
async fn creating_under_a_deleted_or_unknown_parent_is_refused() {
    let db = test_db().await;
    with_type(&db.pool, "site").await;
    let parent = create(&db.pool, None, "Gone").await.unwrap();
    // Committed here, also through a transaction pooler (where a statement
    // on the pool commits only when its lease ends).
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("UPDATE entities SET deleted_at = now() WHERE id = $1")
        .bind(parent.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(
        create(&db.pool, Some(parent.id), "Child").await,
        Err(CoreError::Validation(_))
    ));
    assert!(matches!(
        create(&db.pool, Some(uuid::Uuid::now_v7()), "Child").await,
        Err(CoreError::NotFound { .. })
    ));
    assert_eq!(count(&db.pool, "SELECT count(*) FROM entities").await, 1);
}

#[tokio::test]
async fn audit_events_are_append_only() {
    let db = test_db().await;
    with_type(&db.pool, "site").await;
    let n = count(&db.pool, "SELECT count(*) FROM audit_events").await;
    assert_eq!(n, 1, "creating the type wrote one audit row");
    let update = sqlx::query("UPDATE audit_events SET action = 'forged'")
        .execute(&db.pool)
        .await;
    assert!(update.is_err(), "audit rows cannot be rewritten");
    let delete = sqlx::query("DELETE FROM audit_events")
        .execute(&db.pool)
        .await;
    assert!(delete.is_err(), "audit rows cannot be deleted");
    assert_eq!(
        count(&db.pool, "SELECT count(*) FROM audit_events").await,
        1
    );
}

#[tokio::test]
async fn unknown_entity_types_are_refused() {
    let db = test_db().await;
    let mut tx = db.pool.begin().await.unwrap();
    let err = registry::create_in(
        &mut tx,
        &actor(),
        &CreateEntity {
            type_key: "nope".to_string(),
            parent_id: None,
            name: "X".to_string(),
        },
    )
    .await
    .map(|a| a.value)
    .unwrap_err();
    assert!(matches!(err, CoreError::Validation(_)), "got {err:?}");
}
