//! The vault from the command line, as separate processes: a rewrap
//! killed at random points resumes, the OS keychain keeps a key from one
//! process to the next (and its absence is a clear refusal), and a value
//! reaches stdout only when asked for, never the logs.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use studio_core::people::{self, Login, NewPerson};
use studio_core::testing::{test_db, TestDb};
use studio_core::vault::crypto::Argon2Params;
use studio_core::vault::{self, CreateSecret, KeyProviderKind, SecretText, Vault};
use studio_core::{demo, Actor, Source};
use uuid::Uuid;

const PASSPHRASE: &str = "field office passphrase";
const FAST: Argon2Params = Argon2Params {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

fn owner() -> Actor {
    Actor::new(None, Source::Test)
}

fn eco(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eco-studio"));
    cmd.args(args)
        .env("DATABASE_URL", &db.url)
        .env("ECO_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn run(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd.spawn().expect("run eco-studio");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The demo, a global administrator's role (the test server admits it
/// without a password) and Northwind's id.
async fn setup(db: &TestDb) -> (String, Uuid) {
    let _ = demo::seed_demo(&db.pool, &owner()).await.unwrap();
    let role = format!("vault_admin_{}", &db.name[db.name.len() - 12..]);
    let _ = people::add_person(
        &db.pool,
        &owner(),
        &NewPerson {
            role: role.clone(),
            display_name: "Vault admin".into(),
            email: None,
            login: Login::NewRoleWithoutPassword,
            is_admin: true,
        },
    )
    .await
    .unwrap();
    let root = people::root_by_label(&db.pool, "northwind_energy")
        .await
        .unwrap()
        .unwrap();
    (role, root)
}

async fn a_site(db: &TestDb, root: Uuid) -> Uuid {
    sqlx::query_scalar(
        "SELECT id FROM entities WHERE parent_entity_id = $1 AND deleted_at IS NULL ORDER BY path_label LIMIT 1",
    )
    .bind(root)
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

/// Rewrap killed with SIGKILL at random points, run again until it
/// finishes: every secret decrypts to its value, all on the newest key
/// version.
#[tokio::test]
async fn a_rewrap_killed_at_random_points_resumes_and_loses_nothing() {
    let db = test_db().await;
    let (role, root) = setup(&db).await;
    let site = a_site(&db, root).await;
    let vault = Vault::with_argon_params(Err("not needed".into()), FAST);
    vault
        .unlock(&db.pool, Some(SecretText::new(PASSPHRASE)))
        .await
        .unwrap();
    let _ = vault::create_key(
        &db.pool,
        &vault,
        &owner(),
        root,
        KeyProviderKind::Passphrase,
    )
    .await
    .unwrap();
    let count = 400;
    let mut secrets = Vec::new();
    for i in 0..count {
        let value = format!("value {i} {}", Uuid::now_v7());
        let id = vault::create_secret(
            &db.pool,
            &vault,
            &owner(),
            &CreateSecret {
                parent_id: site,
                name: format!("Secret {i}"),
                value: SecretText::new(&value),
                reason: None,
            },
        )
        .await
        .unwrap()
        .value
        .id;
        secrets.push((id, value));
    }
    let _ = vault::rotate_key(&db.pool, &vault, &owner(), root)
        .await
        .unwrap();
    let behind = || async { vault::behind_count(&db.pool, root).await.unwrap() };
    assert_eq!(behind().await, count);

    // A cheap pseudo-random sequence of kill delays.
    let mut seed = u64::from(Uuid::now_v7().as_fields().1) | 1;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut partial_kills = 0;
    let mut finished = false;
    for attempt in 0..8 {
        let mut cmd = eco(
            &db,
            &[
                "vault",
                "rewrap",
                "--root",
                "northwind_energy",
                "--batch",
                "20",
                "--passphrase-stdin",
                "--as",
                &role,
            ],
        );
        cmd.env("ECO_LOG", "warn");
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSPHRASE}\n").as_bytes())
            .unwrap();
        // Progress lines ("rewrapped N of M") come on stderr, one per
        // committed batch: the first runs are killed after a random number
        // of them, plus a random pause (inside a later batch or between).
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let kill = attempt < 4;
        let batches_before_kill = 1 + next() % 4;
        let mut seen = 0;
        let mut killed = false;
        let mut log = String::new();
        for line in rx.iter() {
            log.push_str(&line);
            log.push('\n');
            if line.starts_with("rewrapped ") {
                seen += 1;
                if kill && seen >= batches_before_kill {
                    std::thread::sleep(Duration::from_millis(next() % 15));
                    child.kill().unwrap(); // SIGKILL
                    killed = true;
                    break;
                }
            }
        }
        let status = child.wait().unwrap();
        let left = behind().await;
        if killed {
            assert!(left < count, "a killed run kept the batches it committed");
            if left > 0 {
                partial_kills += 1;
            }
        } else {
            assert!(status.success(), "rewrap failed: {log}");
            finished = true;
            break;
        }
    }
    assert!(finished, "a rewrap ran to its end");
    assert!(partial_kills >= 1, "at least one kill landed mid-rewrap");
    assert_eq!(
        behind().await,
        0,
        "every secret version is on the newest key version"
    );
    let on_newest: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM vault_secret_versions s
         JOIN tenant_encryption_key_versions v ON v.id = s.tenant_encryption_key_version_id
         WHERE s.root_entity_id = $1 AND v.version = 2",
    )
    .bind(root)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(on_newest, count);
    for (id, value) in &secrets {
        let revealed = vault::reveal(&db.pool, &vault, &owner(), *id, None, "after rewrap")
            .await
            .unwrap()
            .value;
        assert_eq!(revealed.value.expose(), value);
    }
}

fn keychain_answers() -> bool {
    match studio_keychain::probe() {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var_os("ECO_REQUIRE_KEYCHAIN").is_none(),
                "ECO_REQUIRE_KEYCHAIN is set but no keychain answers: {why}"
            );
            eprintln!("no keychain here ({why}): the round trip is checked where one runs");
            false
        }
    }
}

