//! The vault: AES-256-GCM against published vectors, secrets through
//! creation, versions, rotation, rewrap and the minimum decryption version,
//! tampering as a typed integrity error, locking, the missing keychain,
//! people without `secrets:read`, and a canary value searched for
//! everywhere it must not be.

use std::sync::Arc;

use sqlx::PgPool;
use studio_core::error::VaultError;
use studio_core::people::{self, Capability, GrantScope, Login, NewPerson};
use studio_core::testing::{test_db, TestDb};
use studio_core::vault::crypto::{self, Argon2Params};
use studio_core::vault::{self, CreateSecret, KeyProviderKind, SecretText, Vault};
use studio_core::{db, demo, Actor, Change, CoreError, Source};
use uuid::Uuid;

use crate::common::capture_logs;

fn owner() -> Actor {
    Actor::new(None, Source::Test)
}

/// Cheap Argon2id costs: the tests exercise the logic, not the cost.
const FAST: Argon2Params = Argon2Params {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

fn vault_without_keychain() -> Arc<Vault> {
    Vault::with_argon_params(Err("no keychain in this test".into()), FAST)
}

fn pass(text: &str) -> Option<SecretText> {
    Some(SecretText::new(text))
}

fn unhex(text: &str) -> Vec<u8> {
    if text == "-" {
        return Vec::new();
    }
    crypto::unhex(text).expect("hex")
}

fn locked<T>(r: &Result<T, CoreError>) -> bool {
    matches!(r, Err(CoreError::Vault(VaultError::Locked)))
}

fn is_integrity<T: std::fmt::Debug>(r: &Result<T, CoreError>) -> bool {
    matches!(r, Err(CoreError::Vault(VaultError::Integrity(_))))
}

// ------------------------------------------------------------------ vectors

/// AES-256-GCM test vectors: key, 96-bit nonce, AAD, plaintext, ciphertext
/// followed by the 128-bit tag. The first is test case 14 of the GCM
/// specification (all zeros); the rest, here and in the fixture, are valid
/// cases of the Wycheproof project's AES-GCM vectors for 256-bit keys and
/// 96-bit nonces (empty and non-empty AAD, plaintexts of 0 to 20 bytes).
const VECTORS: &str = "\
0000000000000000000000000000000000000000000000000000000000000000 000000000000000000000000 - 00000000000000000000000000000000 cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919
92ace3e348cd821092cd921aa3546374299ab46209691bc28b8752d17f123c20 00112233445566778899aabb 00000000ffffffff 00010203040506070809 e27abdd2d2a53d2f136b9a4a2579529301bcfb71c78d4060f52c
29d3a44f8723dc640239100c365423a312934ac80239212ac3df3421a2098123 00112233445566778899aabb aabbccddeeff - 2a7d77fa526b8250cb296078926b5020
80ba3192c803ce965ea371d5ff073cf0f43b6a2ab576b208426e11409c09b9b0 4da5bf8dfd5852c1ea12379d - - 4771a7c404a472966cea8f73c8bfe17a
";

#[test]
fn aes_gcm_matches_published_vectors_and_refuses_any_altered_bit() {
    let extra = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/aes256gcm.txt"),
    )
    .expect("the vector fixture");
    let mut checked = 0;
    for line in VECTORS.lines().chain(extra.lines()) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 5, "{line}");
        let key: [u8; 32] = unhex(f[0]).try_into().unwrap();
        let nonce: [u8; 12] = unhex(f[1]).try_into().unwrap();
        let (aad, plain, expected) = (unhex(f[2]), unhex(f[3]), unhex(f[4]));
        let sealed = crypto::seal_with_nonce(&key, &nonce, &aad, &plain);
        let mut got = sealed.ciphertext.clone();
        got.extend_from_slice(&sealed.tag);
        assert_eq!(crypto::hex(&got), crypto::hex(&expected), "vector {line}");
        let opened = crypto::open(&key, &aad, &sealed, "vector").expect("opens");
        assert_eq!(&opened[..], &plain[..]);
        // Every single-bit flip of nonce, ciphertext, tag, AAD or key is
        // refused with the typed error (never a panic, never plaintext).
        let total_bits = (12 + sealed.ciphertext.len() + 16 + aad.len() + 32) * 8;
        for bit in 0..total_bits {
            let (mut k, mut s, mut a) = (key, sealed.clone(), aad.clone());
            let (mut byte, mask) = (bit / 8, 1u8 << (bit % 8));
            // The byte falls in the nonce, the ciphertext, the tag, the AAD
            // or the key, in that order.
            let lens = [12, s.ciphertext.len(), 16, a.len(), 32];
            let mut part = 0;
            while byte >= lens[part] {
                byte -= lens[part];
                part += 1;
            }
            match part {
                0 => s.nonce[byte] ^= mask,
                1 => s.ciphertext[byte] ^= mask,
                2 => s.tag[byte] ^= mask,
                3 => a[byte] ^= mask,
                _ => k[byte] ^= mask,
            }
            assert!(
                is_integrity(&crypto::open(&k, &a, &s, "vector")),
                "bit {bit} of {line}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 12, "{checked} vectors");
}

#[test]
fn wrapped_keys_and_passphrase_keys_refuse_tampering() {
    let kek = crypto::random_key().unwrap();
    let data = crypto::random_key().unwrap();
    let (key_id, root) = (Uuid::now_v7(), Uuid::now_v7());
    let aad = crypto::data_key_aad(key_id, root, 1);
    let wrapped = crypto::wrap(&kek, &data, &aad).unwrap();
    let json = crypto::wrapped_to_json(&wrapped);
    let back = crypto::wrapped_from_json(&json).unwrap();
    assert_eq!(*crypto::unwrap(&kek, &back, &aad).unwrap(), *data);
    // Another version's or root's binding, a flipped bit, a malformed field.
    assert!(is_integrity(&crypto::unwrap(
        &kek,
        &back,
        &crypto::data_key_aad(key_id, root, 2)
    )));
    for field in ["nonce", "ciphertext", "tag"] {
        let mut bad = json.clone();
        let text = bad[field].as_str().unwrap().to_string();
        let flipped = format!(
            "{}{}",
            if &text[..1] == "0" { "1" } else { "0" },
            &text[1..]
        );
        bad[field] = serde_json::Value::String(flipped);
        let parsed = crypto::wrapped_from_json(&bad).unwrap();
        assert!(
            is_integrity(&crypto::unwrap(&kek, &parsed, &aad)),
            "{field}"
        );
        bad[field] = serde_json::Value::String("zz".into());
        assert!(is_integrity(&crypto::wrapped_from_json(&bad)), "{field}");
    }
    // Argon2id is deterministic for a passphrase and salt, and differs
    // for another passphrase.
    let a = crypto::derive_kek(b"correct horse", &[7u8; 16], FAST).unwrap();
    let b = crypto::derive_kek(b"correct horse", &[7u8; 16], FAST).unwrap();
    let c = crypto::derive_kek(b"correct hors", &[7u8; 16], FAST).unwrap();
    assert_eq!(*a, *b);
    assert_ne!(*a, *c);
}

// ------------------------------------------------------------------ secrets

/// A demo registry with a passphrase key on Northwind; returns the root
/// and a site under it.
async fn setup(pool: &PgPool, vault: &Arc<Vault>) -> (Uuid, Uuid) {
    let _ = demo::seed_demo(pool, &owner()).await.expect("demo");
    let root = people::root_by_label(pool, "northwind_energy")
        .await
        .unwrap()
        .expect("northwind");
    let parent: Uuid = sqlx::query_scalar(
        "SELECT id FROM entities WHERE parent_entity_id = $1 AND deleted_at IS NULL ORDER BY path_label LIMIT 1",
    )
    .bind(root)
    .fetch_one(pool)
    .await
    .unwrap();
    vault
        .unlock(pool, pass("correct horse battery"))
        .await
        .unwrap();
    let key = vault::create_key(pool, vault, &owner(), root, KeyProviderKind::Passphrase)
        .await
        .expect("a passphrase key")
        .value;
    assert_eq!(
        (key.provider.as_str(), key.newest_version),
        ("passphrase", 1)
    );
    (root, parent)
}

async fn new_secret(
    pool: &PgPool,
    vault: &Arc<Vault>,
    parent: Uuid,
    name: &str,
    value: &str,
) -> Uuid {
    vault::create_secret(
        pool,
        vault,
        &owner(),
        &CreateSecret {
            parent_id: parent,
            name: name.into(),
            value: SecretText::new(value),
            reason: Some("test".into()),
        },
    )
    .await
    .expect("create a secret")
    .value
    .id
}

async fn reveal(
    pool: &PgPool,
    vault: &Arc<Vault>,
    id: Uuid,
    version: Option<i32>,
) -> Result<String, CoreError> {
    vault::reveal(pool, vault, &owner(), id, version, "checking")
        .await
        .map(|a| a.value.value.expose().to_string())
}

#[tokio::test]
async fn secrets_keep_versions_through_rotation_rewrap_and_the_minimum_version() {
    let db = test_db().await;
    let pool = &db.pool;
    let vault = vault_without_keychain();
    let (root, parent) = setup(pool, &vault).await;
    let id = new_secret(pool, &vault, parent, "SCADA token", "first value").await;
    let v2 = vault::write_secret(
        pool,
        &vault,
        &owner(),
        id,
        &SecretText::new("second"),
        Some("rotated upstream"),
    )
    .await
    .unwrap()
    .value;
    assert_eq!((v2.version, v2.key_version), (2, 1));
    assert_eq!(reveal(pool, &vault, id, None).await.unwrap(), "second");
    assert_eq!(
        reveal(pool, &vault, id, Some(1)).await.unwrap(),
        "first value"
    );

    // Each reveal is audited with its reason, never with the value.
    let audits: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, coalesce(after::text, '') FROM audit_events WHERE entity_id = $1 ORDER BY occurred_at, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap();
    let reveals: Vec<_> = audits
        .iter()
        .filter(|(a, _)| a == "secret.reveal")
        .collect();
    assert_eq!(reveals.len(), 2, "{audits:?}");
    assert!(reveals.iter().all(|(_, after)| after.contains("checking")));
    assert!(!audits
        .iter()
        .any(|(_, after)| after.contains("first value") || after.contains("second\"")));

    // Rotation: new versions use key version 2, old ones still decrypt.
    let key = vault::rotate_key(pool, &vault, &owner(), root)
        .await
        .unwrap()
        .value;
    assert_eq!(key.newest_version, 2);
    assert_eq!(key.secret_versions_behind, Some(2));
    let v3 = vault::write_secret(pool, &vault, &owner(), id, &SecretText::new("third"), None)
        .await
        .unwrap()
        .value;
    assert_eq!(v3.key_version, 2);
    assert_eq!(
        reveal(pool, &vault, id, Some(1)).await.unwrap(),
        "first value"
    );

    // Raising the minimum retires version 1: its secret versions refuse.
    let _ = vault::set_minimum_version(pool, &owner(), root, 2)
        .await
        .unwrap();
    match reveal(pool, &vault, id, Some(1)).await {
        Err(CoreError::Vault(VaultError::Retired {
            version: 1,
            minimum: 2,
        })) => {}
        other => panic!("a retired key version must refuse: {other:?}"),
    }
    // Rewrap skips what it cannot open, then moves everything once the
    // minimum allows it.
    let stuck = vault::rewrap_batch(pool, &vault, &owner(), root, 100)
        .await
        .unwrap()
        .value;
    assert_eq!((stuck.rewrapped, stuck.remaining), (0, 2));
    let _ = vault::set_minimum_version(pool, &owner(), root, 1)
        .await
        .unwrap();
    let done = vault::rewrap(pool, &vault, &owner(), root, &|_| {}, &Default::default())
        .await
        .unwrap();
    assert_eq!(
        (
            done.value.rewrapped,
            done.value.remaining,
            done.value.key_version
        ),
        (2, 0, 2)
    );
    assert!(done
        .changes
        .iter()
        .any(|c| matches!(c, Change::SecretsRewrapped { count: 2, .. })));
    let _ = vault::set_minimum_version(pool, &owner(), root, 2)
        .await
        .unwrap();
    for (v, expected) in [(1, "first value"), (2, "second"), (3, "third")] {
        assert_eq!(reveal(pool, &vault, id, Some(v)).await.unwrap(), expected);
    }
    let versions = vault::secret_versions(pool, id).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.version, v.key_version))
            .collect::<Vec<_>>(),
        vec![(3, 2), (2, 2), (1, 2)]
    );
    assert_eq!(versions[1].reason.as_deref(), Some("rotated upstream"));
    let status = vault::status(pool, &vault).await.unwrap();
    let northwind = status.roots.iter().find(|r| r.root_id == root).unwrap();
    let key = northwind.key.as_ref().unwrap();
    assert_eq!(
        (
            key.minimum_version,
            key.newest_version,
            key.secret_versions_behind
        ),
        (2, 2, Some(0))
    );

    // Bad input changes nothing.
    let before = versions.len();
    for bad in [
        vault::write_secret(pool, &vault, &owner(), id, &SecretText::new(""), None)
            .await
            .err(),
        vault::write_secret(pool, &vault, &owner(), parent, &SecretText::new("x"), None)
            .await
            .err(),
        vault::write_secret(
            pool,
            &vault,
            &owner(),
            id,
            &SecretText::new("x"),
            Some(&"r".repeat(501)),
        )
        .await
        .err(),
    ] {
        assert!(matches!(bad, Some(CoreError::Validation(_))), "{bad:?}");
    }
    assert!(matches!(
        vault::reveal(pool, &vault, &owner(), id, None, "  ").await,
        Err(CoreError::Validation(ref v)) if v.field.as_deref() == Some("reason")
    ));
    assert!(matches!(
        vault::set_minimum_version(pool, &owner(), root, 3).await,
        Err(CoreError::Validation(_))
    ));
    assert!(matches!(
        vault::create_key(pool, &vault, &owner(), root, KeyProviderKind::Passphrase).await,
        Err(CoreError::Validation(ref v)) if v.rule == studio_core::Rule::Unique
    ));
    assert!(matches!(
        vault::create_key(pool, &vault, &owner(), parent, KeyProviderKind::Passphrase).await,
        Err(CoreError::Validation(_))
    ));
    assert_eq!(
        vault::secret_versions(pool, id).await.unwrap().len(),
        before
    );
}

