//! Tags, groups and relationships against a real PostgreSQL: selection
//! modes enforced, tags in the read model, one-type groups, duplicate
//! members and links refused clearly, relationships both ways and the
//! neighbourhood graph.

use sqlx::PgPool;
use studio_core::links::{
    self, Direction, EntityTagsEdit, GroupConfig, MembersEdit, NewRelationship, NewTag,
    TagGroupInput,
};
use studio_core::records::{SelectionMode, TreeNode, VersionedId};
use studio_core::registry::{self, CreateEntity};
use studio_core::testing::test_db;
use studio_core::{read_model, Actor, CoreError, Rule, Source};
use uuid::Uuid;

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

async fn node(pool: &PgPool, key: &str, parent: Option<Uuid>, name: &str) -> TreeNode {
    crate::common::ensure_type(pool, key, key, false).await;
    registry::create(
        pool,
        &actor(),
        &CreateEntity {
            type_key: key.into(),
            parent_id: parent,
            name: name.into(),
        },
    )
    .await
    .unwrap()
    .value
}

async fn current(pool: &PgPool, id: Uuid) -> TreeNode {
    registry::get_entity(pool, id).await.unwrap().node
}

async fn consistent(pool: &PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    let problems = read_model::check(&mut conn, 20).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

fn validation_rule(r: Result<impl std::fmt::Debug, CoreError>) -> Rule {
    match r {
        Err(CoreError::Validation(v)) => v.rule,
        other => panic!("expected a Validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn tags_follow_their_groups_selection_mode_and_reach_the_read_model() {
    let db = test_db().await;
    let pool = &db.pool;
    let group = |key: &str, mode| TagGroupInput {
        key: key.into(),
        name: key.to_uppercase(),
        description: None,
        selection_mode: mode,
    };
    let status = links::create_tag_group(pool, &actor(), &group("status", SelectionMode::Single))
        .await
        .unwrap()
        .value;
    let topics = links::create_tag_group(pool, &actor(), &group("topics", SelectionMode::Multi))
        .await
        .unwrap()
        .value;
    let tag = |g: Uuid, key: &str, color: &str| NewTag {
        group_id: Some(g),
        key: key.into(),
        name: key.replace('_', " "),
        color: Some(color.into()),
    };
    let active = links::create_tag(pool, &actor(), &tag(status.id, "active", "#2f9e44"))
        .await
        .unwrap()
        .value;
    let retired = links::create_tag(pool, &actor(), &tag(status.id, "retired", "#868e96"))
        .await
        .unwrap()
        .value;
    let energy = links::create_tag(pool, &actor(), &tag(topics.id, "energy", "#f59f00"))
        .await
        .unwrap()
        .value;
    let safety = links::create_tag(pool, &actor(), &tag(topics.id, "safety", "#e03131"))
        .await
        .unwrap()
        .value;
    assert_eq!(
        validation_rule(
            links::create_tag(pool, &actor(), &tag(status.id, "active", "#000000"))
                .await
                .map(|a| a.value)
        ),
        Rule::Unique,
        "a key is unique within its group"
    );
    assert_eq!(
        validation_rule(
            links::create_tag(pool, &actor(), &tag(status.id, "odd", "green"))
                .await
                .map(|a| a.value)
        ),
        Rule::Format
    );
    // Tags are entities, under one library root.
    let library = current(pool, active.id)
        .await
        .parent_id
        .expect("a tag has a parent");
    assert_eq!(current(pool, retired.id).await.parent_id, Some(library));

    let pump = node(pool, "device", None, "Pump 1").await;
    let edit = |n: &TreeNode, add: Vec<Uuid>, remove: Vec<Uuid>| EntityTagsEdit {
        entity_id: n.id,
        expected_updated_at: n.updated_at,
        add,
        remove,
    };
    let tagged = links::edit_entity_tags(
        pool,
        &actor(),
        &edit(&pump, vec![active.id, energy.id, safety.id], vec![]),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(tagged.tags.len(), 3);
    // Two tags of a single-choice group are refused; replacing is remove + add.
    assert_eq!(
        validation_rule(
            links::edit_entity_tags(
                pool,
                &actor(),
                &edit(&tagged.node, vec![retired.id], vec![])
            )
            .await
            .map(|a| a.value)
        ),
        Rule::Choice
    );
    // A stale version conflicts.
    assert!(matches!(
        links::edit_entity_tags(
            pool,
            &actor(),
            &edit(&pump, vec![retired.id], vec![active.id])
        )
        .await,
        Err(CoreError::Conflict { .. })
    ));
    let replaced = links::edit_entity_tags(
        pool,
        &actor(),
        &edit(&tagged.node, vec![retired.id], vec![active.id]),
    )
    .await
    .unwrap();
    assert_eq!(replaced.changes.len(), 1);
    let ids: Vec<Uuid> = replaced.value.tags.iter().map(|t| t.id).collect();
    assert!(ids.contains(&retired.id) && !ids.contains(&active.id));
    consistent(pool).await;
    let in_read_model: Vec<Uuid> =
        sqlx::query_scalar("SELECT tag_ids FROM entity_read_model WHERE entity_id = $1")
            .bind(pump.id)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(in_read_model.len(), 3, "the read model carries the tags");
    let carriers = links::tagged_entities(pool, safety.id, 10).await.unwrap();
    assert_eq!(carriers.iter().map(|n| n.id).collect::<Vec<_>>(), [pump.id]);

    // A single-choice group cannot be made of a multi one while entities
    // carry two of its tags.
    let topics_now = links::list_tag_groups(pool, false)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.id == topics.id)
        .unwrap();
    assert_eq!(
        validation_rule(
            links::update_tag_group(
                pool,
                &actor(),
                &links::TagGroupUpdate {
                    id: topics.id,
                    expected_updated_at: topics_now.updated_at,
                    name: "Topics".into(),
                    description: None,
                    selection_mode: SelectionMode::Single,
                },
            )
            .await
            .map(|a| a.value)
        ),
        Rule::State
    );
    // A group with live tags cannot be deleted.
    assert!(matches!(
        links::delete_tag_group(
            pool,
            &actor(),
            &VersionedId {
                id: status.id,
                expected_updated_at: status.updated_at
            }
        )
        .await,
        Err(CoreError::InUse(_))
    ));
}

#[tokio::test]
async fn groups_hold_members_of_one_type_unless_mixed_and_refuse_duplicates() {
    let db = test_db().await;
    let pool = &db.pool;
    let fleet = node(pool, "folder", None, "Chiller fleet").await;
    let c1 = node(pool, "chiller", None, "Chiller 1").await;
    let c2 = node(pool, "chiller", None, "Chiller 2").await;
    let pump = node(pool, "pump", None, "Pump 9").await;
    let config = links::configure_group(
        pool,
        &actor(),
        &GroupConfig {
            entity_id: fleet.id,
            expected_updated_at: None,
            key: Some("chillers".into()),
            name: "Chillers".into(),
            description: None,
            allows_mixed_types: false,
        },
    )
    .await
    .unwrap()
    .value;
    let members = links::edit_group_members(
        pool,
        &actor(),
        &MembersEdit {
            group_id: fleet.id,
            add: vec![c1.id, c2.id],
            remove: vec![],
        },
    )
    .await
    .unwrap()
    .value;
    assert_eq!(members.len(), 2);
    assert_eq!(
        validation_rule(
            links::edit_group_members(
                pool,
                &actor(),
                &MembersEdit {
                    group_id: fleet.id,
                    add: vec![pump.id],
                    remove: vec![]
                }
            )
            .await
            .map(|a| a.value)
        ),
        Rule::Type,
        "a one-type group refuses another type"
    );
    assert_eq!(
        validation_rule(
            links::edit_group_members(
                pool,
                &actor(),
                &MembersEdit {
                    group_id: fleet.id,
                    add: vec![c1.id],
                    remove: vec![]
                }
            )
            .await
            .map(|a| a.value)
        ),
        Rule::Unique,
        "a member twice is refused with a clear error"
    );
    // Mixed types allowed: the pump joins; then one type only is refused.
    let mixed = links::configure_group(
        pool,
        &actor(),
        &GroupConfig {
            entity_id: fleet.id,
            expected_updated_at: Some(config.updated_at),
            key: Some("chillers".into()),
            name: "Plant".into(),
            description: None,
            allows_mixed_types: true,
        },
    )
    .await
    .unwrap()
    .value;
    let _joined = links::edit_group_members(
        pool,
        &actor(),
        &MembersEdit {
            group_id: fleet.id,
            add: vec![pump.id],
            remove: vec![c2.id],
        },
    )
    .await
    .unwrap();
    assert_eq!(
        links::group_members(pool, fleet.id, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        links::groups_of(pool, pump.id).await.unwrap()[0].name,
        "Plant"
    );
    assert_eq!(
        validation_rule(
            links::configure_group(
                pool,
                &actor(),
                &GroupConfig {
                    entity_id: fleet.id,
                    expected_updated_at: Some(mixed.updated_at),
                    key: None,
                    name: "Plant".into(),
                    description: None,
                    allows_mixed_types: false,
                },
            )
            .await
            .map(|a| a.value)
        ),
        Rule::State
    );
    // The unique active membership index answers with a typed error too,
    // should two sessions add the same member at once.
    let err = sqlx::query(
        "INSERT INTO entity_group_members (id, group_entity_id, member_entity_id, created_at)
         VALUES (gen_random_uuid(), $1, $2, now())",
    )
    .bind(fleet.id)
    .bind(pump.id)
    .execute(pool)
    .await
    .unwrap_err();
    assert_eq!(
        validation_rule(Err::<(), _>(CoreError::from(err))),
        Rule::Unique
    );
}

#[tokio::test]
async fn relationships_are_listed_both_ways_and_walked_for_the_graph() {
    let db = test_db().await;
    let pool = &db.pool;
    let site = node(pool, "site", None, "Campus").await;
    let a = node(pool, "device", Some(site.id), "Boiler A").await;
    let b = node(pool, "device", Some(site.id), "Pump B").await;
    let c = node(pool, "device", Some(site.id), "Radiator C").await;
    let d = node(pool, "device", Some(site.id), "Valve D").await;
    let link = |s: Uuid, t: Uuid, kind: &str| NewRelationship {
        source_id: s,
        target_id: t,
        relationship_type: kind.into(),
    };
    let ab = links::create_relationship(pool, &actor(), &link(a.id, b.id, "feeds"))
        .await
        .unwrap()
        .value;
    let _bc = links::create_relationship(pool, &actor(), &link(b.id, c.id, "feeds"))
        .await
        .unwrap();
    let _cd = links::create_relationship(pool, &actor(), &link(c.id, d.id, "controlled_by"))
        .await
        .unwrap();
    assert_eq!(
        validation_rule(
            links::create_relationship(pool, &actor(), &link(a.id, b.id, "feeds"))
                .await
                .map(|a| a.value)
        ),
        Rule::Unique
    );
    assert_eq!(
        validation_rule(
            links::create_relationship(pool, &actor(), &link(a.id, a.id, "feeds"))
                .await
                .map(|a| a.value)
        ),
        Rule::Cycle
    );
    assert_eq!(
        validation_rule(
            links::create_relationship(pool, &actor(), &link(a.id, b.id, "Feeds Into"))
                .await
                .map(|a| a.value)
        ),
        Rule::Format
    );

    let of_b = links::relationships_of(pool, b.id).await.unwrap();
    assert_eq!(of_b.len(), 2);
    assert!(of_b
        .iter()
        .any(|r| r.direction == Direction::Incoming && r.other.id == a.id));
    assert!(of_b
        .iter()
        .any(|r| r.direction == Direction::Outgoing && r.other.id == c.id));

    let one = links::neighbourhood(pool, b.id, 1, 50).await.unwrap();
    let mut ids: Vec<Uuid> = one.nodes.iter().map(|n| n.id).collect();
    ids.sort();
    let mut expected = vec![a.id, b.id, c.id];
    expected.sort();
    assert_eq!(ids, expected, "one hop from B: A and C");
    assert_eq!(one.edges.len(), 2);
    let two = links::neighbourhood(pool, b.id, 2, 50).await.unwrap();
    assert_eq!(two.nodes.len(), 4, "two hops reach D");
    let capped = links::neighbourhood(pool, b.id, 2, 2).await.unwrap();
    assert!(capped.truncated && capped.nodes.len() == 2);

    // Removed (at its version), it is gone from both ends.
    let removed = links::delete_relationship(
        pool,
        &actor(),
        &VersionedId {
            id: ab.id,
            expected_updated_at: ab.updated_at,
        },
    )
    .await
    .unwrap();
    assert_eq!(removed.changes.len(), 1);
    assert_eq!(links::relationships_of(pool, a.id).await.unwrap().len(), 0);
    // A deleted entity drops out of lists and graphs.
    let _gone = registry::delete(
        pool,
        &actor(),
        &VersionedId {
            id: c.id,
            expected_updated_at: c.updated_at,
        },
    )
    .await
    .unwrap();
    assert_eq!(links::relationships_of(pool, b.id).await.unwrap().len(), 0);
    consistent(pool).await;
}
