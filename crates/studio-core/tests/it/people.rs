//! People and row-level security: the checker, plain SQL as a scoped role
//! against every table, a model of who sees and changes what, pooled
//! connections switching roles, logins with generated passwords, and the
//! app's refusal to work as a role that bypasses row-level security.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Connection, PgPool};
use studio_core::db::pooling::ExecuteCommitted;
use studio_core::error::ConnectionProblem;
use studio_core::people::{self, AddedPerson, Capability, GrantScope, Login, NewPerson};
use studio_core::profiles::{self, ConnectionProfile, Profiles, TlsMode};
use studio_core::registry::{self, CreateEntity};
use studio_core::startup::{self, DatabaseTarget, Identity, Password};
use studio_core::testing::{test_db, TestDb};
use studio_core::vault::SecretText;
use studio_core::{db, demo, Actor, CoreError, Source};
use uuid::Uuid;

use crate::common::ensure_type;

fn owner() -> Actor {
    Actor::new(None, Source::Test)
}

/// A role name unique to this test database (roles are cluster-wide).
fn role_name(db: &TestDb, name: &str) -> String {
    format!("{name}_{}", &db.name[db.name.len() - 12..])
}

/// Adds a person without a password (the test cluster admits local socket
/// logins) and returns their id and role.
async fn add_person(db: &TestDb, name: &str, admin: bool) -> (Uuid, String) {
    let role = role_name(db, name);
    let added = people::add_person(
        &db.pool,
        &owner(),
        &NewPerson {
            role: role.clone(),
            display_name: name.into(),
            email: None,
            login: Login::NewRoleWithoutPassword,
            is_admin: admin,
        },
    )
    .await
    .expect("add a person")
    .value;
    (added.person.id, role)
}

/// Adds a person with a generated password; returns them, their role and
/// the password.
async fn add_person_with_password(db: &TestDb, name: &str) -> (AddedPerson, String, String) {
    let role = role_name(db, name);
    let added = people::add_person(
        &db.pool,
        &owner(),
        &NewPerson {
            role: role.clone(),
            display_name: format!("{name} person"),
            email: Some(format!("{name}@example.com")),
            login: Login::NewRoleWithPassword,
            is_admin: false,
        },
    )
    .await
    .expect("add a person with a password")
    .value;
    let password = added.password.clone().expect("a generated password");
    (added, role, password)
}

async fn grant(db: &TestDb, user: Uuid, root: Uuid, caps: &[Capability]) {
    let _ = people::grant_scope(
        &db.pool,
        &owner(),
        &GrantScope {
            user_id: user,
            root_id: root,
            capabilities: caps.to_vec(),
        },
    )
    .await
    .expect("grant a scope");
}

/// A pool that logs in as `role`.
async fn pool_as(db: &TestDb, role: &str) -> PgPool {
    db::connect(&db::with_user(&db.url, role).expect("url"))
        .await
        .expect("log in as the person")
}

async fn root_of(pool: &PgPool, label: &str) -> Uuid {
    people::root_by_label(pool, label)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no root {label}"))
}

/// Loads the demo and returns two of its tenants: Northwind and Helios.
async fn demo_tenants(pool: &PgPool) -> (Uuid, Uuid) {
    let _ = demo::seed_demo(pool, &owner())
        .await
        .expect("seed the demo");
    (
        root_of(pool, "northwind_energy").await,
        root_of(pool, "helios_facilities").await,
    )
}

/// Every entity id under a root (deleted ones too), read as the owner.
async fn ids_under(pool: &PgPool, root: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar("SELECT id FROM entities WHERE subpath(path, 0, 1)::text::uuid = $1")
        .bind(root)
        .fetch_all(pool)
        .await
        .expect("ids under a root")
}

// ------------------------------------------------------------------ checker

#[tokio::test]
async fn the_security_checker_passes_on_the_schema_and_catches_each_kind_of_gap() {
    let db = test_db().await;
    let pool = &db.pool;
    assert_eq!(
        people::security::check(pool).await.unwrap(),
        vec![],
        "the migrated schema is clean"
    );

    let problems = |f: Vec<people::security::Finding>, object: &str| -> Vec<String> {
        f.into_iter()
            .filter(|x| x.object == object)
            .map(|x| x.problem)
            .collect()
    };

    // A table added without row-level security or policies.
    sqlx::raw_sql("CREATE TABLE sneaky (id uuid PRIMARY KEY, entity_id uuid)")
        .execute_committed(pool)
        .await
        .unwrap();
    let found = problems(people::security::check(pool).await.unwrap(), "sneaky");
    assert_eq!(
        found,
        [
            "row-level security is not enabled",
            "row-level security is not forced",
            "no SELECT policy for eco_studio_people",
            "no INSERT policy for eco_studio_people",
            "no UPDATE policy for eco_studio_people",
            "no DELETE policy for eco_studio_people",
        ]
    );
    sqlx::raw_sql(
        "ALTER TABLE sneaky ENABLE ROW LEVEL SECURITY; ALTER TABLE sneaky FORCE ROW LEVEL SECURITY;
         CREATE POLICY s ON sneaky FOR SELECT TO eco_studio_people USING (true);",
    )
    .execute_committed(pool)
    .await
    .unwrap();
    assert_eq!(
        problems(people::security::check(pool).await.unwrap(), "sneaky"),
        [
            "no INSERT policy for eco_studio_people",
            "no UPDATE policy for eco_studio_people",
            "no DELETE policy for eco_studio_people"
        ]
    );
    sqlx::raw_sql("CREATE POLICY w ON sneaky TO eco_studio_people USING (false)")
        .execute_committed(pool)
        .await
        .unwrap();
    assert_eq!(
        problems(people::security::check(pool).await.unwrap(), "sneaky"),
        Vec::<String>::new()
    );

    // A view that runs as its owner, a definer function off the list, and
    // a person's role that bypasses row-level security.
    sqlx::raw_sql(
        "CREATE VIEW peek AS SELECT id FROM entities;
         CREATE FUNCTION leak() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM entities';",
    )
    .execute_committed(pool)
    .await
    .unwrap();
    let (_, role) = add_person(&db, "bypass", false).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ALTER ROLE {role} BYPASSRLS")))
        .execute_committed(pool)
        .await
        .unwrap();
    let all = people::security::check(pool).await.unwrap();
    assert_eq!(
        problems(all.clone(), "peek"),
        ["a view without security_invoker"]
    );
    assert_eq!(
        problems(all.clone(), "leak"),
        ["a SECURITY DEFINER function not on the allow-list"]
    );
    assert_eq!(
        problems(all, &role),
        ["a person's role bypasses row-level security"]
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "ALTER VIEW peek SET (security_invoker = true); DROP FUNCTION leak(); ALTER ROLE {role} NOBYPASSRLS"
    )))
    .execute_committed(pool)
    .await
    .unwrap();
    assert_eq!(people::security::check(pool).await.unwrap(), vec![]);
}

