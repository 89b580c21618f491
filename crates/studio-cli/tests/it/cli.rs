//! `eco-studio` as a person runs it: real processes, a real PostgreSQL.

use std::path::Path;
use std::process::{Command, Output};

use studio_core::testing::test_db;

fn eco(args: &[&str], database_url: Option<&str>, data_dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eco-studio"));
    cmd.args(args).env_remove("DATABASE_URL");
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    if let Some(dir) = data_dir {
        cmd.env("ECO_STUDIO_DATA_DIR", dir);
    }
    cmd.output().expect("run eco-studio")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn migrate_and_seed_demo_against_a_server_url() {
    let db = test_db().await;
    let out = eco(&["migrate"], Some(&db.url), None);
    assert!(out.status.success(), "migrate succeeds: {}", text(&out));
    assert!(text(&out).contains("schema up to date"), "{}", text(&out));

    let out = eco(&["seed", "demo"], Some(&db.url), None);
    assert!(out.status.success(), "seed demo succeeds: {}", text(&out));
    let entities: i64 = sqlx::query_scalar("SELECT count(*) FROM entities")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(
        text(&out).contains(&format!("{entities} entities")),
        "the CLI reports what it stored ({entities}): {}",
        text(&out)
    );
    let cli_actor: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE source = 'cli' AND actor_user_id IS NOT NULL",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(
        cli_actor >= entities,
        "the CLI's changes are audited under a person"
    );

    let again = eco(&["seed", "demo"], Some(&db.url), None);
    assert!(!again.status.success(), "a second demo seed is refused");
    assert!(text(&again).contains("already present"), "{}", text(&again));
}

#[test]
fn a_bad_server_is_a_clear_error_without_the_password() {
    let out = eco(
        &["migrate"],
        Some("postgres://someone:sekret-pw@127.0.0.1:1/nothing"),
        None,
    );
    assert!(!out.status.success(), "an unreachable server fails");
    let all = text(&out);
    assert!(all.contains("cannot reach the database"), "{all}");
    assert!(
        !all.contains("sekret-pw"),
        "a password never reaches the output: {all}"
    );

    let out = eco(&["migrate"], Some("mysql://nope"), None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("invalid database URL"),
        "{}",
        text(&out)
    );
}

#[test]
fn doctor_reports_the_postgresql_binaries() {
    let out = eco(&["doctor"], None, None);
    let all = text(&out);
    assert!(
        out.status.success(),
        "PostgreSQL binaries are installed here: {all}"
    );
    assert!(all.contains("[ok  ] PostgreSQL binaries"), "{all}");
    assert!(
        all.contains("OS keychain"),
        "the keychain is checked: {all}"
    );
}

#[test]
fn db_start_status_url_stop_manage_the_embedded_cluster() {
    let dir = std::env::temp_dir().join(format!("eco-cli-db-{}", std::process::id()));
    struct Cleanup(std::path::PathBuf);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = Command::new(env!("CARGO_BIN_EXE_eco-studio"))
                .args(["db", "stop"])
                .env("ECO_STUDIO_DATA_DIR", &self.0)
                .env_remove("DATABASE_URL")
                .output();
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let _cleanup = Cleanup(dir.clone());

    let out = eco(&["db", "status"], None, Some(&dir));
    assert!(
        out.status.success() && text(&out).contains("not initialized"),
        "{}",
        text(&out)
    );
    let out = eco(&["db", "url"], None, Some(&dir));
    assert!(!out.status.success(), "no URL before the cluster runs");

    let out = eco(&["db", "start"], None, Some(&dir));
    assert!(
        out.status.success() && text(&out).contains("created and started"),
        "{}",
        text(&out)
    );
    let out = eco(&["db", "start"], None, Some(&dir));
    assert!(
        text(&out).contains("already running"),
        "a second start reuses: {}",
        text(&out)
    );
    let out = eco(&["db", "status"], None, Some(&dir));
    assert!(text(&out).contains("running: pid"), "{}", text(&out));

    let url = eco(&["db", "url"], None, Some(&dir));
    let url = String::from_utf8_lossy(&url.stdout).trim().to_string();
    assert!(
        url.starts_with("postgres://") && url.contains("/eco_studio"),
        "{url}"
    );

    // The URL works for the other commands.
    let out = eco(&["seed", "demo"], None, Some(&dir));
    assert!(
        out.status.success(),
        "seed into the embedded database: {}",
        text(&out)
    );

    let out = eco(&["db", "stop"], None, Some(&dir));
    assert!(
        text(&out).contains("local database stopped"),
        "{}",
        text(&out)
    );
    let out = eco(&["db", "status"], None, Some(&dir));
    assert!(text(&out).contains("stopped"), "{}", text(&out));
}
