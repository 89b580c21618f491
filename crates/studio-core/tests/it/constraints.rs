//! Every constraint of the migrated schema, forced: each primary key, unique
//! constraint or index, foreign key (both ways) and NOT NULL column is
//! violated on purpose, and the database error must become the typed error
//! `studio_core::constraints` promises. The constraints are read from the
//! catalog, so one added later is forced too (and fails here until it is
//! listed and mapped).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::PgPool;
use studio_core::constraints::{self, ConstraintKind};
use studio_core::db::pooling::ExecuteCommitted;
use studio_core::testing::test_db;
use studio_core::{CoreError, Rule};
use uuid::Uuid;

/// One row in every table of the schema, satisfying every constraint.
/// Returns the id of each table's row.
async fn world(pool: &PgPool) -> BTreeMap<&'static str, Uuid> {
    let ids: BTreeMap<&'static str, Uuid> = [
        "users",
        "entity_type_definitions",
        "entities",
        "entity_relationships",
        "entity_groups",
        "entity_group_members",
        "user_root_entity_scopes",
        "tenant_encryption_keys",
        "tenant_encryption_key_versions",
        "vault_secret_versions",
        "property_groups",
        "property_definitions",
        "entity_property_values",
        "tag_groups",
        "tags",
        "entity_tags",
        "admin_saved_views",
        "entity_type_default_views",
        "audit_events",
        "entity_type_properties",
        "dashboards",
        "dashboard_widgets",
        "metric_series",
        "alerts",
        "workflows",
        "workflow_versions",
        "workflow_executions",
        "workflow_execution_steps",
        "approval_requests",
        "approval_votes",
        "notifications",
        "workflow_dispatch",
        "external_refs",
        "sync_imports",
        "import_presets",
        "installed_packs",
        "offline_mutations",
        "spare_entity",
    ]
    .into_iter()
    .map(|t| (t, Uuid::now_v7()))
    .collect();
    let id = |t: &str| ids[t];
    let child = Uuid::now_v7();
    let spare = id("spare_entity");
    let statements: Vec<(&str, Vec<Uuid>)> = vec![
        (
            "INSERT INTO users (id, pg_role, display_name, created_at, updated_at)
             VALUES ($1, 'constraint_person', 'Constraint person', now(), now())",
            vec![id("users")],
        ),
        (
            "INSERT INTO entity_type_definitions (id, key, name, created_at, updated_at)
             VALUES ($1, 'constraint_type', 'Constraint type', now(), now())",
            vec![id("entity_type_definitions")],
        ),
        (
            "INSERT INTO entities (id, entity_type_id, parent_entity_id, path, path_label, created_at, updated_at)
             VALUES ($1, $2, NULL, replace($1::text, '-', '')::ltree, 'constraint_root', now(), now())",
            vec![id("entities"), id("entity_type_definitions")],
        ),
        (
            "INSERT INTO entities (id, entity_type_id, parent_entity_id, path, path_label, created_at, updated_at)
             VALUES ($1, $2, $3, (replace($3::text, '-', '') || '.' || replace($1::text, '-', ''))::ltree,
                     'constraint_root.child', now(), now())",
            vec![child, id("entity_type_definitions"), id("entities")],
        ),
        (
            "INSERT INTO entities (id, entity_type_id, parent_entity_id, path, path_label, created_at, updated_at)
             VALUES ($1, $2, NULL, replace($1::text, '-', '')::ltree, 'constraint_spare', now(), now())",
            vec![spare, id("entity_type_definitions")],
        ),
        (
            "INSERT INTO entity_read_model (entity_id, root_id, parent_id, entity_type_id, name, path_label, updated_at)
             VALUES ($1, $1, NULL, $2, 'Root', 'constraint_root', now())",
            vec![id("entities"), id("entity_type_definitions")],
        ),
        (
            "INSERT INTO entity_relationships (id, source_entity_id, target_entity_id, relationship_type, created_at, updated_at)
             VALUES ($1, $2, $3, 'feeds', now(), now())",
            vec![id("entity_relationships"), id("entities"), child],
        ),
        (
            "INSERT INTO entity_groups (id, entity_id, name, created_at, updated_at)
             VALUES ($1, $2, 'Group', now(), now())",
            vec![id("entity_groups"), id("entities")],
        ),
        (
            "INSERT INTO entity_group_members (id, group_entity_id, member_entity_id, created_at)
             VALUES ($1, $2, $3, now())",
            vec![id("entity_group_members"), id("entities"), child],
        ),
        (
            "INSERT INTO user_root_entity_scopes (id, user_id, root_entity_id, created_at, updated_at)
             VALUES ($1, $2, $3, now(), now())",
            vec![id("user_root_entity_scopes"), id("users"), id("entities")],
        ),
        (
            "INSERT INTO tenant_encryption_keys (id, root_entity_id, key_provider, key_reference, status, created_at, updated_at)
             VALUES ($1, $2, 'passphrase', 'ref', 'active', now(), now())",
            vec![id("tenant_encryption_keys"), id("entities")],
        ),
        (
            "INSERT INTO tenant_encryption_key_versions (id, tenant_encryption_key_id, version, wrapped_key, algorithm, created_at)
             VALUES ($1, $2, 1, '{}', 'aes-256-gcm', now())",
            vec![id("tenant_encryption_key_versions"), id("tenant_encryption_keys")],
        ),
        (
            "INSERT INTO vault_secret_versions (id, secret_entity_id, root_entity_id, tenant_encryption_key_version_id,
                 version, algorithm, nonce, ciphertext, auth_tag, aad, created_by_user_id, created_at)
             VALUES ($1, $2, $3, $4, 1, 'aes-256-gcm', 'n', '\\x00', 't', '{}', $5, now())",
            vec![
                id("vault_secret_versions"),
                child,
                id("entities"),
                id("tenant_encryption_key_versions"),
                id("users"),
            ],
        ),
        (
            "INSERT INTO property_groups (id, key, name, created_at, updated_at)
             VALUES ($1, 'constraint_group', 'Group', now(), now())",
            vec![id("property_groups")],
        ),
        (
            "INSERT INTO property_definitions (id, property_group_id, key, name, value_type, created_at, updated_at)
             VALUES ($1, $2, 'constraint_prop', 'Prop', 'text', now(), now())",
            vec![id("property_definitions"), id("property_groups")],
        ),
        (
            "INSERT INTO entity_property_values (id, entity_id, property_definition_id, value, created_at, updated_at)
             VALUES ($1, $2, $3, '\"x\"', now(), now())",
            vec![
                id("entity_property_values"),
                id("entities"),
                id("property_definitions"),
            ],
        ),
        (
            "INSERT INTO tag_groups (id, key, name, created_at, updated_at)
             VALUES ($1, 'constraint_tags', 'Tags', now(), now())",
            vec![id("tag_groups")],
        ),
        (
            "INSERT INTO tags (id, entity_id, tag_group_id, key, name, created_at, updated_at)
             VALUES ($1, $2, $3, 'hot', 'Hot', now(), now())",
            vec![id("tags"), child, id("tag_groups")],
        ),
        (
            "INSERT INTO entity_tags (id, entity_id, tag_entity_id, created_at)
             VALUES ($1, $2, $3, now())",
            vec![id("entity_tags"), id("entities"), child],
        ),
        (
            "INSERT INTO admin_saved_views (id, root_entity_id, name, view_type, created_at, updated_at)
             VALUES ($1, $2, 'View', 'table', now(), now())",
            vec![id("admin_saved_views"), id("entities")],
        ),
        (
            "INSERT INTO entity_type_default_views (id, entity_type_id, saved_view_id, created_at, updated_at)
             VALUES ($1, $2, $3, now(), now())",
            vec![id("entity_type_default_views"), id("entity_type_definitions"), id("admin_saved_views")],
        ),
        (
            "INSERT INTO audit_events (id, actor_user_id, action, table_name)
             VALUES ($1, $2, 'test.constraint', 'entities')",
            vec![id("audit_events"), id("users")],
        ),
        (
            "INSERT INTO entity_type_properties (id, entity_type_id, property_definition_id, created_at, updated_at)
             VALUES ($1, $2, $3, now(), now())",
            vec![
                id("entity_type_properties"),
                id("entity_type_definitions"),
                id("property_definitions"),
            ],
        ),
        (
            "INSERT INTO dashboards (id, owner_user_id, root_entity_id, key, name, created_at, updated_at)
             VALUES ($1, $2, $3, 'constraint_dashboard', 'Dashboard', now(), now())",
            vec![id("dashboards"), id("users"), id("entities")],
        ),
        (
            "INSERT INTO dashboard_widgets (id, dashboard_id, widget_type, layout_x, layout_y, layout_w, layout_h,
                                            created_at, updated_at)
             VALUES ($1, $2, 'markdown', 0, 0, 2, 1, now(), now())",
            vec![id("dashboard_widgets"), id("dashboards")],
        ),
        (
            "INSERT INTO metric_series (id, entity_id, root_entity_id, metric_key, created_at, updated_at)
             VALUES ($1, $2, $3, 'constraint.metric', now(), now())",
            vec![id("metric_series"), id("entities"), id("entities")],
        ),
        (
            "INSERT INTO alerts (id, entity_id, root_entity_id, level, message, status, source, raised_at,
                                 raised_by_user_id, acknowledged_by_user_id, resolved_by_user_id,
                                 created_at, updated_at)
             VALUES ($1, $2, $3, 'info', 'Alert', 'pending', 'test', now(), $4, $4, $4, now(), now())",
            vec![id("alerts"), id("entities"), id("entities"), id("users")],
        ),
        (
            "INSERT INTO workflows (id, root_entity_id, key, name, draft, created_by_user_id, created_at, updated_at)
             VALUES ($1, $2, 'constraint_workflow', 'Workflow', '{}', $3, now(), now())",
            vec![id("workflows"), id("entities"), id("users")],
        ),
        (
            "INSERT INTO workflow_versions (id, workflow_id, version, dsl, published_by_user_id, published_at,
                                            created_at, updated_at)
             VALUES ($1, $2, 1, '{}', $3, now(), now(), now())",
            vec![id("workflow_versions"), id("workflows"), id("users")],
        ),
        (
            "UPDATE workflows SET published_version_id = $2 WHERE id = $1",
            vec![id("workflows"), id("workflow_versions")],
        ),
        (
            "INSERT INTO workflow_executions (id, workflow_id, version_id, root_entity_id, entity_id, trigger_kind,
                                              trigger_event_id, initiated_by_user_id, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4, 'manual', $1, $5, 'succeeded', now(), now())",
            vec![id("workflow_executions"), id("workflows"), id("workflow_versions"), id("entities"), id("users")],
        ),
        (
            "INSERT INTO workflow_execution_steps (id, execution_id, node_id, node_type, position, attempt, status,
                                                   started_at, created_at, updated_at)
             VALUES ($1, $2, 'a', 'delay', 0, 1, 'succeeded', now(), now(), now())",
            vec![id("workflow_execution_steps"), id("workflow_executions")],
        ),
        (
            "INSERT INTO approval_requests (id, execution_id, node_id, position, entity_id, root_entity_id, title,
                                            required, initiator_user_id, status, created_at, updated_at)
             VALUES ($1, $2, 'a', 0, $3, $3, 'Approve?', 1, $4, 'pending', now(), now())",
            vec![id("approval_requests"), id("workflow_executions"), id("entities"), id("users")],
        ),
        (
            "INSERT INTO approval_votes (id, request_id, user_id, decision, created_at, updated_at)
             VALUES ($1, $2, $3, 'approve', now(), now())",
            vec![id("approval_votes"), id("approval_requests"), id("users")],
        ),
        (
            "INSERT INTO notifications (id, user_id, message, entity_id, execution_id, created_at, updated_at)
             VALUES ($1, $2, 'Hello', $3, $4, now(), now())",
            vec![id("notifications"), id("users"), id("entities"), id("workflow_executions")],
        ),
        (
            "INSERT INTO workflow_dispatch (id, last_xact, last_event_id, created_at, updated_at)
             VALUES ($1, '0', $1, now(), now())",
            vec![id("workflow_dispatch")],
        ),
        (
            "INSERT INTO external_refs (id, entity_id, source, external_id, synced_at, created_at, updated_at)
             VALUES ($1, $2, 'constraint', 'X1', now(), now(), now())",
            vec![id("external_refs"), id("entities")],
        ),
        (
            "INSERT INTO sync_imports (id, source, entity_type, status, mode, started_at, created_by,
                                       created_at, updated_at)
             VALUES ($1, 'constraint', 'site', 'completed', 'all_or_nothing', now(), $2, now(), now())",
            vec![id("sync_imports"), id("users")],
        ),
        (
            "INSERT INTO offline_mutations (id, user_id, kind, applied_at, created_at, updated_at)
             VALUES ($1, $2, 'rename', now(), now(), now())",
            vec![id("offline_mutations"), id("users")],
        ),
        (
            "INSERT INTO import_presets (id, owner_user_id, name, entity_type, mapping, created_at, updated_at)
             VALUES ($1, $2, 'Preset', 'site', '{}', now(), now())",
            vec![id("import_presets"), id("users")],
        ),
        (
            "INSERT INTO installed_packs (id, key, name, version, installed_by, installed_at, created_at, updated_at)
             VALUES ($1, 'constraint_pack', 'Pack', '1.0.0', $2, now(), now(), now())",
            vec![id("installed_packs"), id("users")],
        ),
    ];
    for (sql, binds) in statements {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(b);
        }
        // Committed before the next row refers to it, also through a
        // transaction pooler (see db::pooling).
        q.execute_committed(pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let mut ids = ids;
    // The read model's row is the root entity's (its key is the entity id).
    ids.insert("entity_read_model", ids["entities"]);
    ids
}