// --------------------------------------------------- plain SQL, every table

/// Where each root-scoped table names entities (the test fails when a table
/// is added without being listed here, so a new table gets probed too).
const ENTITY_COLUMNS: &[(&str, &[&str])] = &[
    ("entities", &["id"]),
    ("entity_property_values", &["entity_id"]),
    ("entity_read_model", &["entity_id"]),
    ("tags", &["entity_id"]),
    ("entity_tags", &["entity_id"]),
    ("entity_groups", &["entity_id"]),
    (
        "entity_group_members",
        &["group_entity_id", "member_entity_id"],
    ),
    (
        "entity_relationships",
        &["source_entity_id", "target_entity_id"],
    ),
    ("audit_events", &["entity_id"]),
    ("user_root_entity_scopes", &["root_entity_id"]),
    ("tenant_encryption_keys", &["root_entity_id"]),
    (
        "vault_secret_versions",
        &["secret_entity_id", "root_entity_id"],
    ),
    ("admin_saved_views", &["root_entity_id"]),
    ("dashboards", &["root_entity_id"]),
    ("metric_series", &["entity_id", "root_entity_id"]),
    ("alerts", &["entity_id", "root_entity_id"]),
    ("workflows", &["root_entity_id"]),
    ("workflow_executions", &["entity_id", "root_entity_id"]),
    ("approval_requests", &["entity_id", "root_entity_id"]),
    ("notifications", &["entity_id"]),
    ("external_refs", &["entity_id"]),
];
/// Tables of global definitions: everyone reads them, administrators write.
const GLOBAL: &[&str] = &[
    "entity_type_definitions",
    "property_groups",
    "property_definitions",
    "tag_groups",
    "entity_type_properties",
    "entity_type_default_views",
    "installed_packs",
    "users",
];
/// Root-scoped through another table.
const INDIRECT: &[&str] = &[
    "tenant_encryption_key_versions",
    "dashboard_widgets",
    "metric_samples",
    "metric_rollups_daily",
    "workflow_versions",
    "workflow_execution_steps",
    "approval_votes",
    "workflow_dispatch",
    "sync_imports",
    "import_presets",
    "offline_mutations",
];
/// A person's own rows, kept by the database: readable by that person only,
/// written by nobody.
const PERSONAL: &[&str] = &["person_roots"];

