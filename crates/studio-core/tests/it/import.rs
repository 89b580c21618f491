//! Import and sync against a real PostgreSQL: a hierarchy in one file, a
//! re-run that changes nothing, a dry run's diff, updates by external id,
//! errors by line and column (all or nothing, or row by row), deletion of
//! what the source no longer has, and the run log.

use sqlx::PgPool;
use studio_core::import::{self, ImportMode, SyncOptions, SyncReport};
use studio_core::progress::CancelToken;
use studio_core::properties::{self, PropertyDefinitionInput, TypeLayoutUpdate};
use studio_core::records::{LayoutEntry, Rules, SelectOption, ValueType};
use studio_core::testing::test_db;
use studio_core::{read_model, Actor, Source};
use uuid::Uuid;

fn actor() -> Actor {
    Actor::new(None, Source::Test)
}

async fn define(pool: &PgPool, key: &str, t: ValueType, rules: Rules) -> Uuid {
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
            is_sensitive: false,
            is_searchable: true,
            rules,
        },
    )
    .await
    .unwrap()
    .value
    .id
}

/// A `part` type with a number, a select and a text property.
async fn setup(pool: &PgPool) {
    crate::common::ensure_type(pool, "part", "Part", false).await;
    let qty = define(
        pool,
        "qty",
        ValueType::Number,
        Rules {
            min: Some("0".into()),
            ..Rules::default()
        },
    )
    .await;
    let status = define(
        pool,
        "part_status",
        ValueType::SingleSelect,
        Rules {
            options: Some(
                ["open", "done"]
                    .iter()
                    .map(|k| SelectOption {
                        key: (*k).into(),
                        label: (*k).into(),
                        color: None,
                    })
                    .collect(),
            ),
            ..Rules::default()
        },
    )
    .await;
    let note = define(pool, "note", ValueType::Text, Rules::default()).await;
    let type_id: Uuid =
        sqlx::query_scalar("SELECT id FROM entity_type_definitions WHERE key = 'part'")
            .fetch_one(pool)
            .await
            .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let layout = properties::type_layout_in(&mut conn, type_id)
        .await
        .unwrap();
    drop(conn);
    let _ = properties::set_type_layout(
        pool,
        &actor(),
        &TypeLayoutUpdate {
            entity_type_id: type_id,
            expected_updated_at: layout.updated_at,
            entries: [qty, status, note]
                .into_iter()
                .map(|definition_id| LayoutEntry {
                    definition_id,
                    is_required: false,
                })
                .collect(),
        },
    )
    .await
    .unwrap();
}