/// The column that identifies a table's rows.
fn key_of(table: &str) -> &'static str {
    if table == "entity_read_model" {
        "entity_id"
    } else {
        "id"
    }
}

#[derive(Debug, sqlx::FromRow)]
struct CatalogConstraint {
    name: String,
    table: String,
    kind: String,
    columns: Vec<String>,
    references: Option<String>,
}

/// Primary keys, unique constraints, foreign keys and unique indexes of the
/// public schema, from the catalog.
/// Tables only the database's own triggers write (with ON CONFLICT): no
/// statement of the app can break their constraints.
/// Samples and rollups too: written only by the metrics ingest (with ON
/// CONFLICT), their series key checked per statement by a trigger.
const DERIVED_TABLES: [&str; 3] = ["person_roots", "metric_samples", "metric_rollups_daily"];

async fn catalog_constraints(pool: &PgPool) -> Vec<CatalogConstraint> {
    sqlx::query_as::<_, CatalogConstraint>(
        "SELECT c.conname::text AS name, t.relname::text AS \"table\", c.contype::text AS kind,
                array(SELECT a.attname::text FROM unnest(c.conkey) k
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k) AS columns,
                r.relname::text AS \"references\"
         FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
         LEFT JOIN pg_class r ON r.oid = c.confrelid
         WHERE c.contype IN ('p', 'u', 'f', 'c', 'x') AND t.relname <> '_sqlx_migrations'
           AND t.relname <> ALL ($1)
         UNION ALL
         SELECT i.relname::text, t.relname::text, 'i',
                array(SELECT a.attname::text FROM unnest(x.indkey::int2[]) k
                      JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k),
                NULL
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
         WHERE x.indisunique AND t.relname <> '_sqlx_migrations' AND t.relname <> ALL ($1)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
         ORDER BY 1",
    )
    .bind(&DERIVED_TABLES[..])
    .fetch_all(pool)
    .await
    .expect("read the catalog")
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Runs `sql` (after `setup`) in a transaction that is rolled back, and
/// returns the typed error it failed with.
async fn force(pool: &PgPool, setup: &[String], sql: &str) -> CoreError {
    let mut tx = pool.begin().await.unwrap();
    for s in setup {
        sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone()))
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("setup {s}: {e}"));
    }
    let err = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut *tx)
        .await
        .err()
        .unwrap_or_else(|| panic!("{sql} must violate a constraint"));
    tx.rollback().await.unwrap();
    CoreError::from(err)
}