#[tokio::test]
async fn plain_sql_as_a_scoped_role_cannot_read_count_or_change_another_tenants_rows() {
    let db = test_db().await;
    let pool = &db.pool;
    let (northwind, helios) = demo_tenants(pool).await;
    // A key, a key version and a saved view on Helios, so every table has
    // rows of the other tenant to probe.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "INSERT INTO tenant_encryption_keys VALUES ('{k}', '{helios}', 'passphrase', 'x', 'active', now(), now(), NULL, NULL);
         INSERT INTO tenant_encryption_key_versions VALUES (gen_random_uuid(), '{k}', 1, '{{}}', 'aes-256-gcm', now(), now(), NULL, NULL);
         INSERT INTO admin_saved_views (id, root_entity_id, name, view_type, created_at, updated_at)
              VALUES (gen_random_uuid(), '{helios}', 'Helios plant', 'table', now(), now());",
        k = Uuid::now_v7()
    )))
    .execute(pool)
    .await
    .unwrap();

    // Every table is accounted for.
    let tables: BTreeSet<String> = sqlx::query_scalar(
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace
            AND relkind = 'r' AND relname <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let listed: BTreeSet<String> = ENTITY_COLUMNS
        .iter()
        .map(|(t, _)| *t)
        .chain(GLOBAL.iter().copied())
        .chain(INDIRECT.iter().copied())
        .chain(PERSONAL.iter().copied())
        .map(String::from)
        .collect();
    assert_eq!(
        tables, listed,
        "a table is missing from the probe (or the probe names one that is gone)"
    );

    let (alice_id, alice) = add_person(&db, "alice", false).await;
    grant(
        &db,
        alice_id,
        northwind,
        &[Capability::Read, Capability::Write],
    )
    .await;
    let helios_ids = ids_under(pool, helios).await;
    let northwind_ids = ids_under(pool, northwind).await;
    assert!(helios_ids.len() > 50 && northwind_ids.len() > 50);

    let mut conn = sqlx::PgConnection::connect(&db::with_user(&db.direct_url, &alice).unwrap())
        .await
        .unwrap();
    for (table, columns) in ENTITY_COLUMNS {
        for column in *columns {
            let owner_sees = count_where(pool, table, column, &helios_ids).await;
            let seen = count_where(&mut conn, table, column, &helios_ids).await;
            assert_eq!(
                seen, 0,
                "alice counts {seen} of Helios's rows in {table}.{column} (the owner {owner_sees})"
            );
            for change in [
                format!("UPDATE {table} SET {column} = {column} WHERE {column} = ANY($1)"),
                format!("DELETE FROM {table} WHERE {column} = ANY($1)"),
            ] {
                match sqlx::query(sqlx::AssertSqlSafe(change.clone()))
                    .bind(&helios_ids)
                    .execute(&mut conn)
                    .await
                {
                    Ok(done) => assert_eq!(
                        done.rows_affected(),
                        0,
                        "alice changed Helios's rows: {change}"
                    ),
                    Err(e) => assert!(permission_error(&e), "{change}: {e}"),
                }
            }
            // Her own tenant's rows are all there (links and scopes also
            // need their other end, or are hers alone).
            let own_owner = count_where(pool, table, column, &northwind_ids).await;
            let own = count_where(&mut conn, table, column, &northwind_ids).await;
            if ![
                "entity_relationships",
                "entity_group_members",
                "user_root_entity_scopes",
            ]
            .contains(table)
            {
                assert_eq!(
                    own, own_owner,
                    "alice sees all of Northwind's rows in {table}.{column}"
                );
            }
        }
    }
    // The other tenant's key versions, through their key.
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_encryption_key_versions")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(versions, 0);
    // Her own roots only, and she cannot change them.
    for table in PERSONAL {
        let others: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {table} WHERE pg_role <> current_user"
        )))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(others, 0, "alice reads others' rows of {table}");
        for change in [
            format!("UPDATE {table} SET paths = '{{}}'"),
            format!("DELETE FROM {table}"),
            format!("INSERT INTO {table} VALUES (current_user, 'x', true, '{{}}', '{{}}')"),
        ] {
            let e = sqlx::query(sqlx::AssertSqlSafe(change.clone()))
                .execute(&mut conn)
                .await
                .expect_err(&change);
            assert!(permission_error(&e), "{change}: {e}");
        }
    }

    // Inserting into the other tenant is refused, whatever the table.
    let helios_site = helios_ids
        .iter()
        .find(|id| **id != helios)
        .copied()
        .unwrap();
    for insert in [
        format!("INSERT INTO entity_property_values (id, entity_id, property_definition_id, value, created_at, updated_at)
                 VALUES (gen_random_uuid(), '{helios_site}', '01900000-0000-7000-8000-000000000002', '\"x\"', now(), now())"),
        format!("INSERT INTO entity_relationships VALUES (gen_random_uuid(), '{helios_site}', '{}', 'feeds', now(), now(), NULL)", northwind_ids[1]),
        format!("INSERT INTO entity_relationships VALUES (gen_random_uuid(), '{}', '{helios_site}', 'feeds', now(), now(), NULL)", northwind_ids[1]),
        format!("INSERT INTO user_root_entity_scopes VALUES (gen_random_uuid(), '{alice_id}', '{helios}', '[\"read\"]', now(), now(), NULL)"),
        format!("INSERT INTO audit_events (id, action, table_name, entity_id) VALUES (gen_random_uuid(), 'x', 'entities', '{helios_site}')"),
    ] {
        let e = sqlx::query(sqlx::AssertSqlSafe(insert.clone())).execute(&mut conn).await.expect_err(&insert);
        assert!(permission_error(&e), "{insert}: {e}");
    }
    // A table of her own named like the studio's, searched first, changes
    // nothing: the policies' functions name their tables in full.
    sqlx::raw_sql(
        "CREATE TEMP TABLE users (id uuid, pg_role text, is_admin boolean, deleted_at timestamptz);
         INSERT INTO pg_temp.users VALUES (gen_random_uuid(), current_user, true, NULL);
         SET search_path = pg_temp, public;",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let hijacked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM public.entities WHERE id = ANY($1)")
            .bind(&helios_ids)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        hijacked, 0,
        "a temporary users table made alice an administrator"
    );
    let admin: bool = sqlx::query_scalar("SELECT public.eco_is_admin()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(!admin);
    sqlx::raw_sql("RESET search_path; DROP TABLE pg_temp.users")
        .execute(&mut conn)
        .await
        .unwrap();

    // Nor can she raise herself, or move her tenant's rows into theirs.
    let e = sqlx::query("UPDATE users SET is_admin = true")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(permission_error(&e), "{e}");
    let moved = sqlx::query(
        "UPDATE entities SET path = text2ltree($1 || '.' || replace(id::text, '-', '')) WHERE id = $2",
    )
    .bind(helios.simple().to_string())
    .bind(northwind_ids[1])
    .execute(&mut conn)
    .await;
    assert!(matches!(&moved, Err(e) if permission_error(e)), "{moved:?}");
    conn.close().await.ok();
}

/// Rows of `table` whose `column` is one of `ids`, as `db` sees them.
async fn count_where<'e>(
    db: impl sqlx::PgExecutor<'e>,
    table: &str,
    column: &str,
    ids: &[Uuid],
) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {table} WHERE {column} = ANY($1)"
    )))
    .bind(ids)
    .fetch_one(db)
    .await
    .unwrap()
}

fn permission_error(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "42501")
}

// ----------------------------------------------------------------- the model