/// A key-encryption key stored in the OS keychain by one process is read
/// back by new processes; the value comes out of `secret reveal --show`
/// only, never in the logs (traced at the most verbose level).
#[tokio::test]
async fn the_os_keychain_keeps_a_key_from_one_process_to_the_next() {
    if !keychain_answers() {
        return;
    }
    let db = test_db().await;
    let (role, root) = setup(&db).await;
    let site = a_site(&db, root).await.to_string();
    let out = run(
        eco(
            &db,
            &[
                "vault",
                "create-key",
                "--root",
                "northwind_energy",
                "--provider",
                "os-keychain",
                "--as",
                &role,
            ],
        ),
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let canary = format!("kek-canary-{}", Uuid::now_v7().simple());
    let out = run(
        eco(
            &db,
            &[
                "secret",
                "set",
                "--parent",
                &site,
                "--name",
                "API token",
                "--as",
                &role,
            ],
        ),
        &canary,
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = text(&out)
        .split_whitespace()
        .find_map(|w| Uuid::parse_str(w).ok())
        .expect("the new secret's id");
    assert!(!text(&out).contains(&canary));

    let refused = run(
        eco(
            &db,
            &[
                "secret",
                "reveal",
                "--secret",
                &id.to_string(),
                "--reason",
                "check",
                "--as",
                &role,
            ],
        ),
        "",
    );
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--show"), "{}", text(&refused));

    let out = run(
        eco(
            &db,
            &[
                "secret",
                "reveal",
                "--secret",
                &id.to_string(),
                "--reason",
                "check",
                "--show",
                "--as",
                &role,
            ],
        ),
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), canary);
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(&canary),
        "the value never reaches the logs"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("TRACE") || !out.stderr.is_empty(),
        "the logs were on"
    );
}

/// Without any keychain, creating an os-keychain key is refused with a
/// clear error: never a silent fallback, and nothing is written.
#[tokio::test]
async fn without_a_keychain_an_os_keychain_key_is_refused() {
    let db = test_db().await;
    let (role, _) = setup(&db).await;
    let mut cmd = eco(
        &db,
        &[
            "vault",
            "create-key",
            "--root",
            "northwind_energy",
            "--provider",
            "os-keychain",
            "--as",
            &role,
        ],
    );
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/eco-studio-bus",
    )
    .env_remove("DISPLAY");
    let out = run(cmd, "");
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("no OS keychain"), "{}", text(&out));
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_encryption_keys")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(keys, 0);
}