/// A copy of the table's world row with a new id and fresh values for its
/// other unique text columns, plus `overrides` (column -> SQL expression).
fn copy_sql(
    table: &str,
    id: Uuid,
    overrides: &[(&str, String)],
    unique_text: &BTreeSet<(String, String)>,
) -> String {
    let mut patch: Vec<String> = vec![format!("'{}', '{}'", key_of(table), Uuid::now_v7())];
    for (t, c) in unique_text {
        if t == table && !overrides.iter().any(|(o, _)| o == c) {
            patch.push(format!(
                "'{c}', (SELECT {col} || '_{}' FROM {tbl} WHERE {key} = '{id}')",
                &Uuid::now_v7().simple().to_string()[20..],
                col = quote(c),
                tbl = quote(table),
                key = key_of(table)
            ));
        }
    }
    for (c, expr) in overrides {
        patch.push(format!("'{c}', {expr}"));
    }
    format!(
        "INSERT INTO {tbl} SELECT (jsonb_populate_record(NULL::{tbl}, to_jsonb(x) || jsonb_build_object({patch}))).*
         FROM {tbl} x WHERE x.{key} = '{id}'",
        tbl = quote(table),
        key = key_of(table),
        patch = patch.join(", ")
    )
}

fn expect_validation(err: &CoreError, field: &str, rule: Rule, what: &str) {
    match err {
        CoreError::Validation(v) => {
            assert_eq!(
                v.field.as_deref(),
                Some(field),
                "{what}: the field named ({err:?})"
            );
            assert_eq!(v.rule, rule, "{what}: the rule ({err:?})");
            assert!(
                !v.message.contains("violates") && !v.message.contains("duplicate key"),
                "{what}: PostgreSQL's text must not reach the message: {}",
                v.message
            );
        }
        other => panic!("{what}: expected Validation({field}, {rule:?}), got {other:?}"),
    }
}