/// A small deterministic generator (the cases must be reproducible).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[tokio::test]
async fn what_each_person_sees_and_may_change_matches_an_independent_model() {
    let db = test_db().await;
    let pool = &db.pool;
    ensure_type(pool, "site", "Site", false).await;
    // Roots whose labels are prefixes of one another, each with a small tree.
    let labels = ["acme", "acme_corp", "acme_corporation", "beta", "betamax"];
    let mut roots = Vec::new();
    let mut root_names: Vec<String> = Vec::new();
    let mut tree: BTreeMap<Uuid, Uuid> = BTreeMap::new(); // entity → root
    for label in labels {
        let root = registry::create(
            pool,
            &owner(),
            &CreateEntity {
                type_key: "site".into(),
                parent_id: None,
                name: label.into(),
            },
        )
        .await
        .unwrap()
        .value;
        tree.insert(root.id, root.id);
        let mut parents = vec![root.id];
        for i in 0..6 {
            let parent = parents[i % parents.len()];
            let child = registry::create(
                pool,
                &owner(),
                &CreateEntity {
                    type_key: "site".into(),
                    parent_id: Some(parent),
                    name: format!("{label} part {i}"),
                },
            )
            .await
            .unwrap()
            .value;
            tree.insert(child.id, root.id);
            parents.push(child.id);
        }
        roots.push(root.id);
        root_names.push(label.to_string());
    }

    // A text property every entity may hold.
    let note = studio_core::properties::create_property_definition(
        pool,
        &owner(),
        &studio_core::properties::PropertyDefinitionInput {
            group_id: None,
            key: "note".into(),
            name: "Note".into(),
            description: None,
            value_type: studio_core::properties::ValueType::Text,
            is_required: false,
            is_sensitive: false,
            is_searchable: true,
            rules: studio_core::properties::Rules::from_json(&serde_json::json!({})).unwrap(),
        },
    )
    .await
    .unwrap()
    .value;

    let mut rng = Lcg(0x5eed_0008);
    let caps = [
        Capability::Read,
        Capability::Write,
        Capability::Admin,
        Capability::Purge,
    ];
    let mut people_model: Vec<(String, bool, BTreeMap<Uuid, BTreeSet<Capability>>)> = Vec::new();
    for p in 0..6 {
        let admin = p == 0;
        let (id, role) = add_person(&db, &format!("m{p}"), admin).await;
        let mut scopes = BTreeMap::new();
        if !admin {
            for root in &roots {
                if rng.below(3) == 0 {
                    let held: BTreeSet<Capability> =
                        caps.iter().copied().filter(|_| rng.below(2) == 0).collect();
                    let held = if held.is_empty() {
                        BTreeSet::from([Capability::Read])
                    } else {
                        held
                    };
                    grant(&db, id, *root, &held.iter().copied().collect::<Vec<_>>()).await;
                    scopes.insert(*root, held);
                }
            }
        }
        people_model.push((role, admin, scopes));
    }

    for (role, admin, scopes) in &people_model {
        let as_person = pool_as(&db, role).await;
        let sees = |root: &Uuid| *admin || scopes.contains_key(root);
        let may = |root: &Uuid, cap: Capability| {
            *admin || scopes.get(root).is_some_and(|c| c.contains(&cap))
        };

        // Rows: entities, the read model, names, audit rows.
        let expected: BTreeSet<Uuid> = tree
            .iter()
            .filter(|(_, r)| sees(r))
            .map(|(e, _)| *e)
            .collect();
        for (what, sql) in [
            ("entities", "SELECT id FROM entities"),
            ("read model", "SELECT entity_id FROM entity_read_model"),
            ("names", "SELECT entity_id FROM entity_property_values"),
            ("history", "SELECT DISTINCT entity_id FROM audit_events WHERE entity_id IS NOT NULL AND table_name = 'entities'"),
        ] {
            let got: BTreeSet<Uuid> = sqlx::query_scalar(sql).fetch_all(&as_person).await.unwrap().into_iter().collect();
            assert_eq!(got, expected, "{role} ({what})");
        }
        // Tree reads, counts and search through the core.
        let shown_roots: BTreeSet<Uuid> = registry::list_roots(&as_person)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(
            shown_roots,
            roots.iter().copied().filter(sees).collect(),
            "{role} (roots)"
        );
        for root in &roots {
            let count = registry::subtree_count(&as_person, *root).await;
            let crumbs = registry::breadcrumb(&as_person, *root).await;
            if sees(root) {
                let size = tree.values().filter(|r| *r == root).count() as i64;
                assert_eq!(count.unwrap(), size, "{role} counts a root it sees");
                assert!(crumbs.is_ok());
            } else {
                assert!(
                    matches!(count, Err(CoreError::NotFound { .. }) | Ok(0)),
                    "{role}: {count:?}"
                );
                assert!(
                    matches!(crumbs, Err(CoreError::NotFound { .. })),
                    "{role}: {crumbs:?}"
                );
            }
        }
        let found = registry::search(&as_person, "acme", 100).await.unwrap();
        let expected_hits = tree
            .iter()
            .filter(|(_, r)| {
                sees(r)
                    && root_names[roots.iter().position(|x| x == *r).unwrap()].starts_with("acme")
            })
            .count();
        assert_eq!(found.total as usize, expected_hits, "{role} (search)");

        // Writes: a rename through the core, and a bare UPDATE.
        let actor = Actor::for_session(&as_person, Source::Test).await.unwrap();
        // (The generated roots; a root a person created has no children.)
        for (i, root) in roots.iter().enumerate().take(labels.len()) {
            let child = *tree
                .iter()
                .find(|(e, r)| *r == root && *e != root)
                .unwrap()
                .0;
            let version: chrono::DateTime<chrono::Utc> =
                sqlx::query_scalar("SELECT updated_at FROM entities WHERE id = $1")
                    .bind(child)
                    .fetch_one(pool)
                    .await
                    .unwrap();
            let renamed = registry::rename(
                &as_person,
                &actor,
                &registry::RenameEntity {
                    id: child,
                    name: format!("{} renamed by {role}", root_names[i]),
                    expected_updated_at: version,
                },
            )
            .await;
            match (sees(root), may(root, Capability::Write)) {
                (_, true) => assert!(
                    renamed.is_ok(),
                    "{role} may rename under root {i}: {renamed:?}"
                ),
                (true, false) => assert!(
                    matches!(renamed, Err(CoreError::Forbidden(_))),
                    "{role} under root {i}: {renamed:?}"
                ),
                (false, false) => assert!(
                    matches!(
                        renamed,
                        Err(CoreError::NotFound { .. } | CoreError::Forbidden(_))
                    ),
                    "{role} under root {i}: {renamed:?}"
                ),
            }
            let touched = sqlx::query("UPDATE entities SET updated_at = updated_at WHERE id = $1")
                .bind(child)
                .execute(&as_person)
                .await
                .unwrap()
                .rows_affected();
            assert_eq!(
                touched == 1,
                may(root, Capability::Write),
                "{role} bare update under root {i}"
            );
            // Managing scopes on the root takes admin there.
            let scoped: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM user_root_entity_scopes WHERE root_entity_id = $1",
            )
            .bind(root)
            .fetch_one(&as_person)
            .await
            .unwrap();
            let owner_count: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM user_root_entity_scopes WHERE root_entity_id = $1",
            )
            .bind(root)
            .fetch_one(pool)
            .await
            .unwrap();
            let own = i64::from(scopes.contains_key(root));
            assert_eq!(
                scoped,
                if may(root, Capability::Admin) {
                    owner_count
                } else {
                    own
                },
                "{role} scopes on root {i}"
            );
        }
        // Definitions are global administrators' to change.
        let renamed_definition = studio_core::properties::update_property_definition(
            &as_person,
            &actor,
            &studio_core::properties::PropertyDefinitionUpdate {
                id: note.id,
                expected_updated_at: sqlx::query_scalar(
                    "SELECT updated_at FROM property_definitions WHERE id = $1",
                )
                .bind(note.id)
                .fetch_one(pool)
                .await
                .unwrap(),
                group_id: None,
                name: format!("Note ({role})"),
                description: None,
                value_type: studio_core::properties::ValueType::Text,
                is_required: false,
                is_sensitive: false,
                is_searchable: true,
                rules: studio_core::properties::Rules::from_json(&serde_json::json!({})).unwrap(),
                accept_invalid: None,
            },
        )
        .await;
        assert_eq!(
            renamed_definition.is_ok(),
            *admin,
            "{role} editing a definition: {renamed_definition:?}"
        );
        if !*admin {
            assert!(
                matches!(renamed_definition, Err(CoreError::Forbidden(_))),
                "{renamed_definition:?}"
            );
        }

        // New roots are a global administrator's.
        let created = registry::create(
            &as_person,
            &actor,
            &CreateEntity {
                type_key: "site".into(),
                parent_id: None,
                name: format!("new root of {role}"),
            },
        )
        .await;
        assert_eq!(
            created.is_ok(),
            *admin,
            "{role} creating a root: {created:?}"
        );
        if let Ok(c) = created {
            tree.insert(c.value.id, c.value.id);
            roots.push(c.value.id);
            root_names.push(format!("new root of {role}"));
        }
        as_person.close().await;
    }
}