#[tokio::test]
async fn tampered_rows_fail_with_a_typed_integrity_error() {
    let db = test_db().await;
    let pool = &db.pool;
    let vault = vault_without_keychain();
    let (root, parent) = setup(pool, &vault).await;
    let a = new_secret(pool, &vault, parent, "A", "value of a").await;
    let b = new_secret(pool, &vault, parent, "B", "value of b").await;

    // Each statement alters one thing; each is undone afterwards.
    let tampers: Vec<(&str, String, String)> = vec![
        (
            "swapped ciphertexts",
            format!("UPDATE vault_secret_versions x SET ciphertext = y.ciphertext, nonce = y.nonce, auth_tag = y.auth_tag
                     FROM vault_secret_versions y WHERE x.secret_entity_id = '{a}' AND y.secret_entity_id = '{b}'"),
            "a".into(),
        ),
        (
            "nonce bit",
            format!("UPDATE vault_secret_versions SET nonce = overlay(nonce placing (CASE WHEN substr(nonce,1,1) = '0' THEN '1' ELSE '0' END) from 1 for 1) WHERE secret_entity_id = '{a}'"),
            "a".into(),
        ),
        (
            "ciphertext bit",
            format!("UPDATE vault_secret_versions SET ciphertext = set_bit(ciphertext, 3, 1 - get_bit(ciphertext, 3)) WHERE secret_entity_id = '{a}'"),
            "a".into(),
        ),
        (
            "tag bit",
            format!("UPDATE vault_secret_versions SET auth_tag = overlay(auth_tag placing (CASE WHEN substr(auth_tag,32,1) = '0' THEN '1' ELSE '0' END) from 32 for 1) WHERE secret_entity_id = '{a}'"),
            "a".into(),
        ),
        (
            "aad says another version",
            format!("UPDATE vault_secret_versions SET aad = jsonb_set(aad, '{{version}}', '2') WHERE secret_entity_id = '{a}'"),
            "a".into(),
        ),
        (
            "row moved to another version number",
            format!("UPDATE vault_secret_versions SET version = 2, aad = jsonb_set(aad, '{{version}}', '2') WHERE secret_entity_id = '{a}'"),
            "a".into(),
        ),
        (
            "wrapped key bit",
            format!("UPDATE tenant_encryption_key_versions v SET wrapped_key = jsonb_set(wrapped_key, '{{ciphertext}}',
                       to_jsonb(overlay(wrapped_key->>'ciphertext' placing (CASE WHEN substr(wrapped_key->>'ciphertext',1,1) = '0' THEN '1' ELSE '0' END) from 1 for 1)))
                     FROM tenant_encryption_keys k WHERE k.id = v.tenant_encryption_key_id AND k.root_entity_id = '{root}'"),
            "a".into(),
        ),
    ];
    restore(pool, &db, root, a, b).await; // saves the untouched rows
    for (what, sql, _) in tampers {
        let mut tx = pool.begin().await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A fresh unlock, so no data key is cached from before.
        vault.lock();
        vault
            .unlock(pool, pass("correct horse battery"))
            .await
            .unwrap_or(());
        let result = reveal(pool, &vault, a, None).await;
        assert!(
            matches!(result, Err(CoreError::Vault(VaultError::Integrity(_)))),
            "{what}: {result:?}"
        );
        // Put it back: restore from the untouched dump of the rows.
        restore(pool, &db, root, a, b).await;
        assert_eq!(
            reveal(pool, &vault, a, None).await.unwrap(),
            "value of a",
            "{what}: restored"
        );
    }
    assert_eq!(reveal(pool, &vault, b, None).await.unwrap(), "value of b");
}

/// Saves (first call) or restores (later calls) the vault rows of the test.
async fn restore(pool: &PgPool, _db: &TestDb, root: Uuid, a: Uuid, b: Uuid) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE IF NOT EXISTS saved_secrets AS SELECT * FROM vault_secret_versions WHERE secret_entity_id IN ('{a}', '{b}');
         CREATE TABLE IF NOT EXISTS saved_keys AS SELECT v.* FROM tenant_encryption_key_versions v
             JOIN tenant_encryption_keys k ON k.id = v.tenant_encryption_key_id WHERE k.root_entity_id = '{root}';
         UPDATE vault_secret_versions x SET nonce = s.nonce, ciphertext = s.ciphertext, auth_tag = s.auth_tag, aad = s.aad, version = s.version
             FROM saved_secrets s WHERE s.id = x.id;
         UPDATE tenant_encryption_key_versions x SET wrapped_key = s.wrapped_key FROM saved_keys s WHERE s.id = x.id;"
    )))
    // In a transaction committed here: through a transaction pooler a
    // statement on the pool commits only when its lease ends, after the
    // next read may already have started.
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_locked_vault_refuses_and_a_wrong_passphrase_does_not_unlock() {
    let db = test_db().await;
    let pool = &db.pool;
    let vault = vault_without_keychain();
    let (root, parent) = setup(pool, &vault).await;
    let id = new_secret(pool, &vault, parent, "Token", "locked away").await;
    vault.lock();
    assert!(vault.is_locked());
    assert!(locked(&reveal(pool, &vault, id, None).await));
    assert!(locked(
        &vault::write_secret(pool, &vault, &owner(), id, &SecretText::new("x"), None)
            .await
            .map(|_| ())
    ));
    assert!(locked(
        &vault::rotate_key(pool, &vault, &owner(), root)
            .await
            .map(|_| ())
    ));
    assert!(locked(
        &vault::rewrap_batch(pool, &vault, &owner(), root, 10)
            .await
            .map(|_| ())
    ));
    // Metadata stays readable while locked.
    assert_eq!(vault::secret_versions(pool, id).await.unwrap().len(), 1);

    match vault.unlock(pool, pass("wrong horse")).await {
        Err(CoreError::Vault(VaultError::WrongPassphrase)) => {}
        other => panic!("a wrong passphrase unlocked: {other:?}"),
    }
    assert!(vault.is_locked());
    // Unlocked without a passphrase, a passphrase key asks for one.
    vault.unlock(pool, None).await.unwrap();
    assert!(matches!(
        reveal(pool, &vault, id, None).await,
        Err(CoreError::Vault(VaultError::PassphraseRequired))
    ));
    vault
        .unlock(pool, pass("correct horse battery"))
        .await
        .unwrap();
    assert_eq!(reveal(pool, &vault, id, None).await.unwrap(), "locked away");

    // Idle time locks it.
    vault.set_idle_limit(std::time::Duration::from_secs(1));
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    assert!(vault.lock_if_idle(), "idle past the limit");
    assert!(locked(&reveal(pool, &vault, id, None).await));
}