#[tokio::test]
async fn every_constraint_of_the_schema_maps_to_its_typed_error() {
    let db = test_db().await;
    let ids = world(&db.pool).await;
    let catalog = catalog_constraints(&db.pool).await;
    let unique_text: BTreeSet<(String, String)> = {
        let text_columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND data_type = 'text'",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        catalog
            .iter()
            .filter(|c| matches!(c.kind.as_str(), "u" | "i"))
            .flat_map(|c| {
                c.columns
                    .iter()
                    .map(move |col| (c.table.clone(), col.clone()))
            })
            .filter(|tc| text_columns.contains(tc))
            .collect()
    };
    let mut forced = 0;

    for c in &catalog {
        let listed = constraints::find(&c.name).unwrap_or_else(|| {
            panic!(
                "{} ({}) is not listed in studio_core::constraints",
                c.name, c.table
            )
        });
        assert_eq!(
            listed.table, c.table,
            "{}: listed on the wrong table",
            c.name
        );
        let row = *ids.get(c.table.as_str()).unwrap_or_else(|| {
            panic!(
                "table {} has no row in this test's world(): add one",
                c.table
            )
        });
        let what = c.name.as_str();
        match c.kind.as_str() {
            "p" => {
                assert_eq!(listed.kind, ConstraintKind::PrimaryKey, "{what}");
                let sql = format!(
                    "INSERT INTO {t} SELECT * FROM {t} WHERE {k} = '{row}'",
                    t = quote(&c.table),
                    k = key_of(&c.table)
                );
                let err = force(&db.pool, &[], &sql).await;
                expect_validation(&err, "id", Rule::Unique, what);
            }
            "u" | "i" => {
                assert_eq!(listed.kind, ConstraintKind::Unique, "{what}");
                let expected_column = if c.name == "entities_path_label_key" {
                    // A label clash is reported against the name it came from.
                    "path_label"
                } else {
                    listed.field
                };
                assert!(
                    c.columns.iter().any(|col| col == expected_column),
                    "{what}: listed field {} is not one of its columns {:?}",
                    listed.field,
                    c.columns
                );
                // A copy that differs only in id (and in the other unique
                // text columns of the table) collides on this constraint.
                let keep: BTreeSet<(String, String)> = unique_text
                    .iter()
                    .filter(|(t, col)| !(t == &c.table && c.columns.contains(col)))
                    .cloned()
                    .collect();
                // Other unique columns that point at entities take the spare
                // entity, which nothing else refers to.
                let spare = format!("'{}'", ids["spare_entity"]);
                let overrides: Vec<(&str, String)> = catalog
                    .iter()
                    .filter(|o| {
                        matches!(o.kind.as_str(), "u" | "i") && o.table == c.table && o.name != c.name
                    })
                    .flat_map(|o| o.columns.iter())
                    .filter(|col| !c.columns.contains(col))
                    .filter(|col| {
                        catalog.iter().any(|f| {
                            f.kind == "f"
                                && f.table == c.table
                                && f.columns == [col.to_string()]
                                && f.references.as_deref() == Some("entities")
                        })
                    })
                    .map(|col| (col.as_str(), spare.clone()))
                    .collect();
                let sql = copy_sql(&c.table, row, &overrides, &keep);
                let err = force(&db.pool, &[], &sql).await;
                expect_validation(&err, listed.field, Rule::Unique, what);
            }
            "f" => {
                let ConstraintKind::ForeignKey { references } = listed.kind else {
                    panic!("{what} is a foreign key in the catalog, listed as {:?}", listed.kind);
                };
                assert_eq!(Some(references), c.references.as_deref(), "{what}: referenced table");
                let column = &c.columns[0];
                assert_eq!(listed.field, column, "{what}: the listed field is its column");

                // 1. A reference to nothing.
                let dangling = if c.table == "audit_events" {
                    copy_sql(
                        &c.table,
                        row,
                        &[(column.as_str(), format!("'{}'", Uuid::now_v7()))],
                        &unique_text,
                    )
                } else {
                    format!(
                        "UPDATE {t} SET {col} = '{new}' WHERE {k} = '{row}'",
                        t = quote(&c.table),
                        col = quote(column),
                        new = Uuid::now_v7(),
                        k = key_of(&c.table)
                    )
                };
                let err = force(&db.pool, &[], &dangling).await;
                expect_validation(&err, column, Rule::Reference, &format!("{what} (dangling)"));

                // 2. Deleting a row that only this constraint still refers to.
                let target = ids[references];
                let fresh = Uuid::now_v7();
                let mut overrides = vec![("id", format!("'{fresh}'"))];
                if references == "entities" {
                    // A fresh entity needs a path of its own.
                    overrides.push(("path", format!("'{}'", fresh.simple())));
                    overrides.push(("parent_entity_id", "null".into()));
                }
                // A copy must not collide with the original on the vault's
                // unique indexes (one live key per root, one number per
                // version).
                if references == "tenant_encryption_keys" {
                    overrides.push(("retired_at", "now()".into()));
                }
                if references == "tenant_encryption_key_versions" {
                    overrides.push(("version", "99".into()));
                }
                // Nor on the workflows' (one number per version, one request
                // per step, one execution per event).
                if references == "workflow_versions" {
                    overrides.push(("version", "99".into()));
                }
                if references == "approval_requests" {
                    overrides.push(("position", "99".into()));
                }
                if references == "workflow_executions" {
                    overrides.push(("trigger_event_id", "null".into()));
                }
                let copy = copy_sql(references, target, &overrides, &unique_text);
                let point = if c.table == "audit_events" {
                    copy_sql(
                        &c.table,
                        row,
                        &[(column.as_str(), format!("'{fresh}'"))],
                        &unique_text,
                    )
                } else if c.table == references {
                    // Self reference: a child row of the fresh one.
                    let child_path = format!("{}.{}", fresh.simple(), Uuid::now_v7().simple());
                    copy_sql(
                        &c.table,
                        row,
                        &[
                            (column.as_str(), format!("'{fresh}'")),
                            ("path", format!("'{child_path}'")),
                        ],
                        &unique_text,
                    )
                } else {
                    format!(
                        "UPDATE {t} SET {col} = '{fresh}' WHERE {k} = '{row}'",
                        t = quote(&c.table),
                        col = quote(column),
                        k = key_of(&c.table)
                    )
                };
                let delete = format!("DELETE FROM {} WHERE id = '{fresh}'", quote(references));
                let err = force(&db.pool, &[copy, point], &delete).await;
                assert!(
                    matches!(err, CoreError::InUse(ref m) if !m.contains("violates")),
                    "{what} (still referenced): expected InUse, got {err:?}"
                );
            }
            other => panic!(
                "{what}: a constraint of kind {other:?} has no forcing here yet; add one with its mapping"
            ),
        }
        forced += 1;
    }
    assert!(forced >= 50, "only {forced} constraints were forced");

    // Every constraint listed must still exist.
    let names: BTreeSet<&str> = catalog.iter().map(|c| c.name.as_str()).collect();
    for listed in constraints::CONSTRAINTS {
        assert!(
            names.contains(listed.name),
            "{} is listed but not in the schema",
            listed.name
        );
    }
}