// ------------------------------------------------------ pooled connections

#[tokio::test]
async fn one_connection_switching_from_one_person_to_another_shows_each_only_their_own() {
    let db = test_db().await;
    let pool = &db.pool;
    let (northwind, helios) = demo_tenants(pool).await;
    let (a_id, a) = add_person(&db, "pa", false).await;
    let (b_id, b) = add_person(&db, "pb", false).await;
    grant(&db, a_id, northwind, &[Capability::Read]).await;
    grant(&db, b_id, helios, &[Capability::Read]).await;

    // One connection, the same prepared statements, two people in turn.
    let mut conn = pool.acquire().await.unwrap();
    let roots_seen = "SELECT array_agg(DISTINCT root_id ORDER BY root_id) FROM entity_read_model";
    let mut seen = Vec::new();
    for role in [&a, &b, &a, &b] {
        let mut tx = conn.begin().await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("SET LOCAL ROLE {role}")))
            .execute(&mut *tx)
            .await
            .unwrap();
        let roots: Vec<Uuid> = sqlx::query_scalar(roots_seen)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        let names: i64 = sqlx::query_scalar("SELECT count(*) FROM entity_property_values")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        seen.push((roots, names));
    }
    let tags_root = root_of(pool, "tags").await;
    let with_tags = |r: Uuid| {
        let mut v = vec![r, tags_root];
        v.sort();
        v
    };
    assert_eq!(seen[0].0, with_tags(northwind));
    assert_eq!(seen[1].0, with_tags(helios));
    assert_eq!(seen[0], seen[2], "A sees the same after B");
    assert_eq!(seen[1], seen[3], "B sees the same after A");
    assert_ne!(seen[0].1, seen[1].1);
}

/// The roots a role holds `cap` on, as the policies read them, sorted.
async fn policy_roots(pool: &PgPool, role: &str, cap: Option<&str>) -> Vec<Uuid> {
    let mut roots: Vec<Uuid> = sqlx::query_scalar("SELECT unnest(eco_root_ids($1, $2))")
        .bind(role)
        .bind(cap)
        .fetch_all(pool)
        .await
        .expect("eco_root_ids");
    roots.sort();
    roots
}

#[tokio::test]
async fn scopes_granted_at_once_in_two_transactions_both_reach_the_policies() {
    let db = test_db().await;
    let pool = &db.pool;
    let (northwind, helios) = demo_tenants(pool).await;
    let (id, role) = add_person(&db, "both", false).await;
    let scope = |root: Uuid, caps: &str| {
        format!(
            "INSERT INTO user_root_entity_scopes VALUES (gen_random_uuid(), '{id}', '{root}', '{caps}', now(), now(), NULL)"
        )
    };

    // The first grant is not committed when the second is made; the second
    // must wait for it and then count it, not overwrite it.
    let mut first = pool.begin().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(scope(northwind, r#"["read"]"#)))
        .execute(&mut *first)
        .await
        .unwrap();
    let second_pool = pool.clone();
    let second_sql = scope(helios, r#"["read", "write"]"#);
    let second = tokio::spawn(async move {
        let mut tx = second_pool.begin().await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(second_sql))
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    });
    // Commit the first only once the second is waiting on it.
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                AND query LIKE 'INSERT INTO user_root_entity_scopes%'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    first.commit().await.unwrap();
    second.await.unwrap();

    let mut both = vec![northwind, helios];
    both.sort();
    assert_eq!(policy_roots(pool, &role, Some("read")).await, both);
    assert_eq!(policy_roots(pool, &role, Some("write")).await, vec![helios]);

    // Revoking, deactivating and promoting reach them too.
    sqlx::query("UPDATE user_root_entity_scopes SET deleted_at = now() WHERE root_entity_id = $1 AND user_id = $2")
        .bind(helios)
        .bind(id)
        .execute_committed(pool)
        .await
        .unwrap();
    assert_eq!(
        policy_roots(pool, &role, Some("read")).await,
        vec![northwind]
    );
    sqlx::query("UPDATE users SET is_admin = true WHERE id = $1")
        .bind(id)
        .execute_committed(pool)
        .await
        .unwrap();
    let all_roots: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM entities WHERE parent_entity_id IS NULL")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(
        policy_roots(pool, &role, Some("purge")).await.len(),
        all_roots.len()
    );
    let _ = people::deactivate_person(pool, &owner(), id).await.unwrap();
    assert!(policy_roots(pool, &role, None).await.is_empty());
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM person_roots WHERE pg_role = $1")
        .bind(&role)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "a deactivated person keeps cached roots");
}

