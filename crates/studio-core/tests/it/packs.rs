//! Domain packs against a real PostgreSQL: each built-in pack installs on a
//! fresh database with its sample data, views, dashboards and workflows;
//! installing again changes nothing; a newer version adds; an older one is
//! refused; a broken pack names the file and the path; uninstalling
//! refuses while its entities live, unless told to delete them.

use std::collections::BTreeMap;

use sqlx::PgPool;
use studio_core::packs::{self, Pack};
use studio_core::testing::test_db;
use studio_core::{read_model, Actor, CoreError, Source};

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_built_in_pack_installs_with_its_sample_and_again_changes_nothing() {
    let db = test_db().await;
    let pool = &db.pool;
    for key in ["energy", "mes", "kpi", "delivery"] {
        let pack = packs::builtin(key).unwrap_or_else(|e| panic!("{key}: {e}"));
        let report = packs::install(pool, &actor(), &pack)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"))
            .value;
        assert!(report.sample_created > 50, "{key}: {report:?}");
        assert!(
            report.created.iter().any(|c| c.starts_with("view:"))
                && report.created.iter().any(|c| c.starts_with("dashboard:"))
                && report.created.iter().any(|c| c.starts_with("workflow:")),
            "{key}: {report:?}"
        );
        // Every view of the pack shows rows on first open.
        for v in &pack.views {
            let (doc,): (serde_json::Value,) = sqlx::query_as(
                "SELECT config FROM admin_saved_views WHERE key = $1 AND deleted_at IS NULL",
            )
            .bind(&v.key)
            .fetch_one(pool)
            .await
            .unwrap();
            let doc: studio_core::views::ViewDocument = serde_json::from_value(doc).unwrap();
            let page = studio_core::views::page(pool, &doc, None)
                .await
                .unwrap_or_else(|e| panic!("{key} view {}: {e}", v.key));
            assert!(!page.rows.is_empty(), "{key} view {} shows nothing", v.key);
        }
    }
    let entities = count(pool, "SELECT count(*) FROM entities").await;
    let other_rows = "SELECT count(*) FROM audit_events
                       WHERE action NOT IN ('import.run', 'pack.install', 'pack.upgrade')";
    let audit = count(pool, other_rows).await;
    for key in ["energy", "mes", "kpi", "delivery"] {
        let pack = packs::builtin(key).unwrap();
        let again = packs::install(pool, &actor(), &pack).await.unwrap().value;
        assert!(again.created.is_empty(), "{key}: {again:?}");
        assert_eq!(
            (again.sample_created, again.sample_updated),
            (0, 0),
            "{key}"
        );
    }
    assert_eq!(count(pool, "SELECT count(*) FROM entities").await, entities);
    assert_eq!(
        count(pool, other_rows).await,
        audit,
        "a second install writes only its summary rows"
    );
    let mut conn = pool.acquire().await.unwrap();
    let problems = read_model::check(&mut conn, 20).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    drop(conn);
    let listed = packs::list(pool).await.unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed
        .iter()
        .all(|p| p.installed_version.as_deref() == Some("1.0.0")));
}

fn tiny(version: &str, extra_type: bool, rule_max: &str) -> Pack {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let put = |files: &mut BTreeMap<String, Vec<u8>>, name: &str, text: String| {
        files.insert(name.into(), text.into_bytes());
    };
    put(
        &mut files,
        "pack.json",
        format!(r#"{{"key": "tiny", "name": "Tiny", "version": "{version}"}}"#),
    );
    let types = if extra_type {
        r#"[{"key": "widget", "name": "Widget"}, {"key": "gadget", "name": "Gadget"}]"#
    } else {
        r#"[{"key": "widget", "name": "Widget"}]"#
    };
    put(&mut files, "types.json", types.into());
    put(
        &mut files,
        "properties.json",
        format!(
            r#"{{"definitions": [{{"key": "size", "name": "Size", "valueType": "number",
                 "rules": {{"max": "{rule_max}"}}}}], "layouts": {{"widget": ["size"]}}}}"#
        ),
    );
    put(
        &mut files,
        "sample/manifest.json",
        r#"{"imports": [{"file": "widgets.csv", "type": "widget"}]}"#.into(),
    );
    put(
        &mut files,
        "sample/widgets.csv",
        "external_id,name,parent,size\nW1,Big one,,50\nW2,Small one,W1,5\n".into(),
    );
    Pack::from_files(files).unwrap()
}

#[tokio::test]
async fn upgrades_add_refuse_to_break_values_and_uninstall_asks_first() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = packs::install(pool, &actor(), &tiny("1.0.0", false, "100"))
        .await
        .unwrap();
    assert_eq!(count(pool, "SELECT count(*) FROM entities").await, 2);
    // A newer version adds a type.
    let up = packs::install(pool, &actor(), &tiny("1.1.0", true, "100"))
        .await
        .unwrap()
        .value;
    assert_eq!(up.previous_version.as_deref(), Some("1.0.0"));
    assert!(up.created.contains(&"type:gadget".to_string()), "{up:?}");
    // An older one is refused.
    let e = packs::install(pool, &actor(), &tiny("1.0.5", true, "100"))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Validation(_)), "{e:?}");
    // A rule the stored values break is reported, and nothing changes.
    let e = packs::install(pool, &actor(), &tiny("1.2.0", true, "10"))
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("size"), "{text}");
    let version: String = sqlx::query_scalar(
        "SELECT version FROM installed_packs WHERE key = 'tiny' AND deleted_at IS NULL",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(version, "1.1.0");
    // Uninstall refuses while its entities live, then deletes them when told.
    let e = packs::uninstall(pool, &actor(), "tiny", false)
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::InUse(_)), "{e:?}");
    let done = packs::uninstall(pool, &actor(), "tiny", true)
        .await
        .unwrap()
        .value;
    assert_eq!(done.entities_deleted, 2);
    assert_eq!(
        count(
            pool,
            "SELECT count(*) FROM entities WHERE deleted_at IS NULL"
        )
        .await,
        0
    );
    // And it installs again (the types restored, the sample recreated).
    let _ = packs::install(pool, &actor(), &tiny("1.1.0", true, "100"))
        .await
        .unwrap();
    assert_eq!(
        count(
            pool,
            "SELECT count(*) FROM entities WHERE deleted_at IS NULL"
        )
        .await,
        2
    );
}

#[test]
fn a_broken_pack_names_the_file_and_the_path() {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert(
        "pack.json".into(),
        br#"{"key": "bad", "name": "Bad", "version": "1.0.0"}"#.to_vec(),
    );
    files.insert(
        "properties.json".into(),
        br#"{"definitions": [{"key": "ok", "name": "Ok", "valueType": "text"},
                             {"key": "x", "name": "X", "valueType": "colour"}]}"#
            .to_vec(),
    );
    let e = Pack::from_files(files).unwrap_err().to_string();
    assert!(
        e.contains("properties.json") && e.contains("definitions[1].valueType"),
        "{e}"
    );
}