#[tokio::test]
async fn without_a_keychain_an_os_keychain_key_is_refused_and_nothing_is_written() {
    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let root = people::root_by_label(pool, "helios_facilities")
        .await
        .unwrap()
        .unwrap();
    let vault = Vault::new(Err("no D-Bus session bus".into()));
    vault.unlock(pool, None).await.unwrap();
    match vault::create_key(pool, &vault, &owner(), root, KeyProviderKind::OsKeychain).await {
        Err(CoreError::Vault(VaultError::KeyUnavailable(m))) => {
            assert!(
                m.contains("no OS keychain") && m.contains("no D-Bus session bus"),
                "{m}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_encryption_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(keys, 0);
    let status = vault::status(pool, &vault).await.unwrap();
    assert_eq!(
        status.keychain_problem.as_deref(),
        Some("no D-Bus session bus")
    );
}

async fn person(db: &TestDb, name: &str, root: Uuid, caps: &[Capability]) -> (String, PgPool) {
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
    .unwrap()
    .value;
    let _ = people::grant_scope(
        &db.pool,
        &owner(),
        &GrantScope {
            user_id: added.person.id,
            root_id: root,
            capabilities: caps.to_vec(),
        },
    )
    .await
    .unwrap();
    let pool = db::connect(&db::with_user(&db.url, &role).unwrap())
        .await
        .unwrap();
    (role, pool)
}

#[tokio::test]
async fn a_person_without_secrets_read_cannot_decrypt_by_any_route() {
    let db = test_db().await;
    let pool = &db.pool;
    let vault = vault_without_keychain();
    let (root, parent) = setup(pool, &vault).await;
    let id = new_secret(pool, &vault, parent, "Inverter password", "s3cr3t-inverter").await;

    let (_, writer) = person(
        &db,
        "no_secrets",
        root,
        &[Capability::Read, Capability::Write, Capability::Admin],
    )
    .await;
    let (_, reader) = person(
        &db,
        "reader",
        root,
        &[Capability::Read, Capability::SecretsRead],
    )
    .await;
    let theirs = vault_without_keychain();
    theirs
        .unlock(&writer, pass("correct horse battery"))
        .await
        .unwrap();
    // The app's route: refused, with the capability named.
    match vault::reveal(
        &writer,
        &theirs,
        &Actor::new(None, Source::Test),
        id,
        None,
        "curious",
    )
    .await
    {
        Err(CoreError::Forbidden(m)) => assert!(m.contains("secrets:read"), "{m}"),
        other => panic!("revealed without secrets:read: {other:?}"),
    }
    // The secret is listed, its versions are not.
    let listed = vault::list_secrets(&writer, Some(root)).await.unwrap();
    assert!(listed
        .iter()
        .any(|s| s.id == id && s.latest_version.is_none()));
    assert!(vault::secret_versions(&writer, id)
        .await
        .unwrap()
        .is_empty());
    // Raw SQL: row-level security keeps the ciphertext from them.
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM vault_secret_versions")
        .fetch_one(&writer)
        .await
        .unwrap();
    assert_eq!(
        rows, 0,
        "no secret version row is visible without secrets:read"
    );
    let forged = sqlx::query("UPDATE vault_secret_versions SET reason = 'x'")
        .execute(&writer)
        .await
        .unwrap();
    assert_eq!(forged.rows_affected(), 0);

    // With secrets:read (and the passphrase) the reader decrypts.
    let readers = vault_without_keychain();
    readers
        .unlock(&reader, pass("correct horse battery"))
        .await
        .unwrap();
    let value = vault::reveal(
        &reader,
        &readers,
        &Actor::new(None, Source::Test),
        id,
        None,
        "maintenance visit",
    )
    .await
    .unwrap()
    .value;
    assert_eq!(value.value.expose(), "s3cr3t-inverter");
    // But may not write a version without secrets:write.
    assert!(matches!(
        vault::write_secret(
            &reader,
            &readers,
            &Actor::new(None, Source::Test),
            id,
            &SecretText::new("x"),
            None
        )
        .await,
        Err(CoreError::Forbidden(_))
    ));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Files under `dir` (recursively) that hold `needle`.
fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    files_holding_since(dir, needle, std::time::SystemTime::UNIX_EPOCH)
}

/// Files under `dir` changed since `since` that hold `needle`.
fn files_holding_since(
    dir: &std::path::Path,
    needle: &[u8],
    since: std::time::SystemTime,
) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let changed = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|m| m >= since);
        if path.is_dir() {
            hits.extend(files_holding_since(&path, needle, since));
        } else if !changed {
            continue;
        } else if let Ok(bytes) = std::fs::read(&path) {
            if contains(&bytes, needle) {
                hits.push(path.display().to_string());
            }
        }
    }
    hits
}