// ------------------------------------------------------- logins and startup

#[tokio::test]
async fn a_generated_password_logs_in_and_a_deactivated_person_cannot() {
    let db = test_db().await;
    let (added, role, password) = add_person_with_password(&db, "pw").await;
    // The server keeps a SCRAM verifier, never the password.
    let stored: String = sqlx::query_scalar("SELECT rolpassword FROM pg_authid WHERE rolname = $1")
        .bind(&role)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(stored.starts_with("SCRAM-SHA-256$4096:") && !stored.contains(&password));
    let audited: String =
        sqlx::query_scalar("SELECT coalesce(string_agg(after::text, ''), '') FROM audit_events")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(
        !audited.contains(&password),
        "the password is not in the audit"
    );

    // Over TCP, where the cluster asks for a password.
    let port: i64 = sqlx::query_scalar("SELECT current_setting('port')::bigint")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let url = |pw: &str| format!("postgres://{role}:{pw}@127.0.0.1:{port}/{}", db.name);
    let mut conn = sqlx::PgConnection::connect(&url(&password))
        .await
        .expect("the generated password logs in");
    let me: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(me, role);
    conn.close().await.ok();
    assert!(sqlx::PgConnection::connect(&url("wrong")).await.is_err());

    let _ = people::deactivate_person(&db.pool, &owner(), added.person.id)
        .await
        .unwrap();
    let refused = sqlx::PgConnection::connect(&url(&password)).await;
    assert!(
        refused.is_err(),
        "a deactivated person's role cannot log in"
    );
    let again = people::deactivate_person(&db.pool, &owner(), added.person.id).await;
    assert!(matches!(again, Err(CoreError::Validation(_))), "{again:?}");
}

#[tokio::test]
async fn people_management_refuses_bad_input_and_non_administrators() {
    let db = test_db().await;
    let bad = |role: &str, name: &str| NewPerson {
        role: role.into(),
        display_name: name.into(),
        email: None,
        login: Login::NewRoleWithoutPassword,
        is_admin: false,
    };
    for (role, name, field) in [
        ("Upper", "x", "role"),
        ("pg_sneaky", "x", "role"),
        ("1abc", "x", "role"),
        ("eco_studio_people", "x", "role"),
        ("fine", "  ", "displayName"),
    ] {
        match people::add_person(&db.pool, &owner(), &bad(role, name)).await {
            Err(CoreError::Validation(v)) => assert_eq!(v.field.as_deref(), Some(field), "{role}"),
            other => panic!("{role}: {other:?}"),
        }
    }
    // Linking a superuser is refused.
    let linked = people::add_person(
        &db.pool,
        &owner(),
        &NewPerson {
            login: Login::ExistingRole,
            ..bad("postgres", "Root")
        },
    )
    .await;
    assert!(
        matches!(linked, Err(CoreError::Validation(_))),
        "{linked:?}"
    );

    // A person who is not an administrator can neither add people nor
    // grant scopes.
    let (_, role) = add_person(&db, "plain", false).await;
    let as_plain = pool_as(&db, &role).await;
    let actor = Actor::for_session(&as_plain, Source::Test).await.unwrap();
    let added =
        people::add_person(&as_plain, &actor, &bad(&role_name(&db, "other"), "Other")).await;
    assert!(matches!(added, Err(CoreError::Forbidden(_))), "{added:?}");
    ensure_type(&db.pool, "site", "Site", false).await;
    let root = registry::create(
        &db.pool,
        &owner(),
        &CreateEntity {
            type_key: "site".into(),
            parent_id: None,
            name: "Site".into(),
        },
    )
    .await
    .unwrap()
    .value;
    let me = people::person_by_role(&db.pool, &role)
        .await
        .unwrap()
        .unwrap();
    let granted = people::grant_scope(
        &as_plain,
        &actor,
        &GrantScope {
            user_id: me.id,
            root_id: root.id,
            capabilities: vec![Capability::Admin],
        },
    )
    .await;
    // The root is not theirs to see: not found, not even forbidden.
    assert!(
        matches!(granted, Err(CoreError::NotFound { .. })),
        "{granted:?}"
    );
    // A scope on a non-root is refused, and one without capabilities.
    let child = registry::create(
        &db.pool,
        &owner(),
        &CreateEntity {
            type_key: "site".into(),
            parent_id: Some(root.id),
            name: "Child".into(),
        },
    )
    .await
    .unwrap()
    .value;
    let on_child = people::grant_scope(
        &db.pool,
        &owner(),
        &GrantScope {
            user_id: me.id,
            root_id: child.id,
            capabilities: vec![Capability::Read],
        },
    )
    .await;
    assert!(
        matches!(on_child, Err(CoreError::Validation(_))),
        "{on_child:?}"
    );
    let empty = people::grant_scope(
        &db.pool,
        &owner(),
        &GrantScope {
            user_id: me.id,
            root_id: root.id,
            capabilities: vec![],
        },
    )
    .await;
    assert!(matches!(empty, Err(CoreError::Validation(_))), "{empty:?}");
    let scopes = people::list_scopes(&db.pool, Some(me.id)).await.unwrap();
    assert!(scopes.is_empty(), "nothing was granted: {scopes:?}");
}

#[tokio::test]
async fn the_app_refuses_to_work_as_a_role_that_bypasses_row_level_security() {
    let db = test_db().await;
    // The test cluster's superuser.
    let refused = startup::open(&DatabaseTarget::Url(db.url.clone()), |_| {}).await;
    match refused {
        Err(CoreError::Forbidden(m)) => assert!(m.contains("bypasses row-level security"), "{m}"),
        other => panic!("a superuser was let in: {:?}", other.map(|o| o.display)),
    }
    // A role that is nobody's.
    let stray = role_name(&db, "stray");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE ROLE {stray} LOGIN")))
        .execute_committed(&db.pool)
        .await
        .unwrap();
    let refused = startup::open(
        &DatabaseTarget::Url(db::with_user(&db.url, &stray).unwrap()),
        |_| {},
    )
    .await;
    assert!(
        matches!(&refused, Err(CoreError::Forbidden(m)) if m.contains("not a person's")),
        "{:?}",
        refused.map(|o| o.display)
    );
    // A person is let in, as themselves.
    let (_, role) = add_person(&db, "person", false).await;
    let opened = startup::open(
        &DatabaseTarget::Url(db::with_user(&db.url, &role).unwrap()),
        |_| {},
    )
    .await
    .expect("a person opens");
    assert_eq!(opened.server.user, role);
    let session = people::session(&opened.pool).await.unwrap();
    assert!(
        !session.bypasses_security
            && session.person.is_some()
            && session
                .roots
                .iter()
                .all(|r| r.capabilities.is_empty() || r.capabilities == [Capability::Read])
    );
}