async fn import(
    pool: &PgPool,
    text: &str,
    mode: ImportMode,
    delete_missing: bool,
    dry_run: bool,
) -> SyncReport {
    let options = SyncOptions {
        type_key: "part".into(),
        source: Some("erp".into()),
        format: None,
        mapping: None,
        mode,
        delete_missing,
        under: None,
        file_name: Some("parts.csv".into()),
    };
    import::run(
        pool,
        &actor(),
        &options,
        Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
        dry_run,
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap()
    .value
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn value(pool: &PgPool, external_id: &str, key: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT v.value::text FROM external_refs r
           JOIN entity_property_values v ON v.entity_id = r.entity_id AND v.deleted_at IS NULL
           JOIN property_definitions d ON d.id = v.property_definition_id AND d.key = $2
          WHERE r.external_id = $1 AND r.deleted_at IS NULL",
    )
    .bind(external_id)
    .bind(key)
    .fetch_optional(pool)
    .await
    .unwrap()
}

async fn consistent(pool: &PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    let problems = read_model::check(&mut conn, 20).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

const FIRST: &str = "external_id,name,parent,qty,part_status,note
P1,Frame,,2,open,top level
P2,Bracket,P1,4,open,
P3,Bolt,P2,100,done,\"has, a comma\"
P4,Washer,P2,'-1,open,
";

#[tokio::test]
async fn a_file_imports_a_tree_then_a_rerun_changes_nothing() {
    let db = test_db().await;
    let pool = &db.pool;
    setup(pool).await;
    // '-1 is a neutralised cell (an export writes negative numbers so): it
    // reads as -1, which qty's rule (min 0) refuses.
    let report = import(pool, FIRST, ImportMode::AllOrNothing, false, false).await;
    assert_eq!(report.status, "failed", "{report:?}");
    assert_eq!(report.diff.error_rows, 1);
    assert_eq!(report.diff.errors[0].line, 5);
    assert_eq!(report.diff.errors[0].column.as_deref(), Some("qty"));
    assert_eq!(
        count(pool, "SELECT count(*) FROM entities").await,
        0,
        "nothing written"
    );
    let runs = import::list_runs(pool, 10).await.unwrap();
    assert_eq!(runs[0].status, "failed");
    assert_eq!(runs[0].error_count, 1);

    let good = FIRST.replace("'-1", "7");
    let dry = import(pool, &good, ImportMode::AllOrNothing, false, true).await;
    assert_eq!(dry.status, "dry_run");
    assert_eq!((dry.diff.created, dry.diff.updated), (4, 0));
    assert_eq!(
        count(pool, "SELECT count(*) FROM entities").await,
        0,
        "a dry run writes nothing"
    );

    let report = import(pool, &good, ImportMode::AllOrNothing, false, false).await;
    assert_eq!(report.status, "completed", "{report:?}");
    assert_eq!(report.diff.created, 4);
    let labels: Vec<String> =
        sqlx::query_scalar("SELECT path_label FROM entities ORDER BY path_label")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(
        labels,
        [
            "frame",
            "frame.bracket",
            "frame.bracket.bolt",
            "frame.bracket.washer"
        ]
    );
    assert_eq!(
        value(pool, "P3", "note").await.as_deref(),
        Some("\"has, a comma\"")
    );
    assert_eq!(value(pool, "P3", "qty").await.as_deref(), Some("100"));
    consistent(pool).await;
    let descendants: i32 = sqlx::query_scalar(
        "SELECT descendant_count FROM entity_read_model WHERE path_label = 'frame'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(descendants, 3);

    // The same file again: nothing changes (no entity row, no value, no
    // audit row but the run's own).
    let audit = count(pool, "SELECT count(*) FROM audit_events").await;
    let versions: Vec<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT updated_at FROM entities ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    let again = import(pool, &good, ImportMode::AllOrNothing, false, false).await;
    assert_eq!(
        (again.diff.created, again.diff.updated, again.diff.unchanged),
        (0, 0, 4)
    );
    assert_eq!(
        count(pool, "SELECT count(*) FROM audit_events").await,
        audit + 1
    );
    let after: Vec<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT updated_at FROM entities ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(versions, after);

    // A changed file: the dry run shows before → after, then it applies.
    let changed = good
        .replace("P3,Bolt,P2,100,done", "P3,Bolt M8,P2,120,done")
        .replace("P4,Washer,P2,7,open,", "P4,Washer,P1,7,open,flat");
    let dry = import(pool, &changed, ImportMode::AllOrNothing, false, true).await;
    assert_eq!((dry.diff.updated, dry.diff.unchanged), (2, 2), "{dry:?}");
    let bolt = dry
        .diff
        .updated_rows
        .iter()
        .find(|r| r.external_id == "P3")
        .unwrap();
    let fields: Vec<(&str, Option<&str>, Option<&str>)> = bolt
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref()))
        .collect();
    assert!(
        fields.contains(&("name", Some("Bolt"), Some("Bolt M8"))),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("qty", Some("100"), Some("120"))),
        "{fields:?}"
    );
    let report = import(pool, &changed, ImportMode::AllOrNothing, false, false).await;
    assert_eq!(report.diff.updated, 2, "{report:?}");
    assert_eq!(value(pool, "P3", "qty").await.as_deref(), Some("120"));
    let washer: String = sqlx::query_scalar(
        "SELECT e.path_label FROM entities e JOIN external_refs r ON r.entity_id = e.id
          WHERE r.external_id = 'P4'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(washer, "frame.washer", "moved under its new parent");
    let bolt_audit = count(
        pool,
        "SELECT count(*) FROM audit_events WHERE action = 'entity.properties'
           AND after ->> 'qty' = '120' AND before ->> 'qty' = '100'",
    )
    .await;
    assert_eq!(bolt_audit, 1, "the update is audited with before and after");
    consistent(pool).await;

    // The source no longer has P4: with delete_missing it goes (soft).
    let without: String = changed
        .lines()
        .filter(|l| !l.starts_with("P4"))
        .map(|l| format!("{l}\n"))
        .collect();
    let report = import(pool, &without, ImportMode::AllOrNothing, true, false).await;
    assert_eq!(report.diff.deleted, 1);
    assert_eq!(
        count(
            pool,
            "SELECT count(*) FROM entities WHERE deleted_at IS NULL"
        )
        .await,
        3
    );
    consistent(pool).await;
}

#[tokio::test]
async fn a_messy_file_gets_errors_by_line_and_row_by_row_keeps_the_good_rows() {
    let db = test_db().await;
    let pool = &db.pool;
    setup(pool).await;
    let messy = "external_id,name,parent,qty,part_status
A,Alpha,,1,open
B,Beta,,x,open
C,Gamma,,2,maybe
D,Delta,,=SUM(A1:A2),open
A,Again,,3,open
E,Epsilon,NOPE,4,open
F,Phi,E,5,open
G,Gee
H,,,1,open
";
    let report = import(pool, messy, ImportMode::AllOrNothing, false, false).await;
    assert_eq!(report.status, "failed");
    let got: Vec<(u64, Option<&str>)> = report
        .diff
        .errors
        .iter()
        .map(|i| (i.line, i.column.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, Some("qty")),
            (4, Some("part_status")),
            (5, Some("qty")),
            (6, Some("external_id")),
            (7, Some("parent")),
            (8, Some("parent")),
            (9, None),
            (10, Some("name")),
        ],
        "{:#?}",
        report.diff.errors
    );
    assert_eq!(count(pool, "SELECT count(*) FROM entities").await, 0);

    let report = import(pool, messy, ImportMode::RowByRow, false, false).await;
    assert_eq!(report.status, "completed");
    assert_eq!(report.diff.created, 1, "only line 2 is good: {report:?}");
    assert_eq!(report.diff.error_rows, 8);
    let run = import::get_run(pool, report.run_id.unwrap()).await.unwrap();
    assert_eq!((run.created_count, run.error_count), (1, 8));
    assert_eq!(run.errors.0.len(), 8);

    // Unknown columns are refused before any row is read.
    let report = import(
        pool,
        "external_id,name,colour\nZ,Zed,red\n",
        ImportMode::RowByRow,
        false,
        true,
    )
    .await;
    assert_eq!(report.diff.errors.len(), 1);
    assert_eq!(report.diff.errors[0].column.as_deref(), Some("colour"));
}