/// One run creates, rotates, rewraps, reveals and exports with a unique
/// value; the value is then searched for in a pg_dump, the database's own
/// files and WAL, the server log, the trace-level logs, the audit rows and
/// the changes (what the app turns into events). Only the reveal's answer
/// holds it.
#[test]
fn a_canary_value_appears_nowhere_but_in_the_reveal() {
    let (logs, _guard) = capture_logs();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // WAL segments written during this test (the cluster is shared by the
    // whole run: older segments cannot hold the canary).
    let started = std::time::SystemTime::now() - std::time::Duration::from_secs(2);
    let canary = format!(
        "canary-{}",
        crypto::hex(&crypto::random_key().unwrap()[..12])
    );
    let (db, changes, revealed, export) = runtime.block_on(async {
        let db = test_db().await;
        let pool = &db.pool;
        let vault = vault_without_keychain();
        let (root, parent) = setup(pool, &vault).await;
        let mut changes: Vec<Change> = Vec::new();
        let created = vault::create_secret(
            pool,
            &vault,
            &owner(),
            &CreateSecret {
                parent_id: parent,
                name: "Canary".into(),
                value: SecretText::new(&canary),
                reason: None,
            },
        )
        .await
        .unwrap();
        let id = created.value.id;
        changes.extend(created.changes);
        let second = vault::write_secret(
            pool,
            &vault,
            &owner(),
            id,
            &SecretText::new(format!("{canary}-2")),
            None,
        )
        .await
        .unwrap();
        changes.extend(second.changes);
        changes.extend(
            vault::rotate_key(pool, &vault, &owner(), root)
                .await
                .unwrap()
                .changes,
        );
        changes.extend(
            vault::rewrap(pool, &vault, &owner(), root, &|_| {}, &Default::default())
                .await
                .unwrap()
                .changes,
        );
        let revealed = vault::reveal(pool, &vault, &owner(), id, Some(1), "canary check")
            .await
            .unwrap();
        changes.extend(revealed.changes.clone());
        // An export of the root's entities (the secret among them).
        let doc = studio_core::views::parse_document(&format!(
            r#"{{"version": 2, "filter": {{"under": "{root}"}}, "columns": [{{"field": "name"}}]}}"#
        ))
        .unwrap();
        let mut export = Vec::new();
        studio_core::views::export(
            pool,
            &doc,
            studio_core::views::ExportFormat::Json,
            None,
            &mut export,
            |_| {},
            &Default::default(),
        )
        .await
        .unwrap();
        sqlx::query("CHECKPOINT").execute(pool).await.unwrap();
        (
            db,
            changes,
            revealed.value.value.expose().to_string(),
            export,
        )
    });
    assert_eq!(revealed, canary, "the reveal answers with the value");
    let needle = canary.as_bytes();
    let mut hits: Vec<String> = Vec::new();

    // pg_dump of the whole database.
    let pg_dump = studio_localdb::PgBinaries::locate()
        .unwrap()
        .program("pg_dump");
    let dump = std::process::Command::new(pg_dump)
        .arg("--dbname")
        .arg(&db.direct_url)
        .output()
        .expect("pg_dump");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    assert!(
        contains(&dump.stdout, b"vault_secret_versions"),
        "the dump holds the vault"
    );
    // The search finds what is stored in plain text (the entity's name).
    assert!(
        contains(&dump.stdout, b"Canary"),
        "the search works on the dump"
    );
    if contains(&dump.stdout, needle) {
        hits.push("pg_dump".into());
    }
    // The database's own files, the WAL and the server log.
    let cluster = studio_localdb::TestCluster::shared().cluster();
    let oid: u32 = runtime.block_on(async {
        sqlx::query_scalar::<_, sqlx::postgres::types::Oid>(
            "SELECT oid FROM pg_database WHERE datname = current_database()",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .0
    });
    let base = cluster.data_dir().join("base").join(oid.to_string());
    assert!(
        !files_holding(&base, b"Canary").is_empty(),
        "the search works on the files"
    );
    hits.extend(files_holding(&base, needle));
    hits.extend(files_holding_since(
        &cluster.data_dir().join("pg_wal"),
        needle,
        started,
    ));
    // The server's log (and the one it rotated away, if any).
    let log = cluster.log_path();
    for path in [log.clone(), log.with_extension("log.1")] {
        if std::fs::read(&path).is_ok_and(|bytes| contains(&bytes, needle)) {
            hits.push(path.display().to_string());
        }
    }
    // Logs, changes (events), export.
    if contains(&logs.0.lock().unwrap(), needle) {
        hits.push("trace logs".into());
    }
    assert!(!logs.0.lock().unwrap().is_empty(), "the logs were captured");
    if format!("{changes:?}").contains(&canary) {
        hits.push("changes".into());
    }
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::SecretRevealed { .. })));
    if contains(&export, needle) {
        hits.push("export".into());
    }
    assert!(
        contains(&export, b"Canary"),
        "the export lists the secret entity"
    );
    assert!(hits.is_empty(), "the canary leaked into: {hits:?}");
}