#[tokio::test]
async fn a_person_signs_in_to_a_server_through_a_profile_with_their_password() {
    let db = test_db().await;
    let (added, role, password) = add_person_with_password(&db, "signin").await;
    let port: i64 = sqlx::query_scalar("SELECT current_setting('port')::bigint")
        .fetch_one(&db.pool)
        .await
        .unwrap();

    // The profile is kept; the password is not.
    let dir = std::env::temp_dir().join(format!("eco-profiles-{}", Uuid::now_v7().simple()));
    let store = Profiles::at(&dir);
    let profile = ConnectionProfile {
        name: "Test server".into(),
        host: "127.0.0.1".into(),
        port: u16::try_from(port).unwrap(),
        database: db.name.clone(),
        user: role.clone(),
        tls: TlsMode::Disable,
        allow_plaintext: false,
        transaction_pooler: false,
        replica: None,
    };
    store.save(&profile, None).unwrap();

    // A connection test says what is wrong, typed, and changes nothing.
    let problem = |r: Result<_, CoreError>| match r {
        Err(CoreError::Connection { problem, message }) => {
            assert!(!message.contains(&password), "{message}");
            problem
        }
        other => panic!("expected a connection problem, got {other:?}"),
    };
    let report = profiles::test_connection(&profile, &SecretText::new(&password))
        .await
        .expect("the profile connects");
    assert_eq!(report.role, role);
    assert!(report.is_person && !report.bypasses_security && !report.tls);
    assert_eq!(report.schema, "current");
    assert_eq!(
        problem(profiles::test_connection(&profile, &SecretText::new("wrong")).await),
        ConnectionProblem::WrongPassword
    );
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let unreachable = ConnectionProfile {
        port: closed_port,
        ..profile.clone()
    };
    assert_eq!(
        problem(profiles::test_connection(&unreachable, &SecretText::new(&password)).await),
        ConnectionProblem::Unreachable
    );
    let tls = ConnectionProfile {
        tls: TlsMode::Require,
        ..profile.clone()
    };
    assert_eq!(
        problem(profiles::test_connection(&tls, &SecretText::new(&password)).await),
        ConnectionProblem::TlsMismatch,
        "the test server offers no TLS"
    );
    let bare = format!("bare_{}", &Uuid::now_v7().simple().to_string()[20..]);
    // Straight to the server: CREATE DATABASE runs outside a transaction.
    let direct = db::connect(&db.direct_url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {bare}")))
        .execute(&direct)
        .await
        .unwrap();
    direct.close().await;
    let no_extensions = ConnectionProfile {
        database: bare.clone(),
        ..profile.clone()
    };
    assert_eq!(
        problem(profiles::test_connection(&no_extensions, &SecretText::new(&password)).await),
        ConnectionProblem::MissingExtensions
    );
    let direct = db::connect(&db.direct_url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {bare} WITH (FORCE)"
    )))
    .execute(&direct)
    .await
    .unwrap();
    direct.close().await;
    let url = store.get("Test server").unwrap().url().unwrap();
    assert!(!url.contains(&password));

    let sign_in = |pw: &str| Identity::SignIn {
        role: role.clone(),
        password: Password::new(pw),
    };
    let opened = startup::open_as(
        &DatabaseTarget::Url(url.clone()),
        sign_in(&password),
        |_| {},
    )
    .await
    .expect("the person signs in with their password");
    assert_eq!(opened.server.user, role);
    assert!(!opened.display.contains(&password));
    let session = people::session(&opened.pool).await.unwrap();
    assert_eq!(session.person.map(|p| p.id), Some(added.person.id));
    opened.pool.close().await;

    let wrong = startup::open_as(&DatabaseTarget::Url(url.clone()), sign_in("wrong"), |_| {}).await;
    match wrong {
        Err(CoreError::Forbidden(m)) => {
            assert!(
                m.contains("refused the sign-in") && !m.contains("wrong\""),
                "{m}"
            )
        }
        other => panic!(
            "a wrong password was let in: {:?}",
            other.map(|o| o.display)
        ),
    }
    // The owner's role, with its own password or none, is still refused
    // for normal work however it signs in.
    let owner_role: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let as_owner = startup::open_as(
        &DatabaseTarget::Url(db.url.clone()),
        Identity::SignIn {
            role: owner_role,
            password: Password::new("anything"),
        },
        |_| {},
    )
    .await;
    assert!(
        matches!(&as_owner, Err(CoreError::Forbidden(m)) if m.contains("bypasses row-level security")),
        "{:?}",
        as_owner.map(|o| o.display)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn connection_profiles_refuse_bad_input_and_keep_no_password() {
    let dir = std::env::temp_dir().join(format!("eco-profiles-{}", Uuid::now_v7().simple()));
    let store = Profiles::at(&dir);
    assert!(store.list().unwrap().is_empty(), "no file yet: no profiles");
    let good = ConnectionProfile {
        name: "Production".into(),
        host: "db.example.org".into(),
        port: 5432,
        database: "eco".into(),
        user: "ada".into(),
        tls: TlsMode::VerifyFull,
        allow_plaintext: false,
        transaction_pooler: false,
        replica: None,
    };
    store.save(&good, None).unwrap();
    assert_eq!(
        good.url().unwrap(),
        "postgres://ada@db.example.org:5432/eco?sslmode=verify-full"
    );

    let bad = |edit: fn(&mut ConnectionProfile)| {
        let mut p = good.clone();
        p.name = "Other".into();
        edit(&mut p);
        p
    };
    for (field, profile) in [
        ("name", bad(|p| p.name = "  ".into())),
        ("host", bad(|p| p.host = "db.example.org/evil".into())),
        ("host", bad(|p| p.host = String::new())),
        ("port", bad(|p| p.port = 0)),
        ("database", bad(|p| p.database = "two words".into())),
        ("user", bad(|p| p.user = String::new())),
        // Plain text to another computer, unless explicitly allowed.
        ("tls", bad(|p| p.tls = TlsMode::Disable)),
        ("tls", bad(|p| p.tls = TlsMode::Prefer)),
    ] {
        match store.save(&profile, None) {
            Err(CoreError::Validation(v)) => assert_eq!(v.field.as_deref(), Some(field), "{v:?}"),
            other => panic!("{field}: {other:?}"),
        }
    }
    // A second profile of the same name is refused; renaming works.
    let dup = store.save(&good, None);
    assert!(
        matches!(&dup, Err(CoreError::Validation(v)) if v.field.as_deref() == Some("name")),
        "{dup:?}"
    );
    let mut renamed = good.clone();
    renamed.name = "Production (EU)".into();
    store.save(&renamed, Some("Production")).unwrap();
    assert_eq!(store.list().unwrap(), vec![renamed.clone()]);
    assert!(store.get("Production").is_err());

    // Only its owner reads the file, and it holds no password field.
    let text = std::fs::read_to_string(store.path()).unwrap();
    assert!(!text.to_lowercase().contains("password"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A damaged file is a clear error, not an empty list.
    std::fs::write(store.path(), "{ not json").unwrap();
    assert!(matches!(store.list(), Err(CoreError::Validation(_))));
    std::fs::remove_file(store.path()).unwrap();
    store.save(&good, None).unwrap();
    store.remove("Production").unwrap();
    assert!(store.list().unwrap().is_empty());
    assert!(store.remove("Production").is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_administrator_views_as_a_person_read_only_and_a_person_cannot() {
    let db = test_db().await;
    let pool = &db.pool;
    let (northwind, _) = demo_tenants(pool).await;
    let (_, admin) = add_person(&db, "va_admin", true).await;
    let (alice_id, alice) = add_person(&db, "va_alice", false).await;
    grant(
        &db,
        alice_id,
        northwind,
        &[Capability::Read, Capability::Write],
    )
    .await;

    let as_admin = pool_as(&db, &admin).await;
    if studio_core::testing::through_pooler() {
        // Viewing takes the person's role for a session of its own.
        let refused = people::view_as(&as_admin, alice_id).await.unwrap_err();
        assert!(refused.to_string().contains("pooler"), "{refused}");
        return;
    }
    let (person, viewing) = people::view_as(&as_admin, alice_id)
        .await
        .expect("an administrator views as alice");
    assert_eq!(person.pg_role.as_deref(), Some(alice.as_str()));
    let session = people::session(&viewing).await.unwrap();
    assert_eq!(session.role, alice);
    let roots: BTreeSet<String> = registry::list_roots(&viewing)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.path_label)
        .collect();
    assert_eq!(
        roots,
        BTreeSet::from(["northwind_energy".to_string(), "tags".to_string()])
    );
    // Read-only, even where alice herself may write.
    let actor = Actor::new(Some(alice_id), Source::Test);
    let refused = registry::create(
        &viewing,
        &actor,
        &CreateEntity {
            type_key: "site".into(),
            parent_id: Some(northwind),
            name: "Sneaky".into(),
        },
    )
    .await;
    assert!(
        matches!(refused, Err(CoreError::Forbidden(_))),
        "{refused:?}"
    );
    viewing.close().await;

    // A person who is not an administrator cannot view as anyone.
    let as_alice = pool_as(&db, &alice).await;
    let (admin_id, _) = add_person(&db, "va_other", false).await;
    let denied = people::view_as(&as_alice, admin_id).await;
    assert!(
        matches!(denied, Err(CoreError::Forbidden(_))),
        "{:?}",
        denied.map(|(p, _)| p)
    );
}

#[tokio::test]
async fn a_scoped_person_imports_only_under_their_roots() {
    use studio_core::import::{self, ImportMode, SyncOptions};
    let db = test_db().await;
    let pool = &db.pool;
    let (northwind, helios) = demo_tenants(pool).await;
    let (alice_id, alice) = add_person(&db, "importer", false).await;
    grant(
        &db,
        alice_id,
        northwind,
        &[Capability::Read, Capability::Write],
    )
    .await;
    let as_alice = pool_as(&db, &alice).await;
    let actor = Actor::for_session(&as_alice, Source::Test).await.unwrap();
    let run = |under: Uuid| {
        let as_alice = as_alice.clone();
        let actor = actor.clone();
        async move {
            import::run(
                &as_alice,
                &actor,
                &SyncOptions {
                    type_key: "room".into(),
                    source: Some("facility_db".into()),
                    format: None,
                    mapping: None,
                    mode: ImportMode::AllOrNothing,
                    delete_missing: false,
                    under: Some(under),
                    file_name: Some("rooms.csv".into()),
                },
                Box::new(std::io::Cursor::new(
                    b"external_id,name\nR1,Archive\nR2,Lab\n".to_vec(),
                )),
                false,
                &|_| {},
                &studio_core::progress::CancelToken::new(),
            )
            .await
        }
    };
    // Under another tenant's root: refused, nothing written. (Helios is
    // not even visible to her.)
    let e = run(helios).await.unwrap_err();
    assert!(
        matches!(e, CoreError::Forbidden(_) | CoreError::Validation(_)),
        "{e:?}"
    );
    let refs: i64 = sqlx::query_scalar("SELECT count(*) FROM external_refs")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(refs, 0);
    // Under her own: written, and her run is in the log she sees.
    let done = run(northwind).await.unwrap().value;
    assert_eq!((done.status.as_str(), done.diff.created), ("completed", 2));
    let runs = import::list_runs(&as_alice, 10).await.unwrap();
    assert!(runs.iter().any(|r| r.status == "completed"));
}
