//! `eco-studio seed generate` as a person runs it, checked with SQL: the
//! registry's invariants hold for every generated row, and a seed gives the
//! same registry every time.

use std::process::{Command, Output};

use sqlx::PgPool;
use studio_core::properties::NAME_PROPERTY_ID;
use studio_core::registry::labels::slugify;
use studio_core::testing::test_db;

fn eco(args: &[&str], database_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eco-studio"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .output()
        .expect("run eco-studio")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn scalar(pool: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The generated estate's entities (not the tag library and its tags).
const ESTATE_ENTITIES: &str = "SELECT count(*) FROM entities e
     JOIN entity_type_definitions t ON t.id = e.entity_type_id
     WHERE t.key NOT IN ('tag', 'tag_library')";

/// Every (path_label, name) pair, sorted.
async fn labels_and_names(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT e.path_label, v.value #>> '{}' FROM entities e
         JOIN entity_type_definitions t ON t.id = e.entity_type_id AND t.key NOT IN ('tag', 'tag_library')
         JOIN entity_property_values v ON v.entity_id = e.id
          AND v.property_definition_id = $1 AND v.deleted_at IS NULL
         ORDER BY 1, 2",
    )
    .bind(NAME_PROPERTY_ID)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The registry's invariants, each as a count of rows breaking it.
async fn assert_invariants(pool: &PgPool) {
    let checks: &[(&str, &'static str)] = &[
        (
            "path = parent path || own id label",
            "SELECT count(*) FROM entities c LEFT JOIN entities p ON p.id = c.parent_entity_id
             WHERE c.path::text IS DISTINCT FROM
                   CASE WHEN c.parent_entity_id IS NULL THEN replace(c.id::text, '-', '')
                        ELSE p.path::text || '.' || replace(c.id::text, '-', '') END",
        ),
        (
            "path_label = parent label || '.' || one slug",
            "SELECT count(*) FROM entities c LEFT JOIN entities p ON p.id = c.parent_entity_id
             WHERE CASE WHEN c.parent_entity_id IS NULL THEN strpos(c.path_label, '.') <> 0
                        ELSE p.path_label IS NULL
                          OR left(c.path_label, length(p.path_label) + 1) <> p.path_label || '.'
                          OR strpos(substr(c.path_label, length(p.path_label) + 2), '.') <> 0
                          OR substr(c.path_label, length(p.path_label) + 2) !~ '^[a-z0-9]+(_[a-z0-9]+)*$'
                   END",
        ),
        (
            "as many labels in path and path_label",
            "SELECT count(*) FROM entities
             WHERE nlevel(path) <> array_length(string_to_array(path_label, '.'), 1)",
        ),
        (
            "exactly one live name per entity",
            "SELECT count(*) FROM entities e
             WHERE (SELECT count(*) FROM entity_property_values v
                    WHERE v.entity_id = e.id AND v.deleted_at IS NULL
                      AND v.property_definition_id = '01900000-0000-7000-8000-000000000002') <> 1",
        ),
        (
            "names are JSON strings, not blank",
            "SELECT count(*) FROM entity_property_values
             WHERE property_definition_id = '01900000-0000-7000-8000-000000000002'
               AND (jsonb_typeof(value) <> 'string' OR btrim(value #>> '{}') = '')",
        ),
        (
            "path_label unique",
            "SELECT count(*) - count(DISTINCT path_label) FROM entities",
        ),
        (
            "ids are version 7",
            "SELECT count(*) FROM entities WHERE substr(id::text, 15, 1) <> '7'",
        ),
        (
            "timestamps set",
            "SELECT count(*) FROM entities
             WHERE created_at IS NULL OR updated_at < created_at OR deleted_at IS NOT NULL",
        ),
    ];
    for (what, sql) in checks {
        assert_eq!(scalar(pool, sql).await, 0, "invariant broken: {what}");
    }
    // Each slug comes from its entity's name (numbered when a sibling
    // already has it).
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT e.path_label, v.value #>> '{}', t.key FROM entities e
         JOIN entity_type_definitions t ON t.id = e.entity_type_id
         JOIN entity_property_values v ON v.entity_id = e.id AND v.property_definition_id = $1",
    )
    .bind(NAME_PROPERTY_ID)
    .fetch_all(pool)
    .await
    .unwrap();
    for (label, name, key) in rows {
        let own = label.rsplit('.').next().unwrap();
        let base = slugify(&name, &key);
        let numbered = own
            .strip_prefix(&format!("{base}_"))
            .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n >= 2));
        assert!(
            own == base || numbered,
            "slug {own:?} of {label} does not come from its name {name:?}"
        );
    }
}

#[tokio::test]
async fn generate_loads_a_consistent_deterministic_registry() {
    let first = test_db().await;
    let out = eco(
        &["seed", "generate", "--entities", "5000", "--seed", "7"],
        &first.url,
    );
    assert!(out.status.success(), "generate succeeds: {}", text(&out));
    assert!(
        text(&out).contains("generated 5000 entities"),
        "the CLI reports what it stored: {}",
        text(&out)
    );

    let pool = &first.pool;
    assert_eq!(scalar(pool, ESTATE_ENTITIES).await, 5000);
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM entity_property_values
             WHERE property_definition_id = '01900000-0000-7000-8000-000000000002'
               AND entity_id IN (SELECT e.id FROM entities e JOIN entity_type_definitions t
                                 ON t.id = e.entity_type_id WHERE t.key NOT IN ('tag', 'tag_library'))"
        )
        .await,
        5000,
        "one name per entity"
    );
    // About five property values per entity, and each device's zone tag.
    let values = scalar(
        pool,
        "SELECT count(*) FROM entity_property_values
         WHERE property_definition_id <> '01900000-0000-7000-8000-000000000002'",
    )
    .await;
    assert!(
        (4 * 5000..=5 * 5000).contains(&values),
        "{values} property values"
    );
    let tagged = scalar(pool, "SELECT count(DISTINCT entity_id) FROM entity_tags").await;
    assert!(
        tagged > 3000,
        "most entities are devices with a zone: {tagged}"
    );
    let mut conn = pool.acquire().await.unwrap();
    assert!(
        studio_core::read_model::check(&mut conn, 5)
            .await
            .unwrap()
            .is_empty(),
        "the generated read model agrees with the system of record"
    );
    drop(conn);
    assert_invariants(pool).await;

    // The estate's shape: ~20 types, tenants at the top, deep devices.
    assert!(
        scalar(pool, "SELECT count(*) FROM entity_type_definitions").await >= 20,
        "about twenty entity types"
    );
    assert!(
        scalar(pool, "SELECT count(DISTINCT entity_type_id) FROM entities").await >= 15,
        "most types are used"
    );
    assert_eq!(
        scalar(pool, "SELECT max(nlevel(path))::int8 FROM entities").await,
        7,
        "gateways hold sensors: seven levels"
    );
    assert!(
        scalar(
            pool,
            "SELECT count(*) FROM entity_property_values WHERE value #>> '{}' ILIKE '%zephyrion%'"
        )
        .await
            > 0,
        "a few names hold the rare word"
    );
    assert!(
        scalar(
            pool,
            "SELECT count(*) FROM entity_property_values WHERE value #>> '{}' ILIKE '%sensor%'"
        )
        .await
            > 500,
        "many names hold the common word"
    );

    // One audit row for the whole generation (plus one per created type).
    let (count, entities, seed): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT count(*), max((after->>'entities')::int8), max((after->>'seed')::int8)
         FROM audit_events WHERE action = 'entity.bulk_generate' AND source = 'cli'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (count, entities, seed),
        (1, Some(5000), Some(7)),
        "one summary audit row"
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM audit_events WHERE action = 'entity.create'
               AND entity_id NOT IN (SELECT e.id FROM entities e
                                     JOIN entity_type_definitions t ON t.id = e.entity_type_id
                                     WHERE t.key IN ('tag', 'tag_library'))"
        )
        .await,
        0,
        "no per-entity audit rows for the estate (the tags it needed are created one by one)"
    );

    // Same seed, fresh database: the same registry, ids included.
    let second = test_db().await;
    let out = eco(
        &["seed", "generate", "--entities", "5000", "--seed", "7"],
        &second.url,
    );
    assert!(out.status.success(), "{}", text(&out));
    let a = labels_and_names(pool).await;
    assert_eq!(a.len(), 5000);
    let b = labels_and_names(&second.pool).await;
    assert!(
        a == b,
        "same seed, same labels and names; first difference: {:?}",
        a.iter().zip(&b).find(|(x, y)| x != y)
    );
    let ids = |p: &PgPool| {
        let p = p.clone();
        async move {
            sqlx::query_scalar::<_, sqlx::types::Uuid>(
                "SELECT e.id FROM entities e JOIN entity_type_definitions t ON t.id = e.entity_type_id
                 WHERE t.key NOT IN ('tag', 'tag_library') ORDER BY e.id",
            )
                .fetch_all(&p)
                .await
                .unwrap()
        }
    };
    let (ids_a, ids_b) = (ids(pool).await, ids(&second.pool).await);
    assert!(
        ids_a == ids_b,
        "same seed, same ids; first difference: {:?}",
        ids_a.iter().zip(&ids_b).find(|(x, y)| x != y)
    );

    // Another seed: another registry.
    let third = test_db().await;
    let out = eco(
        &["seed", "generate", "--entities", "5000", "--seed", "8"],
        &third.url,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        a != labels_and_names(&third.pool).await,
        "another seed, another registry"
    );

    // The same seed again into the same registry is refused, unchanged.
    let again = eco(
        &["seed", "generate", "--entities", "5000", "--seed", "7"],
        &first.url,
    );
    assert!(!again.status.success(), "a rerun of a seed is refused");
    assert!(text(&again).contains("already"), "{}", text(&again));
    assert_eq!(scalar(pool, ESTATE_ENTITIES).await, 5000);
}

