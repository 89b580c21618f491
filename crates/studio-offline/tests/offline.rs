//! The offline cache against a real PostgreSQL (the run's throwaway
//! cluster, or a private one where the server must stop) and a real SQLite
//! file: download, refresh (changes, moves, deletions, lost access), reads,
//! the outbox and its replay (exactly once, conflicts, refusals), a canary
//! secret, the server stopping mid-replay, and a child process killed at
//! random points 200 times.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use studio_core::offline::Mutation;
use studio_core::people::{self, GrantScope, Login, NewPerson};
use studio_core::progress::CancelToken;
use studio_core::properties::{SetValues, ValueEdit};
use studio_core::records::{Capability, PropertyValue, ValueType};
use studio_core::registry::{self, MoveEntity, RenameEntity};
use studio_core::testing::{test_db, TestDb};
use studio_core::{db, demo, properties, Actor, CoreError, Source};
use studio_offline::{AddOptions, OfflineCache, OutboxStatus, Resolution, ScopeState};
use uuid::Uuid;

fn owner() -> Actor {
    Actor::new(None, Source::Test)
}

/// A registry with the demo, a field engineer with read and write on
/// Northwind, and one of its sites.
struct World {
    db: TestDb,
    tenant: Uuid,
    site: Uuid,
    person: Uuid,
    role: String,
    field: PgPool,
    actor: Actor,
    text: Uuid,
    dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let db = test_db().await;
        let _ = demo::seed_demo(&db.pool, &owner()).await.expect("demo");
        let tenant = people::root_by_label(&db.pool, "northwind_energy")
            .await
            .unwrap()
            .expect("northwind");
        let site: Uuid = sqlx::query_scalar(
            "SELECT c.id FROM entities c
              WHERE c.parent_entity_id = $1 AND c.deleted_at IS NULL
              ORDER BY (SELECT count(*) FROM entities d WHERE d.path <@ c.path) DESC, c.id
              LIMIT 1",
        )
        .bind(tenant)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        let (person, role) = add_person(&db, "field").await;
        grant(&db, person, tenant, &[Capability::Read, Capability::Write]).await;
        let field = pool_as(&db, &role).await;
        let actor = Actor::for_session(&field, Source::Test).await.unwrap();
        let text = text_property(&db.pool).await;
        World {
            db,
            tenant,
            site,
            person,
            role,
            field,
            actor,
            text,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A cache with the site downloaded as the field engineer.
    async fn site_cache(&self, name: &str) -> OfflineCache {
        let cache = self.cache(name).await;
        cache
            .add(
                &self.field,
                self.site,
                &AddOptions::default(),
                &CancelToken::new(),
            )
            .await
            .expect("download the site");
        cache
    }

    async fn cache(&self, name: &str) -> OfflineCache {
        OfflineCache::open(&self.dir.path().join(format!("{name}.sqlite")))
            .await
            .expect("open the cache")
    }
}

async fn add_person(db: &TestDb, name: &str) -> (Uuid, String) {
    let role = format!("{name}_{}", &db.name[db.name.len() - 12..]);
    let added = people::add_person(
        &db.pool,
        &owner(),
        &NewPerson {
            role: role.clone(),
            display_name: name.into(),
            email: None,
            login: Login::NewRoleWithoutPassword,
            is_admin: false,
        },
    )
    .await
    .expect("add a person")
    .value;
    (added.person.id, role)
}

async fn grant(db: &TestDb, user: Uuid, root: Uuid, caps: &[Capability]) -> Uuid {
    people::grant_scope(
        &db.pool,
        &owner(),
        &GrantScope {
            user_id: user,
            root_id: root,
            capabilities: caps.to_vec(),
        },
    )
    .await
    .expect("grant a scope")
    .value
    .id
}

async fn pool_as(db: &TestDb, role: &str) -> PgPool {
    db::connect(&db::with_user(&db.url, role).expect("url"))
        .await
        .expect("log in as the person")
}

/// A plain text property without rules, for edits.
async fn text_property(pool: &PgPool) -> Uuid {
    properties::list_property_definitions(pool, false)
        .await
        .unwrap()
        .into_iter()
        .find(|d| {
            d.value_type == ValueType::Text
                && !d.is_sensitive
                && !d.is_system
                && d.rules.options.is_none()
                && d.rules.pattern.is_none()
                && d.rules.max_length.is_none_or(|m| m >= 40)
        })
        .expect("a text property")
        .id
}

/// Live entities under `root` (itself included), as the owner sees them.
async fn server_ids(pool: &PgPool, root: Uuid) -> BTreeSet<Uuid> {
    sqlx::query_scalar(
        "SELECT e.id FROM entities r JOIN entities e ON e.path <@ r.path AND e.deleted_at IS NULL
          WHERE r.id = $1",
    )
    .bind(root)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// Every entity the cache holds (through its own reads: children pages).
async fn cached_ids(cache: &OfflineCache) -> BTreeSet<Uuid> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<Uuid> = cache.roots().await.unwrap().iter().map(|n| n.id).collect();
    while let Some(id) = stack.pop() {
        out.insert(id);
        let mut after: Option<String> = None;
        loop {
            let page = cache.children(id, after.as_deref(), 500).await.unwrap();
            stack.extend(page.nodes.iter().map(|n| n.id));
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
    }
    out
}

fn text(v: &str) -> Option<PropertyValue> {
    Some(PropertyValue::Text(v.into()))
}

async fn value_on_server(pool: &PgPool, entity: Uuid, def: Uuid) -> Option<String> {
    sqlx::query_scalar(
        "SELECT value #>> '{}' FROM entity_property_values
          WHERE entity_id = $1 AND property_definition_id = $2 AND deleted_at IS NULL",
    )
    .bind(entity)
    .bind(def)
    .fetch_optional(pool)
    .await
    .unwrap()
}

async fn pane_value(
    cache: &OfflineCache,
    entity: Uuid,
    def: Uuid,
) -> (Option<String>, Option<chrono::DateTime<chrono::Utc>>) {
    let pane = cache.pane(entity).await.unwrap();
    let field = pane
        .sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .find(|f| f.definition.id == def);
    (
        field.and_then(|f| match &f.value {
            Some(PropertyValue::Text(t)) => Some(t.clone()),
            _ => None,
        }),
        field.and_then(|f| f.value_updated_at),
    )
}

async fn set_text(cache: &OfflineCache, entity: Uuid, def: Uuid, value: &str) {
    let (_, version) = pane_value(cache, entity, def).await;
    cache
        .enqueue(Mutation::SetValues {
            input: SetValues {
                entity_id: entity,
                edits: vec![ValueEdit {
                    definition_id: def,
                    expected_updated_at: version,
                    value: text(value),
                }],
            },
        })
        .await
        .expect("queue a value");
}

/// Leaves of the site (entities without children), in a stable order.
async fn leaves(pool: &PgPool, site: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar(
        "SELECT e.id FROM entities r JOIN entities e ON e.path <@ r.path AND e.deleted_at IS NULL
          WHERE r.id = $1 AND e.id <> r.id
            AND NOT EXISTS (SELECT 1 FROM entities c WHERE c.parent_entity_id = e.id AND c.deleted_at IS NULL)
          ORDER BY e.path_label",
    )
    .bind(site)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// How many times the server applied each offline mutation (its audit rows
/// carry the mutation id as their request id; one row per application of
/// these single-entity edits).
async fn applications(pool: &PgPool) -> HashMap<Uuid, i64> {
    sqlx::query_as::<_, (Uuid, i64)>(
        "SELECT request_id, count(*) FROM audit_events WHERE source = 'offline' GROUP BY request_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// The mutation ids the server recorded as applied.
async fn recorded_ids(pool: &PgPool) -> BTreeSet<Uuid> {
    sqlx::query_scalar("SELECT id FROM offline_mutations")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

// ------------------------------------------------------------------ download

#[tokio::test]
async fn a_site_downloads_whole_and_reads_as_the_server_does() {
    let w = World::new().await;
    let cache = w.cache("site").await;
    let size = cache.size(&w.field, w.site).await.unwrap();
    let progress = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&progress);
    let scope = cache
        .add(
            &w.field,
            w.site,
            &AddOptions {
                progress: Some(Arc::new(move |p| seen.lock().unwrap().push(p.done))),
            },
            &CancelToken::new(),
        )
        .await
        .expect("download the site");
    let expected = server_ids(&w.db.pool, w.site).await;
    assert_eq!(scope.entities, expected.len() as i64);
    assert_eq!(size.entities, expected.len() as i64);
    assert_eq!(scope.values, size.values, "every value the size counted");
    assert!(
        !progress.lock().unwrap().is_empty(),
        "progress was reported"
    );
    assert_eq!(
        cached_ids(&cache).await,
        expected,
        "the tree offline is the server's"
    );

    // Reads in the server's shapes.
    let server_children = registry::children_page(&w.field, w.site, None, 50)
        .await
        .unwrap();
    let offline_children = cache.children(w.site, None, 50).await.unwrap();
    assert_eq!(offline_children.nodes, server_children.nodes);
    let leaf = leaves(&w.db.pool, w.site).await[0];
    let server_detail = registry::get_entity(&w.field, leaf).await.unwrap();
    let offline_detail = cache.entity(leaf).await.unwrap();
    assert_eq!(offline_detail.node, server_detail.node);
    assert_eq!(offline_detail.breadcrumb, server_detail.breadcrumb);
    let server_pane = properties::property_pane(&w.field, leaf).await.unwrap();
    let offline_pane = cache.pane(leaf).await.unwrap();
    assert_eq!(
        offline_pane, server_pane,
        "the pane is put together the same way"
    );
    let hits = cache.search(&server_detail.node.name, 20).await.unwrap();
    assert!(
        hits.hits.iter().any(|h| h.id == leaf),
        "search finds it by name"
    );
    assert_eq!(
        cache.subtree_count(w.site).await.unwrap(),
        expected.len() as i64
    );
    // A view over the site: the same rows as the server's.
    let doc: studio_core::views::ViewDocument = serde_json::from_value(serde_json::json!({
        "version": 2,
        "filter": {"under": w.site},
        "columns": [],
        "sort": [{"field": "name", "descending": false}],
        "pageSize": 50
    }))
    .expect("a view document");
    let server_page = studio_core::views::page(&w.field, &doc, None)
        .await
        .unwrap();
    let offline_page = cache.view_page(&doc, None).await.unwrap();
    let ids = |p: &studio_core::views::ViewPage| p.rows.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&offline_page),
        ids(&server_page),
        "a view offline lists what it lists online"
    );

    // Another subtree inside it is refused; the tenant absorbs it.
    let err = cache
        .add(&w.field, leaf, &AddOptions::default(), &CancelToken::new())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("already available offline"),
        "{err}"
    );
    let bigger = cache
        .add(
            &w.field,
            w.tenant,
            &AddOptions::default(),
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        cache.status().await.unwrap().scopes.len(),
        1,
        "the site became part of the tenant"
    );
    assert_eq!(
        bigger.entities,
        server_ids(&w.db.pool, w.tenant).await.len() as i64
    );
}

#[tokio::test]
async fn a_cancelled_download_keeps_nothing() {
    let w = World::new().await;
    let cache = w.cache("cancel").await;
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let outcome = cache
        .add(
            &w.field,
            w.tenant,
            &AddOptions {
                progress: Some(Arc::new(move |_| stop.cancel())),
            },
            &cancel,
        )
        .await;
    assert!(matches!(
        outcome,
        Err(studio_offline::OfflineError::Core(CoreError::Cancelled))
    ));
    let status = cache.status().await.unwrap();
    assert!(status.scopes.is_empty());
    assert!(cached_ids(&cache).await.is_empty());
}

#[tokio::test]
async fn a_refresh_brings_changes_moves_deletions_and_lost_access() {
    let w = World::new().await;
    let cache = w.site_cache("refresh").await;
    let leaves = leaves(&w.db.pool, w.site).await;
    let (changed, renamed, moved, deleted) = (leaves[0], leaves[1], leaves[2], leaves[3]);
    let other_site: Uuid = sqlx::query_scalar(
        "SELECT id FROM entities WHERE parent_entity_id = $1 AND id <> $2 AND deleted_at IS NULL LIMIT 1",
    )
    .bind(w.tenant)
    .bind(w.site)
    .fetch_one(&w.db.pool)
    .await
    .unwrap();
    let o = owner();
    let pane = properties::property_pane(&w.db.pool, changed)
        .await
        .unwrap();
    let version = pane
        .sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .find(|f| f.definition.id == w.text)
        .and_then(|f| f.value_updated_at);
    let _ = properties::set_values(
        &w.db.pool,
        &o,
        &SetValues {
            entity_id: changed,
            edits: vec![ValueEdit {
                definition_id: w.text,
                expected_updated_at: version,
                value: text("changed on the server"),
            }],
        },
    )
    .await
    .unwrap();
    let node = registry::get_entity(&w.db.pool, renamed)
        .await
        .unwrap()
        .node;
    let _ = registry::rename(
        &w.db.pool,
        &o,
        &RenameEntity {
            id: renamed,
            expected_updated_at: node.updated_at,
            name: "Renamed on the server".into(),
        },
    )
    .await
    .unwrap();
    let node = registry::get_entity(&w.db.pool, moved).await.unwrap().node;
    let _ = registry::move_entity(
        &w.db.pool,
        &o,
        &MoveEntity {
            id: moved,
            expected_updated_at: node.updated_at,
            new_parent_id: Some(other_site),
        },
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap();
    let node = registry::get_entity(&w.db.pool, deleted)
        .await
        .unwrap()
        .node;
    let _ = registry::delete(
        &w.db.pool,
        &o,
        &studio_core::records::VersionedId {
            id: deleted,
            expected_updated_at: node.updated_at,
        },
    )
    .await
    .unwrap();
    let created = registry::create(
        &w.db.pool,
        &o,
        &registry::CreateEntity {
            type_key: node.type_key.clone(),
            parent_id: Some(w.site),
            name: "Created on the server".into(),
        },
    )
    .await
    .unwrap()
    .value
    .id;

    let report = cache.refresh(&w.field, &CancelToken::new()).await.unwrap();
    assert!(report.removed >= 2, "{report:?}");
    assert_eq!(
        cached_ids(&cache).await,
        server_ids(&w.db.pool, w.site).await
    );
    assert_eq!(
        pane_value(&cache, changed, w.text).await.0.as_deref(),
        Some("changed on the server")
    );
    assert_eq!(
        cache.node(renamed).await.unwrap().name,
        "Renamed on the server"
    );
    assert!(cache.node(created).await.is_ok());
    assert!(cache.node(moved).await.is_err() && cache.node(deleted).await.is_err());

    // A refresh with nothing new removes nothing (it may reread what
    // changed just before its cursor).
    let quiet = cache.refresh(&w.field, &CancelToken::new()).await.unwrap();
    assert_eq!(quiet.removed, 0, "{quiet:?}");
    assert_eq!(
        cached_ids(&cache).await,
        server_ids(&w.db.pool, w.site).await
    );

    // Access withdrawn: the data goes at the next refresh.
    let scope: Uuid = sqlx::query_scalar(
        "SELECT id FROM user_root_entity_scopes WHERE user_id = $1 AND deleted_at IS NULL",
    )
    .bind(w.person)
    .fetch_one(&w.db.pool)
    .await
    .unwrap();
    let _ = people::revoke_scope(&w.db.pool, &o, scope).await.unwrap();
    let field_again = pool_as(&w.db, &w.role).await;
    let report = cache
        .refresh(&field_again, &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(report.revoked, vec![w.site]);
    let status = cache.status().await.unwrap();
    assert_eq!(status.scopes[0].state, ScopeState::Revoked);
    assert!(status.scopes[0].reason.is_some());
    assert!(cached_ids(&cache).await.is_empty());
    assert!(cache.search(&node.name, 10).await.unwrap().hits.is_empty());
}

// -------------------------------------------------------------------- replay

#[tokio::test]
async fn offline_edits_replay_once_in_order_and_a_conflict_waits() {
    let w = World::new().await;
    let cache = w.site_cache("replay").await;
    let leaves = leaves(&w.db.pool, w.site).await;
    let (a, b, c) = (leaves[0], leaves[1], leaves[2]);
    // Two edits of the same value in a row, a rename after them (each
    // expects the version the one before gave the cache).
    set_text(&cache, a, w.text, "first").await;
    set_text(&cache, a, w.text, "second").await;
    let node = cache.node(a).await.unwrap();
    cache
        .enqueue(Mutation::Rename {
            input: RenameEntity {
                id: a,
                expected_updated_at: node.updated_at,
                name: "Renamed offline".into(),
            },
        })
        .await
        .unwrap();
    set_text(&cache, b, w.text, "mine").await;
    set_text(&cache, c, w.text, "untouched by others").await;
    assert_eq!(
        pane_value(&cache, a, w.text).await.0.as_deref(),
        Some("second")
    );
    assert_eq!(cache.node(a).await.unwrap().name, "Renamed offline");
    // An edit against a version the cache no longer has is refused at once.
    let stale = cache
        .enqueue(Mutation::Rename {
            input: RenameEntity {
                id: a,
                expected_updated_at: node.updated_at,
                name: "stale".into(),
            },
        })
        .await;
    assert!(stale.is_err(), "a stale offline edit is refused");

    // Meanwhile someone changes b's value on the server.
    let server_pane = properties::property_pane(&w.db.pool, b).await.unwrap();
    let v = server_pane
        .sections
        .iter()
        .flat_map(|s| s.fields.iter())
        .find(|f| f.definition.id == w.text)
        .and_then(|f| f.value_updated_at);
    let _ = properties::set_values(
        &w.db.pool,
        &owner(),
        &SetValues {
            entity_id: b,
            edits: vec![ValueEdit {
                definition_id: w.text,
                expected_updated_at: v,
                value: text("theirs"),
            }],
        },
    )
    .await
    .unwrap();

    let report = cache.replay(&w.field, &w.actor).await.unwrap();
    assert_eq!(
        (report.applied, report.conflicts, report.remaining),
        (4, 1, 0),
        "{report:?}"
    );
    assert_eq!(
        value_on_server(&w.db.pool, a, w.text).await.as_deref(),
        Some("second")
    );
    assert_eq!(
        registry::get_entity(&w.db.pool, a).await.unwrap().node.name,
        "Renamed offline"
    );
    assert_eq!(
        value_on_server(&w.db.pool, b, w.text).await.as_deref(),
        Some("theirs"),
        "nothing overwritten"
    );
    let conflict = cache.outbox(&[OutboxStatus::Conflict]).await.unwrap();
    assert_eq!(conflict.len(), 1);
    assert_eq!(conflict[0].fields[0].theirs.as_deref(), Some("theirs"));
    assert_eq!(conflict[0].fields[0].mine.as_deref(), Some("mine"));

    // Replaying again applies nothing twice.
    let again = cache.replay(&w.field, &w.actor).await.unwrap();
    assert_eq!(again.applied + again.already_applied, 0);
    let counts = applications(&w.db.pool).await;
    assert_eq!(counts.len(), 4);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");

    // Keep mine: sent over theirs.
    cache
        .resolve(&w.field, conflict[0].seq, Resolution::KeepMine)
        .await
        .unwrap();
    let report = cache.replay(&w.field, &w.actor).await.unwrap();
    assert_eq!(report.applied, 1);
    assert_eq!(
        value_on_server(&w.db.pool, b, w.text).await.as_deref(),
        Some("mine")
    );
}

#[tokio::test]
async fn two_engineers_editing_the_same_value_offline_see_a_conflict_in_turn() {
    let w = World::new().await;
    let (bob, bob_role) = add_person(&w.db, "bob").await;
    grant(&w.db, bob, w.tenant, &[Capability::Read, Capability::Write]).await;
    let bob_pool = pool_as(&w.db, &bob_role).await;
    let bob_actor = Actor::for_session(&bob_pool, Source::Test).await.unwrap();
    let alice = w.cache("alice").await;
    let bobs = w.cache("bob").await;
    for (c, p) in [(&alice, &w.field), (&bobs, &bob_pool)] {
        c.add(p, w.site, &AddOptions::default(), &CancelToken::new())
            .await
            .unwrap();
    }
    let e = leaves(&w.db.pool, w.site).await[0];
    set_text(&alice, e, w.text, "alice's reading").await;
    set_text(&bobs, e, w.text, "bob's reading").await;

    let first = alice.replay(&w.field, &w.actor).await.unwrap();
    assert_eq!(first.applied, 1);
    let second = bobs.replay(&bob_pool, &bob_actor).await.unwrap();
    assert_eq!((second.applied, second.conflicts), (0, 1));
    assert_eq!(
        value_on_server(&w.db.pool, e, w.text).await.as_deref(),
        Some("alice's reading"),
        "the second never overwrites the first silently"
    );
    let conflict = &bobs.outbox(&[OutboxStatus::Conflict]).await.unwrap()[0];
    assert_eq!(
        conflict.fields[0].theirs.as_deref(),
        Some("alice's reading")
    );
    assert_eq!(conflict.fields[0].mine.as_deref(), Some("bob's reading"));
    // Bob edits his: a third value, sent over Alice's.
    let Mutation::SetValues { mut input } = conflict.mutation.clone() else {
        panic!("a value edit")
    };
    input.edits[0].value = text("agreed reading");
    bobs.resolve(
        &bob_pool,
        conflict.seq,
        Resolution::Edit {
            mutation: Mutation::SetValues { input },
        },
    )
    .await
    .unwrap();
    assert_eq!(bobs.replay(&bob_pool, &bob_actor).await.unwrap().applied, 1);
    assert_eq!(
        value_on_server(&w.db.pool, e, w.text).await.as_deref(),
        Some("agreed reading")
    );
    // Alice refreshes and sees it; keeping theirs elsewhere discards hers.
    alice.refresh(&w.field, &CancelToken::new()).await.unwrap();
    assert_eq!(
        pane_value(&alice, e, w.text).await.0.as_deref(),
        Some("agreed reading")
    );
}

#[tokio::test]
async fn keeping_theirs_discards_the_edit_and_restores_the_servers_value() {
    let w = World::new().await;
    let cache = w.site_cache("theirs").await;
    let e = leaves(&w.db.pool, w.site).await[0];
    set_text(&cache, e, w.text, "mine").await;
    let node = registry::get_entity(&w.db.pool, e).await.unwrap().node;
    let _ = registry::rename(
        &w.db.pool,
        &owner(),
        &RenameEntity {
            id: e,
            expected_updated_at: node.updated_at,
            name: "Theirs".into(),
        },
    )
    .await
    .unwrap();
    let n = cache.node(e).await.unwrap();
    cache
        .enqueue(Mutation::Rename {
            input: RenameEntity {
                id: e,
                expected_updated_at: n.updated_at,
                name: "Mine".into(),
            },
        })
        .await
        .unwrap();
    let report = cache.replay(&w.field, &w.actor).await.unwrap();
    assert_eq!((report.applied, report.conflicts), (1, 1), "{report:?}");
    let conflict = &cache.outbox(&[OutboxStatus::Conflict]).await.unwrap()[0];
    assert_eq!(conflict.fields[0].theirs.as_deref(), Some("Theirs"));
    cache
        .resolve(&w.field, conflict.seq, Resolution::KeepTheirs)
        .await
        .unwrap();
    assert_eq!(cache.node(e).await.unwrap().name, "Theirs");
    let all = cache.outbox(&[]).await.unwrap();
    assert!(
        all.iter().any(|x| x.status == OutboxStatus::Discarded),
        "kept in the outbox's history"
    );
}

#[tokio::test]
async fn edits_to_a_root_whose_access_was_revoked_are_refused_and_kept_for_export() {
    let w = World::new().await;
    let cache = w.site_cache("revoked").await;
    let e = leaves(&w.db.pool, w.site).await[0];
    set_text(&cache, e, w.text, "written while offline").await;
    let scope: Uuid = sqlx::query_scalar(
        "SELECT id FROM user_root_entity_scopes WHERE user_id = $1 AND deleted_at IS NULL",
    )
    .bind(w.person)
    .fetch_one(&w.db.pool)
    .await
    .unwrap();
    let _ = people::revoke_scope(&w.db.pool, &owner(), scope)
        .await
        .unwrap();
    let field = pool_as(&w.db, &w.role).await;
    let report = cache.replay(&field, &w.actor).await.unwrap();
    assert_eq!((report.applied, report.refused), (0, 1), "{report:?}");
    let refused = cache.outbox(&[OutboxStatus::Refused]).await.unwrap();
    assert!(
        refused[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("no longer have access"),
        "{:?}",
        refused[0].reason
    );
    let exported = cache.export_outbox(&[OutboxStatus::Refused]).await.unwrap();
    assert!(exported.contains("written while offline"));
    assert_ne!(
        value_on_server(&w.db.pool, e, w.text).await.as_deref(),
        Some("written while offline")
    );
}

// -------------------------------------------------------------------- secrets

fn bytes_of(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(b) = std::fs::read(PathBuf::from(p)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_canary_secret_never_reaches_the_cache_file_or_its_log() {
    let w = World::new().await;
    let canary = format!("canary-{}", Uuid::now_v7().simple());
    let pool = &w.db.pool;
    // A vault secret under the site, and a sensitive property's value.
    let vault = studio_core::vault::Vault::with_argon_params(
        Err("no keychain in this test".into()),
        studio_core::vault::crypto::Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
    );
    vault
        .unlock(
            pool,
            Some(studio_core::vault::SecretText::new("correct horse battery")),
        )
        .await
        .unwrap();
    let _ = studio_core::vault::create_key(
        pool,
        &vault,
        &owner(),
        w.tenant,
        studio_core::vault::KeyProviderKind::Passphrase,
    )
    .await
    .unwrap();
    let _ = studio_core::vault::create_secret(
        pool,
        &vault,
        &owner(),
        &studio_core::vault::CreateSecret {
            parent_id: w.site,
            name: "Gateway password".into(),
            value: studio_core::vault::SecretText::new(&canary),
            reason: Some("offline canary".into()),
        },
    )
    .await
    .unwrap();
    let sensitive = properties::create_property_definition(
        pool,
        &owner(),
        &serde_json::from_value(serde_json::json!({
            "key": "pin_code", "name": "PIN code", "valueType": "text",
            "isRequired": false, "isSensitive": true, "isSearchable": false,
            "groupId": null, "description": null, "rules": {}
        }))
        .expect("a definition"),
    )
    .await
    .unwrap()
    .value;
    let e = leaves(pool, w.site).await[0];
    let _ = properties::set_values(
        pool,
        &owner(),
        &SetValues {
            entity_id: e,
            edits: vec![ValueEdit {
                definition_id: sensitive.id,
                expected_updated_at: None,
                value: text(&canary),
            }],
        },
    )
    .await
    .unwrap();

    let cache = w.site_cache("canary").await;
    set_text(&cache, e, w.text, "an ordinary edit").await;
    // A sensitive value cannot be edited offline (it would sit in the outbox).
    let refused = cache
        .enqueue(Mutation::SetValues {
            input: SetValues {
                entity_id: e,
                edits: vec![ValueEdit {
                    definition_id: sensitive.id,
                    expected_updated_at: None,
                    value: text(&canary),
                }],
            },
        })
        .await;
    assert!(refused.is_err());
    cache.replay(&w.field, &w.actor).await.unwrap();
    cache.refresh(&w.field, &CancelToken::new()).await.unwrap();
    let path = cache.path().to_path_buf();
    let before_close = bytes_of(&path);
    cache.close().await;
    let after_close = bytes_of(&path);
    assert!(!before_close.is_empty() && !after_close.is_empty());
    for b in [&before_close, &after_close] {
        assert!(
            !contains(b, canary.as_bytes()),
            "the canary is in the cache"
        );
    }
    // The file does hold the ordinary data (the search above is real).
    assert!(contains(&after_close, b"an ordinary edit"));
}

// ------------------------------------------------------- the server goes away

struct StopOnDrop(PathBuf);
impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Ok(c) = studio_localdb::Cluster::persistent(&self.0) {
            let _ = c.stop();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn replay_resumes_by_itself_when_the_server_comes_back() {
    // The replayer's warnings go to the test's output (seen on a failure).
    let _ = tracing_subscriber::fmt()
        .with_env_filter("studio_offline=debug,warn")
        .with_test_writer()
        .try_init();
    let root = std::env::temp_dir().join(format!("eco-offline-{}", Uuid::now_v7().simple()));
    let _cleanup = StopOnDrop(root.clone());
    let target = studio_core::startup::DatabaseTarget::Embedded { root: root.clone() };
    let opened = studio_core::startup::open(&target, |_| {})
        .await
        .expect("open");
    let pool = opened.pool.clone();
    let actor = Actor::for_session(&pool, Source::Test).await.unwrap();
    let _ = demo::seed_demo(&pool, &actor).await.unwrap();
    let tenant = people::root_by_label(&pool, "northwind_energy")
        .await
        .unwrap()
        .unwrap();
    let text_def = text_property(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = OfflineCache::open(&dir.path().join("c.sqlite"))
        .await
        .unwrap();
    cache
        .add(&pool, tenant, &AddOptions::default(), &CancelToken::new())
        .await
        .unwrap();
    let targets = leaves(&pool, tenant).await;
    let edits = 300usize;
    for i in 0..edits {
        set_text(
            &cache,
            targets[i % targets.len()],
            text_def,
            &format!("edit {i}"),
        )
        .await;
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let replayer = {
        let cache = cache.clone();
        let pool = pool.clone();
        let actor = actor.clone();
        tokio::spawn(async move {
            cache
                .keep_replaying(&pool, &actor, Duration::from_secs(1), stop_rx)
                .await
        })
    };
    // Stop the server once part of the outbox went.
    let t0 = Instant::now();
    loop {
        let left = cache.status().await.unwrap().pending;
        if left < edits as i64 - 20 {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "replay did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cluster = studio_localdb::Cluster::persistent(&root).unwrap();
    let first_port = match cluster.status().unwrap() {
        studio_localdb::ClusterStatus::Running(e) => e.port,
        other => panic!("the cluster is not running: {other:?}"),
    };
    tokio::task::spawn_blocking({
        let c = cluster.clone();
        move || c.stop()
    })
    .await
    .unwrap()
    .unwrap();
    let stopped_with = cache.status().await.unwrap().pending;
    println!("server stopped with {stopped_with} edits waiting");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let waiting = cache.status().await.unwrap().pending;
    assert!(waiting > 0, "edits wait while the server is gone");
    let restarted = tokio::task::spawn_blocking(move || cluster.ensure_running())
        .await
        .unwrap()
        .unwrap();
    println!(
        "restarted on port {} (was {first_port})",
        restarted.endpoint.port
    );
    // Resumed: an edit goes through within 30 s of the server's return,
    // without a new edit or a call; then the rest follow.
    let back = Instant::now();
    let waiting = cache.status().await.unwrap().pending;
    loop {
        if cache.status().await.unwrap().pending < waiting {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(30),
            "replay did not resume within 30 s of the server's return"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("resumed {:?} after the server returned", back.elapsed());
    // Then the rest follow, each within a minute of the one before (they
    // take milliseconds): a replay stuck on something says on what.
    let mut left = cache.status().await.unwrap().pending;
    let mut moved = Instant::now();
    while left > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = cache.status().await.unwrap().pending;
        if now < left {
            left = now;
            moved = Instant::now();
        } else if moved.elapsed() > Duration::from_secs(60) {
            let settled: Vec<String> = cache
                .outbox(&[OutboxStatus::Conflict, OutboxStatus::Refused])
                .await
                .unwrap()
                .into_iter()
                .map(|e| {
                    format!(
                        "#{} {:?} {}: {:?} {:?}",
                        e.seq, e.status, e.kind, e.reason, e.fields
                    )
                })
                .collect();
            panic!(
                "the resumed replay stopped with {left} edits waiting; held back by:\n{}\nthe server's sessions:\n{}",
                settled.join("\n"),
                server_sessions(&root).await
            );
        }
    }
    println!("finished {:?} after the server returned", back.elapsed());
    let _ = stop_tx.send(true);
    replayer.await.unwrap();
    let counts = applications(&pool).await;
    assert_eq!(counts.len(), edits, "every edit applied");
    assert!(counts.values().all(|n| *n == 1), "none applied twice");
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM offline_mutations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(recorded, edits as i64);
    pool.close().await;
}

/// What every other session on the embedded server at `root` is doing
/// (asked on a connection of its own), for a failure's message.
async fn server_sessions(root: &std::path::Path) -> String {
    let cluster = studio_localdb::Cluster::persistent(root).unwrap();
    let studio_localdb::ClusterStatus::Running(endpoint) = cluster.status().unwrap() else {
        return "the server is not running".into();
    };
    let pool = match studio_core::db::connect(
        &endpoint.url(studio_core::startup::EMBEDDED_DATABASE),
    )
    .await
    {
        Ok(pool) => pool,
        Err(e) => return format!("no connection to ask: {e}"),
    };
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws(' | ', pid, state, wait_event_type || ':' || wait_event, \
                (now() - state_change)::text, left(query, 160)) \
           FROM pg_stat_activity \
          WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_default();
    pool.close().await;
    rows.join("\n")
}

// ------------------------------------------------------------ killed at random

const CHILD_DB: &str = "ECO_OFFLINE_CHILD_DB";
const CHILD_CACHE: &str = "ECO_OFFLINE_CHILD_CACHE";
const CHILD_SEED: &str = "ECO_OFFLINE_CHILD_SEED";

/// Not a test on its own: the work a child process does until it is
/// killed (downloads, refreshes, offline edits, replays, in a random mix).
#[tokio::test]
async fn child_process_offline_work() {
    let (Ok(url), Ok(cache_path), Ok(seed)) = (
        std::env::var(CHILD_DB),
        std::env::var(CHILD_CACHE),
        std::env::var(CHILD_SEED),
    ) else {
        return;
    };
    let pool = db::connect(&url).await.unwrap();
    let actor = Actor::for_session(&pool, Source::Test).await.unwrap();
    let cache = OfflineCache::open(Path::new(&cache_path)).await.unwrap();
    let tenant = people::root_by_label(&pool, "northwind_energy")
        .await
        .unwrap()
        .unwrap();
    let def = text_property(&pool).await;
    let mut rng: u64 = seed.parse().unwrap();
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    loop {
        if cache.status().await.unwrap().scopes.is_empty() {
            cache
                .add(&pool, tenant, &AddOptions::default(), &CancelToken::new())
                .await
                .unwrap();
            println!("downloaded");
            continue;
        }
        match next() % 4 {
            0 => {
                cache.refresh(&pool, &CancelToken::new()).await.unwrap();
            }
            1 => {
                cache.replay(&pool, &actor).await.unwrap();
            }
            2 if next() % 8 == 0 => {
                cache.remove(tenant).await.unwrap();
            }
            _ => {
                let ids = cache.children(tenant, None, 50).await.unwrap().nodes;
                if ids.is_empty() {
                    continue;
                }
                let target = ids[(next() % ids.len() as u64) as usize].id;
                set_text(&cache, target, def, &format!("v{}", next() % 1000)).await;
            }
        }
    }
}

#[tokio::test]
async fn a_process_killed_at_random_points_loses_no_edit_and_applies_none_twice() {
    let db = test_db().await;
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache_path = dir.path().join("killed.sqlite");
    let kills: usize = std::env::var("ECO_OFFLINE_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("ECO_OFFLINE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("seed {seed} (ECO_OFFLINE_SEED to repeat), {kills} kills");
    let mut rng = seed;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut known: BTreeSet<String> = BTreeSet::new();
    for round in 0..kills {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_process_offline_work", "--nocapture"])
            .env(CHILD_DB, &db.url)
            .env(CHILD_CACHE, &cache_path)
            .env(CHILD_SEED, (next() | 1).to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let wait = 150 + next() % 600;
        std::thread::sleep(Duration::from_millis(wait));
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait();

        // After every kill: the file is sound, nothing queued went missing,
        // nothing was applied twice.
        let cache = OfflineCache::open(&cache_path)
            .await
            .expect("the cache opens");
        let outbox = cache.outbox(&[]).await.expect("the outbox reads");
        let now: BTreeSet<String> = outbox.iter().map(|e| e.mutation_id.to_string()).collect();
        let lost: Vec<&String> = known.difference(&now).collect();
        assert!(
            lost.is_empty(),
            "round {round}: queued edits lost: {lost:?}"
        );
        known = now;
        let counts = applications(&db.pool).await;
        assert!(
            counts.values().all(|n| *n == 1),
            "round {round}: an edit was applied twice"
        );
        let recorded = recorded_ids(&db.pool).await;
        for e in outbox.iter().filter(|e| e.status == OutboxStatus::Applied) {
            assert!(
                recorded.contains(&e.mutation_id),
                "round {round}: applied but not on the server"
            );
        }
        let status = cache.status().await.unwrap();
        if let Some(scope) = status.scopes.first() {
            assert_eq!(
                scope.entities,
                cached_ids(&cache).await.len() as i64,
                "round {round}: the scope's count matches its rows"
            );
        }
        cache.close().await;
    }
    // Then a replay to the end: every queued edit is on the server once.
    let cache = OfflineCache::open(&cache_path).await.unwrap();
    let actor = Actor::new(None, Source::Test);
    let report = cache.replay(&db.pool, &actor).await.unwrap();
    assert_eq!(report.remaining, 0, "{report:?}");
    let outbox = cache.outbox(&[]).await.unwrap();
    let counts = applications(&db.pool).await;
    let recorded = recorded_ids(&db.pool).await;
    assert!(counts.values().all(|n| *n == 1), "none applied twice");
    for e in &outbox {
        match e.status {
            OutboxStatus::Applied => assert!(recorded.contains(&e.mutation_id)),
            OutboxStatus::Conflict => assert!(!counts.contains_key(&e.mutation_id)),
            other => panic!("unexpected status {other:?}: {:?}", e.reason),
        }
    }
    println!(
        "{} kills; {} edits queued, {} applied once each",
        kills,
        outbox.len(),
        counts.len()
    );
    assert!(outbox.len() > 20, "the children queued edits");
}

/// A start while the server cannot be reached finds the person's cache of
/// that database by its shown name and their role, with their session as
/// the server gave it, and nothing for another role, another database, or
/// a cache with no subtree ready.
#[tokio::test]
async fn the_cache_kept_for_a_database_and_role_is_found_without_the_server() {
    let w = World::new().await;
    let display = "postgres://field@server.example:5432/eco_studio";
    let path = OfflineCache::file_for(
        w.dir.path(),
        &format!("{display}-{}", w.actor.user_id.unwrap()),
    );
    let cache = OfflineCache::open(&path).await.unwrap();
    // An empty cache of the same database and person is not enough.
    assert!(OfflineCache::find_kept(w.dir.path(), display, &w.role)
        .await
        .unwrap()
        .is_none());
    cache
        .add(
            &w.field,
            w.site,
            &AddOptions::default(),
            &CancelToken::new(),
        )
        .await
        .expect("download the site");
    let expected = people::session(&w.field).await.unwrap();
    cache.close().await;

    let kept = OfflineCache::find_kept(w.dir.path(), display, &w.role)
        .await
        .unwrap()
        .expect("the person's cache of that database is found");
    assert_eq!(kept.owner, w.actor.user_id.unwrap());
    assert_eq!(kept.session, expected, "the session is the server's, kept");
    assert_eq!(kept.cache.path(), path.as_path());
    assert!(
        !kept.cache.roots().await.unwrap().is_empty(),
        "the site reads from it"
    );
    kept.cache.close().await;

    assert!(
        OfflineCache::find_kept(w.dir.path(), display, "someone_else")
            .await
            .unwrap()
            .is_none(),
        "another role's start does not get this person's copy"
    );
    assert!(
        OfflineCache::find_kept(
            w.dir.path(),
            "postgres://field@other.example/eco_studio",
            &w.role
        )
        .await
        .unwrap()
        .is_none(),
        "another database's start does not get it either"
    );
    assert!(
        OfflineCache::find_kept(&w.dir.path().join("missing"), display, &w.role)
            .await
            .unwrap()
            .is_none(),
        "no folder of caches: nothing kept"
    );
}
