//! One source for each fact: where a fact is written in two places (the
//! code and the migrations, the code and the catalog), a test holds them
//! together.

use studio_core::properties::{NAME_PROPERTY_ID, NAME_PROPERTY_KEY};
use studio_core::registry;
use studio_core::testing::test_db;

#[tokio::test]
async fn the_name_property_of_the_code_is_the_one_the_migrations_create() {
    let db = test_db().await;
    let id: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM property_definitions WHERE key = $1 AND deleted_at IS NULL",
    )
    .bind(NAME_PROPERTY_KEY)
    .fetch_one(&db.pool)
    .await
    .expect("the migrations create the name property");
    assert_eq!(
        id, NAME_PROPERTY_ID,
        "the code and the migrations name the same property"
    );
}

#[tokio::test]
async fn purge_checks_every_reference_to_entities_the_catalog_knows() {
    let db = test_db().await;
    let mut conn = db.pool.acquire().await.unwrap();
    let derived = registry::entity_references(&mut conn).await.unwrap();
    let derived: Vec<(&str, &str)> = derived
        .iter()
        .map(|(t, c)| (t.as_str(), c.as_str()))
        .collect();
    // The references of seed 000 and the additions; a table added later
    // joins the list by itself (it is read from the catalog), so this list
    // only grows.
    let seed_000 = [
        ("admin_saved_views", "root_entity_id"),
        ("dashboards", "root_entity_id"),
        ("entity_group_members", "group_entity_id"),
        ("entity_group_members", "member_entity_id"),
        ("entity_groups", "entity_id"),
        ("entity_relationships", "source_entity_id"),
        ("entity_relationships", "target_entity_id"),
        ("entity_tags", "entity_id"),
        ("entity_tags", "tag_entity_id"),
        ("tags", "entity_id"),
        ("tenant_encryption_keys", "root_entity_id"),
        ("user_root_entity_scopes", "root_entity_id"),
        ("vault_secret_versions", "root_entity_id"),
        ("vault_secret_versions", "secret_entity_id"),
        // A workflow's root, and the history of its runs, keep their
        // entities.
        ("approval_requests", "entity_id"),
        ("approval_requests", "root_entity_id"),
        ("notifications", "entity_id"),
        ("workflow_executions", "entity_id"),
        ("workflow_executions", "root_entity_id"),
        ("workflows", "root_entity_id"),
    ];
    for r in seed_000 {
        assert!(derived.contains(&r), "{r:?} blocks a purge");
    }
    for r in [
        ("entities", "parent_entity_id"),
        ("entity_property_values", "entity_id"),
        ("metric_series", "entity_id"),
        ("alerts", "entity_id"),
        ("external_refs", "entity_id"),
    ] {
        assert!(
            !derived.contains(&r),
            "{r:?} is removed by the purge itself"
        );
    }
    assert_eq!(
        derived.len(),
        seed_000.len(),
        "no other table refers to entities yet: {derived:?}"
    );
}