#[tokio::test]
async fn generate_adds_to_an_existing_registry_without_label_clashes() {
    let args = [
        "seed",
        "generate",
        "--entities",
        "1500",
        "--seed",
        "11",
        "--wide",
        "1200",
    ];
    // What seed 11 calls its tenant on an empty registry.
    let empty = test_db().await;
    let out = eco(&args, &empty.url);
    assert!(out.status.success(), "{}", text(&out));
    let (label, name): (String, String) = sqlx::query_as(
        "SELECT e.path_label, v.value #>> '{}' FROM entities e
         JOIN entity_type_definitions t ON t.id = e.entity_type_id AND t.key = 'tenant'
         JOIN entity_property_values v ON v.entity_id = e.id AND v.property_definition_id = $1
         WHERE e.parent_entity_id IS NULL",
    )
    .bind(NAME_PROPERTY_ID)
    .fetch_one(&empty.pool)
    .await
    .unwrap();

    // A registry with the demo and a root that already holds that label.
    let db = test_db().await;
    let out = eco(&["seed", "demo"], &db.url);
    assert!(out.status.success(), "{}", text(&out));
    let actor = studio_core::Actor::new(None, studio_core::Source::Test);
    let squatter = studio_core::registry::create(
        &db.pool,
        &actor,
        &studio_core::registry::CreateEntity {
            type_key: "tenant".into(),
            parent_id: None,
            name: name.clone(),
        },
    )
    .await
    .map(|a| a.value)
    .unwrap();
    assert_eq!(squatter.path_label, label);
    let before = scalar(&db.pool, "SELECT count(*) FROM entities").await;

    let out = eco(&args, &db.url);
    assert!(out.status.success(), "{}", text(&out));
    let out = eco(
        &[
            "seed",
            "generate",
            "--entities",
            "1500",
            "--seed",
            "12",
            "--wide",
            "1200",
        ],
        &db.url,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        scalar(&db.pool, "SELECT count(*) FROM entities").await,
        before + 2 * (1500 + 1202)
    );
    assert_invariants(&db.pool).await;

    let roots: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.path_label, v.value #>> '{}' FROM entities e
         JOIN entity_property_values v ON v.entity_id = e.id AND v.property_definition_id = $1
         WHERE e.parent_entity_id IS NULL ORDER BY 1",
    )
    .bind(NAME_PROPERTY_ID)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let same_name: Vec<&String> = roots
        .iter()
        .filter(|(_, n)| *n == name)
        .map(|(l, _)| l)
        .collect();
    assert_eq!(
        same_name,
        vec![&label, &format!("{label}_2")],
        "the generated tenant takes the next free root label"
    );
    for demo_root in ["northwind_energy", "helios_facilities", "greenfield_campus"] {
        assert!(
            roots.iter().any(|(l, _)| l == demo_root),
            "the demo keeps {demo_root}"
        );
    }
    assert_eq!(
        scalar(
            &db.pool,
            "SELECT count(*) FROM (SELECT parent_entity_id FROM entities
             GROUP BY 1 HAVING count(*) = 1200) w"
        )
        .await,
        2,
        "each --wide adds one node with that many children"
    );
}