/// A secret's values are sealed with its root's key: a subtree holding a
/// secret moves within its root, never to another one.
#[tokio::test]
async fn secrets_stay_in_their_root() {
    let db = test_db().await;
    let pool = &db.pool;
    let vault = vault_without_keychain();
    let (root, parent) = setup(pool, &vault).await;
    let id = new_secret(pool, &vault, parent, "Stays", "kept here").await;
    let helios = people::root_by_label(pool, "helios_facilities")
        .await
        .unwrap()
        .unwrap();
    let version_of = |id: Uuid| async move {
        sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
            "SELECT updated_at FROM entities WHERE id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
    };
    for (what, moved) in [("the secret", id), ("its parent", parent)] {
        let refused = studio_core::registry::move_entity(
            pool,
            &owner(),
            &studio_core::registry::MoveEntity {
                id: moved,
                expected_updated_at: version_of(moved).await,
                new_parent_id: Some(helios),
            },
            &|_| {},
            &Default::default(),
        )
        .await;
        assert!(
            matches!(&refused, Err(CoreError::Validation(v)) if v.field.as_deref() == Some("newParentId")),
            "{what}: {refused:?}"
        );
    }
    // Within the root it moves, and still opens.
    let _ = studio_core::registry::move_entity(
        pool,
        &owner(),
        &studio_core::registry::MoveEntity {
            id,
            expected_updated_at: version_of(id).await,
            new_parent_id: Some(root),
        },
        &|_| {},
        &Default::default(),
    )
    .await
    .expect("a move within the root");
    assert_eq!(reveal(pool, &vault, id, None).await.unwrap(), "kept here");
}