#[tokio::test]
async fn every_not_null_column_refuses_null_naming_the_column() {
    let db = test_db().await;
    let ids = world(&db.pool).await;
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
         WHERE c.table_schema = 'public' AND c.is_nullable = 'NO' AND c.table_name <> '_sqlx_migrations'
           AND c.table_name <> ALL ($1)
         ORDER BY 1, 2",
    )
    .bind(&DERIVED_TABLES[..])
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(columns.len() > 80, "the schema has many NOT NULL columns");
    for (table, column) in columns {
        let row = *ids
            .get(table.as_str())
            .unwrap_or_else(|| panic!("table {table} has no row in this test's world(): add one"));
        let sql = if table == "audit_events" {
            // Append-only: a new row, not an update.
            format!(
                "INSERT INTO audit_events SELECT (jsonb_populate_record(NULL::audit_events,
                    to_jsonb(x) || jsonb_build_object('id', '{}', '{column}', null))).*
                 FROM audit_events x WHERE x.id = '{row}'",
                Uuid::now_v7()
            )
        } else {
            format!(
                "UPDATE {} SET {} = NULL WHERE {} = '{row}'",
                quote(&table),
                quote(&column),
                key_of(&table)
            )
        };
        let err = force(&db.pool, &[], &sql).await;
        expect_validation(&err, &column, Rule::Required, &format!("{table}.{column}"));
    }
}

#[tokio::test]
async fn the_append_only_audit_trail_refuses_changes_as_forbidden() {
    let db = test_db().await;
    let ids = world(&db.pool).await;
    let row = ids["audit_events"];
    for sql in [
        format!("UPDATE audit_events SET action = 'x' WHERE id = '{row}'"),
        format!("DELETE FROM audit_events WHERE id = '{row}'"),
    ] {
        let err = force(&db.pool, &[], &sql).await;
        assert!(matches!(err, CoreError::Forbidden(_)), "{sql}: {err:?}");
    }
}