#[tokio::test]
async fn a_view_exported_with_external_ids_imports_back_losslessly() {
    let db = test_db().await;
    let pool = &db.pool;
    setup(pool).await;
    let good = FIRST.replace("'-1", "7");
    let _ = import(pool, &good, ImportMode::AllOrNothing, false, false).await;
    let doc: studio_core::views::ViewDocument = serde_json::from_value(serde_json::json!({
        "version": 2,
        "filter": {"type": ["part"]},
        "columns": [{"field": "name"}, {"field": "pathLabel"}, {"field": "property:qty"},
                    {"field": "property:part_status"}, {"field": "property:note"}],
        "sort": [{"field": "name"}]
    }))
    .unwrap();
    let mut out = Vec::new();
    let rows = studio_core::views::export_with_ids(
        pool,
        &doc,
        studio_core::views::ExportFormat::Csv,
        None,
        Some("erp"),
        &mut out,
        |_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(rows, 4);
    let exported = String::from_utf8(out).unwrap();
    assert!(
        exported.starts_with("externalId,name,pathLabel,"),
        "{exported}"
    );
    assert!(
        exported.contains("P3,Bolt,frame.bracket.bolt,100,done,\"has, a comma\""),
        "{exported}"
    );
    // Imported back as it is: nothing changes.
    let back = import(pool, &exported, ImportMode::AllOrNothing, false, false).await;
    assert_eq!(back.status, "completed", "{back:?}");
    assert_eq!((back.diff.created, back.diff.updated), (0, 0), "{back:?}");
    // Edited in a spreadsheet (a value, a name): exactly those change.
    let edited = exported
        .replace(
            "P3,Bolt,frame.bracket.bolt,100",
            "P3,Bolt,frame.bracket.bolt,150",
        )
        .replace("P1,Frame,", "P1,Main frame,");
    let again = import(pool, &edited, ImportMode::AllOrNothing, false, false).await;
    assert_eq!(
        (again.diff.created, again.diff.updated),
        (0, 2),
        "{again:?}"
    );
    assert_eq!(value(pool, "P3", "qty").await.as_deref(), Some("150"));
    assert_eq!(
        value(pool, "P3", "note").await.as_deref(),
        Some("\"has, a comma\"")
    );
    consistent(pool).await;
}

const CHILD_DB: &str = "ECO_IMPORT_CHILD_DB";
const CHILD_FILE: &str = "ECO_IMPORT_CHILD_FILE";

#[tokio::test(flavor = "multi_thread")]
async fn child_runs_a_big_import() {
    let (Ok(url), Ok(file)) = (std::env::var(CHILD_DB), std::env::var(CHILD_FILE)) else {
        return;
    };
    let (file, under) = file.split_once('|').unwrap();
    let under = Some(uuid::Uuid::parse_str(under).unwrap());
    let pool = studio_core::db::pool_options_for(&url)
        .unwrap()
        .max_connections(3)
        .connect_lazy_with(studio_core::db::parse_url(&url).unwrap());
    let options = SyncOptions {
        type_key: "part".into(),
        source: Some("erp".into()),
        format: None,
        mapping: None,
        mode: ImportMode::AllOrNothing,
        delete_missing: false,
        under,
        file_name: Some("big.csv".into()),
    };
    let r = import::run(
        &pool,
        &actor(),
        &options,
        Box::new(std::fs::File::open(file).unwrap()),
        false,
        &|p| println!("eco-import-progress {}", p.done),
        &CancelToken::new(),
    )
    .await
    .map(|a| a.value.status);
    println!("finished {r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_mid_way_leaves_nothing_and_its_run_says_so() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    if std::env::var_os(CHILD_DB).is_some() {
        return;
    }
    let db = test_db().await;
    let pool = &db.pool;
    setup(pool).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "external_id,name,qty,part_status,note").unwrap();
    for i in 0..20_000 {
        writeln!(f, "K{i},Part {i},{},open,note {i}", i % 1000).unwrap();
    }
    drop(f);
    // Imported under one root (as a real import is: a root is a tenant).
    let root = studio_core::registry::create(
        pool,
        &actor(),
        &studio_core::registry::CreateEntity {
            type_key: "part".into(),
            parent_id: None,
            name: "Catalogue".into(),
        },
    )
    .await
    .unwrap()
    .value
    .id;
    let audit_before = count(pool, "SELECT count(*) FROM audit_events").await;
    // Killed at a random point: after some batches were staged, or later.
    let seed: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        .into();
    let wait_for = 2_000 * (1 + seed % 9);
    println!("killing after {wait_for} records read (seed {seed})");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "import::child_runs_a_big_import",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DB, &db.url)
        .env(CHILD_FILE, format!("{}|{root}", path.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut finished_first = false;
    for line in stdout.lines().map_while(Result::ok) {
        if let Some(n) = line.strip_prefix("eco-import-progress ") {
            if n.parse::<u64>().unwrap() >= wait_for {
                break;
            }
        }
        if line.starts_with("finished") {
            finished_first = true;
            break;
        }
    }
    assert!(!finished_first, "the child finished before it was killed");
    let t0 = std::time::Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    assert!(!child.wait().unwrap().success());
    println!("killed after {:?}", t0.elapsed());
    // Its transaction dies with its connection: wait until the server says so.
    for _ in 0..200 {
        let open = count(
            pool,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                AND xact_start IS NOT NULL",
        )
        .await;
        if open == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        count(pool, "SELECT count(*) FROM entities").await,
        1,
        "nothing of the run"
    );
    assert_eq!(count(pool, "SELECT count(*) FROM external_refs").await, 0);
    assert_eq!(
        count(pool, "SELECT count(*) FROM audit_events").await,
        audit_before
    );
    // The run log says it was interrupted once swept.
    assert_eq!(import::sweep_interrupted_after(pool, 0).await.unwrap(), 1);
    let runs = import::list_runs(pool, 5).await.unwrap();
    assert_eq!(runs[0].status, "failed");
    assert!(
        runs[0].errors.0[0].message.contains("interrupted"),
        "{:?}",
        runs[0].errors
    );
    println!("checked after {:?}", t0.elapsed());
    // The same file then imports whole.
    let options = SyncOptions {
        type_key: "part".into(),
        source: Some("erp".into()),
        format: None,
        mapping: None,
        mode: ImportMode::AllOrNothing,
        delete_missing: false,
        under: Some(root),
        file_name: Some("big.csv".into()),
    };
    let done = import::run(
        pool,
        &actor(),
        &options,
        Box::new(std::fs::File::open(&path).unwrap()),
        false,
        &|_| {},
        &CancelToken::new(),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(done.diff.created, 20_000);
    println!("imported after {:?}", t0.elapsed());
    consistent(pool).await;
}

#[tokio::test]
async fn presets_are_saved_replaced_and_deleted_with_audit_rows() {
    let db = test_db().await;
    let pool = &db.pool;
    setup(pool).await;
    let mapping = import::guess_mapping(
        &["external_id".into(), "name".into(), "qty".into()],
        &[("qty".into(), "qty".into())],
    );
    let first = import::save_preset(pool, &actor(), "ERP parts", "part", &mapping, true)
        .await
        .unwrap()
        .value;
    let second = import::save_preset(pool, &actor(), "erp parts", "part", &mapping, true)
        .await
        .unwrap()
        .value;
    let listed = import::list_presets(pool).await.unwrap();
    assert_eq!(listed.len(), 1, "the same name (any case) replaces");
    assert_eq!(listed[0].id, second.id);
    assert_ne!(first.id, second.id);
    let _ = import::delete_preset(pool, &actor(), second.id)
        .await
        .unwrap();
    assert!(import::list_presets(pool).await.unwrap().is_empty());
    assert_eq!(
        count(
            pool,
            "SELECT count(*) FROM audit_events WHERE table_name = 'import_presets'"
        )
        .await,
        3
    );
}