#[tokio::test]
async fn generate_refuses_sizes_out_of_range() {
    let db = test_db().await;
    for n in ["0", "20000001"] {
        let out = eco(&["seed", "generate", "--entities", n], &db.url);
        assert!(!out.status.success(), "--entities {n} is refused");
        assert!(
            text(&out).contains("--entities"),
            "the error names the option: {}",
            text(&out)
        );
    }
    assert_eq!(scalar(&db.pool, "SELECT count(*) FROM entities").await, 0);
}

/// The indexes and keys of the tables a load fills: (name, definition,
/// validated).
async fn schema_of_filled_tables(pool: &PgPool) -> Vec<(String, String, bool)> {
    sqlx::query_as(
        "SELECT indexname::text, indexdef, true FROM pg_indexes
         WHERE tablename IN ('entities', 'entity_property_values', 'entity_tags', 'entity_read_model')
         UNION ALL
         SELECT conname::text, pg_get_constraintdef(oid), convalidated FROM pg_constraint
         WHERE conrelid IN ('entities'::regclass, 'entity_property_values'::regclass,
                            'entity_tags'::regclass, 'entity_read_model'::regclass)
         ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_large_load_rebuilds_its_indexes_and_keys_as_they_were() {
    let db = test_db().await;
    let out = eco(&["seed", "demo"], &db.url);
    assert!(out.status.success(), "{}", text(&out));
    let before = schema_of_filled_tables(&db.pool).await;
    assert!(before
        .iter()
        .any(|(n, _, _)| n == "entities_parent_entity_id_fkey"));

    let out = eco(
        &["seed", "generate", "--entities", "60000", "--seed", "5"],
        &db.url,
    );
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    for name in [
        "idx_entities_path_gist",
        "uq_entity_property_values_active",
        "entities_path_label_key",
        "entity_property_values_entity_id_fkey",
        "entity_tags_tag_entity_id_fkey",
    ] {
        assert!(printed.contains(name), "{name} was rebuilt: {printed}");
    }
    assert_eq!(
        schema_of_filled_tables(&db.pool).await,
        before,
        "every index and key is back, the same and validated"
    );
    assert_invariants(&db.pool).await;
    let mut conn = db.pool.acquire().await.unwrap();
    assert_eq!(
        studio_core::read_model::check(&mut conn, 5).await.unwrap(),
        vec![]
    );
}