/// A keychain that answers only after the start is found when wanted: the
/// vault asks again instead of keeping its first refusal.
#[tokio::test]
async fn a_keychain_that_comes_later_is_found_without_a_restart() {
    use std::sync::atomic::{AtomicBool, Ordering};

    struct InMemory(std::sync::Mutex<std::collections::HashMap<String, [u8; 32]>>);
    impl vault::KeyProvider for InMemory {
        fn name(&self) -> &'static str {
            vault::OS_KEYCHAIN
        }
        fn create(&self, key_id: Uuid) -> studio_core::CoreResult<(String, crypto::Key)> {
            let kek = crypto::random_key()?;
            self.0.lock().unwrap().insert(key_id.to_string(), *kek);
            Ok((key_id.to_string(), kek))
        }
        fn open(&self, _: Uuid, reference: &str) -> studio_core::CoreResult<crypto::Key> {
            Ok(zeroize::Zeroizing::new(self.0.lock().unwrap()[reference]))
        }
        fn discard(&self, reference: &str) {
            self.0.lock().unwrap().remove(reference);
        }
    }

    let db = test_db().await;
    let pool = &db.pool;
    let _ = demo::seed_demo(pool, &owner()).await.unwrap();
    let root = people::root_by_label(pool, "helios_facilities")
        .await
        .unwrap()
        .unwrap();
    let unlocked = Arc::new(AtomicBool::new(false));
    let store: Arc<dyn vault::KeyProvider> = Arc::new(InMemory(Default::default()));
    let (flag, provider) = (Arc::clone(&unlocked), Arc::clone(&store));
    let vault = Vault::with_keychain(move || {
        if flag.load(Ordering::SeqCst) {
            Ok(Arc::clone(&provider))
        } else {
            Err("the keychain is locked".into())
        }
    });
    vault.unlock(pool, None).await.unwrap();
    assert_eq!(
        vault.keychain_problem().as_deref(),
        Some("the keychain is locked")
    );
    assert!(matches!(
        vault::create_key(pool, &vault, &owner(), root, KeyProviderKind::OsKeychain).await,
        Err(CoreError::Vault(VaultError::KeyUnavailable(_)))
    ));
    unlocked.store(true, Ordering::SeqCst);
    assert_eq!(vault.keychain_problem(), None);
    let key = vault::create_key(pool, &vault, &owner(), root, KeyProviderKind::OsKeychain)
        .await
        .expect("the keychain is found once it answers")
        .value;
    assert_eq!(key.provider, "os-keychain");
}