/// A tiny run of the vault benchmark: one JSON object per operation.
#[tokio::test]
async fn the_vault_benchmark_runs_and_prints_one_object_per_operation() {
    let db = test_db().await;
    let _ = setup(&db).await;
    let out = run(
        eco(
            &db,
            &[
                "bench",
                "vault",
                "--iterations",
                "3",
                "--rewrap",
                "30",
                "--json",
            ],
        ),
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let ops: Vec<&str> = lines.iter().map(|l| l["op"].as_str().unwrap()).collect();
    assert_eq!(ops, ["secret_encrypt_store", "secret_reveal", "rewrap"]);
    for l in &lines {
        for field in ["p50_ms", "p95_ms", "floor_p50_ms"] {
            assert!(l[field].as_f64().is_some_and(|v| v > 0.0), "{field} of {l}");
        }
    }
    assert_eq!(
        lines[2]["rows"].as_i64(),
        Some(30 + 3 + 5 + 1),
        "{}",
        lines[2]
    );
    // The run's root is deleted after it.
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities WHERE parent_entity_id IS NULL AND deleted_at IS NULL
         AND id IN (SELECT root_entity_id FROM tenant_encryption_keys)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(live, 0);
}

/// A passphrase key from the command line: the passphrase and the value
/// share stdin (first line, then the rest); a wrong passphrase is a clear
/// refusal.
#[tokio::test]
async fn a_passphrase_key_and_a_secret_from_the_command_line() {
    let db = test_db().await;
    let (role, root) = setup(&db).await;
    let site = a_site(&db, root).await.to_string();
    let out = run(
        eco(
            &db,
            &[
                "vault",
                "create-key",
                "--root",
                "northwind_energy",
                "--provider",
                "passphrase",
                "--passphrase-stdin",
                "--as",
                &role,
            ],
        ),
        &format!("{PASSPHRASE}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let value = "multi word value\nwith a second line";
    let out = run(
        eco(
            &db,
            &[
                "secret",
                "set",
                "--parent",
                &site,
                "--name",
                "Gateway",
                "--passphrase-stdin",
                "--as",
                &role,
            ],
        ),
        &format!("{PASSPHRASE}\n{value}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = text(&out)
        .split_whitespace()
        .find_map(|w| Uuid::parse_str(w).ok())
        .expect("the new secret's id")
        .to_string();
    let reveal = |pass: &str| {
        run(
            eco(
                &db,
                &[
                    "secret",
                    "reveal",
                    "--secret",
                    &id,
                    "--reason",
                    "cli test",
                    "--show",
                    "--passphrase-stdin",
                    "--as",
                    &role,
                ],
            ),
            &format!("{pass}\n"),
        )
    };
    let out = reveal(PASSPHRASE);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{value}\n"));
    let wrong = reveal("not the passphrase");
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("passphrase is wrong"),
        "{}",
        text(&wrong)
    );
    // A person who reads the root but holds no secrets:read is refused.
    let reader = format!("plain_reader_{}", &db.name[db.name.len() - 12..]);
    let added = people::add_person(
        &db.pool,
        &owner(),
        &NewPerson {
            role: reader.clone(),
            display_name: "Plain reader".into(),
            email: None,
            login: Login::NewRoleWithoutPassword,
            is_admin: false,
        },
    )
    .await
    .unwrap()
    .value;
    let _ = people::grant_scope(
        &db.pool,
        &owner(),
        &people::GrantScope {
            user_id: added.person.id,
            root_id: root,
            capabilities: vec![people::Capability::Read, people::Capability::Write],
        },
    )
    .await
    .unwrap();
    let refused = run(
        eco(
            &db,
            &[
                "secret",
                "reveal",
                "--secret",
                &id,
                "--reason",
                "curious",
                "--show",
                "--passphrase-stdin",
                "--as",
                &reader,
            ],
        ),
        &format!("{PASSPHRASE}\n"),
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("secrets:read"),
        "{}",
        text(&refused)
    );
    assert!(!text(&refused).contains("multi word value"));
    let out = run(eco(&db, &["vault", "status", "--as", &role]), "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("passphrase key, version 1 (minimum 1)"),
        "{}",
        text(&out)
    );
}
